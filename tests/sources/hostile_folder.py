"""A folder holding one of each bad input next to good texts, as a hostile user or an unlucky operator makes it."""

from __future__ import annotations

import os
from pathlib import Path

META = 'jurisdiction = "{jur}"\nsession = "2025"\nbill_id = "{bill}"\nversion_label = "{label}"\n{extra}'
GOOD_TEXT = "Sec. 1. A law enforcement officer shall refer an eligible person to a pre-arrest diversion program \u00a7 12."
SMALL_CAP = 50_000


def _document(folder: Path, name: str, body: bytes, bill: str, label: str = "Introduced", jur: str = "NM",
              extra: str = "version_date = 2025-02-01\n") -> None:
    (folder / name).write_bytes(body)
    (folder / f"{name}.meta.toml").write_text(META.format(jur=jur, bill=bill, label=label, extra=extra), encoding="utf-8")


def build(root: Path, outside: Path) -> dict[str, str]:
    """Fill `root`; returns {relative path or item: the reason the folder source must record} for each bad input."""
    state = root / "NM"
    state.mkdir(parents=True)
    _document(state, "hb1.txt", GOOD_TEXT.encode("utf-8"), "HB 1")
    _document(state, "hb2.txt", GOOD_TEXT.encode("utf-16"), "HB 2")
    _document(state, "hb3.txt", GOOD_TEXT.replace("officer", "officer\u2019s").encode("utf-8").replace(
        "\u2019".encode("utf-8"), b"\x92"), "HB 3")  # UTF-8 with one stray Windows-1252 apostrophe
    _document(state, "hb4.txt", b"x" * (SMALL_CAP + 1), "HB 4")
    _document(state, "hb5.xml", b"<bill>" + b"<p>" * 1200 + b"deep" + b"</p>" * 1200 + b"</bill>", "HB 5")
    _document(state, "hb6.html", b"<html><body>" + b"<div>" * 300 + b"deep" + b"</div>" * 300 + b"</body></html>", "HB 6")
    _document(state, "hb7.txt", bytes(range(256)) * 40, "HB 7")
    secret = outside / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (state / "hb8.txt").symlink_to(secret)
    (state / "hb8.txt.meta.toml").write_text(META.format(jur="NM", bill="HB 8", label="Introduced", extra=""))
    (state / "folder.txt.meta.toml").mkdir()
    os.mkfifo(state / "pipe.txt.meta.toml")
    _document(state, "hb9.txt", GOOD_TEXT.encode(), "HB 9", extra="version_date = 9999-12-31\n")
    _document(state, "hb10.txt", GOOD_TEXT.encode(), "HB 10", extra="version_date = 20250201\n")
    _document(state, "hb11.txt", GOOD_TEXT.encode(), "HB 11", jur="ZZ")
    unplaced = root / "loose.txt"
    unplaced.write_text(GOOD_TEXT, encoding="utf-8")
    inferred = root / "NV" / "SB7_2025"
    inferred.mkdir(parents=True)
    (inferred / "2025-03-01_introduced.txt").write_text(GOOD_TEXT, encoding="utf-8")
    return {
        "NM/hb4.txt.meta.toml": f"file over {SMALL_CAP} bytes",
        "NM 2025 HB 5 Introduced": "document nested deeper than 200 levels",
        "NM 2025 HB 6 Introduced": "document nested deeper than 200 levels",
        "NM 2025 HB 7 Introduced": "binary file, not text",
        "NM/hb8.txt.meta.toml": "hb8.txt links outside the folder; links are not followed",
        "NM/folder.txt.meta.toml": "folder.txt.meta.toml is not a regular file",
        "NM/pipe.txt.meta.toml": "pipe.txt.meta.toml is not a regular file",
        "NM/hb9.txt.meta.toml": "bad version_date: datetime.date(9999, 12, 31) (not a plausible date)",
        "NM/hb10.txt.meta.toml": "bad version_date: 20250201 (write it as a date, like 2025-02-01)",
        "NM/hb11.txt.meta.toml": "unknown jurisdiction 'ZZ'",
        "loose.txt": "no sidecar, and the path is not STATE/BILL_SESSION/LABEL.ext: add a .meta.toml sidecar",
    }


GOOD_BILLS = {("NM", "HB 1"), ("NM", "HB 2"), ("NM", "HB 3"), ("NV", "SB 7")}
