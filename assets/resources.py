"""Resources the bill assets share: where bill texts come from and how politely they are fetched."""

from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from assets.partitions import jurisdictions
from sources.http import HttpClient
from sources.registry import BillSource, build_client, build_sources, load_tracking


class BillSources(dg.ConfigurableResource):
    """Bundled folder of real texts (offline, the default) or the live legislature APIs."""

    mode: str = "folder"
    folder: str = "demo/texts"
    tracking_path: str = "config/tracking.toml"
    cache_path: str = "data/http_cache.sqlite"
    _opened: tuple | None = PrivateAttr(default=None)

    def open(
        self, known_change_hashes: dict[str, str] | None = None, updated_since: str | None = None
    ) -> tuple[dict[str, list[BillSource]], HttpClient | None]:
        """This run's connectors and their one HTTP client, built once so search state carries to versions."""
        if self._opened is None:
            tracking = load_tracking(Path(self.tracking_path))
            client = build_client(tracking, Path(self.cache_path)) if self.mode == "live" else None
            sources = build_sources(self.mode, tracking, client, Path(self.folder),
                                    known_change_hashes=known_change_hashes, updated_since=updated_since,
                                    known_jurisdictions=jurisdictions.get_partition_keys())
            self._opened = (sources, client)
        return self._opened
