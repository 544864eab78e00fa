"""A killed delivery, a receiver that never answers and webhooks aimed inward: no duplicate, no stall, no SSRF."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg
import pytest
from alert_seed import T0, Inbox, SmtpServer, add_first_version, add_new_version, free_port, sb1110, write_config
from pytest_httpserver import HTTPServer

from assets.alerts import alerts
from pipelines.alerts.deliver import deliver_due
from pipelines.alerts.subscriptions import WebhookPolicy, load_config, sync_subscriptions
from pipelines.alerts.targets import RefusedTarget, check_address
from warehouse.db import Warehouse

REPO = Path(__file__).resolve().parents[2]
DELIVER_ONCE = (
    "import sys; from pathlib import Path; from pipelines.alerts.deliver import deliver_due; "
    "from pipelines.alerts.subscriptions import load_config; from warehouse.db import Warehouse; "
    "deliver_due(Warehouse(path=sys.argv[1]), load_config(Path(sys.argv[2])), Path(sys.argv[3]))"
)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _subscribers(*channels: tuple[str, str]) -> str:
    return "".join(f'[[subscriptions]]\nid = "{sid}"\n[[subscriptions.channels]]\n{channel}\n' for sid, channel in channels)


def _queue(warehouse: Warehouse, config: Path, *bills, amended: bool = True) -> None:
    """Subscribe, then store each bill's introduced (and amended) version and queue their alerts."""
    sync_subscriptions(warehouse, config, now=T0 - timedelta(days=3))
    for bill in bills:
        add_first_version(warehouse, bill, loaded_at=T0 - timedelta(days=2))
        if amended:
            add_new_version(warehouse, bill, loaded_at=T0)
    assert dg.materialize([alerts], partition_key="CA", resources={"warehouse": warehouse}).success


class StallingInbox(Inbox):
    """Accepts the first message, then holds the second open without an answer until released."""

    def __init__(self) -> None:
        super().__init__()
        self.holding, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd hook name)
        if self.messages and not self.release.is_set():
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 dropped: the sender is gone"
        return await super().handle_DATA(server, session, envelope)


def test_a_delivery_killed_mid_pass_never_resends_what_it_sent(tmp_path: Path, warehouse: Warehouse) -> None:
    inbox = StallingInbox()
    server = SmtpServer(free_port(), inbox)
    server.start()
    try:
        config = write_config(tmp_path / "subs.toml", server.port, _subscribers(
            *[(f"s{n}", f'kind = "email"\nto = ["s{n}@example.org"]') for n in (1, 2, 3)]), timeout=300)
        _queue(warehouse, config, sb1110(), amended=False)
        feed = tmp_path / "alerts.atom"
        process = subprocess.Popen([sys.executable, "-c", DELIVER_ONCE, warehouse.path, str(config), str(feed)],
                                   cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
        try:
            assert inbox.holding.wait(timeout=240), "the second message never reached the server"
        finally:
            process.kill()
            process.wait()
        inbox.release.set()
        assert [rcpts for rcpts, _ in inbox.messages] == [["s1@example.org"]]
        # Well after any claim the killed pass held has lapsed, the next pass sends only what was not sent.
        report = deliver_due(warehouse, load_config(config), feed, now=_now() + timedelta(minutes=30))
    finally:
        server.stop()
    assert sorted(rcpts[0] for rcpts, _ in inbox.messages) == ["s1@example.org", "s2@example.org", "s3@example.org"]
    assert report.rows_sent == 2 and report.rows_dead == 0


@pytest.fixture
def silent_receiver() -> tuple[str, list[socket.socket]]:
    """A webhook receiver that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook", accepted
    listener.close()
    for connection in accepted:
        connection.close()


def test_a_webhook_that_never_answers_holds_up_only_itself(
    tmp_path: Path, warehouse: Warehouse, smtp_server: SmtpServer, silent_receiver, monkeypatch
) -> None:
    url, accepted = silent_receiver
    monkeypatch.setenv("DIVWATCH_SILENT_HOOK", url)
    config = write_config(tmp_path / "subs.toml", smtp_server.port, _subscribers(
        ("a-silent", 'kind = "webhook"\nurl_env = "DIVWATCH_SILENT_HOOK"'), ("b-mail", 'kind = "email"\nto = ["b@example.org"]')))
    _queue(warehouse, config, sb1110(), dataclasses.replace(sb1110(), bill_id="SB 1111"))
    feed = tmp_path / "alerts.atom"
    report = deliver_due(warehouse, load_config(config), feed, seconds_per_endpoint=2)

    assert len(accepted) == 1  # one alert timed out; the receiver's three others wait for a later pass
    assert len(smtp_server.inbox.messages) == 4 and feed.exists()
    assert (report.rows_retrying, report.rows_deferred, report.rows_dead) == (1, 3, 0)
    with warehouse.connect() as con:
        rows = con.execute("SELECT attempts, last_error FROM alerts.outbox WHERE subscription_id = 'a-silent' "
                           "ORDER BY attempts DESC").fetchall()
    assert rows[0][0] == 1 and "ReadTimeout" in rows[0][1]
    assert [attempts for attempts, _ in rows[1:]] == [0, 0, 0] and all("not tried" in e for _, e in rows[1:])
    later = deliver_due(warehouse, load_config(config), feed, seconds_per_endpoint=2)
    assert len(accepted) == 2 and (later.rows_retrying, later.rows_deferred) == (1, 2)  # the rest was retried


@pytest.mark.parametrize("address", ["169.254.169.254", "127.0.0.1", "10.1.2.3", "192.168.0.1", "::1", "fe80::1%eth0",
                                     "fd00::1", "::ffff:10.0.0.1", "100.64.0.1", "0.0.0.0"])
def test_internal_addresses_are_refused(address: str) -> None:
    with pytest.raises(RefusedTarget, match="allow_private_networks"):
        check_address(address, ())


def test_public_and_allowed_addresses_pass() -> None:
    check_address("93.184.216.34", ())
    check_address("2606:2800:220:1:248:1893:25c8:1946", ())
    check_address("10.20.3.4", WebhookPolicy(allow_private_networks=["10.20.0.0/16"]).networks())


def _hooked(tmp_path: Path, smtp_port: int, url: str, monkeypatch, webhooks: str | None = None) -> Path:
    monkeypatch.setenv("DIVWATCH_INWARD_HOOK", url)
    body = _subscribers(("inward", 'kind = "webhook"\nurl_env = "DIVWATCH_INWARD_HOOK"'))
    extra = {} if webhooks is None else {"webhooks": webhooks}
    return write_config(tmp_path / "subs.toml", smtp_port, body, **extra)


def test_a_webhook_naming_this_machine_is_refused_without_an_allow_setting(
    tmp_path: Path, warehouse: Warehouse, smtp_server: SmtpServer, httpserver: HTTPServer, monkeypatch
) -> None:
    httpserver.expect_request("/hook").respond_with_json({"ok": True})
    config = _hooked(tmp_path, smtp_server.port, httpserver.url_for("/hook"), monkeypatch, webhooks="")
    _queue(warehouse, config, sb1110())
    report = deliver_due(warehouse, load_config(config), tmp_path / "alerts.atom")

    assert len(httpserver.log) == 0  # "localhost" resolved to loopback: refused before a byte was sent
    assert report.rows_dead == 2 and all("loopback address" in error for error in report.errors)


def test_a_redirect_to_an_internal_address_is_refused(
    tmp_path: Path, warehouse: Warehouse, smtp_server: SmtpServer, httpserver: HTTPServer, monkeypatch
) -> None:
    internal = HTTPServer(host="127.0.0.2", port=free_port())
    internal.expect_request("/metadata").respond_with_json({"secret": "instance credentials"})
    internal.start()
    try:
        httpserver.expect_request("/hook", method="POST").respond_with_data(
            "", status=307, headers={"Location": internal.url_for("/metadata")})
        config = _hooked(tmp_path, smtp_server.port, f"http://127.0.0.1:{httpserver.port}/hook", monkeypatch,
                         webhooks='[webhooks]\nallow_private_networks = ["127.0.0.1"]\n')
        _queue(warehouse, config, sb1110())
        report = deliver_due(warehouse, load_config(config), tmp_path / "alerts.atom")
    finally:
        internal.stop()
    assert len(httpserver.log) == 2 and len(internal.log) == 0
    assert report.rows_dead == 2 and all("refused to connect to 127.0.0.2" in error for error in report.errors)
