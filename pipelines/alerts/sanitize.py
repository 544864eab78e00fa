"""Make an alert payload safe to hand to any channel: only characters XML can carry, only http(s) links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Page breaks and vertical tabs (word processors' line breaks) become spaces so words stay apart.
_BREAKS = re.compile("[\x0b\x0c]")
# Everything else XML 1.0 cannot carry: other C0 controls, lone surrogates, U+FFFE and U+FFFF.
_UNCARRIABLE = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
LINK_SCHEMES = ("http", "https")


def xml_safe(text: str) -> str:
    """The text with every character XML cannot carry replaced (breaks) or removed (controls)."""
    return _UNCARRIABLE.sub("", _BREAKS.sub(" ", text))


def safe_link(url: str) -> str:
    """The URL if its scheme is http or https, else an empty string (no file:, javascript: or data: links)."""
    url = url.strip()
    return url if urlsplit(url).scheme.lower() in LINK_SCHEMES else ""


def _clean(value: object) -> object:
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def deliverable(payload: dict) -> dict:
    """A copy of the payload that every channel can carry: XML-safe text and an http(s) link or none."""
    cleaned = _clean(payload)
    cleaned["url"] = safe_link(cleaned.get("url") or "")
    return cleaned
