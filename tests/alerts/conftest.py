"""Fixtures of the alert tests: a real SMTP server on 127.0.0.1 that a test can stop and restart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alert_seed import Inbox, SmtpServer, free_port


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(port=free_port(), inbox=Inbox())
    server.start()
    yield server
    server.stop()
