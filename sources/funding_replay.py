"""Network-edge replay of recorded real funding responses, so the demo and CI run the real connectors offline."""

from __future__ import annotations

import collections
import hashlib
import tomllib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from sources.http import FetchFailed, Fetched, public_url
from sources.records import RawPayload


@dataclass(frozen=True)
class Recording:
    """One recorded response: which request it answers and the file holding the body exactly as captured."""

    method: str
    url: str
    file: Path
    content_type: str
    match: tuple[tuple[str, object], ...] = ()


def _endpoint(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}"


class ReplayClient:
    """Answers get/post_json from a manifest of recordings; anything not recorded fails like a network error."""

    def __init__(self, manifest_path: Path):
        manifest = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
        self.recordings = [
            Recording(entry["method"].upper(), entry["url"], manifest_path.parent / entry["file"],
                      entry.get("content_type", "application/json"), tuple(sorted(entry.get("match", {}).items())))
            for entry in manifest["response"]
        ]
        self.stats: collections.Counter = collections.Counter()
        self._payloads: list[RawPayload] = []

    def get(self, url: str, *, params=None, headers=None, expect: str | None = None, **_: object) -> Fetched:
        """The recorded answer to a GET of this endpoint (query parameters are not matched)."""
        return self._answer("GET", url, {})

    def post_json(self, url: str, payload: dict, *, headers=None) -> Fetched:
        """The recorded answer to a POST of this endpoint whose `match` fits the body."""
        return self._answer("POST", url, payload)

    def take_payloads(self) -> list[RawPayload]:
        """Bodies served since the last call, for provenance, like HttpClient."""
        taken, self._payloads = self._payloads, []
        return taken

    def _answer(self, method: str, url: str, body: dict) -> Fetched:
        """The recording whose `match` keys all equal the request body's, preferring the most specific one."""
        self.stats["requests"] += 1
        candidates = [r for r in self.recordings if r.method == method and _endpoint(r.url) == _endpoint(url)
                      and all(body.get(k) == v for k, v in r.match)]
        if not candidates:
            self.stats["errors"] += 1
            raise FetchFailed(public_url(url), f"no recorded response for {method} {_endpoint(url)}")
        chosen = max(candidates, key=lambda r: len(r.match))
        content = chosen.file.read_bytes()
        self.stats["downloaded"] += 1
        fetched = Fetched(url=public_url(url), status=200, content_type=chosen.content_type, body=content,
                          fetched_at=datetime.now(timezone.utc), sha256=hashlib.sha256(content).hexdigest(),
                          from_cache=False)
        self._payloads.append(RawPayload(fetched.url, fetched.fetched_at, fetched.sha256, fetched.content_type, content,
                                         urlsplit(url).hostname or ""))
        return fetched
