"""The outbox keeps its promises on a real DuckDB file: one row per alert, backoff, a reasoned death, a lease."""

from __future__ import annotations

from datetime import datetime, timedelta

from warehouse.db import Warehouse
from warehouse.outbox import (
    FEED_SUBSCRIPTION,
    OutboxItem,
    RetryPolicy,
    SubscriptionRow,
    claim_due,
    enqueue,
    mark_failed,
    mark_sent,
    outbox_counts,
    replace_subscriptions,
    stored_subscriptions,
)

NOW = datetime(2026, 3, 1, 12, 0)


def _item(version: str, channel: str = "atom") -> OutboxItem:
    return OutboxItem(FEED_SUBSCRIPTION, version, channel, "CA", {"version_id": version}, NOW)


def test_zero_config_has_the_feed_subscription(warehouse: Warehouse) -> None:
    with warehouse.connect() as con:
        subscriptions = stored_subscriptions(con)
    assert [s.subscription_id for s in subscriptions] == [FEED_SUBSCRIPTION]
    assert [c["kind"] for c in subscriptions[0].channels] == ["atom"]


def test_enqueue_is_idempotent_per_subscription_version_channel(warehouse: Warehouse) -> None:
    with warehouse.connect() as con:
        assert enqueue(con, [_item("v1"), _item("v1"), _item("v1", "other"), _item("v2")], NOW) == 3
        assert enqueue(con, [_item("v1"), _item("v2")], NOW) == 0
        assert outbox_counts(con) == {"pending": 3}


def test_claimed_rows_are_leased_so_a_second_deliverer_gets_none(warehouse: Warehouse) -> None:
    with warehouse.connect() as con:
        enqueue(con, [_item("v1"), _item("v2")], NOW)
        first = claim_due(con, NOW)
        assert [row.version_id for row in first] == ["v1", "v2"]
        assert claim_due(con, NOW + timedelta(minutes=1)) == []
        assert [row.version_id for row in claim_due(con, NOW + timedelta(minutes=4))] == ["v1", "v2"]  # claim lapsed


def test_failures_back_off_exponentially_then_die_with_the_reason(warehouse: Warehouse) -> None:
    policy = RetryPolicy(max_attempts=4, base_delay=timedelta(minutes=1), max_delay=timedelta(minutes=3))
    key = (FEED_SUBSCRIPTION, "v1", "atom")
    with warehouse.connect() as con:
        enqueue(con, [_item("v1")], NOW)
        waits = []
        for _ in range(3):
            assert mark_failed(con, key, "connection refused", NOW, policy) == "pending"
            waits.append(con.execute("SELECT next_attempt_at FROM alerts.outbox").fetchone()[0] - NOW)
        assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=3)]
        assert mark_failed(con, key, "connection refused", NOW, policy) == "dead"
        status, attempts, error = con.execute("SELECT status, attempts, last_error FROM alerts.outbox").fetchone()
        assert (status, attempts) == ("dead", 4)
        assert error == "gave up after 4 attempts: connection refused"
        assert claim_due(con, NOW + timedelta(days=1)) == []


def test_sent_rows_are_never_claimed_again(warehouse: Warehouse) -> None:
    with warehouse.connect() as con:
        enqueue(con, [_item("v1")], NOW)
        (row,) = claim_due(con, NOW)
        assert mark_sent(con, [row.key], NOW) == 1
        assert claim_due(con, NOW + timedelta(days=1)) == []
        assert con.execute("SELECT status, attempts, sent_at FROM alerts.outbox").fetchone() == ("sent", 1, NOW)


def test_replacing_subscriptions_keeps_the_feed_and_first_activation(warehouse: Warehouse) -> None:
    group = SubscriptionRow("group", "Group", channels=({"name": "email", "kind": "email", "to": ["a@b.org"]},))
    with warehouse.connect() as con:
        replace_subscriptions(con, [group], NOW)
        replace_subscriptions(con, [group], NOW + timedelta(days=3))
        stored = {s.subscription_id: s for s in stored_subscriptions(con)}
        assert set(stored) == {FEED_SUBSCRIPTION, "group"}
        assert stored["group"].active_since == NOW
        replace_subscriptions(con, [], NOW)
        assert [s.subscription_id for s in stored_subscriptions(con)] == [FEED_SUBSCRIPTION]
