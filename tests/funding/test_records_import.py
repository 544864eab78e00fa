"""`divwatch import funding FILE.csv`: the path a user takes with records from a public-records request."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.funding.helpers import FUNDING_FIXTURES
from tests.serving.demo_run import REPO, demo_env

REQUEST = FUNDING_FIXTURES / "records" / "request_response.csv"
BUNDLED = REPO / "demo" / "funding" / "records" / "awards.csv"


def _import(folder: Path, csv_file: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "import", "funding", str(csv_file), *flags],
                          cwd=REPO, env=demo_env(folder), capture_output=True, text=True, timeout=900)


def _rows(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_valid_rows_load_and_each_bad_row_is_refused_with_its_reason(tmp_path: Path) -> None:
    csv_file = tmp_path / "request_response.csv"
    shutil.copy(REQUEST, csv_file)
    done = _import(tmp_path, csv_file, "--no-publish")
    assert done.returncode == 0, done.stderr
    assert "2 rows loaded, 6 refused" in done.stdout
    for line in ("row 4: amount_usd 'ten thousand' is not a dollar amount",
                 "row 5: recipient_state 'WASHINGTON' is not a two-letter code",
                 "row 6: amount_kind 'maximum' is not one of", "row 7: source is empty",
                 "row 8: same award as row 2", "row 9: date '03/01/2024' is not YYYY-MM-DD"):
        assert line in done.stdout
    warehouse = tmp_path / "warehouse.duckdb"
    loaded = _rows(warehouse, "SELECT award_id, amount, amount_kind, state, fiscal_year, note FROM funding.awards "
                              "WHERE source = 'records:request_response.csv' ORDER BY amount")
    assert [(r[1], r[2], r[3], r[4]) for r in loaded] == [(250000.0, "award", "WA", 2024), (575000.0, "yearly_ceiling", "WA", 2024)]
    assert "fiscal year as stated: FY 2024-25" in loaded[1][5] and "date as stated: 2024-07" in loaded[1][5]
    errors = _rows(warehouse, "SELECT item FROM core.fetch_errors WHERE source = 'records:request_response.csv' ORDER BY item")
    assert [e[0] for e in errors] == [f"request_response.csv row {n}" for n in range(4, 10)]
    health = _rows(warehouse, "SELECT items_ok, items_failed FROM core.source_runs WHERE source = 'records:request_response.csv'")
    assert health == [(2, 6)]


def test_reimport_is_idempotent_and_a_corrected_file_replaces_its_rows(tmp_path: Path) -> None:
    csv_file = tmp_path / "request_response.csv"
    shutil.copy(REQUEST, csv_file)
    warehouse = tmp_path / "warehouse.duckdb"
    count = "SELECT count(*), sum(amount) FROM funding.awards WHERE source = 'records:request_response.csv'"
    _import(tmp_path, csv_file, "--no-publish")
    first = _rows(warehouse, count)
    _import(tmp_path, csv_file, "--no-publish")
    assert _rows(warehouse, count) == first == [(2, 825000.0)]
    fixed = REQUEST.read_text(encoding="utf-8").replace("ten thousand", "10000")
    csv_file.write_text(fixed, encoding="utf-8")
    _import(tmp_path, csv_file, "--no-publish")
    assert _rows(warehouse, count) == [(3, 835000.0)]


def test_a_file_without_the_required_columns_keeps_the_rows_already_loaded(tmp_path: Path) -> None:
    csv_file = tmp_path / "request_response.csv"
    shutil.copy(REQUEST, csv_file)
    _import(tmp_path, csv_file, "--no-publish")
    csv_file.write_text("recipient,amount\nHarbor County,5\n", encoding="utf-8")
    done = _import(tmp_path, csv_file, "--no-publish")
    assert done.returncode == 1 and "missing columns: amount_usd, source" in done.stdout
    assert _rows(tmp_path / "warehouse.duckdb", "SELECT count(*) FROM funding.awards")[0][0] == 2


def test_import_types_recipients_links_bills_and_publishes(demo_run, tmp_path: Path) -> None:
    """On top of the demo warehouse: the new rows reach the published copy, typed, and ceilings stay out of the sums."""
    shutil.copy(demo_run.warehouse, tmp_path / "warehouse.duckdb")
    csv_file = tmp_path / "request_response.csv"
    shutil.copy(REQUEST, csv_file)
    done = _import(tmp_path, csv_file)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "publish: ok" in done.stdout
    serving = tmp_path / "serving.duckdb"
    rows = dict(_rows(serving, "SELECT recipient_name, recipient_type FROM marts.funding_records "
                               "WHERE source = 'records:request_response.csv'"))
    assert rows == {"Harbor City Police Department": "law_enforcement", "Harbor County": "other"}
    linked = _rows(serving, "SELECT linked_bills FROM marts.funding_records WHERE recipient_name = 'Harbor County'")
    assert linked == [(None,)]  # SB 843 is tracked in CA only, and this row names WA: no link across states
    washington = _rows(serving, "SELECT sum(total_amount) FROM marts.funding_shares WHERE state = 'WA' AND year = 2024")
    assert washington == [(250000.0,)]  # the award, never the 'up to' ceiling


def test_bundled_records_load_with_their_kinds_types_and_stated_bills(demo_run) -> None:
    warehouse = demo_run.warehouse
    source = "records:awards.csv"
    assert _rows(warehouse, "SELECT count(*) FROM funding.awards WHERE source = ?", (source,)) == [(67,)]
    kinds = dict(_rows(warehouse, "SELECT amount_kind, count(*) FROM funding.awards WHERE source = ? GROUP BY 1", (source,)))
    assert kinds["yearly_ceiling"] == 4 and kinds["application"] == 5 and kinds["award"] == 45
    summed = _rows(warehouse, "SELECT sum(total_amount) FROM marts.funding_shares")[0][0]
    awarded = _rows(warehouse, "SELECT sum(amount) FROM funding.awards WHERE diversion_related AND amount_kind = 'award'")[0][0]
    assert summed == pytest.approx(awarded)
    links = _rows(warehouse, "SELECT target_id FROM funding.links WHERE target_kind = 'bill' ORDER BY 1")
    assert [t[0] for t in links] == ["CA 2015-2016 SB 843", "IL 103rd General Assembly HB 3819"]
    untyped = _rows(warehouse, "SELECT count(*) FROM funding.recipients WHERE recipient_type = 'unknown' "
                               "AND rule LIKE '%no_rule_matched'")[0][0]
    typed_other = _rows(warehouse, "SELECT count(*) FROM funding.recipients WHERE recipient_type = 'other' "
                                   "AND rule LIKE '%no_rule_matched'")[0][0]
    assert untyped > 0 and typed_other == 0
