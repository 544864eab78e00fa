"""Large downloads streamed to disk with their own conditional revalidation, so they never sit in memory or the HTTP cache."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import requests

from sources.http import FetchFailed, HttpClient, public_url
from sources.records import RawPayload

CHUNK = 1 << 20


@dataclass(frozen=True)
class Downloaded:
    """A file on disk holding a complete response body."""

    url: str
    path: Path
    sha256: str
    size: int
    from_cache: bool


def download_to_disk(client: HttpClient, url: str, *, max_bytes: int, slot: str = "") -> Downloaded:
    """Fetch `url` to the client's download folder (one file per `slot`, so daily archives do not pile up), 304 -> kept file."""
    shown = public_url(url)
    if not client.allows(url):
        raise FetchFailed(shown, f"host not allowed: {urlsplit(url).hostname or url}")
    folder = client.download_dir or Path(tempfile.gettempdir()) / "divwatch-downloads"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / hashlib.sha256((slot or url).encode()).hexdigest()[:24]
    sidecar = target.with_suffix(".json")
    kept = json.loads(sidecar.read_text()) if sidecar.exists() and target.exists() else {}
    kept = kept if kept.get("url") == shown else {}  # another URL's validators say nothing about this one
    headers = {k: v for k, v in (("If-None-Match", kept.get("etag")), ("If-Modified-Since", kept.get("last_modified"))) if v}
    client.wait_for_turn(urlsplit(url).hostname or "")
    client.stats["requests"] += 1
    with client.failures_counted(shown):
        with client.session.cache_disabled():
            response = client.session.get(url, headers=headers, stream=True, timeout=client.timeout,
                                          hooks={"response": client.refuse_disallowed_redirect})
        with response:
            if response.status_code == 304 and kept:
                client.stats["not_modified"] += 1
                return Downloaded(shown, target, kept["sha256"], kept["size"], True)
            if response.status_code >= 400:
                raise client.status_failure(shown, response.status_code)
            digest, size = _stream(response, target, max_bytes, shown)
    sidecar.write_text(json.dumps({"url": shown, "etag": response.headers.get("ETag"), "sha256": digest, "size": size,
                                   "last_modified": response.headers.get("Last-Modified")}))
    client.stats["downloaded"] += 1
    client.keep_payload(RawPayload(shown, datetime.now(timezone.utc), digest, response.headers.get("Content-Type", ""),
                                   b"", urlsplit(url).hostname or "", str(target)))
    return Downloaded(shown, target, digest, size, False)


def _stream(response: requests.Response, target: Path, max_bytes: int, shown: str) -> tuple[str, int]:
    """Write the body next to `target` in chunks, hashing as it goes, then move it into place."""
    digest, size = hashlib.sha256(), 0
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in response.iter_content(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchFailed(shown, f"body over {max_bytes} bytes", response.status_code)
                digest.update(chunk)
                out.write(chunk)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and size < int(declared) and not response.headers.get("Content-Encoding"):
            raise FetchFailed(shown, f"truncated body: got {size} of {declared} bytes", response.status_code)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return digest.hexdigest(), size
