"""The data dictionary is generated from the schema comments and the committed copy is current."""

from __future__ import annotations

from pathlib import Path

from warehouse.dictionary import DEFAULT_OUTPUT, describe, render_markdown, schema_dictionary, write_dictionary
from warehouse.db import Warehouse


def test_every_mart_and_column_is_documented(warehouse: Warehouse) -> None:
    with warehouse.connect() as con:
        marts = describe(con, ("marts",))
    assert len(marts) >= 10
    assert [d.name for d in marts if not d.comment] == []
    assert {d.name: d.undocumented for d in marts if d.undocumented} == {}


def test_markdown_lists_each_relation_with_its_column_comments(warehouse: Warehouse, tmp_path: Path) -> None:
    with warehouse.connect() as con:
        docs = describe(con)
        con.execute("CREATE VIEW marts.undocumented_probe AS SELECT 1 AS x")
        probe = [d for d in describe(con, ("marts",)) if d.name == "undocumented_probe"][0]
    text = render_markdown(docs)
    for doc in docs:
        assert f"### `{doc.schema}.{doc.name}` ({doc.kind})" in text
    timeline = next(d for d in docs if d.name == "version_timeline")
    direction = next(c for c in timeline.columns if c.name == "direction")
    assert f"| `direction` | {direction.data_type} | {direction.comment} |" in text
    assert probe.undocumented == ["x"] and "| `x` | INTEGER | — |" in render_markdown([probe])
    assert write_dictionary(tmp_path / "dd.md").read_text(encoding="utf-8") == schema_dictionary()


def test_committed_dictionary_is_up_to_date() -> None:
    assert DEFAULT_OUTPUT.read_text(encoding="utf-8") == schema_dictionary(), \
        "regenerate with: python -m warehouse.dictionary"
