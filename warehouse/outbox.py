"""The alert outbox and subscription store: idempotent enqueueing and retry bookkeeping, so each alert is sent once."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import duckdb
import pandas as pd

from warehouse.transaction import transaction

FEED_SUBSCRIPTION = "feed"
PENDING, SENT, DEAD = "pending", "sent", "dead"


@dataclass(frozen=True)
class SubscriptionRow:
    """One subscription as stored: filters and channels are plain JSON-able data, secrets only as env var names."""

    subscription_id: str
    name: str
    mode: str = "immediate"  # immediate | daily
    digest_hour: int = 7
    filters: dict = field(default_factory=dict)
    channels: tuple[dict, ...] = ()
    active_since: datetime | None = None


@dataclass(frozen=True)
class OutboxItem:
    """An alert to enqueue for one subscription, bill version and channel."""

    subscription_id: str
    version_id: str
    channel: str
    jurisdiction: str
    payload: dict
    next_attempt_at: datetime


@dataclass(frozen=True)
class OutboxRow:
    """A claimed outbox row, ready for a delivery attempt."""

    subscription_id: str
    version_id: str
    channel: str
    jurisdiction: str
    attempts: int
    payload: dict
    created_at: datetime

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.subscription_id, self.version_id, self.channel)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff between attempts, and the attempt count after which a row is given up as dead."""

    max_attempts: int = 8
    base_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(hours=6)

    def delay(self, attempts: int) -> timedelta:
        """Wait after the given number of failed attempts: base, 2x base, 4x base ... capped."""
        return min(self.base_delay * (2 ** max(attempts - 1, 0)), self.max_delay)


def replace_subscriptions(con: duckdb.DuckDBPyConnection, subscriptions: Iterable[SubscriptionRow], now: datetime) -> int:
    """Make the stored subscriptions equal the configured ones (the feed always stays), keeping active_since of known ids."""
    rows = list(subscriptions)
    if any(row.subscription_id == FEED_SUBSCRIPTION for row in rows):
        raise ValueError(f"subscription id {FEED_SUBSCRIPTION!r} is reserved for the built-in Atom feed")
    with transaction(con):
        known = dict(
            con.execute("SELECT subscription_id, active_since FROM alerts.subscriptions").fetchall()
        )
        con.execute("DELETE FROM alerts.subscriptions WHERE subscription_id <> ?", [FEED_SUBSCRIPTION])
        for row in rows:
            con.execute(
                "INSERT INTO alerts.subscriptions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    row.subscription_id,
                    row.name,
                    row.mode,
                    row.digest_hour,
                    json.dumps(row.filters),
                    json.dumps(list(row.channels)),
                    known.get(row.subscription_id) or row.active_since or now,
                    now,
                ],
            )
    return len(rows)


def stored_subscriptions(con: duckdb.DuckDBPyConnection) -> list[SubscriptionRow]:
    """All subscriptions, the feed first, in a stable order."""
    rows = con.execute(
        "SELECT subscription_id, name, mode, digest_hour, filters, channels, active_since FROM alerts.subscriptions "
        "ORDER BY subscription_id <> ?, subscription_id",
        [FEED_SUBSCRIPTION],
    ).fetchall()
    return [
        SubscriptionRow(sid, name, mode, hour, json.loads(filters), tuple(json.loads(channels)), since)
        for sid, name, mode, hour, filters, channels, since in rows
    ]


def enqueue(con: duckdb.DuckDBPyConnection, items: Iterable[OutboxItem], now: datetime) -> int:
    """Insert alerts that are not queued yet (the primary key turns repeats into no-ops); returns rows added."""
    frame = pd.DataFrame(
        [
            {
                "subscription_id": item.subscription_id,
                "version_id": item.version_id,
                "channel": item.channel,
                "jurisdiction": item.jurisdiction,
                "next_attempt_at": item.next_attempt_at,
                "payload": json.dumps(item.payload),
            }
            for item in items
        ],
        columns=["subscription_id", "version_id", "channel", "jurisdiction", "next_attempt_at", "payload"],
    ).drop_duplicates(subset=["subscription_id", "version_id", "channel"])
    if frame.empty:
        return 0
    con.register("outbox_items", frame)
    try:
        added = con.execute(
            "INSERT INTO alerts.outbox (subscription_id, version_id, channel, jurisdiction, status, attempts, "
            "next_attempt_at, payload, created_at) SELECT subscription_id, version_id, channel, jurisdiction, ?, 0, "
            "next_attempt_at, payload, ? FROM outbox_items ON CONFLICT DO NOTHING RETURNING version_id",
            [PENDING, now],
        ).fetchall()
    finally:
        con.unregister("outbox_items")
    return len(added)


def mark_seen(con: duckdb.DuckDBPyConnection, version_ids: Iterable[str], jurisdiction: str, now: datetime) -> None:
    """Remember that these versions were matched against subscriptions, so the sensor never requests them again."""
    con.execute(
        "INSERT INTO alerts.seen_versions SELECT DISTINCT unnest(?::VARCHAR[]), ?, ? ON CONFLICT DO NOTHING",
        [list(version_ids), jurisdiction, now],
    )


def enqueue_and_mark_seen(
    con: duckdb.DuckDBPyConnection, items: list[OutboxItem], seen: list[str], jurisdiction: str, now: datetime
) -> int:
    """Enqueue and record the versions as seen in one transaction, so a failed run leaves neither half."""
    with transaction(con):
        added = enqueue(con, items, now)
        mark_seen(con, seen, jurisdiction, now)
    return added


CLAIM = timedelta(minutes=3)
# Outbox keys as a joinable table `k(s, v, c)`, from three parallel lists.
_KEYS = "(SELECT unnest(?::VARCHAR[]) AS s, unnest(?::VARCHAR[]) AS v, unnest(?::VARCHAR[]) AS c) k"
_JOIN_KEYS = "o.subscription_id = k.s AND o.version_id = k.v AND o.channel = k.c"


def _key_lists(keys: Iterable[tuple[str, str, str]]) -> list[list[str]]:
    columns = list(zip(*keys))
    return [list(column) for column in columns] if columns else [[], [], []]


def claim_due(con: duckdb.DuckDBPyConnection, now: datetime, limit: int = 200, claim: timedelta = CLAIM) -> list[OutboxRow]:
    """Take due pending rows until now + claim (short, renewed while sending), so a concurrent deliverer skips them."""
    rows = con.execute(
        "UPDATE alerts.outbox SET next_attempt_at = ? WHERE (subscription_id, version_id, channel) IN ("
        "  SELECT (subscription_id, version_id, channel) FROM alerts.outbox"
        "  WHERE status = ? AND next_attempt_at <= ? ORDER BY created_at, version_id LIMIT ?) "
        "RETURNING subscription_id, version_id, channel, jurisdiction, attempts, payload, created_at",
        [now + claim, PENDING, now, limit],
    ).fetchall()
    claimed = [OutboxRow(s, v, c, j, a, json.loads(p), t) for s, v, c, j, a, p, t in rows]
    return sorted(claimed, key=lambda row: (row.created_at, row.version_id, row.subscription_id, row.channel))


def renew_claim(
    con: duckdb.DuckDBPyConnection, keys: Iterable[tuple[str, str, str]], held_until: datetime, until: datetime
) -> int:
    """Extend a claim this deliverer still holds (its expiry unchanged), so no other pass takes rows mid-send."""
    updated = con.execute(
        f"UPDATE alerts.outbox o SET next_attempt_at = ? FROM {_KEYS} "
        f"WHERE {_JOIN_KEYS} AND o.status = ? AND o.next_attempt_at = ? RETURNING o.version_id",
        [until, *_key_lists(keys), PENDING, held_until],
    ).fetchall()
    return len(updated)


def release_claim(
    con: duckdb.DuckDBPyConnection, keys: Iterable[tuple[str, str, str]], held_until: datetime, due: datetime, note: str
) -> int:
    """Give rows back untried (no attempt counted), due again at `due`, with a note saying why."""
    updated = con.execute(
        f"UPDATE alerts.outbox o SET next_attempt_at = ?, last_error = ? FROM {_KEYS} "
        f"WHERE {_JOIN_KEYS} AND o.status = ? AND o.next_attempt_at = ? RETURNING o.version_id",
        [due, note, *_key_lists(keys), PENDING, held_until],
    ).fetchall()
    return len(updated)


def mark_sent(con: duckdb.DuckDBPyConnection, keys: Iterable[tuple[str, str, str]], now: datetime) -> int:
    """Record successful deliveries in one statement; returns rows updated."""
    keys = list(keys)
    if not keys:
        return 0
    updated = con.execute(
        f"UPDATE alerts.outbox o SET status = ?, sent_at = ?, attempts = o.attempts + 1, last_error = NULL "
        f"FROM {_KEYS} WHERE {_JOIN_KEYS} RETURNING o.version_id",
        [SENT, now, *_key_lists(keys)],
    ).fetchall()
    return len(updated)


def mark_failed(
    con: duckdb.DuckDBPyConnection,
    key: tuple[str, str, str],
    error: str,
    now: datetime,
    policy: RetryPolicy,
    permanent: bool = False,
) -> str:
    """Record a failed attempt: retry with backoff, or give the row up as dead (at once when retrying cannot help)."""
    attempts = con.execute(
        "SELECT attempts FROM alerts.outbox WHERE subscription_id = ? AND version_id = ? AND channel = ?", list(key)
    ).fetchone()
    if attempts is None:
        raise KeyError(f"no outbox row {key}")
    tried = attempts[0] + 1
    status = DEAD if permanent or tried >= policy.max_attempts else PENDING
    reason = error if status == PENDING else f"gave up after {tried} attempt{'s' if tried > 1 else ''}: {error}"
    con.execute(
        "UPDATE alerts.outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ? "
        "WHERE subscription_id = ? AND version_id = ? AND channel = ?",
        [status, tried, now + policy.delay(tried), reason, *key],
    )
    return status


def sent_payloads(con: duckdb.DuckDBPyConnection, subscription_id: str, channel: str, limit: int) -> list[dict]:
    """The most recently sent payloads of one subscription channel (what a feed file shows)."""
    rows = con.execute(
        "SELECT payload FROM alerts.outbox WHERE subscription_id = ? AND channel = ? AND status = ? "
        "ORDER BY sent_at DESC, version_id LIMIT ?",
        [subscription_id, channel, SENT, limit],
    ).fetchall()
    return [json.loads(payload) for (payload,) in rows]


def outbox_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per status, for run metadata and health checks."""
    return dict(con.execute("SELECT status, count(*) FROM alerts.outbox GROUP BY status").fetchall())
