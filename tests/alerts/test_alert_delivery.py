"""End to end with real servers: a new version of a tracked bill reaches each matching subscriber exactly once."""

from __future__ import annotations

import email
import hashlib
import hmac
import email.policy
import json
import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg
import pytest
from aiosmtpd.smtp import AuthResult
from alert_seed import (
    NEW_DIGEST,
    OLD_DIGEST,
    T0,
    Inbox,
    SmtpServer,
    add_first_version,
    add_new_version,
    free_port,
    sb1110,
    write_config,
)
from lxml import etree
from pytest_httpserver import HTTPServer

from assets.alerts import alerts
from pipelines.alerts.deliver import AlertSettings, deliver_due
from pipelines.alerts.subscriptions import load_config, sync_subscriptions
from pipelines.sensors import deliver_alerts_job
from warehouse.db import Warehouse

ATOM = "{http://www.w3.org/2005/Atom}"
SUBSCRIBERS = """
[[subscriptions]]
id = "ca-group"
[subscriptions.filters]
jurisdictions = ["CA"]
bills = ["sb1110"]
[[subscriptions.channels]]
kind = "email"
to = ["ca@example.org"]

[[subscriptions]]
id = "everything"
[[subscriptions.channels]]
kind = "email"
to = ["all@example.org"]
[[subscriptions.channels]]
kind = "webhook"
url_env = "DIVWATCH_TEST_HOOK"
secret_env = "DIVWATCH_TEST_HOOK_SECRET"

[[subscriptions]]
id = "wa-only"
[subscriptions.filters]
jurisdictions = ["WA"]
[[subscriptions.channels]]
kind = "email"
to = ["wa@example.org"]

[[subscriptions]]
id = "severe-only"
[subscriptions.filters]
min_severity = "H"
[[subscriptions.channels]]
kind = "email"
to = ["severe@example.org"]
"""


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def materialize_alerts(warehouse: Warehouse, partition: str = "CA") -> dict:
    result = dg.materialize([alerts], partition_key=partition, resources={"warehouse": warehouse})
    assert result.success
    return result.asset_materializations_for_node("alerts")[0].metadata


def run_delivery(warehouse: Warehouse, settings: AlertSettings) -> dg.ExecuteInProcessResult:
    result = deliver_alerts_job.execute_in_process(resources={"warehouse": warehouse, "alert_settings": settings})
    assert result.success
    return result


def feed_entries(path: Path) -> list[etree._Element]:
    return etree.parse(str(path)).getroot().findall(f"{ATOM}entry")


@pytest.fixture
def subscribed(tmp_path: Path, warehouse: Warehouse, smtp_server: SmtpServer, httpserver: HTTPServer, monkeypatch):
    """Four subscribers stored a day before T0, the bill's introduced version known before they subscribed."""
    monkeypatch.setenv("DIVWATCH_TEST_HOOK", httpserver.url_for("/hook/tok-31415926"))
    monkeypatch.setenv("DIVWATCH_TEST_HOOK_SECRET", "shared-signing-secret")
    httpserver.expect_request("/hook/tok-31415926", method="POST").respond_with_json({"ok": True})
    config = write_config(tmp_path / "subs.toml", smtp_server.port, SUBSCRIBERS)
    sync_subscriptions(warehouse, config, now=T0 - timedelta(days=1))
    add_first_version(warehouse, sb1110(), loaded_at=T0 - timedelta(days=2))
    return AlertSettings(config_path=str(config), feed_path=str(tmp_path / "alerts.atom"))


def test_a_new_version_reaches_each_matching_subscriber_once(
    warehouse: Warehouse, subscribed: AlertSettings, smtp_server: SmtpServer, httpserver: HTTPServer
) -> None:
    first = materialize_alerts(warehouse)
    assert (first["new_versions"].value, first["queued"].value) == (1, 1)  # only the feed predates the subscribers
    run_delivery(warehouse, subscribed)
    assert smtp_server.inbox.messages == [] and len(httpserver.log) == 0

    new_id = add_new_version(warehouse, sb1110(), loaded_at=T0)
    queued = materialize_alerts(warehouse)
    assert queued["queued"].value == 4  # feed/atom, ca-group/email, everything/email, everything/webhook
    run_delivery(warehouse, subscribed)

    recipients = sorted(rcpt for rcpts, _ in smtp_server.inbox.messages for rcpt in rcpts)
    assert recipients == ["all@example.org", "ca@example.org"]
    mail = email.message_from_bytes(smtp_server.inbox.messages[0][1], policy=email.policy.default)
    assert mail["Subject"] == "New version of CA SB 1110: amended in Senate (2016-05-31) [toward: sunset_added]"
    text = mail.get_body(("plain",)).get_content()
    flat = " ".join(text.split())
    assert OLD_DIGEST in flat and NEW_DIGEST in flat
    assert "{+bill, until January 1, 2020,+}" in flat and "[-require-]" in flat
    assert "0.20 -> 0.35 (+0.15)" in text and "sunset_added" in text
    assert "https://leginfo.legislature.ca.gov/faces/billTextClient.xhtml?bill_id=201520160SB1110" in text
    html = mail.get_body(("html",)).get_content()
    assert "<ins>bill, until January 1, 2020,</ins>" in html

    (call,) = [request for request, _ in httpserver.log]
    body = json.loads(call.get_data())
    expected = hmac.new(b"shared-signing-secret", call.get_data(), hashlib.sha256).hexdigest()
    assert call.headers["X-DivWatch-Signature"] == f"sha256={expected}"
    assert body["event"] == "new_bill_versions" and body["alerts"][0]["version_id"] == new_id
    assert body["alerts"][0]["changes"][0]["old_text"] == OLD_DIGEST

    entries = feed_entries(Path(subscribed.feed_path))
    assert [e.findtext(f"{ATOM}id").endswith(new_id) for e in entries].count(True) == 1
    assert len(entries) == 2  # the introduced version from the first run, and the new one

    again = materialize_alerts(warehouse)
    assert (again["new_versions"].value, again["queued"].value) == (0, 0)
    run_delivery(warehouse, subscribed)
    assert len(smtp_server.inbox.messages) == 2 and len(httpserver.log) == 1
    assert len(feed_entries(Path(subscribed.feed_path))) == 2


def test_smtp_down_is_retried_and_delivered_once_it_is_back(
    warehouse: Warehouse, subscribed: AlertSettings, smtp_server: SmtpServer
) -> None:
    add_new_version(warehouse, sb1110(), loaded_at=T0)
    materialize_alerts(warehouse)
    smtp_server.stop()
    run_delivery(warehouse, subscribed)
    with warehouse.connect() as con:
        rows = con.execute(
            "SELECT status, attempts, last_error, next_attempt_at FROM alerts.outbox WHERE channel = 'email'"
        ).fetchall()
    assert [(status, attempts) for status, attempts, _, _ in rows] == [("pending", 1), ("pending", 1)]
    assert all("ConnectionRefusedError" in error for _, _, error, _ in rows)
    assert all(due > _now() for _, _, _, due in rows)  # backed off, not hammering the server

    smtp_server.start()
    run_delivery(warehouse, subscribed)  # still backing off: nothing is sent early
    assert smtp_server.inbox.messages == []
    report = deliver_due(warehouse, load_config(Path(subscribed.config_path)), Path(subscribed.feed_path),
                         subscribed.policy(), now=_now() + timedelta(hours=1))
    assert report.rows_sent == 2
    run_delivery(warehouse, subscribed)
    assert sorted(rcpt for rcpts, _ in smtp_server.inbox.messages for rcpt in rcpts) == [
        "all@example.org", "ca@example.org"]


def test_secrets_never_reach_errors_or_logs(
    tmp_path: Path, warehouse: Warehouse, httpserver: HTTPServer, monkeypatch, caplog
) -> None:
    password, token = "pw-Zq81-very-secret", "tok-Hx77-webhook-secret"
    rejecting = SmtpServer(free_port(), Inbox(), authenticator=lambda *args: AuthResult(success=False, handled=False))
    rejecting.start()
    try:
        monkeypatch.setenv("DIVWATCH_SMTP_USER", "watch")
        monkeypatch.setenv("DIVWATCH_SMTP_PASSWORD", password)
        monkeypatch.setenv("DIVWATCH_BROKEN_HOOK", httpserver.url_for(f"/hook/{token}"))
        monkeypatch.setenv("DIVWATCH_CLOSED_HOOK", f"http://127.0.0.1:{free_port()}/hook/{token}")
        httpserver.expect_request(f"/hook/{token}").respond_with_data("boom", status=500)
        config = write_config(
            tmp_path / "subs.toml", rejecting.port,
            '[[subscriptions]]\nid = "leaky"\n'
            '[[subscriptions.channels]]\nkind = "email"\nto = ["x@example.org"]\n'
            '[[subscriptions.channels]]\nname = "broken"\nkind = "webhook"\nurl_env = "DIVWATCH_BROKEN_HOOK"\n'
            '[[subscriptions.channels]]\nname = "closed"\nkind = "webhook"\nurl_env = "DIVWATCH_CLOSED_HOOK"\n',
            smtp_extra='username_env = "DIVWATCH_SMTP_USER"\npassword_env = "DIVWATCH_SMTP_PASSWORD"\n'
                       "allow_plaintext_login = true\n",
        )
        sync_subscriptions(warehouse, config, now=T0 - timedelta(days=1))
        add_first_version(warehouse, sb1110(), loaded_at=T0)
        materialize_alerts(warehouse)
        caplog.set_level(logging.DEBUG)
        result = run_delivery(warehouse, AlertSettings(config_path=str(config), feed_path=str(tmp_path / "f.atom")))
    finally:
        rejecting.stop()
    with warehouse.connect() as con:
        errors = dict(con.execute("SELECT channel, last_error FROM alerts.outbox WHERE subscription_id = 'leaky'").fetchall())
    assert "SMTPAuthenticationError" in errors["email"]
    assert "HTTP 500" in errors["broken"]
    assert "ConnectionError" in errors["closed"] and "***" in errors["closed"]  # the URL was there, masked
    event_text = " ".join(str(event.message) for event in result.all_events)
    for secret in (password, token):
        assert all(secret not in error for error in errors.values())
        assert not [r for r in caplog.records if secret in r.getMessage() and r.name != "werkzeug"]  # werkzeug: the receiving test server
        assert secret not in event_text



def test_daily_digest_and_chat_send_one_message_for_all_new_versions(
    tmp_path: Path, warehouse: Warehouse, smtp_server: SmtpServer, httpserver: HTTPServer, monkeypatch
) -> None:
    monkeypatch.setenv("DIVWATCH_TEST_CHAT", f"json://127.0.0.1:{httpserver.port}/chat")  # apprise's JSON service
    httpserver.expect_request("/chat", method="POST").respond_with_json({})
    config = write_config(
        tmp_path / "subs.toml", smtp_server.port,
        '[[subscriptions]]\nid = "digest"\nmode = "daily"\ndigest_hour = 7\n'
        '[[subscriptions.channels]]\nkind = "email"\nto = ["d@example.org"]\n'
        '[[subscriptions.channels]]\nkind = "apprise"\nurl_env = "DIVWATCH_TEST_CHAT"\n',
    )
    sync_subscriptions(warehouse, config, now=T0 - timedelta(days=3))
    add_first_version(warehouse, sb1110(), loaded_at=T0 - timedelta(days=2))
    add_new_version(warehouse, sb1110(), loaded_at=T0)
    materialize_alerts(warehouse)
    loaded = load_config(config)
    with warehouse.connect() as con:
        (due,) = con.execute("SELECT DISTINCT next_attempt_at FROM alerts.outbox WHERE subscription_id = 'digest'").fetchone()
    assert (due.hour, due.minute) == (7, 0) and due > _now()
    early = deliver_due(warehouse, loaded, tmp_path / "f.atom", now=due - timedelta(minutes=1))
    assert (early.messages_sent, early.rows_sent) == (1, 2) and smtp_server.inbox.messages == []  # only the feed
    report = deliver_due(warehouse, loaded, tmp_path / "f.atom", now=due)
    assert (report.messages_sent, report.rows_sent) == (2, 4)
    (message,) = smtp_server.inbox.messages
    mail = email.message_from_bytes(message[1], policy=email.policy.default)
    assert mail["Subject"] == "Diversion Watch digest: 2 new versions (CA SB 1110)"
    text = mail.get_body(("plain",)).get_content()
    assert "First version on record" in text and "Compared with: introduced (2016-02-17)" in text
    (chat,) = [request for request, _ in httpserver.log]
    posted = json.loads(chat.get_data())
    assert posted["title"] == mail["Subject"] and "sunset_added (toward)" in posted["message"]
