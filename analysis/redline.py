"""Word-level redlines of one changed clause, so readers see exactly which words an amendment struck or added."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

TOKEN = re.compile(r"\S+")
_EDGE_PUNCTUATION = ".,;:()[]\"'“”‘’"


@dataclass(frozen=True)
class Redline:
    """A word diff: (op, words) runs plus the character spans of inserted and deleted words in each text."""

    runs: tuple[tuple[str, str], ...]
    inserted_spans: tuple[tuple[int, int], ...]
    deleted_spans: tuple[tuple[int, int], ...]

    @property
    def inserted_text(self) -> str:
        return " ".join(words for op, words in self.runs if op == "insert")

    @property
    def deleted_text(self) -> str:
        return " ".join(words for op, words in self.runs if op == "delete")


def _key(word: str) -> str:
    return word.strip(_EDGE_PUNCTUATION).lower()


def redline(old_text: str, new_text: str) -> Redline:
    """Diff two clause texts word by word, ignoring case, layout and edge punctuation."""
    old_tokens = [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(old_text)]
    new_tokens = [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(new_text)]
    matcher = SequenceMatcher(None, [_key(t[0]) for t in old_tokens], [_key(t[0]) for t in new_tokens], autojunk=False)
    runs: list[tuple[str, str]] = []
    inserted: list[tuple[int, int]] = []
    deleted: list[tuple[int, int]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("equal", " ".join(t[0] for t in new_tokens[j1:j2])))
            continue
        if i2 > i1:
            runs.append(("delete", " ".join(t[0] for t in old_tokens[i1:i2])))
            deleted.append((old_tokens[i1][1], old_tokens[i2 - 1][2]))
        if j2 > j1:
            runs.append(("insert", " ".join(t[0] for t in new_tokens[j1:j2])))
            inserted.append((new_tokens[j1][1], new_tokens[j2 - 1][2]))
    return Redline(tuple(runs), tuple(inserted), tuple(deleted))


def plain_word_diff(old_text: str, new_text: str) -> list[tuple[str, int, int, int, int]]:
    """Baseline for benchmarks: one difflib pass over the whole texts' words, no clause structure."""
    return SequenceMatcher(None, old_text.split(), new_text.split(), autojunk=False).get_opcodes()
