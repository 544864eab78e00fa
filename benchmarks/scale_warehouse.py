"""Scale the warehouse to 50 states x 10 years from real corpus texts, to measure the marts at size.

Every version text is a real corpus text, amended version by version (a paragraph dropped, a paragraph from
another real text inserted); clauses, fidelity and drift come from the real analysis engines. Run records,
alerts and awards are generated around them so data health, alerts and funding marts have volume too.

    python benchmarks/scale_warehouse.py --out data/bench/warehouse.duckdb
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analysis.clauses.engine import classify  # noqa: E402
from analysis.drift.engine import compare  # noqa: E402
from analysis.drift.fidelity import score_version  # noqa: E402
from assets.partitions import STATES  # noqa: E402
from sources.records import sha256_hex  # noqa: E402
from warehouse.db import Warehouse  # noqa: E402

SOURCES = ("openstates", "state-site")
REASONS = ("expected pdf, got text/html", "HTTP 503 after 3 attempts", "PDF has no text layer", "timeout after 30s")
RECIPIENT_TYPES = ("law_enforcement", "prosecution", "courts_corrections", "health_human_services",
                   "nonprofit_provider", "university_evaluator", "other")


def corpus_texts() -> list[str]:
    """Real bill texts: the test corpus when present, else the bundled demo folder."""
    for folder in (REPO / "tests" / "fixtures" / "corpus" / "texts", REPO / "demo" / "texts"):
        texts = [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.txt"))]
        if texts:
            return texts
    raise SystemExit("no corpus texts found in tests/fixtures/corpus/texts or demo/texts")


def amend(text: str, donor: str, rng: random.Random) -> str:
    """A plausible next version: drop one paragraph, insert one from another real text."""
    paragraphs = [p for p in re.split(r"\n\s*\n|\n(?=\(\w+\))", text) if p.strip()]
    extra = [p for p in re.split(r"\n\s*\n|\n(?=\(\w+\))", donor) if p.strip()]
    if len(paragraphs) > 3:
        paragraphs.pop(rng.randrange(len(paragraphs)))
    paragraphs.insert(rng.randrange(len(paragraphs) + 1), rng.choice(extra))
    return "\n\n".join(paragraphs)


class Tables:
    """Rows per table, flushed in batches so memory stays flat."""

    def __init__(self, con):
        self.con, self.rows = con, {}

    def add(self, table: str, rows: list[dict]) -> None:
        self.rows.setdefault(table, []).extend(rows)
        if len(self.rows[table]) >= 20_000:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.rows):
            if self.rows.get(name):
                # Empty lists and all-None columns carry no type DuckDB can cast from; they store as NULL.
                frame = pd.DataFrame(self.rows[name]).map(lambda v: None if isinstance(v, list) and not v else v)
                self.con.register("batch", frame.dropna(axis=1, how="all"))
                self.con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM batch")
                self.con.unregister("batch")
                self.rows[name] = []


def version_rows(tables: Tables, vid: str, state: str, text: str) -> None:
    clauses = classify(text)
    fidelity = score_version(clauses)
    tables.add("analysis.clauses", [
        {"version_id": vid, "jurisdiction": state, "clause_no": n, "section": c.section, "start_offset": c.start,
         "end_offset": c.end, "text": c.text, "modality": c.modality, "actor": c.actor, "markup": c.markup,
         "amounts": list(c.amounts), "fiscal_years": list(c.fiscal_years), "recipient_type": c.recipient_type}
        for n, c in enumerate(clauses)])
    tables.add("analysis.clause_labels", [
        {"version_id": vid, "jurisdiction": state, "clause_no": n, "category": label.category, "rule": label.rule,
         "evidence_start": label.evidence_start, "evidence_end": label.evidence_end}
        for n, c in enumerate(clauses) for label in c.labels])
    tables.add("analysis.version_fidelity", [{"version_id": vid, "jurisdiction": state,
                                              "model_score": fidelity.model_score,
                                              "organizer_score": fidelity.organizer_score,
                                              "flags": list(fidelity.flags)}])
    tables.add("analysis.provision_status", [
        {"version_id": vid, "jurisdiction": state, "provision": p.provision, "status": p.status, "weight": p.weight,
         "evidence": p.evidence} for p in fidelity.provisions])


def amendment_rows(tables: Tables, old: tuple, new: tuple, state: str, session: str, bill_id: str) -> None:
    report = compare(old[1], new[1])
    pair = {"old_version_id": old[0], "new_version_id": new[0], "jurisdiction": state}
    tables.add("analysis.amendments", [{**pair, "session": session, "bill_id": bill_id, "direction": report.direction,
                                        "fidelity_old": report.old.model_score,
                                        "fidelity_new": report.new.model_score}])
    tables.add("analysis.version_changes", [
        {**pair, "change_no": n, "kind": c.kind, "old_section": c.old_section, "new_section": c.new_section,
         "old_text": c.old_text, "new_text": c.new_text, "redline": json.dumps([list(op) for op in c.redline])}
        for n, c in enumerate(report.changes)])
    tables.add("analysis.drift_signals", [
        {**pair, "signal": s.id, "severity": s.severity, "old_text": s.old_text, "new_text": s.new_text}
        for s in report.signals])


def scale(out: Path, states: int, years: int, bills: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    texts = corpus_texts()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    first_year = date.today().year - years + 1
    with Warehouse(path=str(out)).connect() as con:
        tables = Tables(con)
        for state in [s for s in STATES if s not in ("DC", "US")][:states]:
            for year in range(first_year, first_year + years):
                session = str(year)
                for b in range(bills):
                    bill_id = f"{rng.choice(['HB', 'SB'])} {100 + b * 37 + year % 100}"
                    tables.add("core.bills", [{"jurisdiction": state, "session": session, "bill_id": bill_id,
                                               "title": f"Diversion bill {bill_id}", "source": rng.choice(SOURCES),
                                               "url": f"https://legislature.example/{state}/{year}/{b}",
                                               "updated_at": datetime(year, 12, 1)}])
                    text, previous = rng.choice(texts), None
                    day = date(year, 1, 10) + timedelta(days=rng.randrange(60))
                    for revision_no in range(rng.randint(1, 4)):
                        if previous:
                            text = amend(text, rng.choice(texts), rng)
                        vid = sha256_hex(f"{state}|{session}|{bill_id}|{revision_no}")[:16]
                        source = rng.choice(SOURCES)
                        tables.add("core.bill_versions", [{
                            "version_id": vid, "jurisdiction": state, "session": session, "bill_id": bill_id,
                            "version_label": f"v{revision_no + 1}", "version_date": day, "revision": 1,
                            "url": f"https://legislature.example/{state}/{year}/{b}/{revision_no}",
                            "source": source, "document_format": "text", "text": text,
                            "text_sha256": sha256_hex(text), "loaded_at": datetime.combine(day, datetime.min.time())}])
                        version_rows(tables, vid, state, text)
                        if previous:
                            amendment_rows(tables, previous, (vid, text), state, session, bill_id)
                        tables.add("alerts.outbox", [{
                            "subscription_id": "feed", "version_id": vid, "channel": "atom", "jurisdiction": state,
                            "status": rng.choice(["sent", "sent", "pending", "dead"]), "attempts": rng.randint(0, 3),
                            "next_attempt_at": datetime.combine(day, datetime.min.time()), "payload": "{}",
                            "created_at": datetime.combine(day, datetime.min.time()), "sent_at": None}])
                        previous, day = (vid, text), day + timedelta(days=rng.randint(10, 90))
                    funding_rows(tables, rng, state, year, b)
            health_rows(tables, rng, state, first_year, years)
        tables.flush()
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (
            "core.bill_versions", "analysis.clauses", "analysis.clause_labels", "analysis.amendments",
            "analysis.drift_signals", "core.source_runs", "alerts.outbox", "funding.awards")}


def funding_rows(tables: Tables, rng: random.Random, state: str, year: int, b: int) -> None:
    stamp = {"fetched_at": datetime(year, 6, 1), "sha256": "0" * 64, "loaded_at": datetime(year, 6, 1),
             "url": "https://www.usaspending.gov/award/example"}
    award_id = f"{state}-{year}-{b}"
    tables.add("funding.awards", [{"source": "usaspending", "award_id": award_id, "recipient_name": f"R {award_id}",
                                   "recipient_key": award_id, "amount": float(rng.randint(50, 2000) * 1000),
                                   "state": state, "fiscal_year": year, "diversion_related": rng.random() < 0.8,
                                   **stamp}])
    tables.add("funding.recipients", [{"source": "awards", "recipient_key": award_id, "name": f"R {award_id}",
                                       "recipient_type": rng.choice(RECIPIENT_TYPES), "rule": "bench",
                                       "loaded_at": datetime(year, 6, 1)}])


def health_rows(tables: Tables, rng: random.Random, state: str, first_year: int, years: int) -> None:
    """Weekly runs per source over the whole period, with failures and extraction errors."""
    for source in SOURCES:
        when = datetime(first_year, 1, 1)
        while when < datetime.now():
            run_id = f"{source}-{when:%Y%m%d}"
            failed = rng.choice([0, 0, 0, 1, 2])
            tables.add("core.source_runs", [{"run_id": run_id, "jurisdiction": state, "source": source,
                                             "finished_at": when, "items_ok": rng.randint(0, 30),
                                             "items_failed": failed, "downloaded": rng.randint(0, 5),
                                             "not_modified": rng.randint(0, 30)}])
            tables.add("core.fetch_errors", [{"jurisdiction": state, "source": source, "item": f"item {i}",
                                              "url": "https://legislature.example", "occurred_at": when,
                                              "reason": rng.choice(REASONS),
                                              "run_id": run_id} for i in range(failed)])
            when += timedelta(days=7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "data" / "bench" / "warehouse.duckdb")
    parser.add_argument("--states", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--bills-per-state-year", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = scale(args.out, args.states, args.years, args.bills_per_state_year, args.seed)
    size_mb, seconds = args.out.stat().st_size / 1e6, time.perf_counter() - started
    print(f"scaled warehouse {args.out} ({size_mb:.1f} MB) in {seconds:.1f}s")
    for table, n in counts.items():
        print(f"  {table:26} {n:>9,}")


if __name__ == "__main__":
    main()
