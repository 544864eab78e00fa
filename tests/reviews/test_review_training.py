"""Reviews feed the engine: exported as gold with provenance, trained on, and measured as agreement (real texts, real training)."""

from __future__ import annotations

import json

import duckdb

from analysis.clauses.engine import classify
from analysis.clauses.learned import read_model, shipped_model
from analysis.reviews import agreement
from assets.reviews import review_agreement_holds
from assets.serving import ServingConfig
from pipelines.cli import main
from tests.reviews.test_label_reviews import _wrong_label
from warehouse.db import Warehouse


def _labels_in_context(warehouse: Warehouse, version_id: str, start: int, model) -> dict[str, float]:
    """The model's labels on one clause, classified inside its version as the clauses asset does."""
    with duckdb.connect(warehouse.path, read_only=True) as con:
        text, markup = con.execute("SELECT text, markup FROM core.bill_versions WHERE version_id = ?", [version_id]).fetchone()
    spans = [(span["kind"], span["start"], span["end"]) for span in json.loads(markup or "[]")]
    found = [clause for clause in classify(text, spans, model) if clause.start == start]
    assert len(found) == 1
    return {label.category: label.probability for label in found[0].labels}


def _review_and_export(warehouse: Warehouse, tmp_path) -> tuple[str, int, str, str]:
    version_id, start, end, _, wrong, right = _wrong_label(warehouse)
    assert main(["review", "--reviewer", "ana", "mark", version_id, str(start), str(end), wrong, "wrong"]) == 0
    assert main(["review", "--reviewer", "ana", "mark", version_id, str(start), str(end), right, "correct"]) == 0
    assert main(["review", "export", "--gold", str(tmp_path / "gold")]) == 0
    return version_id, int(start), wrong, right


def test_training_with_a_review_changes_the_models_output_on_that_clause(reviewed_warehouse: Warehouse, tmp_path) -> None:
    version_id, start, wrong, right = _review_and_export(reviewed_warehouse, tmp_path)
    clauses = [json.loads(line) for line in (tmp_path / "gold" / "clauses.jsonl").read_text().splitlines()]
    assert len(clauses) == 1 and clauses[0]["rejected"] == [wrong]
    assert clauses[0]["categories"] == [right] and clauses[0]["provenance"]["source"] == "analyst-review"
    assert wrong not in clauses[0]["unknown"] and right not in clauses[0]["unknown"]
    files = [json.loads(line) for line in (tmp_path / "gold" / "labels.jsonl").read_text().splitlines()]
    assert files[0]["categories"] == {right: [clauses[0]["text"]]} and files[0]["provenance"]["reviewers"] == ["ana"]

    out = tmp_path / "reviewed_model.npz"
    assert main(["train", "--reviews", str(tmp_path / "gold"), "--out", str(out)]) == 0
    retrained = read_model(out.read_bytes())
    assert retrained.version != shipped_model().version
    assert wrong in _labels_in_context(reviewed_warehouse, version_id, start, shipped_model())
    assert wrong not in _labels_in_context(reviewed_warehouse, version_id, start, retrained)

    versions = {row["version_id"]: row for row in map(json.loads, (tmp_path / "gold" / "versions.jsonl").read_text().splitlines())}
    assert list(versions) == [version_id]
    table = agreement(clauses, shipped_model(), versions)
    assert table["category"] == {wrong: [0, 1], right: [1, 1]}
    assert list(table["month"].values()) == [[1, 2]]
    assert agreement(clauses, retrained, versions)["category"][wrong] == [1, 1]  # a training figure: it learned this


def test_eval_prints_agreement_with_reviews_per_category_and_month(reviewed_warehouse: Warehouse, tmp_path, capsys) -> None:
    _, _, wrong, right = _review_and_export(reviewed_warehouse, tmp_path)
    capsys.readouterr()
    main(["eval", "--gold", "tests/fixtures/corpus/gold", "--state", "WA", "--reviews", str(tmp_path / "gold"), "--json"])
    figures = json.loads(capsys.readouterr().out)
    assert figures["review_agreement"]["category"] == {wrong: [0, 1], right: [1, 1]}


def test_the_asset_check_warns_when_recent_agreement_falls_below_the_floor(reviewed_warehouse: Warehouse, tmp_path) -> None:
    serving = ServingConfig(serving_path=str(tmp_path / "serving.duckdb"), review_agreement_floor=0.8)
    assert review_agreement_holds(warehouse=reviewed_warehouse, serving=serving).passed  # no reviews yet: nothing to warn of
    _review_and_export(reviewed_warehouse, tmp_path)
    result = review_agreement_holds(warehouse=reviewed_warehouse, serving=serving)
    assert not result.passed and result.severity.value == "WARN" and result.metadata["agreement"].value == 0.5
    lenient = ServingConfig(serving_path=str(tmp_path / "serving.duckdb"), review_agreement_floor=0.5)
    assert review_agreement_holds(warehouse=reviewed_warehouse, serving=lenient).passed
