"""A publish killed half-way leaves the old serving copy in place, and its temp copy is removed by the next start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from warehouse.db import Warehouse
from warehouse.publish import publish_snapshot, remove_abandoned_copies

REPO = Path(__file__).resolve().parents[2]
DIE_BEFORE_SWAP = """
import os, signal, sys
import duckdb
from warehouse import publish
publish.os.replace = lambda *_: os.kill(os.getpid(), signal.SIGKILL)
with duckdb.connect(sys.argv[1]) as con:
    publish.publish_snapshot(con, sys.argv[2])
"""


def _temps(folder: Path) -> list[Path]:
    return sorted(folder.glob(".serving.duckdb.*.tmp"))


def test_a_publish_killed_before_the_swap_is_cleaned_up_by_the_next_one(warehouse: Warehouse, tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    with warehouse.connect() as con:
        publish_snapshot(con, serving)
        con.execute("CREATE TABLE main.added_after_first_publish AS SELECT 1 AS x")
    crashed = subprocess.run([sys.executable, "-c", DIE_BEFORE_SWAP, warehouse.path, str(serving)], cwd=REPO,
                             capture_output=True, text=True, timeout=240)
    assert crashed.returncode == -9, crashed.stderr[-500:]
    [left_behind] = _temps(tmp_path)
    with duckdb.connect(str(serving), read_only=True) as old:  # the old copy is still whole and still the old one
        assert not old.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'added_after_first_publish'").fetchone()[0]
    with warehouse.connect() as con:
        publish_snapshot(con, serving)
    assert not left_behind.exists() and _temps(tmp_path) == []
    with duckdb.connect(str(serving), read_only=True) as new:
        assert new.execute("SELECT count(*) FROM main.added_after_first_publish").fetchone()[0] == 1


def test_a_publish_in_progress_keeps_its_temp_copy(tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    ours = tmp_path / f".serving.duckdb.{os.getpid()}.0123.tmp"
    unnamed = tmp_path / ".serving.duckdb.0123.tmp"  # written before temp names carried a pid
    ours.write_bytes(b"in progress")
    unnamed.write_bytes(b"old")
    assert remove_abandoned_copies(serving) == [unnamed]
    assert ours.exists() and not unnamed.exists()
