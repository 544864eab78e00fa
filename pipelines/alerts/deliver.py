"""Deliver due outbox rows: one message per alert (or per digest), retried with backoff, given up with a reason."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg

from pipelines.alerts.atom import FEED_ENTRIES, write_feed
from pipelines.alerts.channels import DeliveryError, Scrubber, scrubbed_logging, send_chat, send_email, send_webhook
from pipelines.alerts.compose import chat_text, render, webhook_body
from pipelines.alerts.subscriptions import AlertConfig, SyncReport, load_config, sync_subscriptions
from warehouse.db import Warehouse
from warehouse.outbox import (
    FEED_SUBSCRIPTION,
    OutboxRow,
    RetryPolicy,
    SubscriptionRow,
    claim_due,
    mark_failed,
    mark_sent,
    sent_payloads,
    stored_subscriptions,
)

log = logging.getLogger(__name__)


class AlertSettings(dg.ConfigurableResource):
    """Where the subscriptions file and the public feed live, and how hard delivery tries."""

    config_path: str = "config/subscriptions.toml"
    feed_path: str = "data/alerts.atom"
    max_attempts: int = 10
    base_delay_seconds: int = 300
    max_delay_seconds: int = 6 * 3600

    def policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.max_attempts,
            base_delay=timedelta(seconds=self.base_delay_seconds),
            max_delay=timedelta(seconds=self.max_delay_seconds),
        )


@dataclass
class DeliveryReport:
    """What one delivery pass did; errors are already scrubbed of secrets."""

    messages_sent: int = 0
    rows_sent: int = 0
    rows_retrying: int = 0
    rows_dead: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Batch:
    """Rows that leave as one message: a single alert, a digest, or every new entry of one feed."""

    subscription: SubscriptionRow | None
    channel: dict | None
    rows: tuple[OutboxRow, ...]


def _batches(rows: list[OutboxRow], subscriptions: dict[str, SubscriptionRow]) -> list[_Batch]:
    grouped: dict[tuple[str, str], list[OutboxRow]] = defaultdict(list)
    for row in rows:
        grouped[(row.subscription_id, row.channel)].append(row)
    batches = []
    for (subscription_id, channel_name), members in grouped.items():
        subscription = subscriptions.get(subscription_id)
        channel = next((c for c in subscription.channels if c["name"] == channel_name), None) if subscription else None
        together = channel is not None and (channel["kind"] == "atom" or subscription.mode == "daily")
        if together:
            batches.append(_Batch(subscription, channel, tuple(members)))
        else:
            batches.extend(_Batch(subscription, channel, (row,)) for row in members)
    return batches


def _send(batch: _Batch, config: AlertConfig, warehouse: Warehouse, feed_path: Path, now: datetime) -> None:
    """Deliver one batch or raise DeliveryError."""
    payloads = [row.payload for row in batch.rows]
    channel = batch.channel
    if channel is None:
        raise DeliveryError("the subscription or channel is no longer configured")
    kind = channel["kind"]
    if kind == "email":
        if config.smtp is None:
            raise DeliveryError("no [smtp] section in the subscriptions file")
        send_email(config.smtp, list(channel["to"]), render(payloads))
    elif kind == "webhook":
        send_webhook(channel["url_env"], webhook_body(payloads), channel.get("secret_env"))
    elif kind == "apprise":
        title, body = chat_text(payloads)
        send_chat(channel["url_env"], title, body)
    elif kind == "atom":
        path = feed_path if batch.subscription.subscription_id == FEED_SUBSCRIPTION else Path(channel["path"])
        with warehouse.connect() as con:
            earlier = sent_payloads(con, batch.subscription.subscription_id, channel["name"], FEED_ENTRIES)
        write_feed(path, earlier + [(payload, now) for payload in payloads], batch.subscription.subscription_id)
    else:
        raise DeliveryError(f"unknown channel kind {kind!r}")


def deliver_due(
    warehouse: Warehouse,
    config: AlertConfig,
    feed_path: Path,
    policy: RetryPolicy = RetryPolicy(),
    now: datetime | None = None,
    limit: int = 200,
) -> DeliveryReport:
    """Claim due rows, send them, and record each outcome; the warehouse is never locked while a server answers."""
    moment = now or datetime.now(timezone.utc).replace(tzinfo=None)
    scrub = Scrubber.from_config(config)
    report = DeliveryReport()
    with warehouse.connect() as con:
        subscriptions = {s.subscription_id: s for s in stored_subscriptions(con)}
        claimed = claim_due(con, moment, limit)
    outcomes: list[tuple[_Batch, str | None]] = []
    with scrubbed_logging(scrub):
        for batch in _batches(claimed, subscriptions):
            try:
                _send(batch, config, warehouse, feed_path, moment)
                outcomes.append((batch, None))
            except Exception as exc:  # every failure is recorded on its rows; the pass goes on
                reason = exc if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
                outcomes.append((batch, scrub(str(reason))))
    with warehouse.connect() as con:
        delivered = [row.key for batch, error in outcomes if error is None for row in batch.rows]
        report.rows_sent = mark_sent(con, delivered, moment)
        for batch, error in outcomes:
            if error is None:
                report.messages_sent += 1
                continue
            for row in batch.rows:
                if mark_failed(con, row.key, error, moment, policy) == "dead":
                    report.rows_dead += 1
                else:
                    report.rows_retrying += 1
            label = f"{batch.rows[0].subscription_id}/{batch.rows[0].channel}"
            report.errors.append(f"{label}: {error}")
            log.warning("alert delivery failed for %s: %s", label, error)
    return report


def sync_and_deliver(
    warehouse: Warehouse, settings: AlertSettings, now: datetime | None = None
) -> tuple[SyncReport, DeliveryReport]:
    """What the delivery job does: store the current subscriptions (ConfigError if the file is wrong), then deliver."""
    config_path = Path(settings.config_path)
    synced = sync_subscriptions(warehouse, config_path, now)
    delivered = deliver_due(warehouse, load_config(config_path), Path(settings.feed_path), settings.policy(), now)
    return synced, delivered
