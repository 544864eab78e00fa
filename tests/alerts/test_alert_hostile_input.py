"""Characters XML cannot carry, broken payloads, odd links and feed paths never cost anyone an alert or a file."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg
import pytest
from alert_seed import T0, SmtpServer, add_first_version, add_new_version, sb1110, write_config
from lxml import etree
from pytest_httpserver import HTTPServer

from assets.alerts import alerts
from pipelines.alerts.atom import version_time
from pipelines.alerts.deliver import AlertSettings, deliver_due
from pipelines.alerts.subscriptions import ConfigError, config_warnings, load_config, sync_subscriptions
from pipelines.sensors import alerts_given_up, deliver_alerts_job
from warehouse.db import Warehouse
from warehouse.outbox import FEED_SUBSCRIPTION, OutboxItem, enqueue

ATOM = "{http://www.w3.org/2005/Atom}"
GROUP = '[[subscriptions]]\nid = "group"\n[[subscriptions.channels]]\nkind = "email"\nto = ["g@example.org"]\n'
HOOKED = GROUP + '[[subscriptions.channels]]\nkind = "webhook"\nurl_env = "DIVWATCH_TEST_HOOK"\n'


def _queue_versions(warehouse: Warehouse, config: Path, bill) -> None:
    sync_subscriptions(warehouse, config, now=T0 - timedelta(days=3))
    add_first_version(warehouse, bill, loaded_at=T0 - timedelta(days=2))
    add_new_version(warehouse, bill, loaded_at=T0)
    assert dg.materialize([alerts], partition_key=bill.jurisdiction, resources={"warehouse": warehouse}).success


def _deliver(warehouse: Warehouse, settings: AlertSettings) -> dg.ExecuteInProcessResult:
    result = deliver_alerts_job.execute_in_process(resources={"warehouse": warehouse, "alert_settings": settings})
    assert result.success
    return result


def test_control_characters_are_cleaned_and_a_broken_entry_fails_alone(
    tmp_path: Path, warehouse: Warehouse, smtp_server: SmtpServer
) -> None:
    original = sb1110()
    bill = dataclasses.replace(
        original,
        title="Law Enforcement\x01 Assisted Diversion",
        changes=[(old, new.replace("pilot program,", "pilot\x0bprogram,")) for old, new in original.changes],
    )
    config = write_config(tmp_path / "subs.toml", smtp_server.port, GROUP)
    _queue_versions(warehouse, config, bill)
    with warehouse.connect() as con:  # an alert whose payload no channel can render (an older format, say)
        enqueue(con, [OutboxItem(FEED_SUBSCRIPTION, "CA-broken", "atom", "CA", {"version_id": "CA-broken"}, T0)], T0)
    settings = AlertSettings(config_path=str(config), feed_path=str(tmp_path / "alerts.atom"))
    result = _deliver(warehouse, settings)

    entries = etree.parse(settings.feed_path).getroot().findall(f"{ATOM}entry")
    assert len(entries) == 2  # both real versions, although one alert in the batch is broken
    text = etree.tostring(etree.parse(settings.feed_path), encoding="unicode")
    assert "Law Enforcement Assisted Diversion" in text and "pilot program," in text
    assert len(smtp_server.inbox.messages) == 2
    with warehouse.connect() as con:
        statuses = dict(con.execute("SELECT version_id, status FROM alerts.outbox").fetchall())
        (error,) = con.execute("SELECT last_error FROM alerts.outbox WHERE status = 'dead'").fetchone()
    assert statuses.pop("CA-broken") == "dead" and set(statuses.values()) == {"sent"}
    assert error.startswith("gave up after 1 attempt: feed entry not writable: KeyError")
    assert alerts_given_up(result) == 1  # what `divwatch run` turns into its exit status
    (output,) = [e for e in result.all_events if e.event_type_value == "STEP_OUTPUT"]
    assert output.event_specific_data.metadata["delivery_status"].value == "alerts lost (dead)"


def test_feed_is_world_readable_and_each_entry_carries_its_versions_own_time(
    tmp_path: Path, warehouse: Warehouse, smtp_server: SmtpServer
) -> None:
    config = write_config(tmp_path / "subs.toml", smtp_server.port, "")
    _queue_versions(warehouse, config, sb1110())
    settings = AlertSettings(config_path=str(config), feed_path=str(tmp_path / "alerts.atom"))
    _deliver(warehouse, settings)

    assert stat.S_IMODE(os.stat(settings.feed_path).st_mode) == 0o644
    entries = etree.parse(settings.feed_path).getroot().findall(f"{ATOM}entry")
    times = [(e.findtext(f"{ATOM}published"), e.findtext(f"{ATOM}updated")) for e in entries]
    assert times == [("2016-05-31T00:00:00+00:00",) * 2, ("2016-02-17T00:00:00+00:00",) * 2]  # newest first


def test_links_other_than_http_never_reach_subscribers(
    tmp_path: Path, warehouse: Warehouse, smtp_server: SmtpServer, httpserver: HTTPServer, monkeypatch
) -> None:
    monkeypatch.setenv("DIVWATCH_TEST_HOOK", httpserver.url_for("/hook"))
    httpserver.expect_request("/hook", method="POST").respond_with_json({"ok": True})
    config = write_config(tmp_path / "subs.toml", smtp_server.port, HOOKED)
    _queue_versions(warehouse, config, dataclasses.replace(sb1110(), url="file:///etc/passwd"))
    settings = AlertSettings(config_path=str(config), feed_path=str(tmp_path / "alerts.atom"))
    _deliver(warehouse, settings)

    assert len(smtp_server.inbox.messages) == 2 and len(httpserver.log) == 2
    for _, raw in smtp_server.inbox.messages:
        mail = email.message_from_bytes(raw, policy=email.policy.default)
        assert "file:" not in mail.get_body(("plain",)).get_content()
        assert "file:" not in mail.get_body(("html",)).get_content()
        assert "Official text: (no link recorded)" in mail.get_body(("plain",)).get_content()
    for request, _ in httpserver.log:
        body = json.loads(request.get_data())
        assert body["alerts"][0]["url"] == "" and "file:" not in body["text"]
    assert b"file:" not in Path(settings.feed_path).read_bytes()


def test_a_feed_file_stays_inside_the_data_folder(tmp_path: Path, warehouse: Warehouse, smtp_server: SmtpServer) -> None:
    data, elsewhere = tmp_path / "data", tmp_path / "elsewhere"
    data.mkdir()
    elsewhere.mkdir()
    (data / "escape.atom").symlink_to(elsewhere / "target.atom")  # validates as a name, resolves outside
    config = write_config(tmp_path / "subs.toml", smtp_server.port,
                          '[[subscriptions]]\nid = "defenders"\n[[subscriptions.channels]]\nkind = "atom"\n'
                          'name = "inside"\npath = "defenders.atom"\n'
                          '[[subscriptions.channels]]\nkind = "atom"\nname = "escape"\npath = "escape.atom"\n')
    sync_subscriptions(warehouse, config, now=T0 - timedelta(days=3))
    add_first_version(warehouse, sb1110(), loaded_at=T0)
    assert dg.materialize([alerts], partition_key="CA", resources={"warehouse": warehouse}).success
    report = deliver_due(warehouse, load_config(config), data / "alerts.atom")

    assert (data / "alerts.atom").exists() and (data / "defenders.atom").exists()
    assert not (elsewhere / "target.atom").exists()
    assert report.rows_dead == 1 and "leaves the data folder" in report.errors[0]


def test_a_plaintext_smtp_login_is_refused_unless_allowed_and_then_warned_about(tmp_path: Path) -> None:
    login = 'username_env = "DIVWATCH_SMTP_USER"\npassword_env = "DIVWATCH_SMTP_PASSWORD"\n'
    with pytest.raises(ConfigError, match="unencrypted"):
        load_config(write_config(tmp_path / "refused.toml", 25, "", smtp_extra=login))
    allowed = load_config(write_config(tmp_path / "allowed.toml", 25, "", smtp_extra=login + "allow_plaintext_login = true\n"))
    assert config_warnings(allowed) == [
        'the SMTP password for 127.0.0.1 travels unencrypted (security = "none", allow_plaintext_login = true)']
    assert config_warnings(load_config(write_config(tmp_path / "no-login.toml", 25, ""))) == []


def test_version_time_falls_back_to_the_load_time() -> None:
    assert version_time({"version_date": None, "loaded_at": "2026-03-01T12:00:00"}) == datetime(
        2026, 3, 1, 12, tzinfo=timezone.utc)


def test_a_broken_alert_never_sinks_the_digest_it_belongs_to(
    tmp_path: Path, warehouse: Warehouse, smtp_server: SmtpServer
) -> None:
    config = write_config(tmp_path / "subs.toml", smtp_server.port, GROUP.replace('id = "group"\n', 'id = "group"\nmode = "daily"\n'))
    _queue_versions(warehouse, config, sb1110())
    with warehouse.connect() as con:
        enqueue(con, [OutboxItem("group", "CA-broken", "email", "CA", {"version_id": "CA-broken"}, T0)], T0)
    report = deliver_due(warehouse, load_config(config), tmp_path / "alerts.atom",
                         now=datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1))

    (message,) = smtp_server.inbox.messages
    mail = email.message_from_bytes(message[1], policy=email.policy.default)
    assert mail["Subject"] == "Diversion Watch digest: 2 new versions (CA SB 1110)"
    assert report.rows_dead == 1 and report.errors == ["group/email/CA-broken: alert not renderable: KeyError: 'signals'"]
