"""The serving assets run in a real Dagster materialization over the corpus warehouse."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.serving import SERVING_ASSETS, SERVING_CHECKS, ServingConfig
from warehouse.access import published_row_counts
from warehouse.db import Warehouse


def _materialize(wh: Warehouse, tmp_path: Path) -> dg.ExecuteInProcessResult:
    serving = ServingConfig(serving_path=str(tmp_path / "serving.duckdb"), parquet_dir=str(tmp_path / "parquet"))
    return dg.materialize([*SERVING_ASSETS, *SERVING_CHECKS], resources={"warehouse": wh, "serving": serving})


def _metadata(result: dg.ExecuteInProcessResult, key: str) -> dict:
    return result.asset_materializations_for_node(key)[0].metadata


def test_marts_then_publish_with_rich_metadata(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    result = _materialize(demo_warehouse, tmp_path)
    assert result.success
    assert {c.check_name: c.passed for c in result.get_asset_check_evaluations()} == {
        "marts_documented": True, "bill_latest_one_row_per_bill": True, "snapshot_matches_warehouse": True}
    marts = _metadata(result, "marts")
    bills = demo_warehouse.query_df("SELECT count(*) AS n FROM marts.bill_latest")["n"].iloc[0]
    assert marts["rows/bill_latest"].value == bills
    assert "| state | bills |" in marts["state_picture"].value
    assert marts["data_health"].value.records
    assert any(c.description for c in marts["schema/bill_latest"].value.columns)
    published = _metadata(result, "published_snapshot")
    counts = published_row_counts(tmp_path / "serving.duckdb")
    assert {k.removeprefix("rows/"): v.value for k, v in published.items() if k.startswith("rows/")} == counts
    assert published["sqlalchemy_url"].value.endswith("serving.duckdb?access_mode=read_only")
    assert sorted(p.stem for p in (tmp_path / "parquet").glob("*.parquet")) == sorted(counts)


def test_an_undocumented_mart_fails_the_documentation_check(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    with demo_warehouse.connect() as con:
        con.execute("CREATE VIEW marts.scratch AS SELECT bill_id FROM core.bills")
    result = _materialize(demo_warehouse, tmp_path)
    check = next(c for c in result.get_asset_check_evaluations() if c.check_name == "marts_documented")
    assert not check.passed
    assert check.metadata["undocumented"].value == ["scratch", "scratch.bill_id"]


def test_markdown_preview_escapes_titles(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    with demo_warehouse.connect() as con:
        con.execute("UPDATE core.bills SET title = ?", ["<script>alert(1)</script> | pipe"])
    preview = _metadata(_materialize(demo_warehouse, tmp_path), "marts")["latest_versions"].value
    assert "<script>" not in preview and "&lt;script&gt;alert(1)&lt;/script&gt; &#124; pipe" in preview
