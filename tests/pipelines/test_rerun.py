"""A re-run with nothing changed upstream adds no row, downloads nothing in full and analyses nothing again; a new
version or a new engine re-analyses exactly what it touches."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

import assets.analysis_input
from assets.alerts import ALERT_ASSETS
from assets.analysis import ANALYSIS_ASSETS
from assets.bills import BILL_ASSETS
from assets.resources import BillSources
from assets.reviews import REVIEW_ASSETS
from assets.serving import SERVING_ASSETS, ServingConfig
from tests.pipelines import test_live_resync as recorded
from warehouse.db import Warehouse

REPO = Path(__file__).resolve().parents[2]
ANALYSIS_NODES = ["bill_sections", "clauses", "provision_status", "amendment_drift", "alerts"]


def table_rows(path: Path) -> dict[str, int]:
    """Rows in every base table of the warehouse file."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                             "WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall()
        return {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for (name,) in tables}


def divwatch_env(folder: Path, tracking: Path | None) -> dict[str, str]:
    """Every path `divwatch run` writes inside `folder`, the given tracking file or the shipped one, recorded funding."""
    return {"DIVWATCH_WAREHOUSE": str(folder / "warehouse.duckdb"),
            "DIVWATCH_SERVING": str(folder / "serving.duckdb"), "DIVWATCH_ALERTS_FEED": str(folder / "alerts.atom"),
            "DIVWATCH_HTTP_CACHE": str(folder / "http.sqlite"), "DIVWATCH_FUNDING_MODE": "recorded",
            "DIVWATCH_FUNDING_HTTP_CACHE": str(folder / "funding.sqlite"),
            "DIVWATCH_TRACKING": str(tracking or REPO / "config" / "tracking.toml"),
            "DIVWATCH_REVIEWS_INBOX": str(folder / "inbox"), "DAGSTER_HOME": str(folder / "dagster"),
            "OPENSTATES_API_KEY": recorded.OS_KEY, "LEGISCAN_API_KEY": recorded.LS_KEY}


def divwatch_run(folder: Path, tracking: Path | None, source: str = "live") -> str:
    """`divwatch run --source SOURCE` in its own process, writing inside `folder`; returns its output."""
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--source", source], cwd=REPO,
                          env={**os.environ, **divwatch_env(folder, tracking)},
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    return done.stdout


def materialized(home: Path, asset: str) -> dict[str, int]:
    """How many times each partition of `asset` was materialized, from the Dagster instance's records."""
    instance = dg.DagsterInstance.from_config(str(home))
    counts: dict[str, int] = {}
    for record in instance.fetch_materializations(dg.AssetKey(asset), limit=1000).records:
        counts[record.partition_key] = counts.get(record.partition_key, 0) + 1
    return counts


def test_a_no_change_rerun_of_the_main_job_adds_no_row_downloads_nothing_and_analyses_nothing(httpserver, tmp_path):
    served = recorded.serve(httpserver)
    tracking = recorded.tracking_file(tmp_path, httpserver.url_for("").rstrip("/"))
    divwatch_run(tmp_path, tracking)
    first = table_rows(tmp_path / "warehouse.duckdb")
    published = (tmp_path / "serving.duckdb").stat().st_mtime_ns
    assert first["core.bill_versions"] > 0 and first["analysis.clause_labels"] > 0 and first["alerts.outbox"] > 0
    assert materialized(tmp_path / "dagster", "clauses") == dict.fromkeys(recorded.PARTITIONS, 1)
    served.clear()

    output = divwatch_run(tmp_path, tracking)

    assert table_rows(tmp_path / "warehouse.duckdb") == first
    assert [path for path in served if "getBillText" in path or path.endswith((".htm", ".pdf", ".zip"))] == []
    instance = dg.DagsterInstance.from_config(str(tmp_path / "dagster"))
    for partition in recorded.PARTITIONS:
        versions = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("bill_versions"), asset_partitions=[partition]), limit=1
        ).records[0].asset_materialization.metadata
        assert (partition, versions["full_downloads"].value, versions["new_versions"].value) == (partition, 0, 0)
    for asset in ["bill_sections", "clauses", "provision_status", "drift_signals", "alerts"]:
        assert materialized(tmp_path / "dagster", asset) == dict.fromkeys(recorded.PARTITIONS, 1), asset
    assert materialized(tmp_path / "dagster", "published_snapshot") == {None: 1}
    assert (tmp_path / "serving.duckdb").stat().st_mtime_ns == published
    assert output.count("analysis current, skipped") == len(recorded.PARTITIONS)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three bundled jurisdictions, California without the last version of SB 1110 (added by a test)."""
    texts = tmp_path / "texts"
    for jurisdiction in ("CA", "HI", "KY"):
        shutil.copytree(REPO / "demo" / "texts" / jurisdiction, texts / jurisdiction)
    held_back = texts / "CA" / "SB1110_2015-2016" / "2016-05-31_amended-senate.txt"
    for path in (held_back, held_back.with_name(held_back.name + ".meta.toml")):
        path.rename(tmp_path / path.name)
    return texts


def run_partitions(warehouse: Warehouse, folder: Path) -> dict[str, list[str]]:
    """One bills_job-shaped run per jurisdiction; the analysis steps each run materialized."""
    done = {}
    for jurisdiction in ("CA", "HI", "KY"):
        result = dg.materialize(
            [*BILL_ASSETS, *ANALYSIS_ASSETS, *ALERT_ASSETS], partition_key=jurisdiction,
            resources={"warehouse": warehouse, "bill_sources": BillSources(
                mode="folder", folder=str(folder), tracking_path=str(REPO / "config" / "tracking.toml"))},
        )
        assert result.success
        done[jurisdiction] = [node for node in ANALYSIS_NODES if result.asset_materializations_for_node(node)]
    return done


def test_one_new_version_reanalyses_exactly_its_jurisdiction(warehouse: Warehouse, folder: Path) -> None:
    assert run_partitions(warehouse, folder) == dict.fromkeys(["CA", "HI", "KY"], ANALYSIS_NODES)
    assert run_partitions(warehouse, folder) == {"CA": [], "HI": [], "KY": []}
    for name in ("2016-05-31_amended-senate.txt", "2016-05-31_amended-senate.txt.meta.toml"):
        (folder.parent / name).rename(folder / "CA" / "SB1110_2015-2016" / name)

    assert run_partitions(warehouse, folder) == {"CA": ANALYSIS_NODES, "HI": [], "KY": []}
    pair = warehouse.query_df("SELECT bill_id, fidelity_old, fidelity_new FROM analysis.amendments "
                              "WHERE jurisdiction = 'CA' AND bill_id = 'SB 1110'")
    assert len(pair) == 1  # the new version was compared with its predecessor
    matched = warehouse.query_df("SELECT v.version_label FROM alerts.seen_versions s JOIN core.bill_versions v "
                                 "USING (version_id) WHERE v.bill_id = 'SB 1110'")
    assert sorted(matched["version_label"]) == ["Amended in Senate", "Introduced"]


def test_a_changed_engine_fingerprint_reanalyses_every_jurisdiction(
    warehouse: Warehouse, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_partitions(warehouse, folder)
    before = warehouse.query_df("SELECT jurisdiction, input_hash FROM analysis.partition_state ORDER BY 1")
    monkeypatch.setattr(assets.analysis_input, "engine_fingerprint", lambda: "a retrained clause model")

    assert run_partitions(warehouse, folder) == dict.fromkeys(["CA", "HI", "KY"], ANALYSIS_NODES)
    after = warehouse.query_df("SELECT jurisdiction, input_hash FROM analysis.partition_state ORDER BY 1")
    assert list(after["jurisdiction"]) == ["CA", "HI", "KY"]
    assert not set(after["input_hash"]) & set(before["input_hash"])
    assert run_partitions(warehouse, folder) == {"CA": [], "HI": [], "KY": []}


def test_a_run_that_failed_half_way_is_analysed_again(warehouse: Warehouse, folder: Path) -> None:
    with warehouse.connect() as con:  # a subscription whose filters are not an object makes the alerts step fail
        con.execute("INSERT INTO alerts.subscriptions VALUES ('broken', 'broken', 'immediate', 7, '\"x\"', '[]', "
                    "TIMESTAMP '2000-01-01', TIMESTAMP '2000-01-01')")
    result = dg.materialize(
        [*BILL_ASSETS, *ANALYSIS_ASSETS, *ALERT_ASSETS], partition_key="HI", raise_on_error=False,
        resources={"warehouse": warehouse, "bill_sources": BillSources(
            mode="folder", folder=str(folder), tracking_path=str(REPO / "config" / "tracking.toml"))},
    )
    assert not result.success and result.asset_materializations_for_node("clauses")
    assert warehouse.query_df("SELECT * FROM analysis.partition_state").empty
    with warehouse.connect() as con:
        con.execute("DELETE FROM alerts.subscriptions WHERE subscription_id = 'broken'")
    assert run_partitions(warehouse, folder)["HI"] == ANALYSIS_NODES


def test_alerts_materialized_alone_do_not_mark_the_analysis_complete(warehouse: Warehouse, folder: Path) -> None:
    sources = BillSources(mode="folder", folder=str(folder), tracking_path=str(REPO / "config" / "tracking.toml"))
    resources = {"warehouse": warehouse, "bill_sources": sources}
    assert dg.materialize(BILL_ASSETS, partition_key="HI", resources=resources).success
    assert dg.materialize(ALERT_ASSETS, partition_key="HI", resources=resources).success
    assert warehouse.query_df("SELECT * FROM analysis.partition_state").empty
    assert run_partitions(warehouse, folder)["HI"] == ANALYSIS_NODES


def test_the_copy_is_published_again_only_when_a_fact_changed(warehouse: Warehouse, folder: Path, tmp_path: Path) -> None:
    run_partitions(warehouse, folder)
    serving = ServingConfig(serving_path=str(tmp_path / "serving.duckdb"), reviews_inbox=str(tmp_path / "inbox"))

    def publishes(instance: dg.DagsterInstance) -> bool:
        result = dg.materialize([*REVIEW_ASSETS, *SERVING_ASSETS], instance=instance,
                                resources={"warehouse": warehouse, "serving": serving})
        assert result.success
        return bool(result.asset_materializations_for_node("published_snapshot"))

    with dg.instance_for_test() as instance:
        assert publishes(instance)
        assert not publishes(instance)
        with warehouse.connect() as con:  # a refreshed fetch time is not a fact a reader sees
            con.execute("UPDATE core.bills SET updated_at = current_localtimestamp()")
        assert not publishes(instance)
        with warehouse.connect() as con:
            con.execute("UPDATE core.bills SET title = title || ' (amended title)' WHERE jurisdiction = 'HI'")
        assert publishes(instance)
        with duckdb.connect(serving.serving_path, read_only=True) as con:
            assert con.execute("SELECT count(*) FROM core.bills WHERE title LIKE '%(amended title)'").fetchone()[0] > 0
        (tmp_path / "serving.duckdb").unlink()
        assert publishes(instance)  # a copy that went missing is published again
