"""Bill assets: search hits -> bills -> every version's text, appended without duplicates."""


import json
from collections import Counter
from datetime import datetime

import dagster as dg
import pandas as pd

from assets.partitions import jurisdictions
from assets.resources import BillSources
from sources.http import HttpClient
from sources.records import Bill, BillVersion, FetchError, sha256_hex
from sources.registry import BillSource
from warehouse.db import Warehouse
from warehouse.fetch_errors import ERROR_COLUMNS, record_fetch_errors
from warehouse.payloads import PayloadStore
from warehouse.source_runs import record_source_runs

VERSION_KEY = ["jurisdiction", "session", "bill_id", "version_label", "version_date"]


def _record_errors(
    warehouse: Warehouse, errors: list[FetchError], jurisdiction: str, run_id: str, step: str, sources: list[str],
) -> None:
    """Each item's failure once per cause; what this step's sources no longer fail on is marked resolved."""
    frame = pd.DataFrame(
        [{"jurisdiction": e.jurisdiction or jurisdiction, "source": e.source, "item": e.item, "url": e.url,
          "reason": e.reason} for e in errors],
        columns=ERROR_COLUMNS,
    )
    record_fetch_errors(warehouse, frame, step, jurisdiction, sources, run_id, datetime.now())


@dg.asset(partitions_def=jurisdictions, group_name="bills", kinds={"python", "duckdb"})
def bill_search_hits(context: dg.AssetExecutionContext, warehouse: Warehouse, bill_sources: BillSources) -> dg.MaterializeResult:
    """Bills the configured searches find in this jurisdiction now (replaces the partition's hits)."""
    jurisdiction = context.partition_key
    sources, _ = bill_sources.open(**_sync_markers(warehouse, jurisdiction))
    hits, errors = [], []
    for source in sources.get(jurisdiction, []):
        for item in source.search(jurisdiction):
            (errors if isinstance(item, FetchError) else hits).append(item)
    frame = pd.DataFrame(
        [{**_bill_row(b), "found_at": datetime.now()} for b in hits],
        columns=["jurisdiction", "session", "bill_id", "title", "url", "source", "found_at"],
    ).drop_duplicates(subset=["session", "bill_id", "source"])
    kept = _unchanged_hits(warehouse, jurisdiction, sources.get(jurisdiction, []))
    if not kept.empty:
        frame = pd.concat([f for f in (frame, kept) if not f.empty]).drop_duplicates(subset=["session", "bill_id", "source"])
    warehouse.replace_partition("core.bill_search_hits", frame, {"jurisdiction": jurisdiction})
    _record_errors(warehouse, errors, jurisdiction, context.run.run_id, "bill search",
                   [s.name for s in sources.get(jurisdiction, [])])
    return dg.MaterializeResult(
        metadata={"hits": len(frame), "errors": len(errors), "sources": [s.name for s in sources.get(jurisdiction, [])]}
    )


def _unchanged_hits(warehouse: Warehouse, jurisdiction: str, sources: list[BillSource]) -> pd.DataFrame:
    """Stored hits of sources that skip the bills they know unchanged (LegiScan's change hashes), so an unchanged
    bill stays a hit instead of vanishing from the table on every re-run."""
    skipping = [source.name for source in sources if getattr(source, "stats", {}).get("unchanged")]
    return warehouse.query_df("SELECT * FROM core.bill_search_hits WHERE jurisdiction = ? AND source IN (SELECT unnest(?))",
                              [jurisdiction, skipping])


def _sync_markers(warehouse: Warehouse, jurisdiction: str) -> dict:
    """What the last runs left for incremental sync: LegiScan change hashes and Open States' last clean run."""
    hashes = warehouse.query_df(
        "SELECT key, value FROM core.sync_state WHERE source = 'legiscan' AND jurisdiction = ?", [jurisdiction]
    )
    last = warehouse.query_df(
        "SELECT max(finished_at) AS t FROM core.source_runs WHERE source = 'openstates' AND jurisdiction = ? "
        "AND items_failed = 0", [jurisdiction]
    )["t"].iloc[0]
    return {
        "known_change_hashes": dict(zip(hashes["key"], hashes["value"])),
        "updated_since": None if pd.isna(last) else pd.Timestamp(last).strftime("%Y-%m-%dT%H:%M:%S"),
    }


def _save_sync_markers(warehouse: Warehouse, jurisdiction: str, sources: list[BillSource]) -> None:
    """Persist each source's change hashes so the next run skips what has not changed."""
    rows = [
        {"source": source.name, "jurisdiction": jurisdiction, "key": key, "value": value, "updated_at": datetime.now()}
        for source in sources
        for key, value in getattr(source, "change_hashes", {}).items()
    ]
    if rows:
        warehouse.upsert("core.sync_state", pd.DataFrame(rows))


def _bill_row(bill: Bill) -> dict:
    return {"jurisdiction": bill.jurisdiction, "session": bill.session, "bill_id": bill.bill_id,
            "title": bill.title, "url": bill.url, "source": bill.source}


@dg.asset(partitions_def=jurisdictions, group_name="bills", deps=[bill_search_hits], kinds={"duckdb"})
def bills(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Every bill ever found stays tracked; new hits add or refresh their row."""
    jurisdiction = context.partition_key
    hits = warehouse.query_df(
        "SELECT jurisdiction, session, bill_id, any_value(title) AS title, any_value(url) AS url, "
        "min(source) AS source FROM core.bill_search_hits WHERE jurisdiction = ? GROUP BY ALL",
        [jurisdiction],
    )
    warehouse.upsert("core.bills", hits.assign(updated_at=datetime.now()))
    total = warehouse.query_df("SELECT count(*) AS n FROM core.bills WHERE jurisdiction = ?", [jurisdiction])
    return dg.MaterializeResult(metadata={"refreshed": len(hits), "tracked": int(total["n"].iloc[0])})


def _version_row(version: BillVersion, listing_position: int, revision: int) -> dict:
    text_hash = version.text_sha256
    version_id = sha256_hex("|".join([version.jurisdiction, version.session, version.bill_id, version.version_label,
                                      str(version.version_date), text_hash]))[:20]
    return {
        "version_id": version_id, "jurisdiction": version.jurisdiction, "session": version.session,
        "bill_id": version.bill_id, "version_label": version.version_label, "version_date": version.version_date,
        "version_order": listing_position, "sequence": version.sequence, "revision": revision, "url": version.url,
        "source": version.source,
        "document_format": version.document_format, "text": version.text, "text_sha256": text_hash,
        "markup": json.dumps([{"kind": s.kind, "start": s.start, "end": s.end} for s in version.markup]),
        "payload_sha256": version.payload_sha256, "text_complete": version.complete, "loaded_at": datetime.now(),
    }


def _known_revisions(warehouse: Warehouse, jurisdiction: str) -> dict[tuple, dict[str, int]]:
    """(version key) -> {text hash: revision} for what is stored, so only new texts are appended."""
    known: dict[tuple, dict[str, int]] = {}
    stored = warehouse.query_df(
        "SELECT session, bill_id, version_label, version_date, text_sha256, revision "
        "FROM core.bill_versions WHERE jurisdiction = ?",
        [jurisdiction],
    )
    for row in stored.itertuples(index=False):
        date = None if pd.isna(row.version_date) else pd.Timestamp(row.version_date).date()
        known.setdefault((row.session, row.bill_id, row.version_label, date), {})[row.text_sha256] = row.revision
    return known


@dg.asset(partitions_def=jurisdictions, group_name="bills", deps=[bills], kinds={"python", "duckdb"})
def bill_versions(context: dg.AssetExecutionContext, warehouse: Warehouse, bill_sources: BillSources) -> dg.MaterializeResult:
    """Every version of every tracked bill, appended; a changed text for a known version is a new revision."""
    jurisdiction = context.partition_key
    sources, client = bill_sources.open()
    by_name = {source.name: source for source in sources.get(jurisdiction, [])}
    tracked = warehouse.query_df("SELECT * FROM core.bills WHERE jurisdiction = ? ORDER BY session, bill_id", [jurisdiction])
    known = _known_revisions(warehouse, jurisdiction)
    rows, errors, counts = [], [], Counter()
    for bill in tracked.itertuples(index=False):
        source = by_name.get(bill.source)
        if source is None:
            continue
        record = Bill(bill.jurisdiction, bill.session, bill.bill_id, bill.title, bill.url, bill.source)
        for position, item in enumerate(source.versions(record), start=1):
            if isinstance(item, FetchError):
                errors.append(item)
                continue
            if item.text is None:
                errors.append(FetchError(item.source, f"{item.bill_id} {item.version_label}", item.url, "no text extracted", jurisdiction))
                continue
            seen = known.setdefault((item.session, item.bill_id, item.version_label, item.version_date), {})
            if item.text_sha256 in seen:
                counts["unchanged"] += 1
                continue
            seen[item.text_sha256] = len(seen) + 1
            rows.append(_version_row(item, position, revision=len(seen)))
    reordered = _place_versions(warehouse, jurisdiction, rows)
    added = warehouse.insert_new("core.bill_versions", pd.DataFrame(rows), ["version_id"]) if rows else 0
    if client:
        PayloadStore.beside(warehouse).keep(warehouse, client.take_payloads())
    _record_errors(warehouse, errors, jurisdiction, context.run.run_id, "bill versions", list(by_name))
    _save_sync_markers(warehouse, jurisdiction, sources.get(jurisdiction, []))
    stats = _fetch_stats(client, sources.get(jurisdiction, []))
    _record_source_run(warehouse, context.run.run_id, jurisdiction, by_name, rows, errors, stats)
    return dg.MaterializeResult(
        metadata={
            "new_versions": added, "unchanged_versions": counts["unchanged"], "fetch_errors": len(errors),
            "full_downloads": stats["full_downloads"], "responses_downloaded": stats["downloaded"],
            "conditional_or_hash_hits": stats["not_modified"],
            "bills": len(tracked), "reordered_versions": reordered,
        }
    )


def _place_versions(warehouse: Warehouse, jurisdiction: str, rows: list[dict]) -> int:
    """Number every version of each bill in legislative order over all runs, so a run that sees only the newest
    version cannot put it first: stated sequence, then date, then first load and the source's listing. An undated
    version takes the date of the version listed before it (stored versions first, in their order), so it keeps
    its place among dated ones.

    Sets version_order on the new rows, rewrites it on stored rows whose place moved, and returns how many moved;
    without new rows no stored place can move."""
    if not rows:
        return 0
    columns = ["version_id", "session", "bill_id", "sequence", "version_date", "loaded_at", "version_order", "revision"]
    stored = warehouse.query_df(
        f"SELECT {', '.join(columns)} FROM core.bill_versions WHERE jurisdiction = ? "
        "ORDER BY session, bill_id, version_order, loaded_at, revision", [jurisdiction])
    incoming = pd.DataFrame(rows, columns=columns)
    listed = pd.concat([frame.astype(object) for frame in (stored, incoming) if not frame.empty], ignore_index=True)
    if listed.empty:
        return 0
    listed = listed.assign(listed=range(len(listed)), stated=pd.to_numeric(listed["sequence"]).fillna(0),
                           dated=pd.to_datetime(listed["version_date"]))
    listed["dated"] = listed.groupby(["session", "bill_id"], sort=False)["dated"].ffill().fillna(pd.Timestamp.min)
    versions = listed.sort_values(["session", "bill_id", "stated", "dated", "listed"], kind="stable")
    versions["place"] = versions.groupby(["session", "bill_id"]).cumcount() + 1
    place = dict(zip(versions["version_id"], versions["place"]))
    for row in rows:
        row["version_order"] = place[row["version_id"]]
    moved = stored.assign(place=stored["version_id"].map(place)).query("place != version_order")
    if not moved.empty:
        with warehouse.connect() as con:
            con.register("moved_versions", moved[["version_id", "place"]])
            con.execute("UPDATE core.bill_versions v SET version_order = m.place FROM moved_versions m "
                         "WHERE v.version_id = m.version_id")
            con.unregister("moved_versions")
    return len(moved)


def _fetch_stats(client: HttpClient | None, sources: list[BillSource]) -> Counter:
    """Full downloads vs conditional/hash hits, from the HTTP client or the folder sources."""
    stats = Counter()
    if client is not None:
        stats.update(client.stats)
    for source in sources:
        stats.update(getattr(source, "stats", {}))
    return stats


def _record_source_run(
    warehouse: Warehouse, run_id: str, jurisdiction: str, by_name: dict[str, BillSource],
    rows: list[dict], errors: list[FetchError], stats: Counter,
) -> None:
    """What each source did in this run, for the data-health mart."""
    ok = Counter(row["source"] for row in rows)
    failed = Counter(e.source for e in errors)
    frame = pd.DataFrame(
        [
            {"run_id": run_id, "jurisdiction": jurisdiction, "source": name, "finished_at": datetime.now(),
             "items_ok": ok[name], "items_failed": failed[name],
             "downloaded": stats["downloaded"], "not_modified": stats["not_modified"]}
            for name in by_name
        ]
    )
    record_source_runs(warehouse, frame)


@dg.asset_check(asset=bill_versions, description="A version is keyed by jurisdiction, session, bill, label, date and revision.")
def bill_versions_unique_keys(warehouse: Warehouse) -> dg.AssetCheckResult:
    dupes = warehouse.query_df(
        "SELECT count(*) AS n FROM (SELECT 1 FROM core.bill_versions GROUP BY jurisdiction, session, bill_id, "
        "version_label, version_date, revision HAVING count(*) > 1)"
    )["n"].iloc[0]
    return dg.AssetCheckResult(passed=bool(dupes == 0), metadata={"duplicate_keys": int(dupes)})


@dg.asset_check(asset=bill_versions, description="Every tracked bill has a version with text or a recorded fetch error.")
def every_bill_has_text_or_error(warehouse: Warehouse) -> dg.AssetCheckResult:
    missing = warehouse.query_df(
        "SELECT b.jurisdiction, b.session, b.bill_id FROM core.bills b "
        "WHERE NOT EXISTS (SELECT 1 FROM core.bill_versions v WHERE v.jurisdiction = b.jurisdiction "
        "AND v.session = b.session AND v.bill_id = b.bill_id) "
        "AND NOT EXISTS (SELECT 1 FROM core.fetch_errors e WHERE e.jurisdiction = b.jurisdiction "
        "AND e.item LIKE '%' || b.bill_id || '%')"
    )
    return dg.AssetCheckResult(
        passed=missing.empty,
        metadata={"bills_without_text_or_error": len(missing),
                  "examples": dg.MetadataValue.md(missing.head(10).to_markdown(index=False) if not missing.empty else "none")},
    )


BILL_ASSETS = [bill_search_hits, bills, bill_versions]
BILL_CHECKS = [bill_versions_unique_keys, every_bill_has_text_or_error]
