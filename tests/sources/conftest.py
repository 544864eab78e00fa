"""Fixtures for source tests: HTTP clients tuned for the local test server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sources.http import HttpClient


@pytest.fixture
def make_client(tmp_path: Path) -> Callable[..., HttpClient]:
    """Build clients for the local test server: no rate limit, near-zero backoff, a cache in tmp_path."""

    def build(**overrides) -> HttpClient:
        settings = dict(allowed_hosts={"localhost", "127.0.0.1"}, cache_path=tmp_path / "http-cache.sqlite",
                        min_interval=0.0, backoff_factor=0.001, retries=2, timeout=2.0)
        settings.update(overrides)
        return HttpClient(**settings)

    return build
