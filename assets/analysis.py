"""Analysis assets: sections, clauses, fidelity and amendment drift for every version in a jurisdiction."""


import json
from collections import Counter
from dataclasses import replace

import dagster as dg
import pandas as pd

from analysis.clauses.engine import classify
from analysis.clauses.learned import shipped_model
from analysis.drift.engine import compare, looks_truncated
from analysis.drift.fidelity import fidelity_from, score_version
from analysis.model import Clause, Fidelity, Label
from analysis.drift.model_bill import screen
from analysis.text.sections import segment
from assets.bills import bill_versions
from assets.partitions import jurisdictions
from warehouse.db import Warehouse

VERSIONS_SQL = (
    "SELECT version_id, session, bill_id, version_label, version_date, revision, text, markup "
    "FROM core.bill_versions WHERE jurisdiction = ? ORDER BY session, bill_id, version_order, revision, loaded_at, version_id"
)


def _markup(raw: str | None) -> list[tuple[str, int, int]]:
    return [(span["kind"], span["start"], span["end"]) for span in json.loads(raw or "[]")]


def _versions(warehouse: Warehouse, jurisdiction: str) -> pd.DataFrame:
    return warehouse.query_df(VERSIONS_SQL, [jurisdiction])


def _preview(frame: pd.DataFrame, columns: list[str], rows: int = 10) -> dg.MetadataValue:
    if frame.empty:
        return dg.MetadataValue.md("_no rows_")
    clipped = frame[columns].head(rows).copy()
    for column in clipped.select_dtypes("object"):
        clipped[column] = clipped[column].astype(str).str.slice(0, 120).str.replace("|", "/", regex=False)
    return dg.MetadataValue.md(clipped.to_markdown(index=False))


@dg.asset(partitions_def=jurisdictions, group_name="analysis", deps=[bill_versions], kinds={"python", "duckdb"})
def bill_sections(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The legal hierarchy of each version, with offsets into its text."""
    jurisdiction = context.partition_key
    rows = [
        {"version_id": v.version_id, "jurisdiction": jurisdiction, "section_no": n, "path": s.path,
         "heading": s.heading, "level": s.level, "start_offset": s.start, "end_offset": s.end}
        for v in _versions(warehouse, jurisdiction).itertuples(index=False)
        for n, s in enumerate(segment(v.text))
    ]
    frame = pd.DataFrame(rows)
    written = warehouse.replace_partition("analysis.bill_sections", frame, {"jurisdiction": jurisdiction})
    return dg.MaterializeResult(metadata={"sections": written, "preview": _preview(frame, ["path", "heading"])})


@dg.asset(partitions_def=jurisdictions, group_name="analysis", deps=[bill_versions], kinds={"python", "duckdb"})
def clauses(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Every operative clause with its categories as the learned model decides them, each with rule or words, probability and evidence."""
    jurisdiction = context.partition_key
    model = shipped_model()
    clause_rows, label_rows = [], []
    for version in _versions(warehouse, jurisdiction).itertuples(index=False):
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
    clause_frame, label_frame = pd.DataFrame(clause_rows), pd.DataFrame(label_rows)
    warehouse.replace_partition("analysis.clauses", clause_frame, {"jurisdiction": jurisdiction})
    warehouse.replace_partition("analysis.clause_labels", label_frame, {"jurisdiction": jurisdiction})
    per_category = Counter(label_frame["category"]) if not label_frame.empty else Counter()
    labelled = clause_frame.merge(label_frame, on=["version_id", "clause_no"]) if not label_frame.empty else label_frame
    return dg.MaterializeResult(
        metadata={
            "clauses": len(clause_frame),
            "labels": len(label_frame),
            "model_version": model.version,
            "per_category": dg.MetadataValue.json(dict(sorted(per_category.items()))),
            "preview": _preview(labelled, ["category", "rule", "probability", "text"]),
        }
    )


@dg.asset(partitions_def=jurisdictions, group_name="analysis", deps=[clauses], kinds={"python", "duckdb"})
def provision_status(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Status of each LEAD model provision per version, the version's one fidelity figure, and model-language reuse."""
    jurisdiction = context.partition_key
    status_rows, score_rows = [], []
    stored = _stored_clauses(warehouse, jurisdiction)
    for _, bill in _versions(warehouse, jurisdiction).groupby(["session", "bill_id"], sort=False):
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
    scores = pd.DataFrame(score_rows)
    warehouse.replace_partition("analysis.provision_status", pd.DataFrame(status_rows), {"jurisdiction": jurisdiction})
    warehouse.replace_partition("analysis.version_fidelity", scores, {"jurisdiction": jurisdiction})
    return dg.MaterializeResult(
        metadata={"versions": len(scores), "provision_rows": len(status_rows),
                  "model_bills": int(scores["is_model_bill"].sum()) if not scores.empty else 0,
                  "model_bills_not_naming_lead": int((scores["is_model_bill"] & ~scores["names_model"]).sum())
                  if not scores.empty else 0,
                  "mean_model_fidelity": float(scores["model_score"].mean()) if not scores.empty else 0.0}
    )


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


def _stored_clauses(warehouse: Warehouse, jurisdiction: str) -> dict[str, list[Clause]]:
    """Rebuild the clauses asset's output from the warehouse, so fidelity never classifies twice."""
    rows = warehouse.query_df(
        "SELECT c.*, l.category, l.rule, l.evidence_start, l.evidence_end FROM analysis.clauses c "
        "LEFT JOIN analysis.clause_labels l USING (version_id, clause_no) WHERE c.jurisdiction = ? "
        "ORDER BY c.version_id, c.clause_no",
        [jurisdiction],
    )
    by_version: dict[str, list[Clause]] = {}
    for (version_id, _), group in rows.groupby(["version_id", "clause_no"], sort=False):
        first = group.iloc[0]
        labels = tuple(
            Label(r.category, r.rule, int(r.evidence_start), int(r.evidence_end))
            for r in group.itertuples(index=False) if isinstance(r.category, str)
        )
        by_version.setdefault(version_id, []).append(Clause(
            start=int(first.start_offset), end=int(first.end_offset), text=first.text, section=first.section or "",
            labels=labels, modality=first.modality or "", actor=first.actor or "",
            amounts=tuple(first.amounts if first.amounts is not None else ()),
            fiscal_years=tuple(first.fiscal_years if first.fiscal_years is not None else ()),
            recipient_type=first.recipient_type or "", markup=first.markup,
        ))
    return by_version


def _stored_fidelity(warehouse: Warehouse, jurisdiction: str) -> dict[str, float | None]:
    """Each version's one fidelity figure, as provision_status stored it: amendments quote it, never recompute it."""
    rows = warehouse.query_df("SELECT version_id, model_score FROM analysis.version_fidelity WHERE jurisdiction = ?",
                              [jurisdiction])
    return {v: (None if pd.isna(s) else float(s)) for v, s in zip(rows["version_id"], rows["model_score"])}


def _consecutive_pairs(versions: pd.DataFrame):
    """Consecutive versions of each bill (latest revision of each version), oldest first."""
    latest = versions.drop_duplicates(subset=["session", "bill_id", "version_label", "version_date"], keep="last")
    for (_, _), group in latest.groupby(["session", "bill_id"], sort=False):
        ordered = list(group.itertuples(index=False))
        yield from zip(ordered, ordered[1:])


@dg.multi_asset(
    partitions_def=jurisdictions,
    group_name="analysis",
    specs=[
        dg.AssetSpec("version_changes", deps=[provision_status], kinds={"duckdb"}),
        dg.AssetSpec("drift_signals", deps=[provision_status], kinds={"duckdb"}),
    ],
)
def amendment_drift(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Compare each pair of consecutive versions: clause changes with redlines, drift signals, direction."""
    jurisdiction = context.partition_key
    amendments, changes, signals = [], [], []
    fidelity = _stored_fidelity(warehouse, jurisdiction)
    for old, new in _consecutive_pairs(_versions(warehouse, jurisdiction)):
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
    amendment_frame = pd.DataFrame(amendments)
    where = {"jurisdiction": jurisdiction}
    warehouse.replace_partition("analysis.amendments", amendment_frame, where)
    warehouse.replace_partition("analysis.version_changes", pd.DataFrame(changes), where)
    warehouse.replace_partition("analysis.drift_signals", pd.DataFrame(signals), where)
    directions = dict(Counter(amendment_frame["direction"])) if not amendment_frame.empty else {}
    summary = _preview(amendment_frame, ["bill_id", "direction", "fidelity_old", "fidelity_new"], rows=20)
    yield dg.MaterializeResult(
        asset_key="version_changes",
        metadata={"amendments": len(amendments), "changes": len(changes), "directions": dg.MetadataValue.json(directions)},
    )
    yield dg.MaterializeResult(
        asset_key="drift_signals",
        metadata={"signals": len(signals), "directions": dg.MetadataValue.json(directions), "amendments": summary},
    )


ANALYSIS_ASSETS = [bill_sections, clauses, provision_status, amendment_drift]
