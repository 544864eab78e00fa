"""Publishing swaps in a new serving copy while another process reads the old one: no block, no corruption."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from warehouse.access import mart_names
from warehouse.db import Warehouse
from warehouse.dictionary import describe
from warehouse.publish import LIVE_MARTS, publish_snapshot

# Reads everything a dashboard would, twice on one connection: before and after the writer publishes.
READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
def snapshot():
    versions, text_hash = con.execute("SELECT count(*), sum(hash(text)) FROM core.bill_versions").fetchone()
    marts = [con.execute(f"SELECT count(*) FROM marts.{name}").fetchone()[0] for name in sys.argv[2:]]
    return f"{versions} {text_hash} {marts}"
print(snapshot(), flush=True)
sys.stdin.readline()
print(snapshot(), flush=True)
"""
MARTS = ["bill_latest", "version_timeline", "clause_counts", "data_health", "funding_by_recipient_type"]


def _add_revision(wh: Warehouse) -> None:
    """A changed text for a known version arrives: the pipeline appends it as a new revision."""
    row = wh.query_df("SELECT * FROM core.bill_versions ORDER BY version_id LIMIT 1")
    row["version_id"] = row["version_id"] + "-r2"
    row["revision"] = 2
    row["text"] = row["text"] + "\n(b) Participation is voluntary and may be ended at any time."
    assert wh.insert_new("core.bill_versions", row, ["version_id"]) == 1


def _count(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM core.bill_versions").fetchone()[0]


def test_publish_while_a_reader_holds_the_old_copy(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    with demo_warehouse.connect() as con:
        publish_snapshot(con, serving)
    before = _count(serving)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(serving), *MARTS], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = reader.stdout.readline().strip()
        assert first, reader.stderr.read()
        _add_revision(demo_warehouse)  # the warehouse is not locked by the serving reader
        with demo_warehouse.connect() as con:
            result = publish_snapshot(con, serving)  # would raise on a lock conflict
        assert reader.poll() is None, "the reader must still be holding the old copy open"
        assert _count(serving) == before + 1  # a new reader sees the new copy
        second, errors = reader.communicate("go\n", timeout=60)
    finally:
        reader.kill()
    assert reader.returncode == 0, errors
    assert second.strip() == first  # the old reader's snapshot is intact and unchanged
    assert result.size_bytes == serving.stat().st_size
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp files left


def test_published_marts_are_tables_with_the_views_rows_and_comments(demo_warehouse: Warehouse,
                                                                     tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    with demo_warehouse.connect() as con:
        publish_snapshot(con, serving)
        names = mart_names(con)
        expected = {name: con.execute(f"SELECT * FROM marts.{name} ORDER BY ALL").df() for name in names}
        docs = {d.name: d for d in describe(con, ("marts",))}
    with duckdb.connect(str(serving), read_only=True) as con:
        assert mart_names(con) == names
        for name in set(names) - LIVE_MARTS:
            pd.testing.assert_frame_equal(con.execute(f"SELECT * FROM marts.{name} ORDER BY ALL").df(), expected[name])
        published = {d.name: d for d in describe(con, ("marts",))}
        assert {n: d.kind for n, d in published.items()} == {n: "view" if n in LIVE_MARTS else "table" for n in names}
        assert {n: (d.comment, d.columns) for n, d in published.items()} == \
            {n: (d.comment, d.columns) for n, d in docs.items()}
        with pytest.raises(duckdb.Error):
            con.execute("DELETE FROM core.bill_versions")


def test_a_failed_publish_leaves_the_old_copy_and_no_temp_file(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    blocked = tmp_path / "serving.duckdb"
    blocked.mkdir()  # os.replace cannot put a file over a directory
    (blocked / "keep").write_text("old copy")
    with demo_warehouse.connect() as con:
        with pytest.raises(OSError):
            publish_snapshot(con, blocked)
        databases = {row[0] for row in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()}
    assert (blocked / "keep").read_text() == "old copy"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert not any(name.startswith("serving_publish") for name in databases)
