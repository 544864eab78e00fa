"""Write the Atom feed of alerts, so anyone can follow new bill versions in a feed reader with no setup at all."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlsplit

from feedgen.feed import FeedGenerator

from pipelines.alerts.compose import entry_html, headline

FEED_ENTRIES = 200


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def write_feed(path: Path, entries: list[tuple[dict, datetime]], feed_name: str) -> int:
    """Rewrite the feed file atomically from (payload, published) pairs, newest first; returns entries written."""
    newest = sorted(entries, key=lambda item: (_utc(item[1]), item[0]["version_id"]), reverse=True)[:FEED_ENTRIES]
    feed = FeedGenerator()
    feed.id(f"urn:diversion-watch:feed:{quote(feed_name, safe='')}")
    feed.title(f"Diversion Watch: new bill versions ({feed_name})")
    feed.subtitle("New versions of tracked diversion bills: changed clauses, drift signals and fidelity to the LEAD model.")
    feed.author({"name": "Diversion Watch"})
    feed.language("en")
    feed.updated(_utc(newest[0][1]) if newest else datetime(1970, 1, 1, tzinfo=timezone.utc))
    for payload, published in reversed(newest):  # feedgen prepends, so add oldest first
        entry = feed.add_entry()
        entry.id(f"urn:diversion-watch:version:{quote(payload['version_id'], safe='')}")
        strongest = payload["signals"][0] if payload["signals"] else None
        entry.title(headline(payload) + (f" [{strongest['severity']}: {strongest['id']}]" if strongest else ""))
        if urlsplit(payload.get("url") or "").scheme in ("http", "https"):
            entry.link(href=payload["url"], rel="alternate")
        entry.published(_utc(published))
        entry.updated(_utc(published))
        entry.content(entry_html(payload), type="html")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        feed.atom_file(temporary, pretty=True)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return len(newest)
