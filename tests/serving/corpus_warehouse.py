"""A small hand-built warehouse (corpus texts, gold clauses, run records, alerts, awards) for edge cases the real demo run lacks."""

from __future__ import annotations

import csv
import difflib
import functools
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from sources.records import sha256_hex
from warehouse.db import Warehouse

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
SOURCE = "corpus-folder"
# Fixture-only fidelity inputs: categories the codebook counts toward the model, and against it.
TOWARD_CATEGORIES = {"harm_reduction", "voluntary_participation", "confidentiality", "model_fidelity",
                     "services_funding", "evaluation_reporting"}
AWAY_CATEGORIES = {"sanction_or_coercion", "treatment_mandate", "information_sharing",
                   "law_enforcement_funding", "trafficking_enforcement"}
TOWARD_SIGNALS = {"harm_reduction_added", "treatment_mandate_removed", "sanction_removed", "sunset_added",
                  "model_reference_added", "confidentiality_added"}


@dataclass(frozen=True)
class CorpusVersion:
    """One corpus file read as a bill version (folder = bill, file = version)."""

    file: str
    jurisdiction: str
    session: str
    bill_id: str
    label: str
    version_date: date | None
    text: str
    version_id: str


def _bill_and_session(folder: str) -> tuple[str, str]:
    """"SB1110_2015-16" -> ("SB1110", "2015-16"); a folder without a year is a statute, always current."""
    match = re.search(r"_(\d{4}(?:-\d{2})?)(?:_|$)", folder)
    return (folder[: match.start()], match.group(1)) if match else (folder, "current")


def _version_date(name: str) -> date | None:
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", name)
    return date(int(match[1]), int(match[2]), int(match[3])) if match else None


def corpus_versions(texts: Path = CORPUS / "texts") -> list[CorpusVersion]:
    """Every STATE/BILL/file.txt in the corpus as a version; nested folders (analyses, alt sources) are skipped."""
    found = []
    for path in sorted(texts.glob("*/*/*.txt")):
        state, folder = path.parent.parent.name, path.parent.name
        bill_id, session = _bill_and_session(folder)
        label = re.sub(r"^[\d-]+_?", "", path.stem)[:60] or path.stem[:60]
        found.append(CorpusVersion(
            file=str(path.relative_to(texts)), jurisdiction=state, session=session, bill_id=bill_id,
            label=label, version_date=_version_date(path.name), text=path.read_text(encoding="utf-8"),
            version_id=sha256_hex(str(path.relative_to(texts)))[:16],
        ))
    return found


def _gold(name: str) -> list[dict]:
    return [json.loads(line) for line in (CORPUS / "gold" / name).read_text(encoding="utf-8").splitlines() if line]


def bill_order(versions: list[CorpusVersion]) -> list[CorpusVersion]:
    """The pipeline's bill order: by date with undated versions last, then by label."""
    return sorted(versions, key=lambda v: (v.jurisdiction, v.session, v.bill_id, v.version_date is None,
                                           v.version_date or date.min, v.label))


def _score(categories: set[str]) -> float | None:
    toward, away = len(categories & TOWARD_CATEGORIES), len(categories & AWAY_CATEGORIES)
    return None if toward + away == 0 else (toward - away) / (toward + away)


def _paragraphs(text: str) -> list[str]:
    return [block.strip() for block in re.split(r"\n\s*\n|\n(?=\(\w+\)|Sec\.|SECTION)", text) if block.strip()]


def _redline(old: str, new: str) -> list[list[str]]:
    old_words, new_words = old.split(), new.split()
    ops = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False).get_opcodes():
        if tag in ("equal", "delete", "replace"):
            ops.append(["equal" if tag == "equal" else "delete", " ".join(old_words[i1:i2])])
        if tag in ("insert", "replace"):
            ops.append(["insert", " ".join(new_words[j1:j2])])
    return ops


def _changes(old: CorpusVersion, new: CorpusVersion, limit: int = 6) -> list[dict]:
    """Paragraph-level changes with word redlines between two real texts (difflib, fixture only)."""
    a, b = _paragraphs(old.text), _paragraphs(new.text)
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal" or len(rows) >= limit:
            continue
        old_text, new_text = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        kind = {"replace": "modified", "delete": "removed", "insert": "added"}[tag]
        rows.append({"old_version_id": old.version_id, "new_version_id": new.version_id,
                     "jurisdiction": new.jurisdiction, "change_no": len(rows) + 1, "kind": kind,
                     "old_section": None, "new_section": None, "old_text": old_text or None,
                     "new_text": new_text or None, "redline": json.dumps(_redline(old_text, new_text))})
    return rows


def build_corpus_warehouse(wh: Warehouse, now: datetime) -> list[CorpusVersion]:
    """Load bills, versions, gold clauses, fidelity, amendments, run records and alerts through the loaders."""
    labels = {row["file"]: row["categories"] for row in _gold("labels.jsonl")}
    pairs = _gold("pairs.jsonl")
    versions = bill_order(corpus_versions())
    loaded = now - timedelta(days=2)
    wh.insert_new("core.bills", pd.DataFrame([
        {"jurisdiction": v.jurisdiction, "session": v.session, "bill_id": v.bill_id,
         "title": f"{v.bill_id} ({v.jurisdiction} {v.session})", "url": f"https://example.org/{v.file}",
         "source": SOURCE, "updated_at": loaded} for v in versions]), ["jurisdiction", "session", "bill_id"])
    wh.insert_new("core.bill_versions", pd.DataFrame([
        {"version_id": v.version_id, "jurisdiction": v.jurisdiction, "session": v.session, "bill_id": v.bill_id,
         "version_label": v.label, "version_date": v.version_date, "revision": 1,
         "url": f"https://example.org/{v.file}", "source": SOURCE, "document_format": "text", "text": v.text,
         "text_sha256": sha256_hex(v.text), "loaded_at": loaded + timedelta(seconds=i)}
        for i, v in enumerate(versions)]), ["version_id"])
    scores = {}
    for state in sorted({v.jurisdiction for v in versions}):
        mine = [v for v in versions if v.jurisdiction == state]
        clauses, clause_labels, fidelity = [], [], []
        for v in mine:
            categories = labels.get(v.file, {})
            quotes: dict[str, list[str]] = {}
            for category, evidence in categories.items():
                for quote in evidence:
                    quotes.setdefault(quote, []).append(category)
            for clause_no, (quote, cats) in enumerate(sorted(quotes.items(), key=lambda q: v.text.find(q[0])), 1):
                start = v.text.find(quote)
                if start < 0:
                    continue
                clauses.append({"version_id": v.version_id, "jurisdiction": state, "clause_no": clause_no,
                                "start_offset": start, "end_offset": start + len(quote), "text": quote,
                                "markup": "unchanged"})
                clause_labels += [{"version_id": v.version_id, "jurisdiction": state, "clause_no": clause_no,
                                   "category": c, "rule": "gold", "evidence_start": start,
                                   "evidence_end": start + len(quote)} for c in cats]
            scores[v.file] = _score(set(categories))
            fidelity.append({"version_id": v.version_id, "jurisdiction": state, "model_score": scores[v.file],
                             "organizer_score": scores[v.file], "flags": []})
        for table, frame in (("analysis.clauses", clauses), ("analysis.clause_labels", clause_labels),
                             ("analysis.version_fidelity", fidelity)):
            wh.replace_partition(table, pd.DataFrame(frame), {"jurisdiction": state})
    _load_amendments(wh, versions, {(p["old"], p["new"]): p for p in pairs}, scores)
    _load_health(wh, versions, now)
    _load_alerts(wh, versions, now)
    _load_funding(wh, sorted({v.jurisdiction for v in versions}), now)
    return versions


def _direction(old: float | None, new: float | None) -> str:
    if old is None or new is None or old == new:
        return "no-change"
    return "toward-model" if new > old else "drift-away"


def _load_amendments(wh: Warehouse, versions: list[CorpusVersion], gold_pairs: dict[tuple[str, str], dict],
                     scores: dict[str, float | None]) -> None:
    """Consecutive versions of each bill; the gold direction and signals where the corpus has them."""
    rows: dict[str, tuple[list, list, list]] = {}
    for old, new in zip(versions, versions[1:]):
        if (old.jurisdiction, old.session, old.bill_id) != (new.jurisdiction, new.session, new.bill_id):
            continue
        amendments, signals, changes = rows.setdefault(new.jurisdiction, ([], [], []))
        gold = gold_pairs.get((old.file, new.file), {})
        amendments.append({"old_version_id": old.version_id, "new_version_id": new.version_id,
                           "jurisdiction": new.jurisdiction, "session": new.session, "bill_id": new.bill_id,
                           "direction": gold.get("direction") or _direction(scores[old.file], scores[new.file]),
                           "fidelity_old": scores[old.file], "fidelity_new": scores[new.file]})
        signals += [{"old_version_id": old.version_id, "new_version_id": new.version_id,
                     "jurisdiction": new.jurisdiction, "signal": sid,
                     "severity": "toward" if sid in TOWARD_SIGNALS else "H", "old_text": ev["old"],
                     "new_text": ev["new"]} for sid, ev in gold.get("signals", {}).items()]
        changes += _changes(old, new)
    for state, (amendments, signals, changes) in sorted(rows.items()):
        for table, frame in (("analysis.amendments", amendments), ("analysis.drift_signals", signals),
                             ("analysis.version_changes", changes)):
            wh.replace_partition(table, pd.DataFrame(frame), {"jurisdiction": state})


def _load_health(wh: Warehouse, versions: list[CorpusVersion], now: datetime) -> None:
    """Two runs per state: the oldest state's source went stale 30 days ago, the others ran an hour ago."""
    states = sorted({v.jurisdiction for v in versions})
    runs, errors = [], []
    for i, state in enumerate(states):
        latest = now - (timedelta(days=30) if i == 0 else timedelta(hours=1))
        runs.append({"run_id": f"run-a-{state}", "jurisdiction": state, "source": SOURCE,
                     "finished_at": latest - timedelta(days=1), "items_ok": 10 + i, "items_failed": i % 3,
                     "downloaded": 10 + i, "not_modified": 0})
        runs.append({"run_id": f"run-b-{state}", "jurisdiction": state, "source": SOURCE, "finished_at": latest,
                     "items_ok": 2 + i, "items_failed": 1, "downloaded": 1, "not_modified": 1 + i})
        errors.append({"jurisdiction": state, "source": SOURCE, "item": f"{state} version", "url": "https://x.org",
                       "reason": "expected application/pdf, got text/html", "occurred_at": latest,
                       "run_id": f"run-b-{state}"})
        errors.append({"jurisdiction": state, "source": SOURCE, "item": f"{state} search", "url": "https://example.org",
                       "reason": "HTTP 503 Service Unavailable", "occurred_at": latest, "run_id": f"run-b-{state}"})
    for table, frame in (("core.source_runs", runs), ("core.fetch_errors", errors)):
        wh.insert_new(table, pd.DataFrame(frame), ["run_id", "jurisdiction", "source"] if "runs" in table
                      else ["run_id", "jurisdiction", "item"])


def _load_alerts(wh: Warehouse, versions: list[CorpusVersion], now: datetime) -> None:
    rows = [{"subscription_id": "feed", "version_id": v.version_id, "channel": "atom", "jurisdiction": v.jurisdiction,
             "status": "sent" if i % 2 else "pending", "attempts": i % 2, "next_attempt_at": now,
             "payload": json.dumps({"bill": v.bill_id, "version": v.label}), "created_at": now - timedelta(hours=i),
             "sent_at": now if i % 2 else None} for i, v in enumerate(versions)]
    wh.insert_new("alerts.outbox", pd.DataFrame(rows), ["subscription_id", "version_id", "channel"])


def _load_funding(wh: Warehouse, states: list[str], now: datetime, limit: int = 16) -> None:
    """Awards to the real, hand-typed recipients of the funding fixture; the first award passes money on."""
    path = CORPUS.parent / "funding" / "recipients_labeled.csv"
    with path.open(encoding="utf-8") as handle:
        recipients = list(csv.DictReader(handle))[:limit]
    stamp = {"fetched_at": now, "sha256": sha256_hex("fixture"), "loaded_at": now, "url": "https://example.org/award"}
    awards = [{"source": "usaspending", "award_id": f"AWD-{i}", "recipient_name": r["name"],
               "recipient_key": f"r{i}", "amount": 100_000.0 * (i + 1), "state": states[i % len(states)],
               "fiscal_year": 2017 + i % 3, "diversion_related": True, **stamp} for i, r in enumerate(recipients)]
    sub = recipients[-1]
    subawards = [{"source": "usaspending", "subaward_id": "SUB-0", "prime_source": "usaspending",
                  "prime_award_id": "AWD-0", "recipient_name": sub["name"], "recipient_key": "s0",
                  "amount": 40_000.0, **stamp}]
    typed = [{"source": "awards", "recipient_key": f"r{i}", "name": r["name"], "recipient_type": r["expected_type"],
              "rule": "fixture label", "loaded_at": now} for i, r in enumerate(recipients)]
    typed.append({"source": "subawards", "recipient_key": "s0", "name": sub["name"],
                  "recipient_type": sub["expected_type"], "rule": "fixture label", "loaded_at": now})
    wh.insert_new("funding.awards", pd.DataFrame(awards), ["source", "award_id"])
    wh.insert_new("funding.subawards", pd.DataFrame(subawards), ["source", "prime_award_id", "subaward_id"])
    wh.insert_new("funding.recipients", pd.DataFrame(typed), ["source", "recipient_key"])


@functools.cache
def shared_corpus_warehouse(basetemp: Path) -> tuple[Path, tuple[CorpusVersion, ...]]:
    """Built once per test session (keyed by pytest's base temp folder) for the serving and dashboard tests;
    copy the file before writing to it."""
    folder = basetemp / "corpus-shared"
    folder.mkdir()
    path = folder / "warehouse.duckdb"
    return path, tuple(build_corpus_warehouse(Warehouse(path=str(path)), now=datetime.now()))
