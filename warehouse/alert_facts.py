"""Read what an alert says about a bill version (changes, signals, fidelity) straight from the warehouse tables."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

SEVERITY_RANK = {"H": 3, "M": 2, "L": 1, "toward": 0}
MAX_CHANGES = 25


@dataclass(frozen=True)
class VersionFacts:
    """A version not yet matched against subscriptions, with its alert payload and the text filters search."""

    version_id: str
    jurisdiction: str
    loaded_at: datetime
    text: str
    payload: dict


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def unseen_versions(con: duckdb.DuckDBPyConnection, jurisdiction: str) -> list[VersionFacts]:
    """Every version of the jurisdiction the alerts step has not matched yet, oldest load first, with payloads."""
    rows = con.execute(
        """
        WITH ordered AS (
            SELECT v.*, lag(v.version_id) OVER bill AS earlier_id
            FROM core.bill_versions v
            WHERE v.jurisdiction = ?
            WINDOW bill AS (PARTITION BY v.session, v.bill_id
                            ORDER BY v.version_date NULLS FIRST, v.revision, v.loaded_at, v.version_id)
        )
        SELECT o.version_id, o.session, o.bill_id, o.version_label, o.version_date, o.revision, o.url,
               o.loaded_at, o.text, b.title, o.earlier_id
        FROM ordered o
        LEFT JOIN core.bills b ON b.jurisdiction = o.jurisdiction AND b.session = o.session AND b.bill_id = o.bill_id
        WHERE NOT EXISTS (SELECT 1 FROM alerts.seen_versions s WHERE s.version_id = o.version_id)
        ORDER BY o.loaded_at, o.version_id
        """,
        [jurisdiction],
    ).fetchall()
    facts = []
    for version_id, session, bill_id, label, vdate, revision, url, loaded_at, text, title, earlier_id in rows:
        payload = {
            "version_id": version_id,
            "jurisdiction": jurisdiction,
            "session": session,
            "bill_id": bill_id,
            "title": title or "",
            "version_label": label,
            "version_date": _iso(vdate),
            "revision": revision,
            "url": url or "",
            "loaded_at": _iso(loaded_at),
            **_comparison(con, version_id, earlier_id),
        }
        facts.append(VersionFacts(version_id, jurisdiction, loaded_at, text, payload))
    return facts


def _comparison(con: duckdb.DuckDBPyConnection, version_id: str, earlier_id: str | None) -> dict:
    """What changed from the previous version: amendment direction, fidelity, clause changes and signals."""
    amendment = con.execute(
        "SELECT a.old_version_id, a.direction, a.fidelity_old, a.fidelity_new, o.version_label, o.version_date "
        "FROM analysis.amendments a LEFT JOIN core.bill_versions o ON o.version_id = a.old_version_id "
        "WHERE a.new_version_id = ? ORDER BY o.version_date DESC NULLS LAST, a.old_version_id DESC LIMIT 1",
        [version_id],
    ).fetchone()
    if amendment is None:
        previous = _previous(con, earlier_id)
        fidelity_new = _fidelity(con, version_id)
        fidelity_old = _fidelity(con, earlier_id) if earlier_id else None
        return {
            "previous": previous,
            "analyzed": False,
            "direction": None,
            "fidelity": _fidelity_block(fidelity_old, fidelity_new),
            "changes": [],
            "changes_total": 0,
            "signals": [],
            "categories": _categories(con, [version_id] + ([earlier_id] if earlier_id else [])),
        }
    old_id, direction, fidelity_old, fidelity_new, old_label, old_date = amendment
    changes = con.execute(
        "SELECT kind, old_section, new_section, old_text, new_text, redline FROM analysis.version_changes "
        "WHERE old_version_id = ? AND new_version_id = ? ORDER BY change_no",
        [old_id, version_id],
    ).fetchall()
    signals = con.execute(
        "SELECT signal, severity, old_text, new_text FROM analysis.drift_signals "
        "WHERE old_version_id = ? AND new_version_id = ? ORDER BY signal",
        [old_id, version_id],
    ).fetchall()
    return {
        "previous": {"version_id": old_id, "version_label": old_label, "version_date": _iso(old_date)},
        "analyzed": True,
        "direction": direction,
        "fidelity": _fidelity_block(
            fidelity_old if fidelity_old is not None else _fidelity(con, old_id),
            fidelity_new if fidelity_new is not None else _fidelity(con, version_id),
        ),
        "changes": [
            {
                "kind": kind,
                "old_section": old_section or "",
                "new_section": new_section or "",
                "old_text": old_text or "",
                "new_text": new_text or "",
                "redline": json.loads(redline) if redline else [],
            }
            for kind, old_section, new_section, old_text, new_text, redline in changes[:MAX_CHANGES]
        ],
        "changes_total": len(changes),
        "signals": sorted(
            (
                {"id": signal, "severity": severity, "old_text": old_text or "", "new_text": new_text or ""}
                for signal, severity, old_text, new_text in signals
            ),
            key=lambda s: (-SEVERITY_RANK.get(s["severity"], 0), s["id"]),
        ),
        "categories": _categories(con, [version_id, old_id]),
    }


def _previous(con: duckdb.DuckDBPyConnection, earlier_id: str | None) -> dict | None:
    if earlier_id is None:
        return None
    label, vdate = con.execute(
        "SELECT version_label, version_date FROM core.bill_versions WHERE version_id = ?", [earlier_id]
    ).fetchone()
    return {"version_id": earlier_id, "version_label": label, "version_date": _iso(vdate)}


def _fidelity(con: duckdb.DuckDBPyConnection, version_id: str) -> float | None:
    row = con.execute("SELECT model_score FROM analysis.version_fidelity WHERE version_id = ?", [version_id]).fetchone()
    return row[0] if row else None


def _fidelity_block(old: float | None, new: float | None) -> dict:
    delta = round(new - old, 4) if old is not None and new is not None else None
    return {"old": old, "new": new, "delta": delta}


def _categories(con: duckdb.DuckDBPyConnection, version_ids: list[str]) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT category FROM analysis.clause_labels WHERE list_contains(?, version_id) ORDER BY category",
        [version_ids],
    ).fetchall()
    return [row[0] for row in rows]
