"""Redlines: a word diff of one changed clause, and the redline a version prints itself (its amendment markup)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from analysis.drift.align import WORD_DIFF_LIMIT, words
from analysis.text.normalize import DELETE, INSERT, NormalizedText, View, build_view, normalize

Markup = Iterable[tuple[str, int, int]]
TOKEN = re.compile(r"\S+")
_CA_TOKEN = re.compile(r"(begin|end) (insert|delete)")
_EDGE_PUNCTUATION = ".,;:()[]\"'“”‘’"
CHUNK_WORDS = 40
_CHUNK_ENDS = (".", ";", ":")


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
    opcodes = word_opcodes([t[0] for t in old_tokens], [t[0] for t in new_tokens])
    runs: list[tuple[str, str]] = []
    inserted: list[tuple[int, int]] = []
    deleted: list[tuple[int, int]] = []
    new_edges: list[tuple[int, int]] = []
    old_edges: list[tuple[int, int]] = []
    for op, i1, i2, j1, j2 in opcodes:
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


def word_opcodes(old_words: Sequence[str], new_words: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib opcodes over two word lists (case and edge punctuation ignored); lists too long for a word diff are
    first diffed by sentence (a chunk of words ending in . ; or :), and only replaced stretches small enough are
    then diffed word by word, so a rewritten 5 MB clause costs seconds, not hours."""
    old_keys, new_keys = [_key(w) for w in old_words], [_key(w) for w in new_words]
    if len(old_keys) * len(new_keys) <= WORD_DIFF_LIMIT:
        return SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes()
    old_chunks, new_chunks = _chunks(old_words), _chunks(new_words)
    matcher = SequenceMatcher(None, [" ".join(old_keys[a:b]) for a, b in old_chunks], [" ".join(new_keys[a:b]) for a, b in new_chunks],
                              autojunk=False)
    opcodes = []
    for op, c1, c2, d1, d2 in matcher.get_opcodes():
        (i1, i2), (j1, j2) = _word_range(old_chunks, c1, c2, len(old_keys)), _word_range(new_chunks, d1, d2, len(new_keys))
        if op == "replace" and (i2 - i1) * (j2 - j1) <= WORD_DIFF_LIMIT:
            inner = SequenceMatcher(None, old_keys[i1:i2], new_keys[j1:j2], autojunk=False).get_opcodes()
            opcodes += [(o, a + i1, b + i1, c + j1, d + j1) for o, a, b, c, d in inner]
        else:
            opcodes.append((op, i1, i2, j1, j2))
    return opcodes


def _word_range(chunks: Sequence[tuple[int, int]], first: int, last: int, total: int) -> tuple[int, int]:
    """The word range covered by chunks[first:last] (empty at the right place when first == last)."""
    start = chunks[first][0] if first < len(chunks) else total
    return start, (chunks[last - 1][1] if last > first else start)


def _chunks(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) word ranges of sentence-sized chunks (at most CHUNK_WORDS words each)."""
    chunks, start = [], 0
    for k, raw in enumerate(tokens):
        if k + 1 - start >= CHUNK_WORDS or raw.endswith(_CHUNK_ENDS):
            chunks.append((start, k + 1))
            start = k + 1
    if start < len(tokens):
        chunks.append((start, len(tokens)))
    return chunks


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
