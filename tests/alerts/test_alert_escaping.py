"""Bill text is untrusted: markup and quotes in it arrive escaped in HTML email and in the Atom feed."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from pathlib import Path

import dagster as dg
from alert_seed import HOSTILE, T0, Amendment, SmtpServer, add_first_version, add_new_version, write_config
from lxml import etree

from assets.alerts import alerts
from pipelines.alerts.compose import render
from pipelines.alerts.deliver import AlertSettings
from pipelines.alerts.subscriptions import sync_subscriptions
from pipelines.sensors import deliver_alerts_job
from warehouse.db import Warehouse

ATOM = "{http://www.w3.org/2005/Atom}"


def hostile_bill() -> Amendment:
    return Amendment(
        jurisdiction="WA", bill_id="HB 1<script>", title=f"Title {HOSTILE}", url="javascript:alert(1)",
        old_text=f"Sec. 1. {HOSTILE}", new_text=f"Sec. 1. {HOSTILE} police may share records.",
        changes=[(HOSTILE, f"{HOSTILE} police may share records.")],
        signals=[("information_sharing_added", "H", "", f"{HOSTILE} police may share records.")],
        categories=["information_sharing"], session="2025",
    )


def test_hostile_text_is_escaped_in_email_and_feed(tmp_path: Path, warehouse: Warehouse, smtp_server: SmtpServer) -> None:
    config = write_config(tmp_path / "subs.toml", smtp_server.port,
                          '[[subscriptions]]\nid = "g"\n[[subscriptions.channels]]\nkind = "email"\nto = ["g@example.org"]\n')
    sync_subscriptions(warehouse, config, now=T0 - timedelta(days=3))
    add_first_version(warehouse, hostile_bill(), loaded_at=T0 - timedelta(days=2))
    add_new_version(warehouse, hostile_bill(), loaded_at=T0)
    assert dg.materialize([alerts], partition_key="WA", resources={"warehouse": warehouse}).success
    settings = AlertSettings(config_path=str(config), feed_path=str(tmp_path / "alerts.atom"))
    assert deliver_alerts_job.execute_in_process(resources={"warehouse": warehouse, "alert_settings": settings}).success

    assert len(smtp_server.inbox.messages) == 2  # the introduced and the amended version
    for _, raw in smtp_server.inbox.messages:
        mail = email.message_from_bytes(raw, policy=email.policy.default)
        html = mail.get_body(("html",)).get_content()
        assert "<script" not in html and "<b>bold" not in html
        assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html
        assert "&#39;single&#39;" in html
        assert "javascript:" not in html
        text = mail.get_body(("plain",)).get_content()
        assert '<script>alert("pwned")</script>' in text  # plain text shows the bill as written

    raw_feed = Path(settings.feed_path).read_bytes()
    assert b"<script" not in raw_feed and b"javascript:" not in raw_feed
    entries = etree.fromstring(raw_feed).findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        content = entry.findtext(f"{ATOM}content")  # the HTML a feed reader will render
        assert entry.find(f"{ATOM}content").get("type") == "html"
        assert "<script" not in content and "&lt;script&gt;" in content
        assert entry.findtext(f"{ATOM}title").startswith("WA HB 1<script>")  # a text title, XML-escaped in the file


def test_redline_html_escapes_each_fragment() -> None:
    payload = {
        "version_id": "v", "jurisdiction": "TX", "session": "82", "bill_id": "HB 1994", "title": "",
        "version_label": "enrolled", "version_date": None, "revision": 0, "url": "https://capitol.texas.gov/x?a=1&b=2",
        "loaded_at": None, "previous": {"version_id": "u", "version_label": "introduced", "version_date": None},
        "analyzed": True, "direction": "mixed", "fidelity": {"old": None, "new": 0.1, "delta": None},
        "changes": [{"kind": "modified", "old_section": "", "new_section": "Sec. 2", "old_text": "a < b", "new_text": "a > b",
                     "redline": [["equal", "a"], ["delete", "<"], ["insert", ">"], ["equal", "b & c"]]}],
        "changes_total": 1, "signals": [], "categories": [],
    }
    rendered = render([payload])
    assert "a <del>&lt;</del> <ins>&gt;</ins> b &amp; c" in rendered.html
    assert 'href="https://capitol.texas.gov/x?a=1&amp;b=2"' in rendered.html
    assert "a [-<-] {+>+} b & c" in rendered.text
    assert "Fidelity to the LEAD model: 0.10" in rendered.text
