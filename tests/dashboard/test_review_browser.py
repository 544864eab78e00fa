"""A reviewer marks a label wrong on the bill timeline in headless Chromium; the verdict lands in the inbox, not the served copy,
and `divwatch review import` records it so the marts show it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from tests.dashboard.test_browser import CHROMIUM_ARGS, _chromium, dashboard_url  # noqa: F401 (dashboard_url is a fixture)
from warehouse.db import Warehouse


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch) -> Path:
    """The reviews inbox the dashboard process (started after this fixture) drops into."""
    folder = tmp_path / "inbox"
    monkeypatch.setenv("DIVWATCH_REVIEWS_INBOX", str(folder))
    return folder


def test_a_label_marked_wrong_in_the_browser_reaches_the_marts_through_the_inbox(
        inbox: Path, dashboard_url: str, serving_copy: Path, dashboard_warehouse: Warehouse, tmp_path: Path,
        monkeypatch) -> None:
    from playwright.sync_api import expect, sync_playwright

    executable = _chromium()
    served_before = serving_copy.read_bytes()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(dashboard_url)
            page.get_by_role("tab", name="Bill timeline").click()
            panel = page.get_by_role("tabpanel", name="Bill timeline")
            panel.get_by_text("Review clause labels of").click()
            panel.get_by_text("Label is wrong").click()
            panel.get_by_label("Reviewer").fill("dana")
            panel.get_by_label("Note").fill("checked in the browser")
            panel.get_by_role("button", name="Send review").click()
            expect(panel.get_by_text("in the reviews inbox")).to_be_visible(timeout=30_000)
        finally:
            browser.close()
    dropped = list(inbox.glob("*.jsonl"))
    assert len(dropped) == 1
    review = json.loads(dropped[0].read_text())
    assert review["verdict"] == "wrong" and review["reviewer"] == "dana"
    assert serving_copy.read_bytes() == served_before

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(dashboard_warehouse.path, warehouse)
    monkeypatch.setenv("DIVWATCH_WAREHOUSE", str(warehouse))
    assert main(["review", "import"]) == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        left = con.execute(
            "SELECT count(*) FROM marts.clause_labels WHERE version_id = ? AND start_offset = ? AND category = ?",
            [review["version_id"], review["clause_start"], review["category"]]).fetchone()[0]
        history = con.execute("SELECT reviewer, verdict, note FROM analysis.label_reviews").fetchall()
    assert left == 0 and history == [("dana", "wrong", "checked in the browser")]
