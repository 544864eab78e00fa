"""The one write path for analyst reviews: checked against the stored clauses, appended, never updated."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

VERDICTS = ("correct", "wrong", "missing")
# The columns of `divwatch review next`, of its CSV and of a dashboard drop: an analyst fills in verdict (and note).
REVIEW_FIELDS = ("version_id", "clause_start", "clause_end", "category", "verdict", "right_category", "note",
                 "reviewer", "probability", "threshold", "jurisdiction", "bill_id", "clause_text")


class ReviewError(ValueError):
    """A review that names no stored clause, label or category; the message says which and why."""


@dataclass(frozen=True)
class Review:
    """One verdict on one clause label (or drift signal) as an analyst gave it."""

    version_id: str
    category: str
    verdict: str
    reviewer: str
    clause_start: int | None = None
    clause_end: int | None = None
    item_kind: str = "label"
    right_category: str | None = None
    note: str | None = None
    reviewed_at: datetime | None = None


def _clause(con: duckdb.DuckDBPyConnection, review: Review) -> tuple[str, int]:
    row = con.execute(
        "SELECT sha256(text), clause_no FROM analysis.clauses WHERE version_id = ? AND start_offset = ? AND end_offset = ?",
        [review.version_id, review.clause_start, review.clause_end],
    ).fetchone()
    if row is None:
        raise ReviewError(f"no clause {review.clause_start}-{review.clause_end} in version {review.version_id}")
    return row


def _checked_label(con: duckdb.DuckDBPyConnection, review: Review, categories: Sequence[str]) -> tuple:
    """(clause hash, model version, probability) of the reviewed label, or a ReviewError saying what does not fit."""
    if review.category not in categories:
        raise ReviewError(f"unknown category {review.category!r}")
    if review.right_category is not None and review.right_category not in categories:
        raise ReviewError(f"unknown right category {review.right_category!r}")
    digest, clause_no = _clause(con, review)
    label = _predicted(con, review.version_id, clause_no, review.category)
    if label is None and review.verdict != "missing":
        raise ReviewError(f"the engine gave that clause no {review.category} label; review it as missing")
    if label is not None and review.verdict == "missing":
        raise ReviewError(f"the engine already labels that clause {review.category}; review it as correct or wrong")
    return (digest, *(label or (None, None)))


def _predicted(con: duckdb.DuckDBPyConnection, version_id: str, clause_no: int, category: str) -> tuple | None:
    """(model version, probability) of the engine's label of that category on the clause, or None when it gave none."""
    return con.execute(
        "SELECT model_version, probability FROM analysis.clause_labels WHERE version_id = ? AND clause_no = ? AND category = ? "
        "ORDER BY probability DESC NULLS LAST LIMIT 1",
        [version_id, clause_no, category],
    ).fetchone()


def _checked_signal(con: duckdb.DuckDBPyConnection, review: Review) -> tuple:
    if review.verdict == "missing":
        raise ReviewError("a signal is reviewed correct or wrong; a missing signal is not recorded yet")
    found = con.execute("SELECT 1 FROM analysis.drift_signals WHERE new_version_id = ? AND signal = ? LIMIT 1",
                        [review.version_id, review.category]).fetchone()
    if found is None:
        raise ReviewError(f"no signal {review.category} on the amendment into {review.version_id}")
    return None, None, None


def record(con: duckdb.DuckDBPyConnection, review: Review, categories: Sequence[str], origin: str) -> list[int]:
    """Append one review (and, for a wrong label with a right category, the review of that category it implies); returns ids."""
    if review.verdict not in VERDICTS:
        raise ReviewError(f"verdict must be one of {', '.join(VERDICTS)}, not {review.verdict!r}")
    if not review.reviewer:
        raise ReviewError("a review names its reviewer")
    if review.item_kind == "signal":
        digest, model_version, probability = _checked_signal(con, review)
    else:
        digest, model_version, probability = _checked_label(con, review, categories)
    reviewed_at = review.reviewed_at or datetime.now(UTC).replace(tzinfo=None)
    ids = [_insert(con, review, digest, model_version, probability, reviewed_at, origin)]
    if review.verdict == "wrong" and review.right_category:
        predicted = _predicted(con, review.version_id, _clause(con, review)[1], review.right_category)
        implied = Review(review.version_id, review.right_category, "correct" if predicted else "missing", review.reviewer,
                         review.clause_start, review.clause_end, note=review.note, reviewed_at=reviewed_at)
        ids += record(con, implied, categories, origin)
    return ids


def _insert(con, review: Review, digest, model_version, probability, reviewed_at: datetime, origin: str) -> int:
    return con.execute(
        "INSERT INTO analysis.label_reviews (version_id, clause_start, clause_end, clause_sha256, item_kind, category, "
        "verdict, right_category, reviewer, reviewed_at, note, model_version, probability, origin) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING review_id",
        [review.version_id, review.clause_start, review.clause_end, digest, review.item_kind, review.category,
         review.verdict, review.right_category, review.reviewer, reviewed_at, review.note, model_version, probability,
         origin],
    ).fetchone()[0]


def record_rows(con: duckdb.DuckDBPyConnection, rows: Iterable[Mapping[str, str]], categories: Sequence[str],
                origin: str, reviewer: str) -> tuple[int, list[str]]:
    """Record every row of an edited `review next` table that carries a verdict; (reviews added, one error per bad row)."""
    added, errors = 0, []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        verdict = (row.get("verdict") or "").strip().lower()
        if not verdict:
            continue
        try:
            review = Review(
                version_id=(row.get("version_id") or "").strip(), category=(row.get("category") or "").strip(),
                verdict=verdict, reviewer=(row.get("reviewer") or "").strip() or reviewer,
                clause_start=_offset(row.get("clause_start")), clause_end=_offset(row.get("clause_end")),
                right_category=(row.get("right_category") or "").strip() or None,
                note=(row.get("note") or "").strip() or None, reviewed_at=_timestamp(row.get("reviewed_at")),
            )
            added += len(record(con, review, categories, origin))
        except ReviewError as error:
            errors.append(f"{origin} row {line}: {error}")
    return added, errors


def read_rows(path: Path) -> list[dict]:
    """Rows of an edited `review next` CSV, or of a JSON Lines drop (one review object per line)."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return list(csv.DictReader(text.splitlines()))


def import_inbox(con: duckdb.DuckDBPyConnection, inbox: Path, categories: Sequence[str],
                 reviewer: str) -> list[tuple[Path, int, list[str]]]:
    """Record every file dropped in the inbox, then move it to inbox/imported; (file, reviews added, row errors) each."""
    results = []
    for path in sorted(p for p in inbox.glob("*") if p.is_file() and p.suffix in (".csv", ".jsonl")):
        added, errors = record_rows(con, read_rows(path), categories, origin=path.name, reviewer=reviewer)
        (inbox / "imported").mkdir(exist_ok=True)
        shutil.move(path, inbox / "imported" / path.name)
        results.append((inbox / "imported" / path.name, added, errors))
    return results


def _offset(value: str | None) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise ReviewError(f"clause offset {value!r} is not a whole number") from None


def _timestamp(value: str | None) -> datetime | None:
    if not (value or "").strip():
        return None
    try:
        stamp = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ReviewError(f"reviewed_at {value!r} is not an ISO date and time") from None
    return stamp.astimezone(UTC).replace(tzinfo=None) if stamp.tzinfo else stamp


NEXT_SQL = """
WITH thresholds AS (SELECT unnest(?::VARCHAR[]) AS category, unnest(?::DOUBLE[]) AS threshold),
state_reviews AS (
    SELECT v.jurisdiction, count(*) AS reviews
    FROM analysis.label_reviews r JOIN core.bill_versions v USING (version_id)
    GROUP BY v.jurisdiction
)
SELECT l.version_id, c.start_offset AS clause_start, c.end_offset AS clause_end, l.category,
       '' AS verdict, '' AS right_category, '' AS note, '' AS reviewer, l.probability, t.threshold,
       v.jurisdiction, v.bill_id, c.text AS clause_text
FROM (SELECT * FROM analysis.clause_labels
      QUALIFY row_number() OVER (PARTITION BY version_id, clause_no, category ORDER BY probability DESC NULLS LAST) = 1) l
JOIN analysis.clauses c USING (version_id, clause_no)
JOIN core.bill_versions v USING (version_id)
LEFT JOIN thresholds t USING (category)
LEFT JOIN state_reviews s ON s.jurisdiction = v.jurisdiction
WHERE (?::VARCHAR IS NULL OR v.bill_id = ?) AND (?::VARCHAR IS NULL OR v.jurisdiction = ?)
  AND NOT EXISTS (SELECT 1 FROM analysis.label_reviews r WHERE r.item_kind = 'label' AND r.version_id = l.version_id
                  AND r.clause_start = c.start_offset AND r.clause_end = c.end_offset AND r.category = l.category)
ORDER BY coalesce(s.reviews, 0), abs(l.probability - t.threshold) ASC NULLS LAST, v.jurisdiction, v.bill_id,
         l.version_id, c.start_offset, l.category
LIMIT ?
"""


def least_certain(con: duckdb.DuckDBPyConnection, thresholds: Mapping[str, float], bill: str | None,
                  state: str | None, limit: int) -> pd.DataFrame:
    """Unreviewed labels to review next: states with the fewest reviews first, then probability closest to the threshold."""
    frame = con.execute(NEXT_SQL, [list(thresholds), list(thresholds.values()), bill, bill,
                                   state.upper() if state else None, state.upper() if state else None, limit]).df()
    return frame[list(REVIEW_FIELDS)]


REVIEWED_ITEMS_SQL = """
SELECT r.version_id, v.jurisdiction, v.session, v.bill_id, r.clause_start, r.clause_end, c.text AS clause_text,
       r.category, r.verdict, r.reviewer, r.reviewed_at, r.review_id, r.model_version, r.probability, r.origin,
       (SELECT coalesce(list(l.category ORDER BY l.category), []::VARCHAR[]) FROM analysis.clause_labels l
        WHERE l.version_id = c.version_id AND l.clause_no = c.clause_no) AS predicted
FROM analysis.label_reviews_latest r
JOIN analysis.clauses c
    ON c.version_id = r.version_id AND c.start_offset = r.clause_start AND c.end_offset = r.clause_end
    AND sha256(c.text) = r.clause_sha256
JOIN core.bill_versions v ON v.version_id = r.version_id
WHERE r.item_kind = 'label'
ORDER BY v.jurisdiction, v.bill_id, r.version_id, r.clause_start, r.category
"""


def reviewed_items(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The review in force of every clause label whose clause is still stored, with the clause's predicted categories."""
    return con.execute(REVIEWED_ITEMS_SQL).df()


def recent_agreement(con: duckdb.DuckDBPyConnection, days: int) -> tuple[int, int]:
    """(labels reviewed correct, label reviews) among the reviews in force made in the last `days` days."""
    return con.execute(
        "SELECT count(*) FILTER (WHERE verdict = 'correct'), count(*) FROM analysis.label_reviews_latest "
        "WHERE item_kind = 'label' AND reviewed_at >= (now() AT TIME ZONE 'UTC') - to_days(?)",
        [days],
    ).fetchone()


def reviewed_versions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Text and markup of every version with a label review, so reviewed clauses can be classified in their context."""
    return con.execute(
        "SELECT version_id, text, markup FROM core.bill_versions WHERE version_id IN "
        "(SELECT version_id FROM analysis.label_reviews WHERE item_kind = 'label') ORDER BY version_id"
    ).df()
