"""Rewrites document links found in source data to the official https host that serves them today."""

from __future__ import annotations

import re

# Texas retired its FTP server; the same files are served under capitol.texas.gov/tlodocs, without the
# per-chamber and per-range folders (house_bills/HB01300_HB01399/).
TEXAS_FTP = re.compile(
    r"^ftp://ftp\.legis\.state\.tx\.us/bills/(?P<session>[^/]+)/billtext/(?P<format>[^/]+)/(?:[^/]+/)*(?P<file>[^/]+)$",
    re.IGNORECASE,
)


def official_url(url: str) -> str:
    """The https address of a legislature document for a link in an old form; other links unchanged."""
    texas = TEXAS_FTP.match(url.strip())
    if texas:
        return f"https://capitol.texas.gov/tlodocs/{texas['session']}/billtext/{texas['format']}/{texas['file']}"
    return url.strip()
