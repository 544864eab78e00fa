"""`divwatch run --folder` over one of each bad input next to good texts: every good text loads, every bad one is recorded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from tests.sources import hostile_folder
from tests.warehouse.lock_holder import hold_open

REPO = Path(__file__).resolve().parents[2]
SUBSCRIPTIONS = '[[subscriptions]]\nid = "everyone"\n[[subscriptions.channels]]\nkind = "atom"\npath = "{path}"\n'


def _environment(tmp_path: Path) -> dict[str, str]:
    tracking = (REPO / "config" / "tracking.toml").read_text(encoding="utf-8")
    assert "max_bytes = 20_000_000" in tracking
    (tmp_path / "tracking.toml").write_text(
        tracking.replace("max_bytes = 20_000_000", f"max_bytes = {hostile_folder.SMALL_CAP}"), encoding="utf-8")
    (tmp_path / "subscriptions.toml").write_text(SUBSCRIPTIONS.format(path="feed.atom"), encoding="utf-8")
    names = {"DIVWATCH_WAREHOUSE": "warehouse.duckdb", "DIVWATCH_SERVING": "serving.duckdb",
             "DIVWATCH_TRACKING": "tracking.toml", "DIVWATCH_ALERTS_CONFIG": "subscriptions.toml",
             "DIVWATCH_ALERTS_FEED": "alerts.atom", "DIVWATCH_HTTP_CACHE": "http.sqlite",
             "DIVWATCH_FUNDING_HTTP_CACHE": "funding.sqlite", "DAGSTER_HOME": "home"}
    return {name: str(tmp_path / file) for name, file in names.items()}


def test_every_good_text_loads_every_bad_one_is_recorded_and_every_alert_goes_out(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    expected = hostile_folder.build(tmp_path / "texts", tmp_path / "outside")
    env = {**os.environ, **_environment(tmp_path), "DIVWATCH_SOURCE": "folder"}
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--folder", str(tmp_path / "texts")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "1 document(s) had no .meta.toml sidecar" in done.stdout and "NV/SB7_2025" in done.stdout
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        recorded = dict(con.execute("SELECT item, reason FROM core.fetch_errors WHERE source = 'folder'").fetchall())
        loaded = set(con.execute("SELECT jurisdiction, bill_id FROM core.bill_versions").fetchall())
        leaked = con.execute("SELECT count(*) FROM core.bill_versions WHERE text LIKE '%root:x%'").fetchone()[0]
        outbox = dict(con.execute("SELECT status, count(*) FROM alerts.outbox GROUP BY 1").fetchall())
        analysed = con.execute("SELECT count(DISTINCT version_id) FROM analysis.clauses").fetchone()[0]
    assert recorded == expected
    assert loaded == hostile_folder.GOOD_BILLS and leaked == 0
    assert analysed == len(hostile_folder.GOOD_BILLS)
    assert outbox.get("sent", 0) > 0 and set(outbox) == {"sent"}
    with duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True) as served:
        assert served.execute("SELECT count(*) FROM core.bill_versions").fetchone()[0] == len(hostile_folder.GOOD_BILLS)


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in {**_environment(tmp_path), "DIVWATCH_SOURCE": "folder", "DIVWATCH_FOLDER": ""}.items():
        monkeypatch.setenv(name, value)
    return tmp_path


def test_a_missing_folder_is_a_clear_error(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--folder", str(isolated / "nowhere")]) == 2
    assert f"--folder {isolated / 'nowhere'}: no such folder" in capsys.readouterr().err
    assert not (isolated / "warehouse.duckdb").exists()


def test_a_folder_without_loadable_texts_is_a_clear_error(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (isolated / "empty" / "NM").mkdir(parents=True)
    (isolated / "empty" / "notes.txt").write_text("not placed in a state folder", encoding="utf-8")
    assert main(["run", "--folder", str(isolated / "empty")]) == 2
    assert "no loadable documents in" in capsys.readouterr().err
    assert not (isolated / "warehouse.duckdb").exists()


def test_a_reader_holding_the_warehouse_stops_the_run_with_a_clear_message(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DIVWATCH_LOCK_WAIT_SECONDS", "0")
    duckdb.connect(str(isolated / "warehouse.duckdb")).close()
    reader = hold_open(str(isolated / "warehouse.duckdb"))
    try:
        assert main(["run", "--folder", str(REPO / "demo" / "texts")]) == 2
        assert "is held open by another process" in capsys.readouterr().err
    finally:
        reader.kill()
        reader.wait()
