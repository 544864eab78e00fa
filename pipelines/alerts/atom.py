"""Write the Atom feed of alerts, so anyone can follow new bill versions in a feed reader with no setup at all."""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import quote

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from pipelines.alerts.compose import entry_html, headline
from pipelines.alerts.sanitize import deliverable

FEED_ENTRIES = 200
FEED_MODE = 0o644  # a feed is public: the web server and other users' feed readers must be able to read it
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def version_time(payload: dict) -> datetime:
    """The version's own time: the day the legislature dated it, else when it was loaded."""
    if payload.get("version_date"):
        day = date.fromisoformat(payload["version_date"])
        return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    loaded = datetime.fromisoformat(payload["loaded_at"])
    return loaded if loaded.tzinfo else loaded.replace(tzinfo=timezone.utc)


def _entry(payload: dict) -> FeedEntry:
    """One entry from a payload, its XML built at once, so a payload that cannot be written fails alone."""
    entry = FeedEntry()
    entry.id(f"urn:diversion-watch:version:{quote(payload['version_id'], safe='')}")
    strongest = payload["signals"][0] if payload["signals"] else None
    entry.title(headline(payload) + (f" [{strongest['severity']}: {strongest['id']}]" if strongest else ""))
    if payload["url"]:
        entry.link(href=payload["url"], rel="alternate")
    moment = version_time(payload)
    entry.published(moment)
    entry.updated(moment)
    entry.content(entry_html(payload), type="html")
    entry.atom_entry()
    return entry


def write_feed(path: Path, payloads: list[dict], feed_name: str) -> dict[str, str]:
    """Rewrite the feed file atomically, newest version first; returns why each entry left out failed, by version id."""
    feed = FeedGenerator()
    feed.id(f"urn:diversion-watch:feed:{quote(feed_name, safe='')}")
    feed.title(f"Diversion Watch: new bill versions ({feed_name})")
    feed.subtitle("New versions of tracked diversion bills: changed clauses, drift signals and fidelity to the LEAD model.")
    feed.author({"name": "Diversion Watch"})
    feed.language("en")
    failures: dict[str, str] = {}
    entries: list[tuple[datetime, str, FeedEntry]] = []
    for payload in payloads:
        try:
            cleaned = deliverable(payload)
            entries.append((version_time(cleaned), cleaned["version_id"], _entry(cleaned)))
        except Exception as exc:  # one bad payload never keeps the others out of the feed
            failures[str(payload.get("version_id"))] = f"feed entry not writable: {type(exc).__name__}: {exc}"
    newest = sorted(entries, key=lambda item: item[:2], reverse=True)[:FEED_ENTRIES]
    for _, _, entry in newest:
        feed.add_entry(entry, order="append")
    feed.updated(newest[0][0] if newest else EPOCH)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        os.chmod(temporary, FEED_MODE)
        feed.atom_file(temporary, pretty=True)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return failures
