"""A live HTTP client aimed at the local test server, shared by the funding tests."""

from __future__ import annotations

import pytest

from sources.http import HttpClient


@pytest.fixture
def client() -> HttpClient:
    """A real client limited to the local test server, with quick retries so failure cases stay fast."""
    return HttpClient(allowed_hosts={"127.0.0.1", "localhost"}, timeout=1.0, retries=1, backoff_factor=0.0,
                      min_interval=0.0)


@pytest.fixture
def demo_run(tmp_path_factory: pytest.TempPathFactory):
    """The warehouse `divwatch run` built from the bundled texts and records (read-only: copy before writing)."""
    from tests.serving.demo_run import shared_demo_run

    return shared_demo_run(tmp_path_factory.getbasetemp())
