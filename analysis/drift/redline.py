"""Redlines: a word diff of one changed clause, and the redline a version prints itself (its amendment markup)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from analysis.drift.align import words
from analysis.text.normalize import DELETE, INSERT, NormalizedText, View, build_view, normalize

Markup = Iterable[tuple[str, int, int]]
TOKEN = re.compile(r"\S+")
_CA_TOKEN = re.compile(r"(begin|end) (insert|delete)")
_EDGE_PUNCTUATION = ".,;:()[]\"'“”‘’"


@dataclass(frozen=True)
class Redline:
    """A word diff: (op, words) runs plus the character spans of inserted and deleted words in each text."""

    runs: tuple[tuple[str, str], ...]
    inserted_spans: tuple[tuple[int, int], ...]
    deleted_spans: tuple[tuple[int, int], ...]
    new_edges: tuple[tuple[int, int], ...] = ()  # new-text words next to a pure deletion ("shall not" -> "shall")
    old_edges: tuple[tuple[int, int], ...] = ()  # old-text words next to a pure insertion ("shall" -> "shall not")

    @property
    def changed_new(self) -> tuple[tuple[int, int], ...]:
        """Where the new text differs: inserted words plus the words a deletion closed up."""
        return self.inserted_spans + self.new_edges

    @property
    def changed_old(self) -> tuple[tuple[int, int], ...]:
        """Where the old text differs: deleted words plus the words an insertion split."""
        return self.deleted_spans + self.old_edges

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
    new_edges: list[tuple[int, int]] = []
    old_edges: list[tuple[int, int]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("equal", " ".join(t[0] for t in new_tokens[j1:j2])))
            continue
        if i2 > i1:
            runs.append(("delete", " ".join(t[0] for t in old_tokens[i1:i2])))
            deleted.append((old_tokens[i1][1], old_tokens[i2 - 1][2]))
            if j2 == j1:
                new_edges += _neighbours(new_tokens, j1)
        if j2 > j1:
            runs.append(("insert", " ".join(t[0] for t in new_tokens[j1:j2])))
            inserted.append((new_tokens[j1][1], new_tokens[j2 - 1][2]))
            if i2 == i1:
                old_edges += _neighbours(old_tokens, i1)
    return Redline(tuple(runs), tuple(inserted), tuple(deleted), tuple(new_edges), tuple(old_edges))


def _neighbours(tokens: list[tuple[str, int, int]], index: int) -> list[tuple[int, int]]:
    """The words on either side of a gap at token index."""
    return [(tokens[k][1], tokens[k][2]) for k in (index - 1, index) if 0 <= k < len(tokens)]


def plain_word_diff(old_text: str, new_text: str) -> list[tuple[str, int, int, int, int]]:
    """Baseline for benchmarks: one difflib pass over the whole texts' words, no clause structure."""
    return SequenceMatcher(None, old_text.split(), new_text.split(), autojunk=False).get_opcodes()


def _spans_with_open_tail(text: str, markup: Markup) -> tuple[NormalizedText, list[tuple[str, int, int]]]:
    """Normalized markup spans, plus a California "begin insert/delete" left open by a cut-off text.
    Markup may be (kind, start, end) tuples or span records with those attributes (e.g. a source's MarkupSpan)."""
    nt = normalize(text, [(m.kind, m.start, m.end) if hasattr(m, "kind") else m for m in markup])
    spans = [(s.kind, s.start, s.end) for s in nt.spans]
    tokens = list(_CA_TOKEN.finditer(text))
    if tokens and tokens[-1].group(1) == "begin" and not any(s[1] >= tokens[-1].end() for s in spans):
        spans.append((tokens[-1].group(2), tokens[-1].end(), len(text)))
    return nt, spans


def version_views(text: str, markup: Markup = ()) -> tuple[View, View, list[tuple[str, int, int]]]:
    """(prior, current, spans): the text before and after its own amendment markup, layout removed."""
    nt, spans = _spans_with_open_tail(text, markup)

    def view(dropped_kind: str) -> View:
        edits = list(nt.noise) + [(s, e, " ") for kind, s, e in spans if kind == dropped_kind]
        disjoint: list[tuple[int, int, str]] = []
        for edit in sorted(edits, key=lambda e: (e[0], -e[1])):
            if not disjoint or edit[0] >= disjoint[-1][1]:
                disjoint.append(edit)
        return build_view(text, disjoint)

    return view(INSERT), view(DELETE), spans


def markup_describes(old_current: str, new_text: str, spans: Sequence[tuple[str, int, int]]) -> bool:
    """Whether new's markup is relative to old (struck text is in old, added text is not), not to a statute."""
    old_joined = " " + " ".join(words(old_current)) + " "
    found = {INSERT: [0, 0], DELETE: [0, 0]}
    for kind, start, end in spans:
        joined = " ".join(words(new_text[start:end]))
        if joined.count(" ") >= 4:  # short runs ("169A.", a section number) match anywhere by chance
            found[kind][0] += len(joined) * (f" {joined} " in old_joined)
            found[kind][1] += len(joined)
    deleted_found, deleted_total = found[DELETE]
    inserted_found, inserted_total = found[INSERT]
    if deleted_total:
        return deleted_found * 2 >= deleted_total
    return inserted_total > 0 and inserted_found * 2 < inserted_total
