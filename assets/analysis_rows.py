"""Analysis rows for a set of versions, as frames: the one computation both the asset path and partition files use."""

import json
from dataclasses import replace

import pandas as pd

from analysis.clauses.engine import classify
from analysis.drift.engine import compare, looks_truncated
from analysis.drift.fidelity import fidelity_from, score_version
from analysis.drift.model_bill import screen
from analysis.model import Clause, Fidelity, Label
from analysis.text.sections import segment


def _markup(raw: str | None) -> list[tuple[str, int, int]]:
    return [(span["kind"], span["start"], span["end"]) for span in json.loads(raw or "[]")]


def section_frame(versions: pd.DataFrame, jurisdiction: str) -> pd.DataFrame:
    """The legal hierarchy of each version, with offsets into its text."""
    return pd.DataFrame([
        {"version_id": v.version_id, "jurisdiction": jurisdiction, "section_no": n, "path": s.path,
         "heading": s.heading, "level": s.level, "start_offset": s.start, "end_offset": s.end}
        for v in versions.itertuples(index=False)
        for n, s in enumerate(segment(v.text))
    ])


def clause_frames(versions: pd.DataFrame, jurisdiction: str, model) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every operative clause of each version and the categories the model gives it."""
    clause_rows, label_rows = [], []
    for version in versions.itertuples(index=False):
        for n, clause in enumerate(classify(version.text, _markup(version.markup), model)):
            clause_rows.append({
                "version_id": version.version_id, "jurisdiction": jurisdiction, "clause_no": n,
                "section": clause.section, "start_offset": clause.start, "end_offset": clause.end,
                "text": clause.text, "modality": clause.modality, "actor": clause.actor, "markup": clause.markup,
                "amounts": list(clause.amounts), "fiscal_years": list(clause.fiscal_years),
                "recipient_type": clause.recipient_type,
            })
            label_rows.extend(
                {"version_id": version.version_id, "jurisdiction": jurisdiction, "clause_no": n,
                 "category": label.category, "rule": label.rule,
                 "evidence_start": label.evidence_start, "evidence_end": label.evidence_end,
                 "model_version": label.model_version or None, "probability": label.probability, "explanation": label.explanation}
                for label in clause.labels
            )
    return pd.DataFrame(clause_rows), pd.DataFrame(label_rows)


def clauses_from_rows(rows: pd.DataFrame) -> dict[str, list[Clause]]:
    """Rebuild stored clauses (clause rows left-joined to their labels, ordered by version and clause number) in one
    pass over the rows: a pandas group per clause cost more than the clause engine itself."""
    first_rows: dict[tuple[str, int], tuple] = {}
    labels: dict[tuple[str, int], list[Label]] = {}
    for row in rows.itertuples(index=False):
        key = (row.version_id, row.clause_no)
        if key not in first_rows:
            first_rows[key], labels[key] = row, []
        if isinstance(row.category, str):
            labels[key].append(Label(row.category, row.rule, int(row.evidence_start), int(row.evidence_end)))
    by_version: dict[str, list[Clause]] = {}
    for key, first in first_rows.items():
        by_version.setdefault(key[0], []).append(Clause(
            start=int(first.start_offset), end=int(first.end_offset), text=first.text, section=first.section or "",
            labels=tuple(labels[key]), modality=first.modality or "", actor=first.actor or "",
            amounts=tuple(first.amounts if first.amounts is not None else ()),
            fiscal_years=tuple(first.fiscal_years if first.fiscal_years is not None else ()),
            recipient_type=first.recipient_type or "", markup=first.markup,
        ))
    return by_version


def joined_clause_rows(clause_frame: pd.DataFrame, label_frame: pd.DataFrame) -> pd.DataFrame:
    """Clause rows left-joined to their labels, as the warehouse query returns them, without a warehouse."""
    if clause_frame.empty:
        return pd.DataFrame(columns=["version_id", "clause_no"])
    labels = label_frame[["version_id", "clause_no", "category", "rule", "evidence_start", "evidence_end"]] \
        if not label_frame.empty else pd.DataFrame(columns=["version_id", "clause_no", "category", "rule",
                                                            "evidence_start", "evidence_end"])
    joined = clause_frame.merge(labels, on=["version_id", "clause_no"], how="left")
    return joined.sort_values(["version_id", "clause_no"], kind="stable")


def fidelity_frames(
    versions: pd.DataFrame, stored: dict[str, list[Clause]], jurisdiction: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Status of each LEAD model provision per version, and the version's one fidelity figure."""
    status_rows, score_rows = [], []
    for _, bill in versions.groupby(["session", "bill_id"], sort=False):
        own = [score_version(stored.get(v.version_id, []), text_missing=looks_truncated(v.text))
               for v in bill.itertuples(index=False)]
        for version, fidelity, scored in zip(bill.itertuples(index=False), own, _bill_fidelity(own), strict=True):
            match = screen(version.text, score=False)
            score_rows.append({"version_id": version.version_id, "jurisdiction": jurisdiction,
                               "model_score": scored.model_score, "organizer_score": scored.organizer_score,
                               "scored_provisions": sum(p.status != "unknown" for p in scored.provisions),
                               "flags": list(fidelity.flags), "names_model": match.names_model,
                               "is_model_bill": match.is_model_bill, "model_similarity": match.similarity})
            status_rows.extend(
                {"version_id": version.version_id, "jurisdiction": jurisdiction, "provision": p.provision,
                 "status": p.status, "weight": p.weight, "evidence": p.evidence}
                for p in fidelity.provisions
            )
    return pd.DataFrame(status_rows), pd.DataFrame(score_rows)


def _bill_fidelity(own: list[Fidelity]) -> list[Fidelity]:
    """Score every version of a bill over the provisions all its versions show (codebook 3: unknown is left out),
    so a copy cut off earlier than the next cannot move the bill's fidelity line by itself; a version that shows
    none (nothing scorable) stays unscored without blanking the others."""
    known = [{p.provision for p in f.provisions if p.status != "unknown"} for f in own]
    shown = set.intersection(*(k for k in known if k)) if any(known) else set()
    scored = []
    for fidelity in own:
        common = [p if p.provision in shown else replace(p, status="unknown") for p in fidelity.provisions]
        scored.append(fidelity_from(common, set()))
    return scored


def fidelity_by_version(scores: pd.DataFrame) -> dict[str, float | None]:
    """Each version's one fidelity figure: amendments quote it, never recompute it."""
    if scores.empty:
        return {}
    return {v: (None if pd.isna(s) else float(s)) for v, s in zip(scores["version_id"], scores["model_score"])}


def _consecutive_pairs(versions: pd.DataFrame):
    """Consecutive versions of each bill (latest revision of each version), oldest first."""
    latest = versions.drop_duplicates(subset=["session", "bill_id", "version_label", "version_date"], keep="last")
    for (_, _), group in latest.groupby(["session", "bill_id"], sort=False):
        ordered = list(group.itertuples(index=False))
        yield from zip(ordered, ordered[1:])


def drift_frames(
    versions: pd.DataFrame, fidelity: dict[str, float | None], jurisdiction: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Each pair of consecutive versions: the amendment's direction, its clause changes with redlines, its signals."""
    amendments, changes, signals = [], [], []
    for old, new in _consecutive_pairs(versions):
        report = compare(old.text, new.text, _markup(old.markup), _markup(new.markup))
        pair = {"old_version_id": old.version_id, "new_version_id": new.version_id, "jurisdiction": jurisdiction}
        amendments.append({**pair, "session": new.session, "bill_id": new.bill_id, "direction": report.direction,
                           "fidelity_old": fidelity.get(old.version_id), "fidelity_new": fidelity.get(new.version_id)})
        changes.extend(
            {**pair, "change_no": n, "kind": c.kind, "old_section": c.old_section, "new_section": c.new_section,
             "old_text": c.old_text, "new_text": c.new_text, "redline": json.dumps([list(op) for op in c.redline])}
            for n, c in enumerate(report.changes)
        )
        signals.extend({**pair, "signal": s.id, "severity": s.severity, "old_text": s.old_text, "new_text": s.new_text}
                       for s in report.signals)
    return pd.DataFrame(amendments), pd.DataFrame(changes), pd.DataFrame(signals)


def analyse_versions(versions: pd.DataFrame, jurisdiction: str, model) -> dict[str, pd.DataFrame]:
    """The whole analysis of one set of versions in memory, table by table, as the assets store it in turn."""
    clause_frame, label_frame = clause_frames(versions, jurisdiction, model)
    stored = clauses_from_rows(joined_clause_rows(clause_frame, label_frame))
    status, scores = fidelity_frames(versions, stored, jurisdiction)
    amendments, changes, signals = drift_frames(versions, fidelity_by_version(scores), jurisdiction)
    return {
        "analysis.bill_sections": section_frame(versions, jurisdiction),
        "analysis.clauses": clause_frame, "analysis.clause_labels": label_frame,
        "analysis.provision_status": status, "analysis.version_fidelity": scores,
        "analysis.amendments": amendments, "analysis.version_changes": changes, "analysis.drift_signals": signals,
    }
