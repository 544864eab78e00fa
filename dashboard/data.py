"""Read-only queries over the published serving copy, cached until the next publish replaces the file."""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

SERVING_ENV = "DIVWATCH_SERVING"
DEFAULT_SERVING = Path(__file__).resolve().parent.parent / "data" / "serving.duckdb"
# One read-only connection per published copy, replaced when a publish swaps the file. Queries take turns:
# DuckDB shares an open file between a process's connections, so the old copy must be closed before the
# new one is opened, or the new connection would still see the old copy.
_LOCK = threading.Lock()
_OPEN: dict[str, tuple[int, duckdb.DuckDBPyConnection]] = {}


def serving_path() -> Path:
    """The published copy to read: $DIVWATCH_SERVING, else data/serving.duckdb in the repo."""
    return Path(os.environ.get(SERVING_ENV) or DEFAULT_SERVING)


def published_at(path: Path) -> datetime:
    """The publish swaps in a freshly written file, so its mtime is the publish time."""
    return datetime.fromtimestamp(path.stat().st_mtime)


def _connection(path: str, stamp: int) -> duckdb.DuckDBPyConnection:
    """The open connection to this copy of the file, reopening after a publish (call with _LOCK held)."""
    current = _OPEN.get(path)
    if current and current[0] == stamp:
        return current[1]
    if current:
        current[1].close()
    con = duckdb.connect(path, read_only=True)
    _OPEN[path] = (stamp, con)
    return con


@st.cache_data(show_spinner=False, max_entries=256, ttl=60)  # the ttl keeps data-health freshness moving
def _cached(path: str, stamp: int, sql: str, params: tuple) -> pd.DataFrame:
    with _LOCK:
        return _connection(path, stamp).execute(sql, list(params)).df()


def query(sql: str, params: tuple = ()) -> pd.DataFrame:
    """Run a parameterized read on the current copy; the file's inode and mtime key the cache."""
    path = serving_path()
    stat = path.stat()
    return _cached(str(path), hash((stat.st_ino, stat.st_mtime_ns)), sql, params)


def bills() -> pd.DataFrame:
    """Latest version of each bill; `text_complete` is false when any stored version is an excerpt."""
    return query(
        "SELECT b.jurisdiction, b.session, b.bill_id, b.title, b.latest_version_label, b.latest_version_date, "
        "b.version_count, b.model_score, b.organizer_score, b.last_change_direction, b.last_fidelity_delta, "
        "b.last_signal_ids, b.latest_version_url, "
        "(SELECT bool_and(v.text_complete) FROM core.bill_versions v WHERE (v.jurisdiction, v.session, v.bill_id) = "
        "(b.jurisdiction, b.session, b.bill_id)) AS text_complete "
        "FROM marts.bill_latest b ORDER BY b.latest_version_date DESC NULLS LAST, b.jurisdiction, b.bill_id"
    )


def timeline(jurisdiction: str, session: str, bill_id: str) -> pd.DataFrame:
    return query(
        "SELECT t.*, v.text_complete FROM marts.version_timeline t LEFT JOIN core.bill_versions v USING (version_id) "
        "WHERE t.jurisdiction = ? AND t.session = ? AND t.bill_id = ? ORDER BY t.version_no",
        (jurisdiction, session, bill_id),
    )


def changes(old_version_id: str, new_version_id: str) -> pd.DataFrame:
    return query(
        "SELECT change_no, kind, old_section, new_section, old_text, new_text, redline FROM marts.amendment_changes "
        "WHERE old_version_id = ? AND new_version_id = ? ORDER BY change_no",
        (old_version_id, new_version_id),
    )


def signals(old_version_id: str, new_version_id: str) -> pd.DataFrame:
    return query(
        "SELECT signal, severity, old_text, new_text FROM marts.amendment_signals "
        "WHERE old_version_id = ? AND new_version_id = ? ORDER BY severity, signal",
        (old_version_id, new_version_id),
    )


def states() -> pd.DataFrame:
    return query("SELECT * FROM marts.state_summary ORDER BY bills DESC, jurisdiction")


def drift_by_year(jurisdiction: str) -> pd.DataFrame:
    return query("SELECT * FROM marts.drift_by_state_year WHERE jurisdiction = ? ORDER BY year", (jurisdiction,))


def clause_counts(jurisdiction: str) -> pd.DataFrame:
    return query(
        "SELECT year, category, clause_count FROM marts.clause_counts WHERE jurisdiction = ? ORDER BY year, category",
        (jurisdiction,),
    )


def funding() -> pd.DataFrame:
    return query("SELECT * FROM marts.funding_by_recipient_type ORDER BY jurisdiction, year, recipient_type")


def funding_records() -> pd.DataFrame:
    return query("SELECT * FROM marts.funding_records ORDER BY amount_kind <> 'award', amount DESC NULLS LAST, award_id")


def health() -> pd.DataFrame:
    return query("SELECT * FROM marts.data_health ORDER BY stale DESC, source, jurisdiction")


def alerts(limit: int = 200) -> pd.DataFrame:
    return query(
        "SELECT created_at, status, channel, jurisdiction, bill_id, version_label, direction, attempts, last_error, "
        "version_url "
        "FROM marts.alerts_feed ORDER BY created_at DESC LIMIT ?",
        (limit,),
    )


def clause_labels(version_id: str) -> pd.DataFrame:
    """Labels in force on a version's clauses, least certain first (reviewer-added and rule-only labels last)."""
    return query(
        "SELECT clause_no, start_offset, end_offset, clause_text, category, probability, reviewed, verdict "
        "FROM marts.clause_labels WHERE version_id = ? "
        "QUALIFY row_number() OVER (PARTITION BY clause_no, category ORDER BY probability DESC NULLS LAST) = 1 "
        "ORDER BY probability ASC NULLS LAST, clause_no, category",
        (version_id,),
    )


def categories() -> list[str]:
    """Codebook categories seen in the published labels, for the reviewer's missing-category choice."""
    return query("SELECT DISTINCT category FROM marts.clause_counts ORDER BY category")["category"].tolist()
