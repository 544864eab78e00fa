"""Resources the bill assets share: where bill texts come from and how politely they are fetched."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from sources.http import HttpClient
from sources.registry import BillSource, build_sources, load_tracking


class BillSources(dg.ConfigurableResource):
    """Bundled folder of real texts (offline, the default) or the live legislature APIs."""

    mode: str = "folder"
    folder: str = "demo/texts"
    tracking_path: str = "config/tracking.toml"
    cache_path: str = "data/http_cache.sqlite"

    def open(self) -> tuple[dict[str, list[BillSource]], HttpClient | None]:
        """Build this run's connectors and the one HTTP client they share (None for the folder)."""
        tracking = load_tracking(Path(self.tracking_path))
        client = None
        if self.mode == "live":
            client = HttpClient(allowed_hosts=tracking.allowed_hosts, cache_path=Path(self.cache_path))
        sources = build_sources(self.mode, tracking, client, Path(self.folder))
        return sources, client
