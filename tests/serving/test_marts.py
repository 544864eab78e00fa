"""The marts compute what their comments promise, on a real warehouse built from the corpus."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.serving.corpus_warehouse import bill_order
from warehouse.access import mart_names, mart_row_counts
from warehouse.db import Warehouse

EXPECTED_MARTS = {
    "bill_latest", "version_timeline", "drift_by_state_year", "state_summary", "clause_counts",
    "amendment_changes", "amendment_signals", "funding_shares", "funding_by_recipient_type", "alerts_feed",
    "data_health",
}


def test_every_mart_exists_and_is_empty_on_an_empty_warehouse(warehouse: Warehouse) -> None:
    with warehouse.connect() as con:
        assert EXPECTED_MARTS <= set(mart_names(con))
        assert set(mart_row_counts(con).values()) == {0}


def test_bill_latest_is_the_last_version_of_each_bill_in_pipeline_order(corpus_warehouse, corpus_versions) -> None:
    expected = {}
    for version in bill_order(corpus_versions):
        expected[(version.jurisdiction, version.session, version.bill_id)] = version.version_id
    latest = corpus_warehouse.query_df(
        "SELECT jurisdiction, session, bill_id, latest_version_id FROM marts.bill_latest")
    assert len(latest) == len(expected)
    assert {(r.jurisdiction, r.session, r.bill_id): r.latest_version_id for r in latest.itertuples()} == expected


def test_bill_latest_carries_fidelity_and_last_change_of_that_version(corpus_warehouse) -> None:
    joined = corpus_warehouse.query_df(
        "SELECT b.model_score, f.model_score AS stored_score, b.last_change_direction, a.direction "
        "FROM marts.bill_latest b JOIN analysis.version_fidelity f ON f.version_id = b.latest_version_id "
        "LEFT JOIN analysis.amendments a ON a.new_version_id = b.latest_version_id"
    )
    assert joined["model_score"].fillna(9).tolist() == joined["stored_score"].fillna(9).tolist()
    assert joined["last_change_direction"].fillna("").tolist() == joined["direction"].fillna("").tolist()
    assert joined["direction"].notna().any()


def test_timeline_numbers_versions_and_attaches_the_amendment_into_each(corpus_warehouse) -> None:
    timeline = corpus_warehouse.query_df(
        "SELECT jurisdiction, session, bill_id, version_no, version_count, previous_version_id, direction "
        "FROM marts.version_timeline ORDER BY jurisdiction, session, bill_id, version_no"
    )
    for _, bill in timeline.groupby(["jurisdiction", "session", "bill_id"]):
        assert bill["version_no"].tolist() == list(range(1, len(bill) + 1))
        assert set(bill["version_count"]) == {len(bill)}
        assert bill["direction"].iloc[0] is None
    amended = corpus_warehouse.query_df("SELECT count(*) AS n FROM analysis.amendments")["n"].iloc[0]
    assert timeline["direction"].notna().sum() == amended > 0


def test_drift_by_state_year_adds_up_to_the_amendments(corpus_warehouse) -> None:
    drift = corpus_warehouse.query_df("SELECT * FROM marts.drift_by_state_year")
    directions = Counter(corpus_warehouse.query_df("SELECT direction FROM analysis.amendments")["direction"])
    assert drift["amendments"].sum() == sum(directions.values())
    assert drift["drift_away"].sum() == directions["drift-away"]
    assert drift["toward_model"].sum() == directions["toward-model"]
    assert (drift[["drift_away", "toward_model", "mixed", "no_change"]].sum(axis=1) == drift["amendments"]).all()


def test_clause_counts_match_the_gold_clauses_per_category(corpus_warehouse) -> None:
    counts = corpus_warehouse.query_df("SELECT category, sum(clause_count) AS n FROM marts.clause_counts GROUP BY 1")
    stored = corpus_warehouse.query_df(
        "SELECT category, count(DISTINCT (version_id, clause_no)) AS n FROM analysis.clause_labels GROUP BY 1"
    )
    assert dict(zip(counts["category"], counts["n"])) == dict(zip(stored["category"], stored["n"]))
    assert len(counts) >= 10


def test_data_health_rates_freshness_and_extraction_failures(corpus_warehouse) -> None:
    health = corpus_warehouse.query_df("SELECT * FROM marts.data_health ORDER BY jurisdiction")
    runs = corpus_warehouse.query_df("SELECT * FROM core.source_runs")
    for row in health.itertuples():
        mine = runs[(runs.source == row.source) & (runs.jurisdiction == row.jurisdiction)]
        failed, ok = mine["items_failed"].sum(), mine["items_ok"].sum()
        assert row.error_rate == pytest.approx(failed / (ok + failed))
        assert row.last_success_at == mine["finished_at"].max()
        # Each state has one "expected pdf, got html" error (extraction) and one HTTP 503 (not extraction).
        assert row.extraction_failures == 1
        assert row.extraction_failure_rate == pytest.approx(1 / (row.versions_stored + 1))
    stale = health[health["stale"]]
    assert len(stale) == 1 and stale["hours_since_success"].iloc[0] > 7 * 24
    assert (health[~health["stale"]]["hours_since_success"] < 2).all()


def test_funding_by_recipient_type_shares_add_up(corpus_warehouse) -> None:
    funding = corpus_warehouse.query_df("SELECT * FROM marts.funding_by_recipient_type")
    assert set(funding["recipient_type"]) == {"law_enforcement", "prosecution", "courts_corrections", "services",
                                              "evaluation", "other", "unknown"}
    per_year = funding.groupby(["jurisdiction", "year"]).agg(amount=("amount", "sum"), share=("share", "sum"),
                                                             total=("total_amount", "first"))
    assert per_year["amount"].tolist() == pytest.approx(per_year["total"].tolist())
    assert per_year["share"].tolist() == pytest.approx([1.0] * len(per_year))
    awards = corpus_warehouse.query_df("SELECT sum(amount) AS total FROM funding.awards WHERE diversion_related")
    assert funding["amount"].sum() == pytest.approx(awards["total"].iloc[0])


def test_alerts_feed_names_the_bill_of_every_outbox_row(corpus_warehouse) -> None:
    feed = corpus_warehouse.query_df("SELECT * FROM marts.alerts_feed")
    outbox = corpus_warehouse.query_df("SELECT count(*) AS n FROM alerts.outbox")["n"].iloc[0]
    assert len(feed) == outbox > 0
    assert feed["bill_id"].notna().all() and feed["version_url"].notna().all()
    assert set(feed["status"]) == {"pending", "sent"}


def test_bill_order_is_the_stored_legislative_order_not_dates(corpus_warehouse) -> None:
    """bill_versions decides each version's place (sequence, date, first load); the marts must not re-order."""
    first, second = corpus_warehouse.query_df(
        "SELECT old_version_id, new_version_id FROM analysis.amendments a JOIN marts.version_timeline t "
        "ON t.version_id = a.new_version_id WHERE t.version_count = 2 ORDER BY ALL LIMIT 1").iloc[0]
    with corpus_warehouse.connect() as con:
        con.execute("UPDATE core.bill_versions SET version_order = CASE version_id WHEN ? THEN 2 ELSE 1 END "
                    "WHERE version_id IN (?, ?)", [first, first, second])
    latest = corpus_warehouse.query_df(
        "SELECT b.latest_version_id FROM marts.bill_latest b "
        "JOIN marts.version_timeline t ON t.version_id = ? AND (b.jurisdiction, b.session, b.bill_id) = "
        "(t.jurisdiction, t.session, t.bill_id)", [first]).iloc[0]
    assert latest["latest_version_id"] == first
