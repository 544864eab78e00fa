"""Another process holding a DuckDB file open read-only, as a notebook or an old dashboard would."""

from __future__ import annotations

import subprocess
import sys

HOLD_OPEN = (
    "import sys, duckdb; con = duckdb.connect(sys.argv[1], read_only=True); "
    "print('holding', flush=True); sys.stdin.readline()"
)


def hold_open(path: str) -> subprocess.Popen:
    """Start the holder and return once it has the file open; write a line to its stdin to make it close."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_OPEN, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout.readline().strip() == "holding"
    return holder
