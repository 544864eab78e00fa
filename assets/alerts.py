"""The alerts asset: match each newly analysed bill version against every subscription and queue one alert per channel."""

import re
from datetime import datetime, timedelta, timezone

import dagster as dg

from assets.analysis import record_analysis_complete
from assets.partitions import jurisdictions
from warehouse.alert_facts import SEVERITY_RANK, VersionFacts, unseen_versions, versions_mentioning
from warehouse.db import Warehouse
from warehouse.outbox import OutboxItem, SubscriptionRow, enqueue_and_mark_seen, stored_subscriptions


# A run whose job holds these steps analysed the current versions before alerts, so alerts may mark the analysis complete.
ANALYSED_FIRST = {"bill_sections", "clauses"}


def _bill_key(text: str) -> str:
    """Compare bill numbers loosely: 'SB 1110', 'sb1110' and 'S.B. 1110' are the same bill."""
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def _bill_matches(wanted: list[str], jurisdiction: str, bill_id: str) -> bool:
    """Entries are 'SB 1110' (any jurisdiction) or 'CA/SB 1110' (that jurisdiction only)."""
    for entry in wanted:
        place, _, number = entry.rpartition("/")
        if place and place.strip().upper() != jurisdiction.upper():
            continue
        if _bill_key(number) == _bill_key(bill_id):
            return True
    return False


def _mentions(terms: list[str], facts: VersionFacts, in_full_text: frozenset[str]) -> bool:
    """Terms look in the title and the changed clauses; a version with nothing to compare is searched in full."""
    payload = facts.payload
    if not (payload["changes"] or payload["signals"]) and facts.version_id in in_full_text:
        return True
    parts = [payload["title"]] + [i[side] for i in payload["changes"] + payload["signals"] for side in ("old_text", "new_text")]
    haystack = "\n".join(parts).casefold()
    return any(term.casefold() in haystack for term in terms)


def matches(subscription: SubscriptionRow, facts: VersionFacts, in_full_text: frozenset[str] = frozenset()) -> bool:
    """True when the version passes every filter of the subscription (an empty filter lets everything through).

    `in_full_text` holds the versions whose whole text contains one of the subscription's terms.
    """
    filters, payload = subscription.filters, facts.payload
    if subscription.active_since is not None and facts.loaded_at < subscription.active_since:
        return False
    wanted_places = [place.upper() for place in filters.get("jurisdictions", [])]
    if wanted_places and facts.jurisdiction.upper() not in wanted_places:
        return False
    if filters.get("bills") and not _bill_matches(filters["bills"], facts.jurisdiction, payload["bill_id"]):
        return False
    if filters.get("categories") and not set(filters["categories"]) & set(payload["categories"]):
        return False
    minimum = filters.get("min_severity")
    if minimum:
        strongest = max((SEVERITY_RANK.get(s["severity"], 0) for s in payload["signals"]), default=-1)
        if strongest < SEVERITY_RANK[minimum]:
            return False
    terms = filters.get("terms", [])
    return not terms or _mentions(terms, facts, in_full_text)


def first_send_time(subscription: SubscriptionRow, now: datetime) -> datetime:
    """Immediate subscriptions are due now; daily digests at their next digest hour (UTC)."""
    if subscription.mode != "daily":
        return now
    slot = now.replace(hour=subscription.digest_hour, minute=0, second=0, microsecond=0)
    return slot if slot > now else slot + timedelta(days=1)


def plan_alerts(
    subscriptions: list[SubscriptionRow],
    versions: list[VersionFacts],
    now: datetime,
    full_text_hits: dict[str, frozenset[str]] | None = None,
) -> list[OutboxItem]:
    """One outbox item per matching (subscription, version, channel); full_text_hits maps subscription -> versions."""
    hits = full_text_hits or {}
    return [
        OutboxItem(
            subscription_id=subscription.subscription_id,
            version_id=facts.version_id,
            channel=channel["name"],
            jurisdiction=facts.jurisdiction,
            payload=facts.payload,
            next_attempt_at=first_send_time(subscription, now),
        )
        for facts in versions
        for subscription in subscriptions
        if matches(subscription, facts, hits.get(subscription.subscription_id, frozenset()))
        for channel in subscription.channels
    ]


def _preview(items: list[OutboxItem]) -> str:
    if not items:
        return "_no new alerts_"
    lines = ["| subscription | channel | bill | version | changes | signals |", "|---|---|---|---|---|---|"]
    for item in items[:20]:
        p = item.payload
        signals = ", ".join(f"{s['id']} ({s['severity']})" for s in p["signals"]) or "-"
        cells = [item.subscription_id, item.channel, f"{p['jurisdiction']} {p['bill_id']}", p["version_label"],
                 str(p["changes_total"]), signals]
        lines.append("| " + " | ".join(c.replace("|", "/").replace("\n", " ")[:80] for c in cells) + " |")
    return "\n".join(lines)


@dg.asset(
    partitions_def=jurisdictions,
    group_name="alerts",
    deps=["drift_signals", "version_changes", "bill_sections"],
    kinds={"python", "duckdb"},
)
def alerts(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Queue alerts for versions not matched before, so organizers hear of a new version within one run; the last
    step of a partition's analysis, so it also marks that analysis complete."""
    jurisdiction = context.partition_key
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with warehouse.connect() as con:
        subscriptions = stored_subscriptions(con)
        versions = unseen_versions(con, jurisdiction)
        ids = [v.version_id for v in versions]
        hits = {
            s.subscription_id: frozenset(versions_mentioning(con, ids, s.filters["terms"]))
            for s in subscriptions
            if s.filters.get("terms")
        }
        planned = plan_alerts(subscriptions, versions, now, hits)
        queued = enqueue_and_mark_seen(con, planned, ids, jurisdiction, now)
    if ANALYSED_FIRST <= set(context.job_def.graph.node_dict):
        record_analysis_complete(warehouse, jurisdiction, context.run.run_id)  # not after alerts materialized alone
    per_subscription: dict[str, int] = {}
    for item in planned:
        per_subscription[item.subscription_id] = per_subscription.get(item.subscription_id, 0) + 1
    return dg.MaterializeResult(
        metadata={
            "new_versions": len(versions),
            "queued": queued,
            "subscriptions": len(subscriptions),
            "per_subscription": dg.MetadataValue.json(per_subscription),
            "preview": dg.MetadataValue.md(_preview(planned)),
        }
    )


ALERT_ASSETS = [alerts]
