"""The dashboard, started the way `divwatch dashboard` starts it, renders the real run's output in headless Chromium;
the screenshots of every tab it takes go to docs/screenshots/ for the README."""

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
SCREENSHOTS = REPO / "docs" / "screenshots"
TABS = {"Bills": "bills", "Bill timeline": "timeline", "By state": "states", "Funding": "funding",
        "Data health": "health", "Alerts": "alerts"}


def _chromium() -> Path:
    """Chromium, or a skip on a developer's machine; in CI (CI=true) a missing Chromium is a failure, never a skip."""
    if not CHROMIUM.exists():
        message = "needs Debian chromium at /usr/bin/chromium (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {message}")
        pytest.skip(message)
    return CHROMIUM


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
        for _ in range(240):
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


def test_every_tab_renders_real_output_in_chromium(dashboard_url: str, serving_copy: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    executable = _chromium()
    with duckdb.connect(str(serving_copy), read_only=True) as con:
        bills = con.execute("SELECT count(*) FROM marts.bill_latest").fetchone()[0]
        latest_label = con.execute(  # the timeline opens on the bill changed most recently
            "SELECT latest_version_label FROM marts.bill_latest WHERE version_count > 1 "
            "ORDER BY latest_version_date DESC LIMIT 1").fetchone()[0]
        total = con.execute("SELECT sum(amount) FROM marts.funding_by_recipient_type").fetchone()[0]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(dashboard_url)
            expect(page.get_by_test_id("stMetricValue").first).to_have_text(str(bills), timeout=90_000)
            for tab, name in TABS.items():
                page.get_by_role("tab", name=tab).click()
                panel = page.get_by_role("tabpanel", name=tab)
                if tab == "Bill timeline":
                    expect(panel.get_by_text(f"→ {latest_label}").first).to_be_visible(timeout=30_000)
                    expect(panel.locator("div.redline").first).to_be_visible(timeout=30_000)
                    assert panel.locator("div.redline script").count() == 0
                if tab == "Funding":
                    expect(panel.get_by_test_id("stMetricValue").first).to_have_text(f"${total:,.0f}", timeout=30_000)
                if tab in ("By state", "Funding", "Bill timeline"):
                    expect(panel.locator("canvas, svg.marks").first).to_be_visible(timeout=30_000)
                expect(panel.get_by_test_id("stDataFrame").first).to_be_visible(timeout=30_000)
                page.wait_for_timeout(1500)  # let the grid and charts finish drawing before the picture
                page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        finally:
            browser.close()
    assert all((SCREENSHOTS / f"{name}.png").stat().st_size > 20_000 for name in TABS.values())
