"""Streamlit's AppTest runs the real dashboard script against a published copy of the corpus warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP
from warehouse.db import Warehouse
from warehouse.publish import publish_snapshot


@pytest.fixture
def app(serving_copy: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DIVWATCH_SERVING", str(serving_copy))
    return AppTest.from_file(str(APP), default_timeout=60).run()


def _marts(serving: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_bills_tab_lists_every_bill_with_fidelity(app: AppTest, serving_copy: Path) -> None:
    assert not app.exception
    assert [tab.label for tab in app.tabs] == ["Bills", "Bill timeline", "By state", "Funding", "Data health", "Alerts"]
    bills = app.tabs[0].dataframe[0].value
    assert len(bills) == _marts(serving_copy, "SELECT count(*) FROM marts.bill_latest")[0][0]
    assert {"model_score", "last_change", "latest_version_url"} <= set(bills.columns)
    assert app.tabs[0].metric[0].value == str(len(bills))


def test_timeline_shows_signals_and_escaped_redlines(app: AppTest, serving_copy: Path) -> None:
    old_id, new_id, signal, old_text = _marts(
        serving_copy, "SELECT old_version_id, new_version_id, signal, old_text FROM marts.amendment_signals LIMIT 1")[0]
    jurisdiction, session, bill_id = _marts(
        serving_copy, "SELECT jurisdiction, session, bill_id FROM marts.version_timeline WHERE version_id = ?",
        (new_id,))[0]
    box = app.tabs[1].selectbox[0]
    label = next(option for option in box.options if option.startswith(f"{jurisdiction} · {bill_id} · {session}"))
    app = box.select(label).run()
    assert not app.exception
    timeline = app.tabs[1]
    assert any(signal in text.value for text in timeline.text)
    assert old_text in [code.value for code in timeline.code]
    changes = _marts(serving_copy, "SELECT count(*) FROM marts.amendment_changes WHERE new_version_id = ?", (new_id,))
    redlines = [h.proto.body for h in timeline.get("html")]
    assert len(redlines) == changes[0][0] > 0
    assert all('<div class="redline">' in body for body in redlines)


def test_bill_text_is_escaped_in_redlines(dashboard_warehouse: Warehouse, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    wh = Warehouse(path=str(tmp_path / "warehouse.duckdb"))
    shutil.copy(dashboard_warehouse.path, wh.path)
    with wh.connect() as con:
        con.execute("UPDATE analysis.version_changes SET new_text = ?, redline = ?",
                    ["<script>alert(1)</script>", '[["insert", "<img src=x onerror=alert(1)>"]]'])
        publish_snapshot(con, tmp_path / "serving.duckdb")
    monkeypatch.setenv("DIVWATCH_SERVING", str(tmp_path / "serving.duckdb"))
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    bodies = [h.proto.body for h in app.tabs[1].get("html")]
    assert bodies and all("<img" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body for body in bodies)


def test_a_new_publish_shows_up_on_rerun(dashboard_warehouse: Warehouse, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    wh = Warehouse(path=str(tmp_path / "warehouse.duckdb"))
    shutil.copy(dashboard_warehouse.path, wh.path)
    serving = tmp_path / "serving.duckdb"
    with wh.connect() as con:
        publish_snapshot(con, serving)
    monkeypatch.setenv("DIVWATCH_SERVING", str(serving))
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    before = len(app.tabs[0].dataframe[0].value)
    with wh.connect() as con:
        con.execute("DELETE FROM core.bill_versions WHERE jurisdiction = 'WA'")
        publish_snapshot(con, serving)
    after = len(app.run().tabs[0].dataframe[0].value)
    assert 0 < after < before


def test_state_funding_and_health_tabs_render_real_figures(app: AppTest, serving_copy: Path) -> None:
    states = app.tabs[2].dataframe[0].value
    expected = _marts(serving_copy, "SELECT jurisdiction FROM marts.state_summary")
    assert sorted(states["jurisdiction"]) == sorted(row[0] for row in expected)
    funding_total = _marts(serving_copy, "SELECT sum(amount) FROM marts.funding_by_recipient_type")[0][0]
    assert app.tabs[3].metric[0].value == f"${funding_total:,.0f}"
    stale = _marts(serving_copy, "SELECT count(*) FROM marts.data_health WHERE stale")[0][0]
    assert app.tabs[4].metric[1].value == str(stale)
    assert len(app.tabs[5].dataframe[0].value) == _marts(serving_copy, "SELECT count(*) FROM marts.alerts_feed")[0][0]


def test_missing_copy_explains_how_to_publish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIVWATCH_SERVING", str(tmp_path / "absent.duckdb"))
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not app.exception
    assert "divwatch run" in app.warning[0].value
