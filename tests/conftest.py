"""Fixtures every layer's tests share: a real DuckDB warehouse in a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.alerts.alert_seed import Inbox, SmtpServer, free_port
from warehouse.db import Warehouse

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    """A fresh, migrated warehouse file that lives only for one test."""
    wh = Warehouse(path=str(tmp_path / "warehouse.duckdb"))
    with wh.connect():
        pass
    return wh


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 that a test can stop and restart."""
    server = SmtpServer(port=free_port(), inbox=Inbox())
    server.start()
    yield server
    server.stop()
