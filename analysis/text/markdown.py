"""Markdown renderings of bills (list bullets, heading hashes, italics) read as the plain layout they stand for."""

from __future__ import annotations

import re

# A heading's hashes or a list item's bullet at a line start (quoted matter, "> - ...", stays as it is: its
# items read apart lose the context that labels them).
_LINE_MARK = re.compile(r"\n([ \t]*(?:#{1,6}|[-*+])[ \t]+)")  # led by the line break: the scan skips ahead to it
# One-asterisk emphasis on a short run within a line ("*In general*"); bold (two asterisks) is markup, not this.
_EMPHASIS = re.compile(r"(?<![*\w])\*(?=[^*\s])([^*\n]{1,200}?)(?<=[^*\s])\*(?![*\w])")
MIN_MARKED_LINES = 3  # a stray "- " or "# " does not make a text Markdown


def markdown_edits(text: str) -> list[tuple[int, int, str]]:
    """Edits that drop bullets, heading hashes and emphasis asterisks, so "- **(1)** *In general* ..." reads "(1) In general ..."."""
    edits = [(mark.start(1) - 1, mark.end(1) - 1, "") for mark in _LINE_MARK.finditer("\n" + text)]  # offsets into text
    if len(edits) < MIN_MARKED_LINES:
        return []
    for emphasis in _EMPHASIS.finditer(text):
        edits += [(emphasis.start(), emphasis.start(1), ""), (emphasis.end(1), emphasis.end(), "")]
    return edits
