"""Loaders write with the table's declared types and wait briefly, then fail clearly, when the file is locked."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.warehouse.lock_holder import hold_open
from warehouse.db import Warehouse, WarehouseBusy, open_duckdb



def _clause(n: int, amounts: list[float]) -> dict:
    return {"version_id": "v1", "jurisdiction": "NM", "clause_no": n, "section": None, "start_offset": n,
            "end_offset": n + 1, "text": "x", "modality": None, "actor": None, "markup": "none",
            "amounts": amounts, "fiscal_years": [], "recipient_type": None}


def test_an_appropriation_after_thousands_of_clauses_without_money_is_stored(warehouse: Warehouse) -> None:
    # DuckDB samples every 6th row of a frame to guess types; here no sampled row holds an amount.
    rows = [_clause(n, []) for n in range(5999)] + [_clause(5999, [1_500_000.0])]
    frame = pd.DataFrame(rows)
    assert warehouse.replace_partition("analysis.clauses", frame, {"jurisdiction": "NM"}) == 6000
    stored = warehouse.query_df("SELECT amounts, recipient_type FROM analysis.clauses WHERE clause_no = 5999")
    assert list(stored["amounts"].iloc[0]) == [1_500_000.0] and stored["recipient_type"].iloc[0] is None


def test_late_text_in_a_column_of_nulls_is_stored_by_every_loader(warehouse: Warehouse) -> None:
    rows = [{"jurisdiction": "NM", "session": "2025", "bill_id": f"HB {n}", "title": None, "url": None,
             "source": "folder", "updated_at": pd.Timestamp("2026-01-01")} for n in range(6000)]
    rows[-1]["title"] = "Pre-arrest diversion"
    assert warehouse.insert_new("core.bills", pd.DataFrame(rows), ["jurisdiction", "session", "bill_id"]) == 6000
    assert warehouse.upsert("core.bills", pd.DataFrame(rows)) == 6000
    titles = warehouse.query_df("SELECT title FROM core.bills WHERE title IS NOT NULL")["title"].tolist()
    assert titles == ["Pre-arrest diversion"]


@pytest.fixture
def reader(warehouse: Warehouse):
    """Another process holding the warehouse open read-only, as a notebook or an old dashboard would."""
    holder = hold_open(warehouse.path)
    yield holder
    holder.kill()
    holder.wait()


def test_a_reader_holding_the_file_gives_a_clear_error_after_the_wait(warehouse: Warehouse, reader) -> None:
    impatient = Warehouse(path=warehouse.path, lock_wait_seconds=0)
    with pytest.raises(WarehouseBusy, match=r"held open by another process .*PID"):
        impatient.query_df("SELECT 1")


def test_the_writer_gets_in_once_a_brief_reader_closes(warehouse: Warehouse, reader) -> None:
    waits = []

    def reader_closes_while_we_wait(seconds: float) -> None:
        waits.append(seconds)
        reader.stdin.write("done\n")
        reader.stdin.flush()
        reader.wait()

    con = open_duckdb(warehouse.path, read_only=False, wait_seconds=3600, sleep=reader_closes_while_we_wait)
    try:
        assert con.execute("SELECT count(*) FROM core.bills").fetchone() == (0,)
    finally:
        con.close()
    assert len(waits) == 1


def test_other_io_errors_are_not_retried(tmp_path: Path) -> None:
    with pytest.raises(duckdb.IOException):
        open_duckdb(str(tmp_path / "missing" / "w.duckdb"), read_only=True, wait_seconds=3600, sleep=pytest.fail)
