"""Words a text extraction ran together ("witha personwho reasonably appearsto"), split where the text shows the fault."""

from __future__ import annotations

import gzip
import io
import re
from functools import lru_cache
from pathlib import Path

import wordninja

# A run this long without a space is the mark of an extraction that dropped spaces (no English word in bills is
# this long); a text without one is left exactly as written, and the word list is never loaded for it.
_LONG_RUN = re.compile(r"[A-Za-z]{22,}")
_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{5,}(?![A-Za-z])")
GLUED_RUNS = 3  # such runs that split into three or more words before a text is believed to have the fault
COMMON_WORDS = 40_000  # the most frequent words of the list: a short token split into rarer words is likely split wrong
LONGEST_WORD = 20  # letters: no word of a bill is longer
LONG_TOKEN = 15  # letters: a token this long is no unknown word, so any listed words may make it up
# Short words a split may yield; any other piece of one or two letters is more likely half of an unknown word
# ("licensure" -> "li censure") than a word of its own.
_SHORT_WORDS = frozenset("a an as at be by do he if in is it no of on or so to we".split())
# Endings the splitter cuts off a word the list lacks ("expunge" + "ment"): put back on the word before.
_SUFFIXES = frozenset("al ally ation ations ed es ing ion ions ity ive ly ment ments ness s ure".split())
# Bound prefixes: "prearrest", "noncitizen", "recalibrate" are words the list lacks, not two words.
_PREFIXES = frozenset("anti bi co counter de dis ex inter mis multi non over post pre re sado self semi sub tri un under".split())


def glued_word_edits(text: str) -> list[tuple[int, int, str]]:
    """(start, end, spaced words) edits for the glued words of a text that shows glued runs; none for any other."""
    if _LONG_RUN.search(text) is None:
        return []
    known, common = _vocabulary()
    splits: dict[tuple[str, bool], list[str] | None] = {}  # each distinct token is split once

    def split(match: re.Match[str]) -> list[str] | None:
        word = match.group()
        key = (word, match.start() > 0 and text[match.start() - 1] in "'’")
        if key not in splits:
            splits[key] = _split(word, known if len(word) >= LONG_TOKEN else common, after_apostrophe=key[1])
        return splits[key]

    if sum(len(split(m) or ()) >= 3 for m in _LONG_RUN.finditer(text)) < GLUED_RUNS:
        return []
    written = {match.group().lower() for match in _WORD.finditer(text)}
    edits = []
    for match in _WORD.finditer(text):
        lowered = match.group().lower()
        if lowered in known or _prefixed_word(lowered, known, written):
            continue
        if parts := split(match):
            edits.append((match.start(), match.end(), " ".join(parts)))
    return edits


def _prefixed_word(lowered: str, known: frozenset[str], written: set[str]) -> bool:
    """A bound prefix on a word the list or the text itself has ("relicensure" where "licensure" is written)."""
    return any(lowered.startswith(prefix) and (lowered[len(prefix):] in known or lowered[len(prefix):] in written)
               for prefix in _PREFIXES)


def _split(word: str, vocabulary: frozenset[str], after_apostrophe: bool) -> list[str] | None:
    """The words a glued token is made of, or None when the split is not believable: every piece is a listed word,
    a short word, or a listed word with a suffix the splitter cut off ("expunge" + "ment")."""
    pieces: list[tuple[str, str]] = []  # (piece, its stem before a suffix was put back)
    for part in _model().split(word):
        if pieces and part.lower() in _SUFFIXES:
            pieces[-1] = (pieces[-1][0] + part, pieces[-1][1])
        else:
            pieces.append((part, part))
    if len(pieces) < 2 or pieces[0][0].lower() in _PREFIXES:
        return None
    for k, (piece, stem) in enumerate(pieces):
        lowered = stem.lower()
        if len(piece) <= 2:
            if lowered not in _SHORT_WORDS and not (k == 0 and lowered == "s" and after_apostrophe):
                return None
        elif lowered not in vocabulary or len(stem) <= 2:
            return None
    return [piece for piece, _ in pieces]


@lru_cache(maxsize=1)
def _listed() -> tuple[str, ...]:
    """The words of wordninja's list (English Wikipedia words, most frequent first)."""
    with gzip.open(Path(wordninja.__file__).parent / "wordninja" / "wordninja_words.txt.gz", "rt", encoding="utf-8") as handle:
        return tuple(handle.read().split())


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """Every listed word, and the common ones."""
    listed = _listed()
    return frozenset(listed), frozenset(listed[:COMMON_WORDS])


@lru_cache(maxsize=1)
def _model() -> wordninja.LanguageModel:
    """wordninja's splitter on its list without the few entries longer than any word of a bill (wiki markup, German
    compounds): each split tries every length up to the longest entry, so they tripled its cost."""
    words = " ".join(word for word in _listed() if len(word) <= LONGEST_WORD)
    return wordninja.LanguageModel(io.BytesIO(gzip.compress(words.encode("utf-8"), compresslevel=1)))
