"""Analysts correct the engine on the bundled demo's real texts: the marts and the next alert show it, the latest review wins."""

from __future__ import annotations

import csv

import duckdb

import pytest

from analysis.clauses.learned import RULES_DECIDE, shipped_model
from analysis.clauses.rules import load_rules
from pipelines.cli import main
from warehouse.alert_facts import unseen_versions
from warehouse.db import Warehouse

# The demo run's least certain model-only label of a learned category, on a clause with another label: the test calls
# it wrong and the other label right (one reviewed example can move a label the model barely gave).
WEAKEST_LABEL_SQL = (
    "SELECT w.version_id, w.start_offset, w.end_offset, w.jurisdiction, w.category AS wrong, min(r.category) AS right "
    "FROM marts.clause_labels w JOIN marts.clause_labels r ON r.version_id = w.version_id AND r.start_offset = w.start_offset "
    "AND r.category <> w.category WHERE w.rule = 'model' AND list_contains(?, w.category) "
    "GROUP BY ALL ORDER BY any_value(w.probability), w.version_id, w.start_offset LIMIT 1"
)


def _wrong_label(warehouse: Warehouse) -> tuple[str, int, int, str, str, str]:
    model = shipped_model()
    learned = [c for c, threshold in zip(model.categories, model.thresholds) if threshold < RULES_DECIDE]
    row = warehouse.query_df(WEAKEST_LABEL_SQL, [learned])
    assert len(row) == 1, "the demo run gives no model-only label on a clause with another label"
    return tuple(row.iloc[0])


def _labels_of(warehouse: Warehouse, version_id: str, start: int) -> dict[str, tuple]:
    rows = warehouse.query_df(
        "SELECT category, reviewed, verdict, reviewer FROM marts.clause_labels WHERE version_id = ? AND start_offset = ?",
        [version_id, int(start)])
    return {r.category: (bool(r.reviewed), r.verdict, r.reviewer) for r in rows.itertuples(index=False)}


def test_a_review_corrects_a_label_and_the_marts_show_it(reviewed_warehouse: Warehouse) -> None:
    version_id, start, end, state, wrong, right = _wrong_label(reviewed_warehouse)
    counts_before = reviewed_warehouse.query_df(
        "SELECT sum(clause_count) AS n FROM marts.clause_counts WHERE jurisdiction = ? AND category = ?", [state, wrong])["n"][0]
    assert main(["review", "--reviewer", "ana", "mark", version_id, str(start), str(end), wrong, "wrong",
                 "--right", right, "--note", "the clause does the other thing"]) == 0
    labels = _labels_of(reviewed_warehouse, version_id, start)
    assert wrong not in labels
    assert labels[right][0] is True  # the engine's own label, now confirmed as the right one
    counts_after = reviewed_warehouse.query_df(
        "SELECT sum(clause_count) AS n, sum(reviewed_clause_count) AS r FROM marts.clause_counts "
        "WHERE jurisdiction = ? AND category = ?", [state, wrong])
    assert counts_after["n"][0] == counts_before - 1


def test_the_next_alert_shows_a_category_a_reviewer_added(reviewed_warehouse: Warehouse) -> None:
    version_id, start, end, state, _, _ = _wrong_label(reviewed_warehouse)
    with reviewed_warehouse.connect() as con:
        had = {f.version_id: f.payload["categories"] for f in _unseen_again(con, state)}[version_id]
    absent = sorted(set(load_rules().categories) - set(had))[0]
    assert main(["review", "add", version_id, str(start), str(end), absent, "--note", "test of the alert path"]) == 0
    with reviewed_warehouse.connect() as con:
        now = {f.version_id: f.payload["categories"] for f in _unseen_again(con, state)}[version_id]
    assert set(now) == set(had) | {absent}


def _unseen_again(con, state: str):
    """The alert payloads as the next alerts run builds them, once the demo run's alerts are forgotten."""
    con.execute("DELETE FROM alerts.seen_versions WHERE jurisdiction = ?", [state])
    return unseen_versions(con, state)


def test_a_second_review_of_the_same_item_wins_and_history_stays(reviewed_warehouse: Warehouse) -> None:
    version_id, start, end, _, wrong, _ = _wrong_label(reviewed_warehouse)
    assert main(["review", "--reviewer", "ana", "mark", version_id, str(start), str(end), wrong, "wrong"]) == 0
    assert wrong not in _labels_of(reviewed_warehouse, version_id, start)
    assert main(["review", "--reviewer", "ben", "mark", version_id, str(start), str(end), wrong, "correct"]) == 0
    assert _labels_of(reviewed_warehouse, version_id, start)[wrong] == (True, "correct", "ben")
    history = reviewed_warehouse.query_df(
        "SELECT reviewer, verdict, model_version, probability FROM analysis.label_reviews ORDER BY review_id")
    assert history[["reviewer", "verdict"]].values.tolist() == [["ana", "wrong"], ["ben", "correct"]]
    assert history["model_version"].notna().all() and history["probability"].between(0, 1).all()


def test_a_review_that_names_no_stored_label_is_refused(reviewed_warehouse: Warehouse, capsys) -> None:
    version_id, start, end, _, wrong, _ = _wrong_label(reviewed_warehouse)
    unlabelled = sorted(set(load_rules().categories) - set(_labels_of(reviewed_warehouse, version_id, start)))[0]
    assert main(["review", "mark", version_id, str(start), str(end), unlabelled, "correct"]) == 2
    assert main(["review", "mark", version_id, str(start + 1), str(end), wrong, "wrong"]) == 2
    assert main(["review", "add", version_id, str(start), str(end), wrong]) == 2
    assert "review it as missing" in capsys.readouterr().err
    assert reviewed_warehouse.query_df("SELECT count(*) AS n FROM analysis.label_reviews")["n"][0] == 0


def test_next_lists_twenty_least_certain_labels_of_a_bill_and_import_records_the_edited_csv(
        reviewed_warehouse: Warehouse, tmp_path, capsys) -> None:
    listing = tmp_path / "next.csv"
    assert main(["review", "next", "--bill", "HB 1706", "--state", "mo", "--out", str(listing)]) == 0
    rows = list(csv.DictReader(listing.open(encoding="utf-8")))
    assert len(rows) == 20 and {r["bill_id"] for r in rows} == {"HB 1706"}
    margins = [abs(float(r["probability"]) - float(r["threshold"])) for r in rows if r["probability"]]
    assert margins == sorted(margins)
    for row in rows:
        row["verdict"] = "correct"
    rows[3]["verdict"] = "perhaps"
    rows[7]["clause_end"] = "end"
    rows[9]["category"] = "no_such_category"
    with listing.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    capsys.readouterr()
    assert main(["review", "--reviewer", "ana", "import", str(listing)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in err] == ["next.csv row 5", "next.csv row 9", "next.csv row 11"]
    assert "'perhaps'" in err[0] and "'end'" in err[1] and "no_such_category" in err[2]
    stored = reviewed_warehouse.query_df("SELECT verdict, origin FROM analysis.label_reviews")
    assert len(stored) == 17 and set(stored["origin"]) == {"next.csv"}
    assert main(["review", "next", "--bill", "HB 1706", "--state", "MO", "--out", str(listing)]) == 0
    again = {(r["version_id"], r["clause_start"], r["category"]) for r in csv.DictReader(listing.open(encoding="utf-8"))}
    reviewed = {(r["version_id"], r["clause_start"], r["category"]) for i, r in enumerate(rows) if i not in (3, 7, 9)}
    assert not again & reviewed


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_dropped_files_in_the_inbox_are_imported_then_moved_aside(reviewed_warehouse: Warehouse, tmp_path, suffix) -> None:
    from dashboard.review_drop import drop_review

    version_id, start, end, _, wrong, _ = _wrong_label(reviewed_warehouse)
    inbox = tmp_path / "inbox"
    drop_review(inbox, {"version_id": version_id, "clause_start": start, "clause_end": end,
                        "category": wrong, "verdict": "wrong", "reviewer": "dash"}, suffix)
    assert main(["review", "import"]) == 0
    assert not list(inbox.glob(f"*{suffix}")) and len(list((inbox / "imported").glob(f"*{suffix}"))) == 1
    assert wrong not in _labels_of(reviewed_warehouse, version_id, start)


def test_a_drift_signal_reviewed_wrong_leaves_the_signal_mart_and_a_later_correct_review_restores_it(
        reviewed_warehouse: Warehouse) -> None:
    signals = reviewed_warehouse.query_df("SELECT new_version_id, signal FROM marts.amendment_signals ORDER BY 1, 2")
    assert not signals.empty and not reviewed_warehouse.query_df("SELECT * FROM marts.amendment_signals WHERE reviewed").shape[0]
    new_version_id, signal = signals.iloc[0]
    assert main(["review", "signal", new_version_id, signal, "wrong"]) == 0
    shown = reviewed_warehouse.query_df("SELECT signal, reviewed FROM marts.amendment_signals WHERE new_version_id = ?",
                                        [new_version_id])
    assert signal not in set(shown["signal"])
    assert main(["review", "signal", new_version_id, signal, "correct"]) == 0
    shown = reviewed_warehouse.query_df("SELECT signal, reviewed FROM marts.amendment_signals WHERE new_version_id = ?",
                                        [new_version_id])
    assert shown.set_index("signal")["reviewed"].to_dict()[signal]
    assert main(["review", "signal", new_version_id, "no_such_signal", "wrong"]) == 2


def test_the_pipeline_records_dashboard_drops_before_it_publishes(reviewed_warehouse: Warehouse, tmp_path) -> None:
    import dagster as dg

    from assets.reviews import label_reviews
    from assets.serving import ServingConfig, marts, published_snapshot
    from dashboard.review_drop import drop_review

    version_id, start, end, _, wrong, _ = _wrong_label(reviewed_warehouse)
    inbox = tmp_path / "pipeline-inbox"
    drop_review(inbox, {"version_id": version_id, "clause_start": start, "clause_end": end,
                        "category": wrong, "verdict": "wrong", "reviewer": "dash"})
    drop_review(inbox, {"version_id": version_id, "clause_start": start, "clause_end": end + 1,
                        "category": wrong, "verdict": "wrong"}, ".csv")
    serving = ServingConfig(serving_path=str(tmp_path / "serving.duckdb"), reviews_inbox=str(inbox))
    result = dg.materialize([label_reviews, marts, published_snapshot],
                            resources={"warehouse": reviewed_warehouse, "serving": serving})
    assert result.success
    metadata = result.asset_materializations_for_node("label_reviews")[0].metadata
    assert metadata["reviews_added"].value == 1 and len(metadata["rows_refused"].value) == 1
    assert not list(inbox.glob("*.*")) and len(list((inbox / "imported").iterdir())) == 2
    with duckdb.connect(serving.serving_path, read_only=True) as con:
        published = con.execute("SELECT count(*) FROM marts.clause_labels WHERE version_id = ? AND start_offset = ? "
                                "AND category = ?", [version_id, int(start), wrong]).fetchone()[0]
    assert published == 0
