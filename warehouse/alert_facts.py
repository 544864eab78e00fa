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
    """A version not yet matched against subscriptions, with its alert payload."""

    version_id: str
    jurisdiction: str
    loaded_at: datetime
    payload: dict


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def unseen_versions(con: duckdb.DuckDBPyConnection, jurisdiction: str) -> list[VersionFacts]:
    """Every version of the jurisdiction the alerts step has not matched yet, oldest load first, with payloads."""
    rows = con.execute(
        """
        WITH ordered AS (
            SELECT v.*, lag(v.version_id) OVER bill AS earlier_id, lag(v.version_label) OVER bill AS earlier_label,
                   lag(v.version_date) OVER bill AS earlier_date
            FROM core.bill_versions v
            WHERE v.jurisdiction = ?
            WINDOW bill AS (PARTITION BY v.session, v.bill_id
                            ORDER BY v.version_order, v.revision, v.loaded_at, v.version_id)
        )
        SELECT o.version_id, o.session, o.bill_id, o.version_label, o.version_date, o.revision, o.url,
               o.loaded_at, b.title, o.earlier_id, o.earlier_label, o.earlier_date
        FROM ordered o
        LEFT JOIN core.bills b ON b.jurisdiction = o.jurisdiction AND b.session = o.session AND b.bill_id = o.bill_id
        WHERE NOT EXISTS (SELECT 1 FROM alerts.seen_versions s WHERE s.version_id = o.version_id)
        ORDER BY o.loaded_at, o.version_id
        """,
        [jurisdiction],
    ).fetchall()
    if not rows:
        return []
    analysis = _Analysis.load(con, jurisdiction, [row[0] for row in rows])
    facts = []
    for version_id, session, bill_id, label, vdate, revision, url, loaded_at, title, *earlier in rows:
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
            **analysis.comparison(version_id, *earlier),
        }
        facts.append(VersionFacts(version_id, jurisdiction, loaded_at, payload))
    return facts


def versions_mentioning(con: duckdb.DuckDBPyConnection, version_ids: list[str], terms: list[str]) -> set[str]:
    """Versions whose full text contains any term (case-insensitive), searched inside DuckDB so texts stay on disk."""
    if not version_ids or not terms:
        return set()
    rows = con.execute(
        "SELECT version_id FROM core.bill_versions WHERE list_contains(?, version_id) AND EXISTS "
        "(SELECT 1 FROM unnest(?::VARCHAR[]) AS t(term) WHERE contains(lower(text), lower(t.term)))",
        [version_ids, terms],
    ).fetchall()
    return {row[0] for row in rows}


@dataclass
class _Analysis:
    """The analysis rows of a batch of versions, read in a handful of queries instead of several per version."""

    amendments: dict[str, tuple]
    changes: dict[tuple[str, str], list[tuple]]
    signals: dict[tuple[str, str], list[tuple]]
    fidelity: dict[str, float | None]  # the one stored figure per version (analysis.version_fidelity)
    categories: dict[str, set[str]]

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, jurisdiction: str, version_ids: list[str]) -> _Analysis:
        amendments = {
            row[0]: row[1:]
            for row in con.execute(
                "SELECT a.new_version_id, a.old_version_id, a.direction, o.version_label, o.version_date "
                "FROM analysis.amendments a "
                "LEFT JOIN core.bill_versions o ON o.version_id = a.old_version_id "
                "WHERE a.jurisdiction = ? AND list_contains(?, a.new_version_id) "
                "QUALIFY row_number() OVER (PARTITION BY a.new_version_id "
                "ORDER BY o.version_order DESC, a.old_version_id DESC) = 1",
                [jurisdiction, version_ids],
            ).fetchall()
        }
        changes: dict[tuple[str, str], list[tuple]] = {}
        for old_id, new_id, *change in con.execute(
            "SELECT old_version_id, new_version_id, kind, old_section, new_section, old_text, new_text, redline "
            "FROM analysis.version_changes WHERE jurisdiction = ? AND list_contains(?, new_version_id) "
            "ORDER BY change_no",
            [jurisdiction, version_ids],
        ).fetchall():
            changes.setdefault((old_id, new_id), []).append(tuple(change))
        signals: dict[tuple[str, str], list[tuple]] = {}
        for old_id, new_id, *signal in con.execute(
            "SELECT old_version_id, new_version_id, signal, severity, old_text, new_text FROM analysis.drift_signals "
            "WHERE jurisdiction = ? AND list_contains(?, new_version_id) ORDER BY signal",
            [jurisdiction, version_ids],
        ).fetchall():
            signals.setdefault((old_id, new_id), []).append(tuple(signal))
        fidelity = dict(
            con.execute(
                "SELECT version_id, model_score FROM analysis.version_fidelity WHERE jurisdiction = ?", [jurisdiction]
            ).fetchall()
        )
        categories: dict[str, set[str]] = {}
        for version_id, category in con.execute(
            "SELECT DISTINCT version_id, category FROM analysis.reviewed_clause_labels WHERE jurisdiction = ?", [jurisdiction]
        ).fetchall():
            categories.setdefault(version_id, set()).add(category)
        return cls(amendments, changes, signals, fidelity, categories)

    def comparison(self, version_id: str, earlier_id: str | None, earlier_label: str | None, earlier_date) -> dict:
        """What changed from the previous version: amendment direction, fidelity, clause changes and signals."""
        amendment = self.amendments.get(version_id)
        if amendment is None:
            previous = None
            if earlier_id is not None:
                previous = {"version_id": earlier_id, "version_label": earlier_label, "version_date": _iso(earlier_date)}
            return {
                "previous": previous,
                "analyzed": False,
                "direction": None,
                "fidelity": _fidelity_block(self.fidelity.get(earlier_id) if earlier_id else None, self.fidelity.get(version_id)),
                "changes": [],
                "changes_total": 0,
                "signals": [],
                "categories": self._categories(version_id, earlier_id),
            }
        old_id, direction, old_label, old_date = amendment
        changes = self.changes.get((old_id, version_id), [])
        signals = [
            {"id": signal, "severity": severity, "old_text": old_text or "", "new_text": new_text or ""}
            for signal, severity, old_text, new_text in self.signals.get((old_id, version_id), [])
        ]
        return {
            "previous": {"version_id": old_id, "version_label": old_label, "version_date": _iso(old_date)},
            "analyzed": True,
            "direction": direction,
            "fidelity": _fidelity_block(self.fidelity.get(old_id), self.fidelity.get(version_id)),
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
            "signals": sorted(signals, key=lambda s: (-SEVERITY_RANK.get(s["severity"], 0), s["id"])),
            "categories": self._categories(version_id, old_id),
        }

    def _categories(self, *version_ids: str | None) -> list[str]:
        return sorted(set().union(*(self.categories.get(v, set()) for v in version_ids if v)))


def _fidelity_block(old: float | None, new: float | None) -> dict:
    delta = round(new - old, 4) if old is not None and new is not None else None
    return {"old": old, "new": new, "delta": delta}
