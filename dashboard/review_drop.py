"""Reviews from the dashboard land as files in the reviews inbox; `divwatch review import` records them in the warehouse.

The dashboard only ever reads the published copy, so a verdict given here is written nowhere else.
"""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from warehouse.reviews import REVIEW_FIELDS

INBOX_ENV = "DIVWATCH_REVIEWS_INBOX"
DEFAULT_INBOX = Path(__file__).resolve().parent.parent / "data" / "reviews" / "inbox"
FIELDS = (*REVIEW_FIELDS, "reviewed_at")


def inbox_path() -> Path:
    """$DIVWATCH_REVIEWS_INBOX, else data/reviews/inbox in the repo (the same folder the CLI imports)."""
    return Path(os.environ.get(INBOX_ENV) or DEFAULT_INBOX)


def drop_review(inbox: Path, review: Mapping[str, object], suffix: str = ".jsonl") -> Path:
    """Write one review as a new file, renamed into place whole so an import never reads half of it."""
    row = {field: review.get(field, "") for field in FIELDS}
    row["reviewed_at"] = row["reviewed_at"] or datetime.now(UTC).isoformat(timespec="seconds")
    if suffix == ".jsonl":
        body = json.dumps(row, ensure_ascii=False, default=str) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerow(row)
        body = buffer.getvalue()
    inbox.mkdir(parents=True, exist_ok=True)
    name = f"dashboard-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}{suffix}"
    staged = inbox / f".{name}.part"
    staged.write_text(body, encoding="utf-8")
    staged.replace(inbox / name)
    return inbox / name
