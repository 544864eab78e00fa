"""A new version dropped into the folder source reaches each matching subscriber once, through the real jobs."""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest
from lxml import etree

from assets.alerts import ALERT_ASSETS
from assets.analysis import ANALYSIS_ASSETS
from assets.bills import BILL_ASSETS
from assets.resources import BillSources
from pipelines.alerts.deliver import AlertSettings
from pipelines.sensors import deliver_alerts_job
from tests.alerts.alert_seed import SmtpServer, write_config
from warehouse.db import Warehouse
from warehouse.outbox import FEED_SUBSCRIPTION, OutboxItem, enqueue

REPO = Path(__file__).resolve().parents[2]
ATOM = "{http://www.w3.org/2005/Atom}"
MANDATE = ("A participant shall abstain from the use of controlled substances and shall submit to random drug "
           "testing as a condition of participation in the program.")
SUBSCRIBERS = """
[[subscriptions]]
id = "ca-organizers"
[subscriptions.filters]
jurisdictions = ["CA"]
[[subscriptions.channels]]
kind = "email"
to = ["ca@example.org"]
[[subscriptions.channels]]
kind = "webhook"
url_env = "DIVWATCH_E2E_HOOK"

[[subscriptions]]
id = "wa-organizers"
[subscriptions.filters]
jurisdictions = ["WA"]
[[subscriptions.channels]]
kind = "email"
to = ["wa@example.org"]
"""


def add_amended_version(folder: Path) -> None:
    """A third version of SB 1110: the Senate text with a treatment mandate in its digest, as a user would add it."""
    bill = folder / "CA" / "SB1110_2015-2016"
    senate = (bill / "2016-05-31_amended-senate.txt").read_text(encoding="utf-8")
    anchor = "The bill would require the board to award grants"
    assert anchor in senate
    assembly = senate.replace(anchor, f"{MANDATE}\n\n{anchor}", 1)
    (bill / "2016-06-20_amended-assembly.txt").write_text(assembly, encoding="utf-8")
    sidecar = (bill / "2016-05-31_amended-senate.txt.meta.toml").read_text(encoding="utf-8")
    sidecar = sidecar.replace('version_label = "Amended in Senate"', 'version_label = "Amended in Assembly"')
    sidecar = sidecar.replace("version_date = 2016-05-31", "version_date = 2016-06-20")
    (bill / "2016-06-20_amended-assembly.txt.meta.toml").write_text(sidecar, encoding="utf-8")


def test_new_version_in_the_folder_alerts_each_matching_subscriber_once(
    tmp_path: Path, warehouse: Warehouse, smtp_server: SmtpServer, httpserver, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = Path(shutil.copytree(REPO / "demo" / "texts", tmp_path / "texts"))
    monkeypatch.setenv("DIVWATCH_E2E_HOOK", httpserver.url_for("/hook"))
    httpserver.expect_request("/hook", method="POST").respond_with_json({"ok": True})
    settings = AlertSettings(config_path=str(write_config(tmp_path / "subs.toml", smtp_server.port, SUBSCRIBERS)),
                             feed_path=str(tmp_path / "alerts.atom"))

    def run_and_deliver() -> None:
        sources = BillSources(mode="folder", folder=str(folder), tracking_path=str(REPO / "config" / "tracking.toml"))
        assert dg.materialize([*BILL_ASSETS, *ANALYSIS_ASSETS, *ALERT_ASSETS], partition_key="CA",
                              resources={"warehouse": warehouse, "bill_sources": sources}).success
        assert deliver_alerts_job.execute_in_process(
            resources={"warehouse": warehouse, "alert_settings": settings}).success

    run_and_deliver()  # the back catalogue goes to the feed only; subscribers start from here
    entries_before = len(etree.parse(settings.feed_path).getroot().findall(f"{ATOM}entry"))
    assert smtp_server.inbox.messages == [] and len(httpserver.log) == 0

    add_amended_version(folder)
    run_and_deliver()
    [(recipients, raw)] = smtp_server.inbox.messages
    assert recipients == ["ca@example.org"]
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert "CA SB 1110: Amended in Assembly (2016-06-20)" in mail["Subject"]
    body = " ".join(mail.get_body(("plain",)).get_content().split())
    assert "abstain from the use of controlled substances" in body and "treatment_mandate_added" in body
    [(call, _)] = httpserver.log
    assert json.loads(call.get_data())["alerts"][0]["version_label"] == "Amended in Assembly"
    entries = etree.parse(settings.feed_path).getroot().findall(f"{ATOM}entry")
    assert len(entries) == entries_before + 1

    run_and_deliver()  # nothing new: nothing sent twice
    assert len(smtp_server.inbox.messages) == 1 and len(httpserver.log) == 1
    assert len(etree.parse(settings.feed_path).getroot().findall(f"{ATOM}entry")) == entries_before + 1


def test_divwatch_run_exits_non_zero_when_an_alert_is_given_up(tmp_path: Path) -> None:
    settings = {"WAREHOUSE": "w.duckdb", "ALERTS_FEED": "data/alerts.atom", "ALERTS_CONFIG": "absent.toml",
                "SERVING": "serving.duckdb", "HTTP_CACHE": "cache.sqlite", "FUNDING_HTTP_CACHE": "funding.sqlite"}
    env = {key: value for key, value in os.environ.items() if not key.startswith("DIVWATCH_")}
    env.update({f"DIVWATCH_{name}": str(tmp_path / relative) for name, relative in settings.items()})
    env.update(DAGSTER_HOME=str(tmp_path / "home"), PYTHONPATH=str(REPO))
    with Warehouse(path=str(tmp_path / "w.duckdb")).connect() as con:  # an alert no channel can ever render
        enqueue(con, [OutboxItem(FEED_SUBSCRIPTION, "CA-broken", "atom", "CA", {"version_id": "CA-broken"},
                                 datetime(2026, 1, 1))], datetime(2026, 1, 1))

    run = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--source", "folder", "--jurisdiction", "CA"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "deliver_alerts_job: 1 alerts given up (dead)" in run.stdout
    entries = etree.parse(str(tmp_path / "data" / "alerts.atom")).getroot().findall(f"{ATOM}entry")
    assert len(entries) >= 2 and all(e.findtext(f"{ATOM}title").startswith("CA ") for e in entries)
