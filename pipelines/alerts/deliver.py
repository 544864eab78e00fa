"""Deliver due outbox rows: one message per alert (or per digest), retried with backoff, given up with a reason."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg

from pipelines.alerts.atom import FEED_ENTRIES, write_feed
from pipelines.alerts.channels import (
    ChannelStalled,
    DeliveryError,
    Scrubber,
    scrubbed_logging,
    send_chat,
    send_email,
    send_webhook,
)
from pipelines.alerts.compose import chat_text, render, webhook_body
from pipelines.alerts.sanitize import deliverable
from pipelines.alerts.subscriptions import AlertConfig, SyncReport, config_warnings, load_config, sync_subscriptions
from warehouse.db import Warehouse
from warehouse.outbox import (
    CLAIM,
    DEAD,
    FEED_SUBSCRIPTION,
    OutboxRow,
    RetryPolicy,
    SubscriptionRow,
    claim_due,
    mark_failed,
    mark_sent,
    release_claim,
    renew_claim,
    sent_payloads,
    stored_subscriptions,
)

log = logging.getLogger(__name__)
WEBHOOK_TIMEOUT = 20.0


class AlertSettings(dg.ConfigurableResource):
    """Where the subscriptions file and the public feed live, and how hard delivery tries."""

    config_path: str = "config/subscriptions.toml"
    feed_path: str = "data/alerts.atom"
    max_attempts: int = 10
    base_delay_seconds: int = 300
    max_delay_seconds: int = 6 * 3600
    seconds_per_endpoint: float = 60.0  # each SMTP server, webhook or chat URL gets at most this much of a pass

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
    rows_deferred: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


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


def _endpoint(batch: _Batch) -> str:
    """What a batch waits on: the SMTP server, one webhook or chat URL, or a local feed file."""
    channel = batch.channel or {}
    kind = channel.get("kind", "unknown")
    return "smtp" if kind == "email" else f"{kind}:{channel.get('url_env') or batch.rows[0].subscription_id}"


class _Pass:
    """One delivery pass's clock (its `now` plus real time elapsed) and each endpoint's share of it."""

    def __init__(self, start: datetime, seconds_per_endpoint: float) -> None:
        self._start, self._began, self._allowance = start, time.monotonic(), seconds_per_endpoint
        self._spent: dict[str, float] = defaultdict(float)
        self._stalled: set[str] = set()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._began)

    def time_left(self, endpoint: str) -> float:
        return 0.0 if endpoint in self._stalled else self._allowance - self._spent[endpoint]

    def charge(self, endpoint: str, seconds: float, stalled: bool) -> None:
        self._spent[endpoint] += seconds
        if stalled:
            self._stalled.add(endpoint)


def _feed_file(batch: _Batch, feed_path: Path) -> Path:
    """The built-in feed's file, or a subscription's feed file, which must stay inside the data folder."""
    if batch.subscription.subscription_id == FEED_SUBSCRIPTION:
        return feed_path
    folder = feed_path.parent.resolve()
    target = (folder / batch.channel["path"]).resolve()
    if not target.is_relative_to(folder) or target.suffix != ".atom":
        raise DeliveryError(f"feed path {batch.channel['path']!r} leaves the data folder {folder}", permanent=True)
    return target


def _compose(kind: str, payloads: list[dict]) -> object:
    """The message one channel kind sends for these payloads."""
    if kind == "email":
        return render(payloads)
    if kind == "webhook":
        return webhook_body(payloads)
    return chat_text(payloads)


def _composed(kind: str, rows: tuple[OutboxRow, ...]) -> tuple[object | None, dict[str, str]]:
    """The message for every renderable row, and why the others failed (so one bad payload never sinks a digest)."""
    try:
        return _compose(kind, [deliverable(row.payload) for row in rows]), {}
    except Exception:  # find the culprits: each payload is rendered alone
        failures = {}
        for row in rows:
            try:
                _compose(kind, [deliverable(row.payload)])
            except Exception as exc:  # a malformed payload: the same on every retry
                failures[row.version_id] = f"alert not renderable: {type(exc).__name__}: {exc}"
        rest = [deliverable(row.payload) for row in rows if row.version_id not in failures]
        return (_compose(kind, rest) if rest else None), failures


def _send(batch: _Batch, config: AlertConfig, warehouse: Warehouse, feed_path: Path, timeout: float) -> dict[str, str]:
    """Deliver one batch within `timeout` seconds per exchange; returns the rows left out and why, or raises DeliveryError."""
    channel = batch.channel
    if channel is None:
        raise DeliveryError("the subscription or channel is no longer configured")
    kind = channel["kind"]
    if kind == "atom":
        subscription_id = batch.subscription.subscription_id
        path = _feed_file(batch, feed_path)
        with warehouse.connect() as con:
            earlier = sent_payloads(con, subscription_id, channel["name"], FEED_ENTRIES)
        return write_feed(path, earlier + [row.payload for row in batch.rows], subscription_id)
    if kind not in ("email", "webhook", "apprise"):
        raise DeliveryError(f"unknown channel kind {kind!r}", permanent=True)
    message, failures = _composed(kind, batch.rows)
    if message is None:
        return failures
    if kind == "email":
        if config.smtp is None:
            raise DeliveryError("no [smtp] section in the subscriptions file")
        send_email(config.smtp, list(channel["to"]), message, min(timeout, config.smtp.timeout_seconds))
    elif kind == "webhook":
        send_webhook(channel["url_env"], message, min(timeout, WEBHOOK_TIMEOUT), config.webhooks.networks(),
                     channel.get("secret_env"))
    else:
        send_chat(channel["url_env"], *message)
    return failures


def _record(
    warehouse: Warehouse,
    batch: _Batch,
    failures: dict[str, tuple[str, bool]],
    at: datetime,
    policy: RetryPolicy,
    report: DeliveryReport,
    still_held: set[tuple[str, str, str]],
    held_until: datetime,
) -> datetime:
    """Record one batch's outcome at once and renew the claim on the rest when due; returns the claim's expiry."""
    still_held.difference_update(row.key for row in batch.rows)
    with warehouse.connect() as con:
        sent = mark_sent(con, [row.key for row in batch.rows if row.version_id not in failures], at)
        report.rows_sent += sent
        report.messages_sent += 1 if sent else 0
        for row in batch.rows:
            if row.version_id not in failures:
                continue
            error, permanent = failures[row.version_id]
            if mark_failed(con, row.key, error, at, policy, permanent) == DEAD:
                report.rows_dead += 1
            else:
                report.rows_retrying += 1
            label = f"{row.subscription_id}/{row.channel}/{row.version_id}"
            report.errors.append(f"{label}: {error}")
            log.warning("alert delivery failed for %s: %s", label, error)
        if at >= held_until - CLAIM / 2:  # renewed once half the claim is spent: one statement less per send
            renew_claim(con, still_held, held_until, at + CLAIM)
            return at + CLAIM
    return held_until


def deliver_due(
    warehouse: Warehouse,
    config: AlertConfig,
    feed_path: Path,
    policy: RetryPolicy = RetryPolicy(),
    now: datetime | None = None,
    limit: int = 200,
    seconds_per_endpoint: float = 60.0,
) -> DeliveryReport:
    """Claim due rows, send them, and record each batch as soon as it is sent; no endpoint holds up the pass for long."""
    moment = now or datetime.now(timezone.utc).replace(tzinfo=None)
    scrub = Scrubber.from_config(config)
    report = DeliveryReport()
    with warehouse.connect() as con:
        subscriptions = {s.subscription_id: s for s in stored_subscriptions(con)}
        claimed = claim_due(con, moment, limit)
    held_until, still_held = moment + CLAIM, {row.key for row in claimed}
    delivery = _Pass(moment, seconds_per_endpoint)
    deferred: list[OutboxRow] = []
    with scrubbed_logging(scrub):
        for batch in _batches(claimed, subscriptions):
            endpoint = _endpoint(batch)
            if delivery.time_left(endpoint) <= 0:
                deferred.extend(batch.rows)
                continue
            started, stalled = time.monotonic(), False
            try:
                failures = {version: (scrub(error), True) for version, error in
                            _send(batch, config, warehouse, feed_path, delivery.time_left(endpoint)).items()}
            except Exception as exc:  # every failure is recorded on its rows; the pass goes on
                stalled = isinstance(exc, ChannelStalled)
                reason = scrub(str(exc if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"))
                failures = {row.version_id: (reason, getattr(exc, "permanent", False)) for row in batch.rows}
            delivery.charge(endpoint, time.monotonic() - started, stalled)
            held_until = _record(warehouse, batch, failures, delivery.now(), policy, report, still_held, held_until)
    if deferred:
        with warehouse.connect() as con:
            report.rows_deferred = release_claim(
                con, [row.key for row in deferred], held_until, delivery.now(),
                f"not tried: its receiver used up its {seconds_per_endpoint:g} s for this pass or timed out; next pass",
            )
    return report


def sync_and_deliver(
    warehouse: Warehouse, settings: AlertSettings, now: datetime | None = None
) -> tuple[SyncReport, DeliveryReport]:
    """What the delivery job does: store the current subscriptions (ConfigError if the file is wrong), then deliver."""
    config_path = Path(settings.config_path)
    synced = sync_subscriptions(warehouse, config_path, now)
    config = load_config(config_path)
    delivered = deliver_due(warehouse, config, Path(settings.feed_path), settings.policy(), now,
                            seconds_per_endpoint=settings.seconds_per_endpoint)
    delivered.warnings = config_warnings(config)
    return synced, delivered
