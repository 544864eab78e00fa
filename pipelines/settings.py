"""Where the pipeline reads and writes, from the environment with repo-relative defaults."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def setting(name: str, default: str) -> str:
    """A non-secret knob: DIVWATCH_<NAME> from the environment, else the default."""
    return os.environ.get(f"DIVWATCH_{name}", default)


def warehouse_path() -> str:
    return setting("WAREHOUSE", str(REPO / "data" / "warehouse.duckdb"))


def ensure_dagster_home() -> Path:
    """Point Dagster at the repo's own home (telemetry off, runs serialized) unless the user chose one."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(REPO / ".dagster")))
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    return home


def reviews_inbox() -> Path:
    """Folder where the dashboard drops review files for `divwatch review import` to pick up."""
    return Path(setting("REVIEWS_INBOX", str(REPO / "data" / "reviews" / "inbox")))


def reviews_gold() -> Path:
    """Folder `divwatch review export` writes and `divwatch train --reviews` reads by default."""
    return Path(setting("REVIEWS_GOLD", str(REPO / "data" / "reviews" / "gold")))
