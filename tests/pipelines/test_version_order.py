"""Versions keep their legislative place across runs that each see only some of them (real bundled texts)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.pipelines.test_bill_pipeline import REPO, run_partition
from warehouse.alert_facts import unseen_versions
from warehouse.db import Warehouse

TX_HB1994 = REPO / "demo" / "texts" / "TX" / "HB1994_82R"
TX_SB536 = REPO / "demo" / "texts" / "TX" / "SB536_84R"


def folder_with(tmp_path: Path, name: str, documents: list[Path]) -> Path:
    """A folder holding only these documents and their sidecars, laid out like the demo."""
    bill = tmp_path / name / "TX" / documents[0].parent.name
    bill.mkdir(parents=True)
    for document in documents:
        shutil.copy(document, bill / document.name)
        shutil.copy(document.with_name(document.name + ".meta.toml"), bill / (document.name + ".meta.toml"))
    return tmp_path / name


def stored_order(warehouse: Warehouse, bill_id: str) -> list[str]:
    return warehouse.query_df(
        "SELECT version_label FROM core.bill_versions WHERE bill_id = ? ORDER BY version_order", [bill_id]
    )["version_label"].tolist()


def amendment_pairs(warehouse: Warehouse, bill_id: str) -> list[tuple[str, str]]:
    rows = warehouse.query_df(
        "SELECT o.version_label AS old, n.version_label AS new FROM analysis.amendments a "
        "JOIN core.bill_versions o ON o.version_id = a.old_version_id "
        "JOIN core.bill_versions n ON n.version_id = a.new_version_id WHERE a.bill_id = ? ORDER BY o.version_order",
        [bill_id],
    )
    return list(zip(rows["old"], rows["new"]))


@pytest.fixture
def hb1994_runs(warehouse: Warehouse, tmp_path: Path) -> Warehouse:
    """Run 1 sees the introduced and committee versions of TX HB 1994; run 2 a folder holding only the enrolled one."""
    first = folder_with(tmp_path, "first", [TX_HB1994 / "1_introduced.txt", TX_HB1994 / "2_senate-committee-report.txt"])
    second = folder_with(tmp_path, "second", [TX_HB1994 / "3_enrolled.txt"])
    assert run_partition(warehouse, first, "TX").success
    assert run_partition(warehouse, second, "TX").success
    return warehouse


def test_newest_version_alone_in_a_folder_is_placed_after_the_stored_ones(hb1994_runs: Warehouse) -> None:
    order = ["Introduced", "Senate Committee Report", "Enrolled"]
    assert stored_order(hb1994_runs, "HB 1994") == order
    timeline = hb1994_runs.query_df(
        "SELECT version_label FROM marts.version_timeline WHERE bill_id = 'HB 1994' ORDER BY version_no"
    )
    assert timeline["version_label"].tolist() == order


def test_amendments_are_derived_from_the_legislative_order(hb1994_runs: Warehouse) -> None:
    assert amendment_pairs(hb1994_runs, "HB 1994") == [
        ("Introduced", "Senate Committee Report"), ("Senate Committee Report", "Enrolled"),
    ]
    with hb1994_runs.connect() as con:
        payloads = {f.payload["version_label"]: f.payload for f in unseen_versions(con, "TX")}
    assert payloads["Enrolled"]["previous"]["version_label"] == "Senate Committee Report"
    assert payloads["Senate Committee Report"]["previous"]["version_label"] == "Introduced"


def test_sidecar_sequence_orders_undated_versions_that_arrive_newest_first(warehouse: Warehouse, tmp_path: Path) -> None:
    """TX SB 536's versions carry no dates, only `sequence`: the enrolled text seen first still ends up last."""
    enrolled_first = folder_with(tmp_path, "first", [TX_SB536 / "2_enrolled.txt"])
    introduced_later = folder_with(tmp_path, "second", [TX_SB536 / "1_introduced.txt"])
    assert run_partition(warehouse, enrolled_first, "TX").success
    assert run_partition(warehouse, introduced_later, "TX").success
    assert stored_order(warehouse, "SB 536") == ["Introduced", "Enrolled"]
    assert amendment_pairs(warehouse, "SB 536") == [("Introduced", "Enrolled")]
    sequences = warehouse.query_df("SELECT sequence FROM core.bill_versions WHERE bill_id = 'SB 536' ORDER BY 1")
    assert sequences["sequence"].tolist() == [1, 2]


def test_stored_order_without_sequences_survives_a_new_undated_version(warehouse: Warehouse, tmp_path: Path) -> None:
    """A warehouse written before sequences were stored: undated versions keep their place around the dated one."""
    first = folder_with(tmp_path, "first", [TX_HB1994 / "1_introduced.txt", TX_HB1994 / "2_senate-committee-report.txt"])
    second = folder_with(tmp_path, "second", [TX_HB1994 / "3_enrolled.txt"])
    sidecar = next(second.rglob("*.meta.toml"))
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("sequence = 3", ""), encoding="utf-8")
    assert run_partition(warehouse, first, "TX").success
    with warehouse.connect() as con:
        con.execute("UPDATE core.bill_versions SET sequence = NULL")
    assert run_partition(warehouse, second, "TX").success
    assert stored_order(warehouse, "HB 1994") == ["Introduced", "Senate Committee Report", "Enrolled"]
