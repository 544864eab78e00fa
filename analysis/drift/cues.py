"""Cues: what one clause does, found by codebook category or by phrasing (signals.toml), shared by scoring and drift."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick

from analysis.clauses.scan import compiled_database
from analysis.drift.meaning import category_cues
from analysis.model import Clause

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Cue:
    """One thing a clause can do, recognised by codebook category or by phrasing (see signals.toml)."""

    name: str
    categories: frozenset[str]
    pattern: re.Pattern[str] | None  # all phrasings as one alternation
    on_original: bool  # the pattern is case-sensitive somewhere, so it reads the text as written
    unless: tuple[re.Pattern[str], ...]
    triggers: frozenset[str]  # lower-case substrings one of which any match needs (empty: no prefilter)
    yields_to: tuple[str, ...] = ()  # cues that cancel this one in the same clause (its negations)
    leadin: str = ""  # a list-item cue: it counts only under a lead-in clause carrying this cue
    refuted_by: tuple[re.Pattern[str], ...] = ()  # phrasings that overrule a category label ("drug trafficking")
    together: tuple[re.Pattern[str], ...] = ()  # word classes that must all occur in one sentence (any order)


def _compile(patterns: Sequence[str]) -> tuple[re.Pattern[str], ...]:
    """Case-insensitive patterns for short vocabularies."""
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


def _compile_class(pattern: str) -> re.Pattern[str]:
    """A word class for lower-cased text (faster than case-insensitive matching) unless it needs case."""
    return re.compile(pattern, re.IGNORECASE) if re.search(r"\\[A-Z]", pattern) else re.compile(pattern.lower())


def _compile_cue(patterns: Sequence[str]) -> tuple[re.Pattern[str] | None, bool]:
    """One alternation per cue; matched against lower-cased text (faster) unless it needs case."""
    if not patterns:
        return None, False
    source = "|".join(f"(?:{p})" for p in patterns)
    if "(?-i:" in source or re.search(r"\\[A-Z]", source):
        return re.compile(source, re.IGNORECASE), True
    return re.compile(source.lower()), False


def _lower(text: str) -> str:
    """Lower case that keeps offsets (full Unicode lowering can change a string's length)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@lru_cache(maxsize=1)
def rules() -> dict:
    """The parsed signals.toml (cues, modality and change vocabularies, signal rules)."""
    return tomllib.loads((HERE / "signals.toml").read_text(encoding="utf-8"))


def _expand(pattern: str) -> str:
    """Put the shared vocabularies of signals.toml ("@enforcer@": police, prosecutors, courts ...) into a pattern."""
    for name, alternation in rules().get("vocabulary", {}).items():
        pattern = pattern.replace(f"@{name}@", f"(?:{alternation})")
    return pattern


@lru_cache(maxsize=1)
def cues() -> tuple[Cue, ...]:
    """All cues, compiled once."""
    return tuple(
        Cue(
            name,
            frozenset(spec.get("categories", ())),
            *_compile_cue([_expand(p) for p in spec.get("patterns", ())]),
            _compile([_expand(p) for p in spec.get("unless", ())]),
            frozenset(spec.get("triggers", ())),
            tuple(spec.get("yields_to", ())),
            spec.get("leadin", ""),
            _compile([_expand(p) for p in spec.get("refuted_by", ())]),
            tuple(_compile_class(_expand(p)) for p in spec.get("together", ())),
        )
        for name, spec in rules()["cues"].items()
    )


@lru_cache(maxsize=1)
def all_triggers() -> frozenset[str]:
    """Every trigger substring of every cue, checked once per clause."""
    return frozenset(t for cue in cues() for t in cue.triggers)


@lru_cache(maxsize=1)
def _trigger_automaton() -> ahocorasick.Automaton:
    """All triggers in one Aho-Corasick automaton, so a clause is scanned once instead of once per trigger."""
    automaton = ahocorasick.Automaton()
    for trigger in all_triggers():
        automaton.add_word(trigger, trigger)
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=1)
def _cue_scanner():
    """One Hyperscan pass that rules out the cues whose patterns cannot match a clause (None without Hyperscan).
    Case-sensitive cues and cues with non-ASCII patterns are never ruled out; non-ASCII clauses are not scanned.

    Compiled in prefilter mode, so it may let a cue through that Python's re then rejects, never the reverse;
    the database is cached on disk like the clause engine's."""
    try:
        import hyperscan
    except ImportError:
        return None
    scanned = [k for k, cue in enumerate(cues())
               if cue.pattern is not None and not cue.leadin and not cue.on_original and cue.pattern.pattern.isascii()]
    unscanned = {k for k in range(len(cues())) if k not in scanned}
    flags = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY | hyperscan.HS_FLAG_CASELESS
    database = compiled_database(hyperscan, [cues()[k].pattern.pattern for k in scanned], [flags] * len(scanned), "cue-scan")

    def collect(index: int, start: int, end: int, match_flags: int, found: set[int]) -> None:
        found.add(scanned[index])

    def scan(lowered: str) -> set[int] | None:
        if not lowered.isascii():
            return None
        found = set(unscanned)
        database.scan(lowered.encode("ascii"), match_event_handler=collect, context=found)
        return found

    return scan


@lru_cache(maxsize=1)
def weak_condition_patterns() -> tuple[re.Pattern[str], ...]:
    """Phrases that make an obligation conditional ("subject to appropriation", "to the extent feasible")."""
    return _compile(rules()["modality"]["weak_inserted"])


def _vetoed(cue: Cue, text: str, match: re.Match[str]) -> bool:
    """A negation just before or inside a match ("shall not require abstinence") cancels it."""
    window = text[max(0, match.start() - 40) : match.end()]
    return any(u.search(window) for u in cue.unless)


Spans = tuple[tuple[int, int], ...]


def find_cues(text: str, categories: Sequence[tuple[str, Spans]] = (), prefilter: bool = True) -> dict[str, Spans]:
    """Cues one clause carries, each with every span (offsets into text) that shows it, first span first; `categories`
    are the classifier's categories with the spans of the words that gave them (Clause.evidence())."""
    found: dict[str, Spans] = {}
    evidence = dict(categories)
    category_set = set(evidence)
    lowered = _lower(text)
    present = {trigger for _, trigger in _trigger_automaton().iter(lowered)}
    if prefilter and not present and not category_set:
        return {}  # every cue needs a trigger or a category (checked by a test): most clauses stop here
    scanner = _cue_scanner() if prefilter else None
    possible = scanner(lowered) if scanner else None
    for index, cue in enumerate(cues()):
        if cue.leadin:
            continue
        spans: Spans = ()
        if (cue.pattern is not None and (possible is None or index in possible)
                and (not prefilter or not cue.triggers or not cue.triggers.isdisjoint(present))):
            spans = _matches(cue, text, lowered)
        if cue.together and not spans and (not prefilter or not cue.triggers or not cue.triggers.isdisjoint(present)):
            spans = _together(cue, lowered)
        if spans:
            found[cue.name] = spans
        elif cue.categories & category_set and not any(p.search(text) for p in cue.refuted_by):
            found[cue.name] = tuple(sorted({span for category in cue.categories & category_set for span in evidence[category]}))
    yields = _yields()

    def alive(name: str) -> bool:  # a negation that is itself negated does not cancel ("shall not ask ... informant")
        return name in found and not any(alive(other) for other in yields.get(name, ()))

    return {name: spans for name, spans in found.items() if alive(name)}


@lru_cache(maxsize=1)
def _yields() -> dict[str, tuple[str, ...]]:
    """Each cue's negations (the cues that cancel it in the same clause)."""
    return {cue.name: cue.yields_to for cue in cues() if cue.yields_to}


def _matches(cue: Cue, text: str, lowered: str) -> Spans:
    """Spans of a cue's phrasings in one clause, negated matches left out."""
    subject = text if cue.on_original else lowered
    return tuple((m.start(), m.end()) for m in cue.pattern.finditer(subject) if not _vetoed(cue, text, m))


_SENTENCE = re.compile(r"[^.;]+")
TOGETHER_REACH = 300  # characters: class words further apart than this belong to different thoughts of a run-on list


def _together(cue: Cue, lowered: str) -> Spans:
    """Sentences in which every word class of the cue occurs within TOGETHER_REACH characters, in any order (so unseen
    word orders still count); the spans are the class words themselves (what an amendment must touch to add or drop
    the cue), and a negation anywhere in the sentence cancels it."""
    if not all(p.search(lowered) for p in cue.together):  # most clauses lack a class altogether
        return ()
    spans = []
    for sentence in _SENTENCE.finditer(lowered):
        text = sentence.group()
        if any(u.search(text) for u in cue.unless):
            continue
        hits = [[m.span() for m in p.finditer(text)] for p in cue.together]
        if all(hits):
            spans.extend((sentence.start() + a, sentence.start() + b) for a, b in _within_reach(hits))
    return tuple(sorted(spans))


def _within_reach(hits: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """For the first word of the first class that has every other class within reach, one nearest word of each class."""
    for anchor, _ in hits[0]:
        nearest = [min(found, key=lambda span: abs(span[0] - anchor)) for found in hits]
        if max(span[1] for span in nearest) - min(span[0] for span in nearest) <= TOGETHER_REACH:
            return nearest
    return []


# An item's enumerator, after any quote or bullet marks of a text rendered as Markdown ("> - **(1)**").
_ENUMERATOR = re.compile(r"[\s>*-]*(?:\((\d+)\)|(\d+)\.|\(([a-z]{1,4})\)|\(([A-Z]{1,4})\)|([A-Z])\.)\**\s")
LIST_REACH = 15  # items read under one lead-in at most
LEAD_IN_ENDINGS = (":", "\u2014", "--")  # "the following:", and the dash federal and many state drafters end a lead-in with


def _item_style(text: str) -> int | None:
    """Which enumerator style a clause starts with ("(1)", "1.", "(a)", "(A)", "A."), or None."""
    mark = _ENUMERATOR.match(text + " ")
    return next((k for k, group in enumerate(mark.groups()) if group), None) if mark else None


def list_leadins(clauses: Sequence[Clause]) -> list[int]:
    """For each clause, the index of the lead-in it is a list item of ("... any of the following:"), else -1."""
    leadins, leadin, style = [], -1, None
    for k, clause in enumerate(clauses):
        text = clause.text.strip()
        kind = _item_style(text)
        if leadin >= 0 and kind is not None and style in (None, kind) and k - leadin <= LIST_REACH:
            style = kind
        elif leadin >= 0:
            leadin, style = -1, None
        leadins.append(leadin if leadin >= 0 and leadin != k else -1)
        if text.endswith(LEAD_IN_ENDINGS):
            leadin, style = k, None
    return leadins


def version_cues(clauses: Sequence[Clause], leadins: Sequence[int] | None = None) -> list[dict[str, Spans]]:
    """Cues of every clause of a version (its phrasings and, as "category:<id>", its classifier categories), plus the
    cues a list item takes from its lead-in
    ("Grant funding may be used to support any of the following:" makes "(6) Overtime for officers" money for police)."""
    found = [{**clause_cues(clause), **category_cues(clause)} for clause in clauses]
    listed = [cue for cue in cues() if cue.leadin and cue.pattern is not None]
    for k, leadin in enumerate(list_leadins(clauses) if leadins is None else leadins):
        if leadin < 0:
            continue
        for cue in listed:
            if cue.leadin in found[leadin] and (spans := _matches(cue, clauses[k].text, _lower(clauses[k].text))):
                found[k][cue.name] = spans
    return found


def clause_cues(clause: Clause) -> dict[str, Spans]:
    """Cues of a Clause (its codebook categories plus phrasing); cached, since versions share most clauses."""
    return _cached_cues(clause.text, clause.evidence())


@lru_cache(maxsize=8192)
def _cached_cues(text: str, categories: tuple[tuple[str, Spans], ...]) -> dict[str, Spans]:
    """find_cues memoised by clause text and categories."""
    return find_cues(text, categories)
