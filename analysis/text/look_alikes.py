"""Look-alike letters (Cyrillic, Greek) in words spelled otherwise in Latin letters, read as the Latin letters."""

from __future__ import annotations

import re
import unicodedata

# Cyrillic and Greek letters drawn like Latin ones (a copy-paste or a spoofed text) in a word otherwise spelled
# in Latin letters: read as the Latin letter, one character for one, so rules see the words and offsets into the
# text as read do not move. A word of another script (with letters no Latin letter looks like) is left as written.
# (Fullwidth and mathematical letters already fold to ASCII under NFKC.)
_LOOK_ALIKE_LETTERS = "аеорсхуіјѕԁһӏԛԝѵАВЕКМНОРСТХУІЈЅԜ" "αοριυνκΑΒΕΖΗΙΚΜΝΟΡΤΥΧ" "ıɑɡ"
_LOOK_ALIKES = str.maketrans(_LOOK_ALIKE_LETTERS, "aeopcxyijsdhlqwvABEKMHOPCTXYIJSW" "aopiuvkABEZHIKMNOPTYX" "iag")
_LETTERS = re.compile(r"[^\W\d_]++")


def look_alike_edits(text: str, non_ascii: list[re.Match[str]]) -> list[tuple[int, int, str]]:
    """(start, end, Latin letter) edits for the look-alikes among the text's non-ASCII characters, so a spoofed word reads as meant."""
    noise: list[tuple[int, int, str]] = []
    word_end = 0
    for match in non_ascii:
        position = match.start()
        if position < word_end or match.group() not in _LOOK_ALIKE_LETTERS:
            continue  # each word is judged once, at its first look-alike
        word_start = position
        while word_start > 0 and _LETTERS.match(text[word_start - 1]):
            word_start -= 1
        word_end = _LETTERS.match(text, position).end()
        word = text[word_start:word_end]
        read = word.translate(_LOOK_ALIKES)
        if read.isascii():
            noise += [(word_start + index, word_start + index + 1, latin) for index, latin in enumerate(read) if latin != word[index]]
    return noise


def _as_latin_word(match: re.Match[str]) -> str:
    word = match.group()
    if word.isascii():
        return word
    read = word.translate(_LOOK_ALIKES)
    return read if read.isascii() else word


_ANY_LOOK_ALIKE = re.compile(f"[{_LOOK_ALIKE_LETTERS}]")


def read_as_latin(text: str) -> str:
    """The text with fullwidth forms and look-alike letters read as Latin, for readers that see a clause's own text."""
    if text.isascii():
        return text
    folded = unicodedata.normalize("NFKC", text)
    if not _ANY_LOOK_ALIKE.search(folded):  # most non-ASCII bills only have dashes, quotes or section signs
        return folded
    return _LETTERS.sub(_as_latin_word, folded)
