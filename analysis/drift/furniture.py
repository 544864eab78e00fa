"""Tell document furniture (headers, sponsor lists, vote tallies, enacting clauses, line numbers) from clauses that
change the law, so a reader's list of changed clauses holds only changes of substance."""

from __future__ import annotations

import re

from analysis.drift.align import words

_FURNITURE = re.compile(
    r"""^\W*(?:
        be\ it\ enacted\b | the\ people\ of\ the\ state\ of\ [\w\s]{1,30}\ do\ enact\b | enacted\ by\ the\ (?:senate|house|legislature|general\ assembly)\b
      | (?:introduced|sponsored|offered|presented|reported|submitted)\ by\b | (?:co-?)?sponsors?\W | (?:principal\ )?authors?\W
      | by\ (?:the\ )?(?:senators?|representatives?|(?:assembly|council)\ ?(?:members?|woman|man)|delegates?|committee\ on)\b
      | (?:a\ bill\ to\ be\ entitled|an\ act|a\ bill|be\ it\ resolved)\W*$
      | (?:page|p\.)\ \d+(?:\ of\ \d+)?\W*$
      | (?:(?:first|second|third|\d+(?:st|nd|rd|th))\ (?:regular|special|extraordinary)\ session|\d+(?:st|nd|rd|th)\ (?:congress|general\ assembly|legislature))\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_TALLY = re.compile(r"\b(?:ayes|yeas|noes|nays|absent|not voting|excused)\b\W{0,3}\d+\b|\bby a vote of \d+\b|\b\d+\s*(?:to|-)\s*\d+ vote\b", re.IGNORECASE)
_OPERATIVE = re.compile(r"\b(?:shall|must|may|is|are|will|means|includes?|amended|repealed|enacted|required|authorized)\b", re.IGNORECASE)
_HEADING_WORDS = 12
_HEADING_START = re.compile(r"^\W*(?:#|§|sec(?:tion)?s?\b|chapter\b|article\b|title\b|part\b|subchapter\b|division\b)", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"(?<![\w$.,§])\d{1,4}(?![\w%.,]|\.\d)")
_LINE_NUMBERS = 3  # bare numbers counting up by one, as printed line numbers do


def is_furniture(text: str) -> bool:
    """A clause that is a heading, a sponsor or session line, a vote tally, an enacting clause or a page or line marker."""
    if _FURNITURE.search(text) or _TALLY.search(text):
        return True
    tokens = words(text)
    if not tokens or all(t.isdigit() for t in tokens):
        return True
    letters = [c for c in text if c.isalpha()]
    shouted = len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.7 * len(letters)
    return len(tokens) <= _HEADING_WORDS and not _OPERATIVE.search(text) and (shouted or bool(_HEADING_START.search(text)))


def content_words(text: str) -> tuple[str, ...]:
    """The clause's words without printed line numbers, so a reflowed copy compares equal to the original."""
    numbers = [int(m.group()) for m in _BARE_NUMBER.finditer(text)]
    if sum(1 for a, b in zip(numbers, numbers[1:]) if b == a + 1) >= _LINE_NUMBERS - 1:
        text = _BARE_NUMBER.sub(" ", text)
    return words(text)


def substantive(old_text: str | None, new_text: str | None) -> bool:
    """Whether a clause change (either side may be absent) changes the law rather than the document's furniture."""
    present = [t for t in (old_text, new_text) if t]
    if all(is_furniture(t) for t in present):
        return False
    return len(present) < 2 or content_words(old_text) != content_words(new_text)
