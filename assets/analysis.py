"""Analysis assets: sections, clauses, fidelity and amendment drift for every version in a jurisdiction."""


from collections import Counter
from datetime import datetime

import dagster as dg
import pandas as pd

from analysis.clauses.learned import shipped_model
from analysis.model import Clause
from assets.analysis_input import input_hash
from assets.analysis_rows import (clause_frames, clauses_from_rows, drift_frames, fidelity_by_version,
                                  fidelity_frames, section_frame)
from assets.bills import bill_versions
from assets.partitions import jurisdictions
from warehouse.db import Warehouse

VERSION_COLUMNS = "version_id, session, bill_id, version_label, version_date, revision, text, markup"
VERSION_ORDER = "session, bill_id, version_order, revision, loaded_at, version_id"
VERSIONS_SQL = f"SELECT {VERSION_COLUMNS} FROM core.bill_versions WHERE jurisdiction = ? ORDER BY {VERSION_ORDER}"


def _versions(warehouse: Warehouse, jurisdiction: str) -> pd.DataFrame:
    return warehouse.query_df(VERSIONS_SQL, [jurisdiction])


def _analysis_input(warehouse: Warehouse, jurisdiction: str) -> tuple[str, int]:
    """The hash a jurisdiction's analysis depends on (its versions' texts and the engine), and how many versions."""
    versions = warehouse.query_df("SELECT version_id, text_sha256 FROM core.bill_versions WHERE jurisdiction = ?",
                                  [jurisdiction])
    return input_hash(versions), len(versions)


def analysis_is_current(warehouse: Warehouse, jurisdiction: str) -> bool:
    """True when the last completed analysis (through alerts) saw these same versions with this same engine."""
    stored = warehouse.query_df("SELECT input_hash FROM analysis.partition_state WHERE jurisdiction = ?", [jurisdiction])
    return not stored.empty and stored["input_hash"].iloc[0] == _analysis_input(warehouse, jurisdiction)[0]


def record_analysis_complete(warehouse: Warehouse, jurisdiction: str, run_id: str) -> None:
    """Mark the jurisdiction's analysis done for its current versions and engine; only the last step calls this,
    so a run that fails half way leaves the mark as it was and the next run redoes the analysis."""
    digest, versions = _analysis_input(warehouse, jurisdiction)
    warehouse.upsert("analysis.partition_state", pd.DataFrame([{
        "jurisdiction": jurisdiction, "input_hash": digest, "versions": versions, "run_id": run_id,
        "analysed_at": datetime.now()}]))


def _preview(frame: pd.DataFrame, columns: list[str], rows: int = 10) -> dg.MetadataValue:
    if frame.empty:
        return dg.MetadataValue.md("_no rows_")
    clipped = frame[columns].head(rows).copy()
    for column in clipped.select_dtypes("object"):
        clipped[column] = clipped[column].astype(str).str.slice(0, 120).str.replace("|", "/", regex=False)
    return dg.MetadataValue.md(clipped.to_markdown(index=False))


def _unchanged(context: dg.AssetExecutionContext, warehouse: Warehouse) -> bool:
    """Whether this partition's analysis is current; when it is, the asset is not materialized and Dagster skips
    everything downstream of it (fidelity, drift, alerts) for this partition."""
    if analysis_is_current(warehouse, context.partition_key):
        context.log.info(f"{context.partition_key}: versions and engine unchanged since the last complete analysis")
        return True
    return False


@dg.asset(partitions_def=jurisdictions, group_name="analysis", deps=[bill_versions], kinds={"python", "duckdb"},
          output_required=False)
def bill_sections(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """The legal hierarchy of each version, with offsets into its text."""
    if _unchanged(context, warehouse):
        return
    jurisdiction = context.partition_key
    frame = section_frame(_versions(warehouse, jurisdiction), jurisdiction)
    written = warehouse.replace_partition("analysis.bill_sections", frame, {"jurisdiction": jurisdiction})
    yield dg.MaterializeResult(metadata={"sections": written, "preview": _preview(frame, ["path", "heading"])})


@dg.asset(partitions_def=jurisdictions, group_name="analysis", deps=[bill_versions], kinds={"python", "duckdb"},
          output_required=False)
def clauses(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Every operative clause with its categories as the learned model decides them, each with rule or words, probability and evidence."""
    if _unchanged(context, warehouse):
        return
    jurisdiction = context.partition_key
    model = shipped_model()
    clause_frame, label_frame = clause_frames(_versions(warehouse, jurisdiction), jurisdiction, model)
    warehouse.replace_partition("analysis.clauses", clause_frame, {"jurisdiction": jurisdiction})
    warehouse.replace_partition("analysis.clause_labels", label_frame, {"jurisdiction": jurisdiction})
    per_category = Counter(label_frame["category"]) if not label_frame.empty else Counter()
    labelled = clause_frame.merge(label_frame, on=["version_id", "clause_no"]) if not label_frame.empty else label_frame
    yield dg.MaterializeResult(
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
    status, scores = fidelity_frames(_versions(warehouse, jurisdiction), _stored_clauses(warehouse, jurisdiction),
                                     jurisdiction)
    warehouse.replace_partition("analysis.provision_status", status, {"jurisdiction": jurisdiction})
    warehouse.replace_partition("analysis.version_fidelity", scores, {"jurisdiction": jurisdiction})
    return dg.MaterializeResult(
        metadata={"versions": len(scores), "provision_rows": len(status),
                  "model_bills": int(scores["is_model_bill"].sum()) if not scores.empty else 0,
                  "model_bills_not_naming_lead": int((scores["is_model_bill"] & ~scores["names_model"]).sum())
                  if not scores.empty else 0,
                  "mean_model_fidelity": float(scores["model_score"].mean()) if not scores.empty else 0.0}
    )


def _stored_clauses(warehouse: Warehouse, jurisdiction: str) -> dict[str, list[Clause]]:
    """Rebuild the clauses asset's output from the warehouse, so fidelity never classifies twice."""
    rows = warehouse.query_df(
        "SELECT c.*, l.category, l.rule, l.evidence_start, l.evidence_end FROM analysis.clauses c "
        "LEFT JOIN analysis.clause_labels l USING (version_id, clause_no) WHERE c.jurisdiction = ? "
        "ORDER BY c.version_id, c.clause_no",
        [jurisdiction],
    )
    return clauses_from_rows(rows)


def _stored_fidelity(warehouse: Warehouse, jurisdiction: str) -> dict[str, float | None]:
    """Each version's one fidelity figure, as provision_status stored it: amendments quote it, never recompute it."""
    rows = warehouse.query_df("SELECT version_id, model_score FROM analysis.version_fidelity WHERE jurisdiction = ?",
                              [jurisdiction])
    return fidelity_by_version(rows)


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
    amendment_frame, changes, signals = drift_frames(_versions(warehouse, jurisdiction),
                                                     _stored_fidelity(warehouse, jurisdiction), jurisdiction)
    where = {"jurisdiction": jurisdiction}
    warehouse.replace_partition("analysis.amendments", amendment_frame, where)
    warehouse.replace_partition("analysis.version_changes", changes, where)
    warehouse.replace_partition("analysis.drift_signals", signals, where)
    directions = dict(Counter(amendment_frame["direction"])) if not amendment_frame.empty else {}
    summary = _preview(amendment_frame, ["bill_id", "direction", "fidelity_old", "fidelity_new"], rows=20)
    yield dg.MaterializeResult(
        asset_key="version_changes",
        metadata={"amendments": len(amendment_frame), "changes": len(changes), "directions": dg.MetadataValue.json(directions)},
    )
    yield dg.MaterializeResult(
        asset_key="drift_signals",
        metadata={"signals": len(signals), "directions": dg.MetadataValue.json(directions), "amendments": summary},
    )


ANALYSIS_ASSETS = [bill_sections, clauses, provision_status, amendment_drift]
