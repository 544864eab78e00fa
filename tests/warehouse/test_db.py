"""The warehouse's migrations and loaders keep their promises on a real DuckDB file."""

from __future__ import annotations

import pandas as pd
import pytest

from warehouse.db import Warehouse
from warehouse.migrations import apply_migrations, migration_files


def _hits(jurisdiction: str, bills: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "jurisdiction": jurisdiction,
            "session": "2015-16",
            "bill_id": bills,
            "title": "t",
            "url": "u",
            "source": "folder",
            "found_at": pd.Timestamp("2026-01-01"),
        }
    )


def test_migrations_apply_once_and_in_order(warehouse: Warehouse) -> None:
    versions = [version for version, _, _ in migration_files()]
    assert versions == sorted(versions) and len(versions) == len(set(versions))
    with warehouse.connect() as con:
        assert apply_migrations(con) == []
        recorded = [row[0] for row in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
    assert recorded == versions


def test_replace_partition_touches_only_its_partition(warehouse: Warehouse) -> None:
    warehouse.replace_partition("core.bill_search_hits", _hits("CA", ["SB 1", "SB 2"]), {"jurisdiction": "CA"})
    warehouse.replace_partition("core.bill_search_hits", _hits("WA", ["HB 9"]), {"jurisdiction": "WA"})
    warehouse.replace_partition("core.bill_search_hits", _hits("CA", ["SB 3"]), {"jurisdiction": "CA"})
    rows = warehouse.query_df("SELECT jurisdiction, bill_id FROM core.bill_search_hits ORDER BY 1, 2")
    assert rows.values.tolist() == [["CA", "SB 3"], ["WA", "HB 9"]]


def test_failed_replace_leaves_the_old_partition_whole(warehouse: Warehouse) -> None:
    warehouse.replace_partition("core.bill_search_hits", _hits("CA", ["SB 1"]), {"jurisdiction": "CA"})
    broken = _hits("CA", ["SB 2"]).assign(found_at=None)  # violates NOT NULL mid-transaction
    with pytest.raises(Exception):
        warehouse.replace_partition("core.bill_search_hits", broken, {"jurisdiction": "CA"})
    assert warehouse.query_df("SELECT bill_id FROM core.bill_search_hits")["bill_id"].tolist() == ["SB 1"]


def test_insert_new_never_duplicates(warehouse: Warehouse) -> None:
    frame = _hits("CA", ["SB 1", "SB 2"])
    assert warehouse.insert_new("core.bill_search_hits", frame, ["jurisdiction", "session", "bill_id"]) == 2
    assert warehouse.insert_new("core.bill_search_hits", frame, ["jurisdiction", "session", "bill_id"]) == 0


def test_table_names_from_data_are_refused(warehouse: Warehouse) -> None:
    with pytest.raises(ValueError):
        warehouse.replace_partition("core.bills; DROP TABLE core.bills", _hits("CA", []), {"jurisdiction": "CA"})


def test_upsert_replaces_by_primary_key_and_keeps_the_rest(warehouse: Warehouse) -> None:
    bills = pd.DataFrame(
        {"jurisdiction": "CA", "session": "2015-16", "bill_id": ["SB 1", "SB 2"], "title": ["a", "b"],
         "url": "u", "source": "folder", "updated_at": pd.Timestamp("2026-01-01")}
    )
    warehouse.upsert("core.bills", bills)
    warehouse.upsert("core.bills", bills.iloc[[0]].assign(title="renamed"))
    rows = warehouse.query_df("SELECT bill_id, title FROM core.bills ORDER BY 1").values.tolist()
    assert rows == [["SB 1", "renamed"], ["SB 2", "b"]]
