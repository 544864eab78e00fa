"""The warehouse a newcomer gets: `divwatch run` over the bundled texts and records, run once per test session."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DemoRun:
    """Where the real run wrote, and what it printed."""

    warehouse: Path
    serving: Path
    feed: Path
    output: str


def demo_env(folder: Path) -> dict[str, str]:
    """Every path the CLI writes, pointed into `folder`, so the run touches nothing in the repo."""
    return {**os.environ, "DIVWATCH_WAREHOUSE": str(folder / "warehouse.duckdb"),
            "DIVWATCH_SERVING": str(folder / "serving.duckdb"), "DIVWATCH_ALERTS_FEED": str(folder / "alerts.atom"),
            "DIVWATCH_HTTP_CACHE": str(folder / "http.sqlite"), "DIVWATCH_FUNDING_HTTP_CACHE": str(folder / "funding.sqlite"),
            "DIVWATCH_SOURCE": "folder", "DIVWATCH_FUNDING_MODE": "recorded", "DAGSTER_HOME": str(folder / "dagster")}


@functools.cache
def shared_demo_run(basetemp: Path) -> DemoRun:
    """Run the README's first command once (keyed by pytest's base temp folder); copy the files before writing."""
    folder = basetemp / "demo-run"
    folder.mkdir()
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "run"], cwd=REPO, env=demo_env(folder),
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"divwatch run failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-4000:]}")
    return DemoRun(folder / "warehouse.duckdb", folder / "serving.duckdb", folder / "alerts.atom", done.stdout)
