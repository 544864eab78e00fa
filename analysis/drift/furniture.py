"""Tell document furniture (headers, sponsor lists, vote tallies, enacting clauses, line numbers) from clauses that
change the law, so a reader's list of changed clauses holds only changes of substance."""

from __future__ import annotations

import re
from functools import lru_cache

from analysis.drift.align import words

_NAMES = r"(?:(?:[A-Z][a-z][\w'’.-]*)(?: \([A-Z]\))?(?:,? (?:and )?|\s*$))"
# Passages that are furniture wherever they sit in a clause (the rest of the clause may still be substance).
_FURNITURE = re.compile(
    "|".join((
        r"(?i:\bbe it (?:enacted|resolved) by [^:.;]{0,160}[:.,]?)",  # enacting and resolving clauses
        r"(?i:\bthe people of the state of [\w ]{1,30} do enact as follows\W?)",
        r"(?i:\b(?:introduced|sponsored|offered|presented|submitted|authored) by\b[^.;\n]{0,200})",  # sponsor lists
        r"(?i:\bby (?:the )?(?:senators?|representatives?|(?:assembly|council) ?(?:members?|wom[ae]n|m[ae]n)|delegates?)\b)" + _NAMES + "{0,40}",
        r"(?i:\b(?:co-?sponsors?|authors?)\s*:[^.;\n]{0,200})",
        r"(?i:\b(?:ayes|yeas|noes|nays|no vote recorded|not voting|absent)\b\s*:?\s*(?:\d+\b|)\s*)" + _NAMES + "{0,40}",  # vote tallies
        r"(?i:\b(?:[a-z]+ ){0,6}committee:\s*)?\b\d{1,3}-\d{1,3},\s*\d{1,2}/\d{1,2}/\d{2,4}",  # "... COMMITTEE: 6-1, 4/19/16"
        r"(?i:\bby a vote of \d+\s*(?:to|-)\s*\d+)",
        r"(?i:\bpage \d+(?: of \d+)?\b)",  # page headers
        r"(?i:\b(?:first|second|third|\d+(?:st|nd|rd|th)) (?:regular|special|extraordinary) session\b)",
        r"(?i:\b\d+(?:st|nd|rd|th) (?:congress|general assembly|legislature)\b)",
        r"(?<![\w.,$])(?=(?:[\w-]*?\d){5})(?=[\w-]*[A-Za-z_-])[\w-]*\w(?![\w.,])",  # document ids ("2-00321A-16", "2016618c1")
    ))
)
_TITLE_START = re.compile(r"(?i)\b(?:a bill to be entitled|a bill for an act|an act (?:relating|to|concerning|amending))\b")
_HEADER_CHARACTERS = 400  # text before a bill's title ("Florida Senate - 2016 SB 618 By ...") is its header
_OPERATIVE = re.compile(r"(?i)\b(?:shall|must|may|is|are|will|means|includes?|amended|repealed|enacted|required|authorized)\b")
_HEADING_START = re.compile(r"(?i)^\W*(?:#|§|sec(?:tion)?s?\b|chapter\b|article\b|title\b|part\b|subchapter\b|division\b)")
_HEADING_WORDS = 12
_LEFTOVER_WORDS = 2  # a clause with no more words than this once its furniture is gone is furniture
_BARE_NUMBER = re.compile(r"(?<![\w$.,§])\d{1,4}(?![\w%.,]|\.\d)")
_LINE_NUMBERS = 3  # bare numbers counting up by one, as printed line numbers do


@lru_cache(maxsize=8192)
def content_words(text: str) -> tuple[str, ...]:
    """The clause's words without its furniture: header before the title, sponsors, tallies, ids and line numbers."""
    title = _TITLE_START.search(text, 0, _HEADER_CHARACTERS + 40)
    if title and title.start() <= _HEADER_CHARACTERS:
        text = text[title.start() :]
    text = _FURNITURE.sub(" ", text)
    numbers = [int(m.group()) for m in _BARE_NUMBER.finditer(text)]
    if sum(1 for a, b in zip(numbers, numbers[1:]) if b == a + 1) >= _LINE_NUMBERS - 1:
        text = _BARE_NUMBER.sub(" ", text)
    return words(text)


def is_furniture(text: str) -> bool:
    """A clause that is nothing but furniture, or a heading (short, no operative verb, a section word or capitals)."""
    content = content_words(text)
    if len(content) <= _LEFTOVER_WORDS:
        return True
    letters = [c for c in text if c.isalpha()]
    shouted = len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.7 * len(letters)
    short = len(content) <= _HEADING_WORDS and not _OPERATIVE.search(text)
    return short and (shouted or bool(_HEADING_START.search(text)))


def substantive(old_text: str | None, new_text: str | None) -> bool:
    """Whether a clause change (either side may be absent) changes the law rather than the document's furniture."""
    present = [t for t in (old_text, new_text) if t]
    if all(is_furniture(t) for t in present):
        return False
    return len(present) < 2 or content_words(old_text) != content_words(new_text)
