"""Serving assets: validate the documented marts, then publish the read-only copy dashboards open."""

import html
from pathlib import Path

import dagster as dg
import pandas as pd

from warehouse.access import export_marts_parquet, mart_row_counts, published_row_counts, serving_url
from warehouse.db import Warehouse
from warehouse.dictionary import describe
from warehouse.fingerprint import facts_fingerprint
from warehouse.publish import publish_snapshot

UPSTREAM = ["drift_signals", "provision_status", "clauses", "funding_links", "alerts", "label_reviews"]
BAR_WIDTH = 20


class ServingConfig(dg.ConfigurableResource):
    """Where the published copy (and optionally Parquet files of the marts) are written."""

    serving_path: str = "data/serving.duckdb"
    parquet_dir: str = ""
    review_agreement_floor: float = 0.8  # share of recently reviewed labels found right below which a check warns
    reviews_inbox: str = "data/reviews/inbox"  # folder the dashboard drops reviews in, recorded before each publish


def _markdown_table(frame: pd.DataFrame) -> dg.MetadataValue:
    """Markdown preview with values escaped, since titles and sources come from outside."""
    if frame.empty:
        return dg.MetadataValue.md("_no rows_")
    shown = frame.astype(object).where(frame.notna(), "")
    shown = shown.map(lambda v: html.escape(str(v))[:80].replace("|", "&#124;"))
    return dg.MetadataValue.md(shown.to_markdown(index=False))


def _state_chart(states: pd.DataFrame) -> dg.MetadataValue:
    """Text bars of bills per state, split by where their last change went: the state picture at a glance."""
    if states.empty:
        return dg.MetadataValue.md("_no bills yet_")
    widest = max(int(states["bills"].max()), 1)
    lines = ["| state | bills | last change (▓ drift-away, ░ toward model, █ other) | mean fidelity |",
             "|---|---:|---|---:|"]
    for row in states.itertuples(index=False):
        away = round(row.bills_drifting_away / widest * BAR_WIDTH)
        toward = round(row.bills_toward_model / widest * BAR_WIDTH)
        other = round(row.bills / widest * BAR_WIDTH) - away - toward
        score = "" if pd.isna(row.mean_model_score) else f"{row.mean_model_score:+.2f}"
        lines.append(f"| {html.escape(row.jurisdiction)} | {row.bills} | {'▓' * away}{'░' * toward}"
                     f"{'█' * max(other, 0)} | {score} |")
    return dg.MetadataValue.md("\n".join(lines))


def _health_table(health: pd.DataFrame) -> dg.MetadataValue:
    """Per source and state: freshness, error rates without the recorded demo's known gaps, and open / gap counts."""
    kinds = {"source": "string", "jurisdiction": "string", "last_success_at": "string", "error_rate": "float",
             "extraction_failure_rate": "float", "open_errors": "int", "known_gaps": "int", "stale": "bool"}

    def cell(column: str, value: object) -> object:
        if pd.isna(value):
            return "" if kinds[column] == "string" else None
        if column == "last_success_at":
            return str(value)[:16]
        return {"float": lambda v: round(float(v), 3), "int": int, "bool": bool}.get(kinds[column], str)(value)

    records = [dg.TableRecord({c: cell(c, getattr(row, c)) for c in kinds}) for row in health[list(kinds)].itertuples()]
    return dg.MetadataValue.table(records, schema=dg.TableSchema(columns=[dg.TableColumn(c, k) for c, k in kinds.items()]))


def _published_fingerprint(instance: dg.DagsterInstance, serving: ServingConfig) -> str | None:
    """The facts fingerprint of the copy at the serving path, as the run that published it recorded it."""
    event = instance.get_latest_materialization_event(dg.AssetKey("published_snapshot"))
    metadata = event.asset_materialization.metadata if event and event.asset_materialization else {}
    if "facts_fingerprint" not in metadata or not Path(serving.serving_path).exists():
        return None
    if metadata["path"].value != str(Path(serving.serving_path).resolve()):
        return None
    return metadata["facts_fingerprint"].value


@dg.asset(deps=[dg.AssetKey(key) for key in UPSTREAM], group_name="serving", kinds={"duckdb"}, output_required=False)
def marts(context: dg.AssetExecutionContext, warehouse: Warehouse, serving: ServingConfig):
    """Query every mart view (always current), so one that no longer binds to its tables fails here, not later;
    when no fact changed since the last publish, nothing is materialized and the published copy stays."""
    with warehouse.connect() as con:
        fingerprint = facts_fingerprint(con)
    if fingerprint == _published_fingerprint(context.instance, serving):
        context.log.info("no fact in the warehouse changed since the last publish; the published copy stays")
        return
    with warehouse.connect() as con:
        counts = mart_row_counts(con)
        docs = describe(con, ("marts",))
        latest = con.execute(
            "SELECT jurisdiction, bill_id, title, latest_version_label, latest_version_date, model_score, "
            "last_change_direction FROM marts.bill_latest ORDER BY latest_version_date DESC NULLS LAST, "
            "jurisdiction, bill_id LIMIT 10"
        ).df()
        states = con.execute("SELECT * FROM marts.state_summary ORDER BY bills DESC, jurisdiction").df()
        health = con.execute("SELECT * FROM marts.data_health ORDER BY source, jurisdiction").df()
    metadata: dict[str, object] = {f"rows/{name}": dg.MetadataValue.int(n) for name, n in counts.items()}
    metadata.update({
        "facts_fingerprint": fingerprint,
        "latest_versions": _markdown_table(latest),
        "state_picture": _state_chart(states),
        "data_health": _health_table(health),
    })
    for doc in docs:
        metadata[f"schema/{doc.name}"] = dg.MetadataValue.table_schema(dg.TableSchema(
            columns=[dg.TableColumn(c.name, c.data_type, description=c.comment or None) for c in doc.columns]
        ))
    yield dg.MaterializeResult(metadata=metadata)


@dg.asset(deps=[marts], group_name="serving", kinds={"duckdb"})
def published_snapshot(warehouse: Warehouse, serving: ServingConfig) -> dg.MaterializeResult:
    """Swap in a fresh read-only copy so dashboards and BI tools never hold a lock on the warehouse."""
    with warehouse.connect() as con:
        fingerprint = facts_fingerprint(con)
        result = publish_snapshot(con, serving.serving_path)
    metadata: dict[str, object] = {
        "path": dg.MetadataValue.path(str(result.path)),
        "facts_fingerprint": fingerprint,
        "size_bytes": result.size_bytes,
        "publish_seconds": round(result.seconds, 3),
        "sqlalchemy_url": dg.MetadataValue.text(serving_url(result.path)),
        **{f"rows/{name}": n for name, n in published_row_counts(result.path).items()},
    }
    if serving.parquet_dir:
        written = export_marts_parquet(result.path, serving.parquet_dir)
        metadata["parquet_files"] = dg.MetadataValue.json({name: str(path) for name, path in written.items()})
    return dg.MaterializeResult(metadata=metadata)


@dg.asset_check(asset=marts, description="Every mart view and column carries a comment, so the dictionary is complete.")
def marts_documented(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        docs = describe(con, ("marts",))
    missing = [f"{d.name}" for d in docs if not d.comment] + [f"{d.name}.{c}" for d in docs for c in d.undocumented]
    return dg.AssetCheckResult(passed=not missing, metadata={"undocumented": dg.MetadataValue.json(missing)})


@dg.asset_check(asset=marts, description="marts.bill_latest has exactly one row per bill that has versions.")
def bill_latest_one_row_per_bill(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        rows, bills = con.execute(
            "SELECT (SELECT count(*) FROM marts.bill_latest), "
            "(SELECT count(DISTINCT (jurisdiction, session, bill_id)) FROM core.bill_versions)"
        ).fetchone()
    return dg.AssetCheckResult(passed=rows == bills, metadata={"rows": rows, "bills": bills})


@dg.asset_check(asset=published_snapshot, description="The published copy opens read-only and matches the warehouse.")
def snapshot_matches_warehouse(warehouse: Warehouse, serving: ServingConfig) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        expected = mart_row_counts(con)
    published = published_row_counts(serving.serving_path)
    differing = sorted(name for name in expected.keys() | published.keys() if expected.get(name) != published.get(name))
    return dg.AssetCheckResult(passed=not differing, metadata={"differing_marts": dg.MetadataValue.json(differing)})


SERVING_ASSETS = [marts, published_snapshot]
SERVING_CHECKS = [marts_documented, bill_latest_one_row_per_bill, snapshot_matches_warehouse]
