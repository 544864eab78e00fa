"""One fidelity figure per version: timeline, amendment delta, alert payload, alerts feed and dictionary agree (real bills)."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from assets.alerts import alerts
from analysis.model import Fidelity, ProvisionStatus
from assets.analysis import ANALYSIS_ASSETS
from assets.analysis_rows import _bill_fidelity
from assets.bills import BILL_ASSETS
from assets.resources import BillSources
from tests.pipelines.test_bill_pipeline import REPO
from warehouse.db import Warehouse

AMENDED_STATES = ["CA", "IL", "TX"]  # the bundled states whose bills have several versions


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The bundled real texts of the amended states, analysed and turned into alerts by real Dagster runs."""
    warehouse = Warehouse(path=str(tmp_path_factory.mktemp("fidelity") / "warehouse.duckdb"))
    sources = BillSources(mode="folder", folder=str(REPO / "demo" / "texts"),
                          tracking_path=str(REPO / "config" / "tracking.toml"))
    for state in AMENDED_STATES:
        result = dg.materialize([*BILL_ASSETS, *ANALYSIS_ASSETS, alerts], partition_key=state,
                                resources={"warehouse": warehouse, "bill_sources": sources})
        assert result.success
    return warehouse


def _timeline(warehouse: Warehouse):
    """The timeline with each version's previous score read off the timeline itself (the line the chart draws)."""
    timeline = warehouse.query_df(
        "SELECT jurisdiction, session, bill_id, version_id, version_no, model_score, previous_version_id, "
        "fidelity_delta, direction, signals_high FROM marts.version_timeline "
        "ORDER BY jurisdiction, session, bill_id, version_no"
    )
    score = dict(zip(timeline["version_id"], timeline["model_score"]))
    return timeline.assign(previous_model_score=timeline["previous_version_id"].map(score))


def test_each_delta_is_the_step_between_the_stored_scores_of_the_timeline(demo_warehouse: Warehouse) -> None:
    amended = _timeline(demo_warehouse).dropna(subset=["previous_version_id"])
    assert len(amended) >= 4
    for row in amended.itertuples():
        assert row.fidelity_delta == pytest.approx(row.model_score - row.previous_model_score), row.bill_id
    stored = demo_warehouse.query_df("SELECT version_id, previous_model_score FROM marts.version_timeline")
    stored = dict(zip(stored["version_id"], stored["previous_model_score"]))
    assert all(stored[row.version_id] == row.previous_model_score for row in amended.itertuples())
    quoted = demo_warehouse.query_df(
        "SELECT a.fidelity_old, a.fidelity_new, o.model_score AS old_score, n.model_score AS new_score "
        "FROM analysis.amendments a JOIN analysis.version_fidelity o ON o.version_id = a.old_version_id "
        "JOIN analysis.version_fidelity n ON n.version_id = a.new_version_id"
    )
    assert quoted["fidelity_old"].tolist() == quoted["old_score"].tolist()
    assert quoted["fidelity_new"].tolist() == quoted["new_score"].tolist()


def test_alert_payloads_and_the_alerts_feed_quote_the_same_figures(demo_warehouse: Warehouse) -> None:
    timeline = _timeline(demo_warehouse).set_index("version_id")
    feed = demo_warehouse.query_df("SELECT version_id, fidelity_delta, payload FROM marts.alerts_feed")
    assert len(feed) >= len(timeline)
    for row in feed.itertuples():
        version = timeline.loc[row.version_id]
        fidelity = json.loads(row.payload)["fidelity"]
        assert fidelity["new"] == pytest.approx(version.model_score)
        if version.previous_version_id is None:
            assert row.fidelity_delta is None or row.fidelity_delta != row.fidelity_delta  # NULL / NaN
            continue
        assert fidelity["old"] == pytest.approx(version.previous_model_score)
        assert fidelity["delta"] == pytest.approx(version.fidelity_delta, abs=1e-4)
        assert row.fidelity_delta == pytest.approx(version.fidelity_delta)


def test_direction_labels_agree_with_the_sign_of_the_delta(demo_warehouse: Warehouse) -> None:
    """Codebook: toward-model never falls; no-change does not move; drift-away falls unless a high signal fired."""
    amended = _timeline(demo_warehouse).dropna(subset=["previous_version_id"])
    for row in amended.itertuples():
        step = row.model_score - row.previous_model_score  # what the fidelity chart shows between the two points
        if row.direction == "toward-model":
            assert step >= 0, row.bill_id
        elif row.direction == "no-change":
            assert step == pytest.approx(0), row.bill_id
        elif row.direction == "drift-away":
            assert step <= 0 or row.signals_high > 0, row.bill_id


def test_data_dictionary_describes_fidelity_delta_as_the_data_computes_it(demo_warehouse: Warehouse) -> None:
    dictionary = (REPO / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    start = dictionary.index("### `marts.version_timeline`")
    row = next(line for line in dictionary[start:].splitlines() if line.startswith("| `fidelity_delta` |"))
    assert "model_score of this version minus previous_model_score" in row
    timeline = _timeline(demo_warehouse).dropna(subset=["fidelity_delta"])
    assert (timeline["fidelity_delta"] - (timeline["model_score"] - timeline["previous_model_score"])).abs().max() < 1e-9


def test_a_version_with_nothing_scorable_does_not_blank_the_rest_of_its_bill() -> None:
    shown = Fidelity((ProvisionStatus("prebooking_referral", "present", 3), ProvisionStatus("housing_first", "absent", 2)),
                     None, None)
    blank = Fidelity(tuple(ProvisionStatus(p.provision, "unknown", p.weight) for p in shown.provisions), None, None)
    assert [f.model_score for f in _bill_fidelity([shown, blank])] == [0.6, None]
