"""Streamlit's AppTest runs the real dashboard script against the copy `divwatch run` published from the demo."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP
from warehouse.db import Warehouse
from warehouse.publish import publish_snapshot

EMPTY_LOOKING = {"None", "none", "nan", "NaN", "<NA>", "NaT", "null"}


def _run_app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The dashboard script run by AppTest; it leaves its own module as `__main__`, so the real one is put back after
    the test (else a later process spawned by multiprocessing, such as a Dask worker, re-runs the dashboard)."""
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    return AppTest.from_file(str(APP), default_timeout=60).run()


@pytest.fixture
def app(serving_copy: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DIVWATCH_SERVING", str(serving_copy))
    return _run_app(monkeypatch)


def _marts(serving: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _table(element) -> pd.DataFrame:
    value = element.value
    return value.data if hasattr(value, "data") else value


def _edited_app(dashboard_warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *sql: str) -> AppTest:
    """Edge cases real data lacks: a private copy of the real warehouse, changed by `sql`, then published."""
    wh = Warehouse(path=str(tmp_path / "warehouse.duckdb"))
    shutil.copy(dashboard_warehouse.path, wh.path)
    with wh.connect() as con:
        for statement in sql:
            con.execute(statement)
        publish_snapshot(con, tmp_path / "serving.duckdb")
    monkeypatch.setenv("DIVWATCH_SERVING", str(tmp_path / "serving.duckdb"))
    return _run_app(monkeypatch)


def test_bills_tab_lists_every_bill_with_human_column_names(app: AppTest, serving_copy: Path) -> None:
    assert not app.exception
    assert [tab.label for tab in app.tabs] == ["Bills", "Bill timeline", "By state", "Funding", "Data health", "Alerts"]
    bills = _table(app.tabs[0].dataframe[0])
    assert len(bills) == _marts(serving_copy, "SELECT count(*) FROM marts.bill_latest")[0][0]
    assert {"Bill", "Fidelity (LEAD model)", "Last change", "Official text", "Text"} <= set(bills.columns)
    assert not any("_" in column for column in bills.columns)
    assert app.tabs[0].metric[0].value == str(len(bills))


def test_no_table_shows_none_or_nan_for_a_missing_value(app: AppTest) -> None:
    tables = [_table(frame) for tab in app.tabs for frame in tab.dataframe]
    assert len(tables) >= 6
    cells = {str(cell) for table in tables for cell in table.to_numpy().ravel()}
    assert "" in cells  # real data has missing values: they show as empty cells
    assert not cells & EMPTY_LOOKING


def test_links_are_web_addresses_only(app: AppTest) -> None:
    links = [cell for tab in app.tabs for frame in tab.dataframe for column in ("Official text", "Where it was read")
             if column in _table(frame) for cell in _table(frame)[column]]
    assert any(links)
    assert all(cell == "" or cell.startswith(("http://", "https://")) for cell in links)


def test_script_and_file_links_from_a_source_are_dropped(dashboard_warehouse: Warehouse, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app = _edited_app(dashboard_warehouse, tmp_path, monkeypatch,
                      "UPDATE core.bill_versions SET url = 'javascript:alert(1)' WHERE jurisdiction = 'CA'",
                      "UPDATE core.bill_versions SET url = 'file:///etc/passwd' WHERE jurisdiction = 'TX'")
    bills = _table(app.tabs[0].dataframe[0])
    shown = bills.set_index("State")["Official text"]
    assert set(shown[["CA", "TX"]]) == {""} and shown.str.startswith("https://").any()


def test_excerpts_are_labelled_and_complete_texts_say_so(app: AppTest, serving_copy: Path) -> None:
    expected = dict(_marts(serving_copy, "SELECT jurisdiction || ' ' || bill_id, bool_and(text_complete) "
                                         "FROM core.bill_versions GROUP BY ALL"))
    bills = _table(app.tabs[0].dataframe[0])
    shown = dict(zip(bills["State"] + " " + bills["Bill"], bills["Text"]))
    assert shown == {bill: "complete" if whole else "incomplete" for bill, whole in expected.items()}
    assert {"complete", "incomplete"} <= set(shown.values())
    assert any("*incomplete*: the bundled copy is an excerpt" in caption.value for caption in app.tabs[0].caption)


def test_timeline_opens_on_the_bill_changed_most_recently(app: AppTest, serving_copy: Path) -> None:
    jurisdiction, session, bill_id, label = _marts(
        serving_copy, "SELECT jurisdiction, session, bill_id, latest_version_label FROM marts.bill_latest "
                      "WHERE version_count > 1 ORDER BY latest_version_date DESC LIMIT 1")[0]
    assert app.tabs[1].selectbox[0].value.startswith(f"{jurisdiction} · {bill_id} · {session}")
    versions = _table(app.tabs[1].dataframe[0])
    assert versions["Version"].iloc[-1] == label
    assert any(f"→ {label}" in md.value for md in app.tabs[1].markdown)


def test_timeline_shows_real_signals_and_escaped_redlines(app: AppTest, serving_copy: Path) -> None:
    new_id, signal, old_text = _marts(
        serving_copy, "SELECT new_version_id, signal, old_text FROM marts.amendment_signals "
                      "WHERE severity = 'H' ORDER BY signal LIMIT 1")[0]
    jurisdiction, session, bill_id = _marts(
        serving_copy, "SELECT jurisdiction, session, bill_id FROM marts.version_timeline WHERE version_id = ?",
        (new_id,))[0]
    box = app.tabs[1].selectbox[0]
    label = next(option for option in box.options if option.startswith(f"{jurisdiction} · {bill_id} · {session}"))
    app = box.select(label).run()
    assert not app.exception
    timeline = app.tabs[1]
    assert any(signal.replace("_", " ") in text.value for text in timeline.text)
    assert (old_text or "(nothing)") in [code.value for code in timeline.code]
    changes = _marts(serving_copy, "SELECT count(*) FROM marts.amendment_changes WHERE new_version_id = ?", (new_id,))
    redlines = [h.proto.body for h in timeline.get("html")]
    assert len(redlines) >= changes[0][0] > 0
    assert all('<div class="redline">' in body for body in redlines)


def test_bill_text_is_escaped_in_redlines(dashboard_warehouse: Warehouse, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    app = _edited_app(dashboard_warehouse, tmp_path, monkeypatch,
                      "UPDATE analysis.version_changes SET new_text = '<script>alert(1)</script>', "
                      "redline = '[[\"insert\", \"<img src=x onerror=alert(1)>\"]]'")
    bodies = [h.proto.body for h in app.tabs[1].get("html")]
    assert bodies and all("<img" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body for body in bodies)


def test_a_new_publish_shows_up_on_rerun(dashboard_warehouse: Warehouse, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    app = _edited_app(dashboard_warehouse, tmp_path, monkeypatch)
    before = len(_table(app.tabs[0].dataframe[0]))
    with Warehouse(path=str(tmp_path / "warehouse.duckdb")).connect() as con:
        con.execute("DELETE FROM core.bill_versions WHERE jurisdiction = 'WA'")
        publish_snapshot(con, tmp_path / "serving.duckdb")
    after = len(_table(app.run().tabs[0].dataframe[0]))
    assert 0 < after < before


def test_funding_figures_match_the_marts(app: AppTest, serving_copy: Path) -> None:
    by_type = dict(_marts(serving_copy, "SELECT recipient_type, sum(amount) FROM marts.funding_by_recipient_type GROUP BY 1"))
    total = sum(by_type.values())
    typed = total - by_type["unknown"]
    share = (by_type["law_enforcement"] + by_type["prosecution"]) / typed
    assert [m.value for m in app.tabs[3].metric] == [
        f"${total:,.0f}", f"{share:.0%}", f"${by_type['unknown']:,.0f} ({by_type['unknown'] / total:.0%})"]
    awarded = _marts(serving_copy, "SELECT sum(amount) FROM marts.funding_records WHERE amount_kind = 'award' "
                                   "AND diversion_related")[0][0]
    assert total == pytest.approx(awarded)  # ceilings, applications and pools never enter the total
    records = _table(app.tabs[3].dataframe[1])
    assert len(records) == _marts(serving_copy, "SELECT count(*) FROM marts.funding_records")[0][0]
    assert {"Yearly ceiling ('up to')", "Application (not awarded)", "Award"} <= set(records["What the amount is"])
    assert "Type unknown" in set(records["Recipient type"])


def test_untyped_recipients_show_as_unknown_never_as_zero(dashboard_warehouse: Warehouse, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    app = _edited_app(dashboard_warehouse, tmp_path, monkeypatch, "DELETE FROM funding.recipients")
    metrics = [m.value for m in app.tabs[3].metric]
    assert metrics[1] == "unknown" and metrics[2].endswith("(100%)")


def test_state_health_and_alert_tabs_render_real_figures(app: AppTest, serving_copy: Path) -> None:
    states = _table(app.tabs[2].dataframe[0])
    expected = _marts(serving_copy, "SELECT jurisdiction FROM marts.state_summary")
    assert sorted(states["State"]) == sorted(row[0] for row in expected)
    stale = _marts(serving_copy, "SELECT count(*) FROM marts.data_health WHERE stale")[0][0]
    assert app.tabs[4].metric[1].value == str(stale)
    alerts = _table(app.tabs[5].dataframe[0])
    assert len(alerts) == _marts(serving_copy, "SELECT count(*) FROM marts.alerts_feed")[0][0] > 0


def test_missing_copy_explains_how_to_publish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIVWATCH_SERVING", str(tmp_path / "absent.duckdb"))
    app = _run_app(monkeypatch)
    assert not app.exception
    assert "divwatch run" in app.warning[0].value
