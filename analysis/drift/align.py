"""Pair the clauses of two versions by meaning, not section number, so moved or renumbered text still matches."""

from __future__ import annotations

import bisect
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import islice

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
SHINGLE = 4
CANDIDATES = 5
MIN_SIMILARITY = 0.45
GAP_SIMILARITY = 0.3  # enough for a clause rewritten in place between two aligned neighbours
GAP_PAIRS = 64  # larger gaps are left unpaired (cost, and little evidence of one-to-one rewriting)
WORD_DIFF_LIMIT = 1_000_000  # word pairs beyond which two texts are not diffed word by word (difflib is quadratic)
SCORED_WORD_PAIRS = 40_000  # candidate pairs longer than this are scored by shared word counts, not a word diff
POSTING_LIMIT = 100  # words in more clauses than this propose no candidates (they all would), so retrieval stays linear


@dataclass(frozen=True, slots=True)
class Pair:
    """One alignment row: an old clause index, a new clause index (either may be None) and their similarity."""

    old: int | None
    new: int | None
    similarity: float


def words(text: str) -> tuple[str, ...]:
    """Lower-case word tokens, ignoring punctuation, layout and markup residue (clause-sized texts are cached)."""
    return _clause_words(text) if len(text) <= 4000 else tuple(WORD.findall(text.lower()))


@lru_cache(maxsize=8192)
def _clause_words(text: str) -> tuple[str, ...]:
    """words() memoised for clause-sized texts."""
    return tuple(WORD.findall(text.lower()))


def shingles(tokens: Sequence[str], size: int = SHINGLE) -> set[tuple[str, ...]]:
    """The set of consecutive word n-grams."""
    return set(zip(*(tokens[k:] for k in range(size)), strict=False))


def similarity(old_words: Sequence[str], new_words: Sequence[str], floor: float = 0.0) -> float:
    """Word-level difflib ratio (1.0 = same words in the same order). Below `floor` any value under it may be
    returned (cheap bounds first); pairs too long for a word diff are scored by shared word counts (an upper bound)."""
    if not old_words and not new_words:
        return 1.0
    total = len(old_words) + len(new_words)
    if 2 * min(len(old_words), len(new_words)) < floor * total:
        return 0.0
    if len(old_words) * len(new_words) > SCORED_WORD_PAIRS:
        return 2 * sum((Counter(old_words) & Counter(new_words)).values()) / total
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
    if floor and matcher.quick_ratio() < floor:
        return 0.0
    return matcher.ratio()


def align(old_texts: Sequence[str], new_texts: Sequence[str]) -> list[Pair]:
    """One-to-one clause alignment: identical text first, then TF-IDF candidates ranked by word diff ratio."""
    old_words = [words(t) for t in old_texts]
    new_words = [words(t) for t in new_texts]
    pairs: list[Pair] = []
    free_new: dict[str, list[int]] = defaultdict(list)
    for j, tokens in enumerate(new_words):
        free_new[" ".join(tokens)].append(j)
    used_old, used_new = set(), set()
    for i, tokens in enumerate(old_words):
        slot = free_new.get(" ".join(tokens))
        if slot:
            j = slot.pop(0)
            pairs.append(Pair(i, j, 1.0))
            used_old.add(i), used_new.add(j)
    rest_old = [i for i in range(len(old_words)) if i not in used_old]
    rest_new = [j for j in range(len(new_words)) if j not in used_new]
    for score, i, j in _ranked_candidates(rest_old, rest_new, old_words, new_words):
        if i in used_old or j in used_new or score < MIN_SIMILARITY:
            continue
        pairs.append(Pair(i, j, round(score, 4)))
        used_old.add(i), used_new.add(j)
    pairs += _fill_gaps(pairs, old_words, new_words)
    used_old.update(p.old for p in pairs)
    used_new.update(p.new for p in pairs)
    pairs += [Pair(i, None, 0.0) for i in rest_old if i not in used_old]
    pairs += [Pair(None, j, 0.0) for j in rest_new if j not in used_new]
    return sorted(pairs, key=_reading_order(pairs))


def _fill_gaps(pairs: Sequence[Pair], old_words, new_words) -> list[Pair]:
    """Pair leftover clauses that sit between the same two aligned neighbours and still share some wording:
    a clause rewritten in place ("overtime for meetings" -> "salaries of officers") is a substitution, not
    an unrelated deletion and addition."""
    anchors = sorted((p.old, p.new) for p in pairs)
    monotone = [(-1, -1)]
    for i, j in anchors:
        if j > monotone[-1][1]:
            monotone.append((i, j))
    monotone.append((len(old_words), len(new_words)))
    taken_old, taken_new = {i for i, _ in anchors}, {j for _, j in anchors}
    filled: list[Pair] = []
    for (i0, j0), (i1, j1) in zip(monotone, monotone[1:]):
        olds = [i for i in range(i0 + 1, i1) if i not in taken_old]
        news = [j for j in range(j0 + 1, j1) if j not in taken_new]
        if not olds or not news or len(olds) * len(news) > GAP_PAIRS:
            continue
        scored = sorted(((similarity(old_words[i], new_words[j], GAP_SIMILARITY), i, j) for i in olds for j in news), reverse=True)
        for score, i, j in scored:
            if score >= GAP_SIMILARITY and i not in taken_old and j not in taken_new:
                filled.append(Pair(i, j, round(score, 4)))
                taken_old.add(i), taken_new.add(j)
    return filled


def _reading_order(pairs: Sequence[Pair]):
    """Sort key in the new version's order, an unmatched old clause placed just after the new clause its nearest
    paired predecessor matched (one pass over the pairs, so long versions sort in n log n)."""
    paired = sorted((p.old, p.new) for p in pairs if p.old is not None and p.new is not None)
    olds, running, highest = [i for i, _ in paired], [], -1
    for _, j in paired:
        highest = max(highest, j)
        running.append(highest)

    def key(pair: Pair) -> tuple[float, int]:
        if pair.new is not None:
            return pair.new, pair.old or 0
        before = bisect.bisect_left(olds, pair.old or 0)
        return (running[before - 1] if before else -1) + 0.5, pair.old or 0

    return key


def _ranked_candidates(rest_old, rest_new, old_words, new_words) -> list[tuple[float, int, int]]:
    """Cheap TF-IDF cosine retrieval of a few candidates per old clause, then exact word-diff scoring."""
    if not rest_old or not rest_new:
        return []
    documents = [set(old_words[i]) for i in rest_old] + [set(new_words[j]) for j in rest_new]
    frequency = Counter(word for doc in documents for word in doc)
    idf = {word: math.log(1 + len(documents) / count) for word, count in frequency.items()}

    def vector(tokens: Sequence[str]) -> dict[str, float]:
        counts = Counter(tokens)
        weights = {w: (1 + math.log(c)) * idf.get(w, 1.0) for w, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        return {w: v / norm for w, v in weights.items()}

    new_vectors = {j: vector(new_words[j]) for j in rest_new}
    new_counts = {j: Counter(new_words[j]) for j in rest_new}
    index: dict[str, list[int]] = defaultdict(list)
    for j, vec in new_vectors.items():
        for word in vec:
            if frequency[word] <= POSTING_LIMIT:
                index[word].append(j)
    ranked = []
    for i in rest_old:
        vec, counts = vector(old_words[i]), Counter(old_words[i])
        scores: dict[int, float] = defaultdict(float)
        for word, weight in vec.items():
            for j in index.get(word, ()):
                scores[j] += weight * new_vectors[j][word]
        for j, _ in heapq.nlargest(CANDIDATES, scores.items(), key=lambda item: item[1]):
            shared = sum((counts & new_counts[j]).values())  # words in common bound the diff ratio from above
            if 2 * shared >= MIN_SIMILARITY * (len(old_words[i]) + len(new_words[j])):
                ranked.append((similarity(old_words[i], new_words[j], MIN_SIMILARITY), i, j))
    ranked.sort(key=lambda item: (-item[0], abs(item[1] - item[2])))
    return ranked


def coverage_end(short_text: str, long_text: str, window: int = 400) -> tuple[int, int] | None:
    """Where the end of short_text falls in long_text (offset), and how many trailing short words had no match;
    only the last `window` words of short_text are read, with the shift between the texts taken from them."""
    lowered = long_text.lower()
    short_words, long_words = words(short_text[-window * 16 :])[-window:], WORD.findall(lowered)
    if len(short_words) < SHINGLE or len(long_words) < SHINGLE:
        return None
    wanted = shingles(short_words)
    positions: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for k, key in enumerate(zip(*(long_words[j:] for j in range(SHINGLE)), strict=False)):
        if key in wanted:
            positions[key].append(k)
    keys = [tuple(short_words[k : k + SHINGLE]) for k in range(len(short_words) - SHINGLE + 1)]
    offsets = sorted(positions[key][0] - k for k, key in enumerate(keys) if len(positions.get(key, ())) == 1)
    shift = offsets[len(offsets) // 2] if offsets else len(long_words) - len(short_words)
    for k in range(len(keys) - 1, -1, -1):
        hits = [p for p in positions.get(keys[k], ()) if abs(p - k - shift) <= 25 + window // 5]
        if hits:
            best = min(hits, key=lambda p: abs(p - k - shift))
            tail = len(short_words) - (k + SHINGLE)
            last = min(len(long_words) - 1, best + SHINGLE - 1 + (tail if tail <= 2 else 0))
            match = next(islice(WORD.finditer(lowered), last, None))
            return match.end(), tail
    return None
