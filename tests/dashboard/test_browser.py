"""The dashboard, started the way `divwatch dashboard` starts it, renders real data in headless Chromium."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
import requests

from pipelines.commands.dashboard import dashboard_env, streamlit_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parents[2]

# Skipped on a developer's machine without Chromium; never in CI, whose script installs it.
pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and os.environ.get("CI") != "true",
                                reason="needs Debian chromium at /usr/bin/chromium (apt-get install -y chromium)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dashboard_url(serving_copy: Path, tmp_path: Path):
    port = _free_port()
    log = (tmp_path / "streamlit.log").open("w")
    server = subprocess.Popen(streamlit_command("127.0.0.1", port), env=dashboard_env(str(serving_copy)),
                              cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if requests.get(f"{url}/_stcore/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            assert server.poll() is None, (tmp_path / "streamlit.log").read_text()
            time.sleep(0.25)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        log.close()


def test_dashboard_renders_real_bills_in_chromium(dashboard_url: str, serving_copy: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with duckdb.connect(str(serving_copy), read_only=True) as con:
        bills = con.execute("SELECT count(*) FROM marts.bill_latest").fetchone()[0]
        latest_label = con.execute(  # the timeline opens on the bill with the most versions
            "SELECT latest_version_label FROM marts.bill_latest ORDER BY version_count DESC, jurisdiction, bill_id "
            "LIMIT 1").fetchone()[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(dashboard_url)
            metric = page.get_by_test_id("stMetricValue").first
            expect(metric).to_have_text(str(bills), timeout=60_000)
            page.screenshot(path=str(tmp_path / "bills.png"), full_page=True)
            page.get_by_role("tab", name="Bill timeline").click()
            expect(page.get_by_text(f"→ {latest_label}").first).to_be_visible(timeout=30_000)
            expect(page.locator("div.redline").first).to_be_visible(timeout=30_000)
            page.screenshot(path=str(tmp_path / "timeline.png"), full_page=True)
            assert page.locator("div.redline script").count() == 0
        finally:
            browser.close()
    assert (tmp_path / "bills.png").stat().st_size > 10_000
