"""Score one bill version against the 24 LEAD model provisions, so versions and amendments can be compared."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick

from analysis.model import Clause, Fidelity, ProvisionStatus

HERE = Path(__file__).parent
STATUS_VALUES = {"present": 1.0, "weakened": 0.5, "absent": 0.0, "contradicted": -1.0}
WEAK_MODALITIES = {"may", "subject to appropriation", "intent"}


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


@dataclass(frozen=True)
class Provision:
    """One model provision with its weights and the cues that decide its status."""

    id: str
    weight: int
    organizer_weight: int
    present: tuple[str, ...]
    weakened: tuple[str, ...]
    contradicted: tuple[str, ...]
    downgrade_if: tuple[str, ...]
    modality_sensitive: bool
    rule: str
    reference: tuple[str, ...]


def _compile(patterns: Sequence[str]) -> tuple[re.Pattern[str], ...]:
    """Case-insensitive patterns for short vocabularies."""
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


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
            _compile(spec.get("refuted_by", ())),
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
def provisions() -> tuple[Provision, ...]:
    """The 24 provisions from provisions.toml, in codebook order."""
    data = tomllib.loads((HERE / "provisions.toml").read_text(encoding="utf-8"))
    return tuple(
        Provision(
            id=pid,
            weight=spec["weight"],
            organizer_weight=spec.get("organizer_weight", spec["weight"]),
            present=tuple(spec.get("present", ())),
            weakened=tuple(spec.get("weakened", ())),
            contradicted=tuple(spec.get("contradicted", ())),
            downgrade_if=tuple(spec.get("downgrade_if", ())),
            modality_sensitive=spec.get("modality_sensitive", False),
            rule=spec.get("rule", ""),
            reference=tuple(spec.get("reference", ())),
        )
        for pid, spec in data.items()
    )


@lru_cache(maxsize=1)
def weak_condition_patterns() -> tuple[re.Pattern[str], ...]:
    """Phrases that make an obligation conditional ("subject to appropriation", "to the extent feasible")."""
    return _compile(rules()["modality"]["weak_inserted"])


def _vetoed(cue: Cue, text: str, match: re.Match[str]) -> bool:
    """A negation just before or inside a match ("shall not require abstinence") cancels it."""
    window = text[max(0, match.start() - 40) : match.end()]
    return any(u.search(window) for u in cue.unless)


Spans = tuple[tuple[int, int], ...]


def find_cues(text: str, categories: Sequence[str] = (), prefilter: bool = True) -> dict[str, Spans]:
    """Cues one clause carries, each with every span (offsets into text) that shows it, first span first."""
    found: dict[str, Spans] = {}
    category_set = set(categories)
    lowered = _lower(text)
    present = {trigger for _, trigger in _trigger_automaton().iter(lowered)}
    for cue in cues():
        if cue.leadin:
            continue
        spans: Spans = ()
        if cue.pattern is not None and (not prefilter or not cue.triggers or not cue.triggers.isdisjoint(present)):
            spans = _matches(cue, text, lowered)
        if spans:
            found[cue.name] = spans
        elif cue.categories & category_set and not any(p.search(text) for p in cue.refuted_by):
            found[cue.name] = ((0, len(text)),)
    yields = {cue.name: cue.yields_to for cue in cues() if cue.yields_to}

    def alive(name: str) -> bool:  # a negation that is itself negated does not cancel ("shall not ask ... informant")
        return name in found and not any(alive(other) for other in yields.get(name, ()))

    return {name: spans for name, spans in found.items() if alive(name)}


def _matches(cue: Cue, text: str, lowered: str) -> Spans:
    """Spans of a cue's phrasings in one clause, negated matches left out."""
    subject = text if cue.on_original else lowered
    return tuple((m.start(), m.end()) for m in cue.pattern.finditer(subject) if not _vetoed(cue, text, m))


_ENUMERATOR = re.compile(r"\s*(?:\((\d+)\)|(\d+)\.|\(([a-z]{1,4})\)|\(([A-Z]{1,4})\)|([A-Z])\.)\s")
LIST_REACH = 15  # items read under one lead-in at most


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
        if text.endswith(":"):
            leadin, style = k, None
    return leadins


def version_cues(clauses: Sequence[Clause], leadins: Sequence[int] | None = None) -> list[dict[str, Spans]]:
    """Cues of every clause of a version, plus the cues a list item takes from its lead-in
    ("Grant funding may be used to support any of the following:" makes "(6) Overtime for officers" money for police)."""
    found = [dict(clause_cues(clause)) for clause in clauses]
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
    return _cached_cues(clause.text, clause.categories)


@lru_cache(maxsize=8192)
def _cached_cues(text: str, categories: tuple[str, ...]) -> dict[str, Spans]:
    """find_cues memoised by clause text and categories."""
    return find_cues(text, categories)


_WEAK_VERB = re.compile(r"\b(?:may|should)\s+(?:not\s+)?be\b", re.IGNORECASE)


def is_weak(clause: Clause, span: tuple[int, int] | None = None) -> bool:
    """Whether the clause states its duty only as an option, an intent or subject to money."""
    if span:
        segment_start = 1 + max(clause.text.rfind(mark, 0, span[0]) for mark in ".;:")
        if _WEAK_VERB.search(clause.text, segment_start, span[1]):
            return True
    return clause.modality in WEAK_MODALITIES or any(p.search(clause.text) for p in weak_condition_patterns())


def assess(
    clauses: Sequence[Clause], clause_cue_sets: Sequence[dict[str, Spans]], text_missing: bool = False
) -> list[tuple[ProvisionStatus, int]]:
    """Status of every provision with the index of its evidence clause (-1 when none)."""
    holders: dict[str, list[int]] = {}
    for index, found in enumerate(clause_cue_sets):
        for name in found:
            holders.setdefault(name, []).append(index)

    def weak(index: int, names: Sequence[str]) -> bool:
        spans = [clause_cue_sets[index][n][0] for n in names if n in clause_cue_sets[index]]
        return is_weak(clauses[index], spans[0] if spans else None)

    def first(names: Sequence[str], skip_weak: bool = False) -> int:
        hits = sorted(i for name in names for i in holders.get(name, ()))
        if skip_weak:
            strong = [i for i in hits if not weak(i, names)]
            hits = strong or hits
        return hits[0] if hits else -1

    results = []
    for provision in provisions():
        status, index = _status(provision, first, holders, weak)
        if status == "absent" and text_missing:
            status = "unknown"
        evidence = clauses[index].text.strip() if index >= 0 else ""
        results.append((ProvisionStatus(provision.id, status, provision.weight, evidence), index))
    return results


def _status(provision: Provision, first, holders: dict[str, list[int]], weak) -> tuple[str, int]:
    """Contradicted beats present beats weakened beats absent; money provisions have their own rule."""
    if provision.rule:
        return _money_status(provision.rule, first)
    index = first(provision.contradicted)
    if index >= 0:
        return "contradicted", index
    index = first(provision.present, skip_weak=provision.modality_sensitive)
    if index >= 0:
        weakened = provision.modality_sensitive and weak(index, provision.present)
        downgraded = any(holders.get(name) for name in provision.downgrade_if)
        return ("weakened" if weakened or downgraded else "present"), index
    index = first(provision.weakened)
    return ("weakened", index) if index >= 0 else ("absent", -1)


def _money_status(rule: str, first) -> tuple[str, int]:
    """Funding provisions: n/a without money clauses, else judged by who gets the money."""
    any_money, services, police = first(["funding_any"]), first(["services_funding"]), first(["law_enforcement_funding"])
    if any_money < 0 and services < 0 and police < 0:
        return "unknown", -1
    coordination_only = police >= 0 and first(["le_coordination_only"]) >= 0
    if rule == "services_share":
        if services >= 0:
            return ("weakened" if police >= 0 else "present"), services
        return ("contradicted", police) if police >= 0 else ("absent", -1)
    if police >= 0:
        return ("weakened" if coordination_only else "contradicted"), police
    return "present", max(any_money, services)


def fidelity_from(statuses: Sequence[ProvisionStatus], cue_names: set[str]) -> Fidelity:
    """Both lens scores and the organizer flags from provision statuses."""
    weights = {p.id: (p.weight, p.organizer_weight) for p in provisions()}

    def score(lens: int) -> float | None:
        scored = [(weights[s.provision][lens], STATUS_VALUES[s.status]) for s in statuses if s.status in STATUS_VALUES]
        total = sum(w for w, _ in scored)
        return round(sum(w * v for w, v in scored) / total, 4) if total else None

    by_id = {s.provision: s.status for s in statuses}
    flags = []
    if by_id.get("eligible_offenses_prostitution") in {"present", "weakened"}:
        flags.append("prostitution_clause_present")
    for cue, flag in (
        ("police_only_door", "police_only_referral"),
        ("police_final_authority", "prosecutor_or_police_final_authority"),
        ("no_charges_intake", "intake_charging_lever"),
        ("information_sharing", "information_shared_with_enforcement"),
    ):
        if cue in cue_names:
            flags.append(flag)
    return Fidelity(tuple(statuses), score(0), score(1), tuple(flags))


def score_version(clauses: Sequence[Clause], text_missing: bool = False) -> Fidelity:
    """Fidelity of one version; text_missing turns "absent" into "unknown" (left out of the score)."""
    clauses = [c for c in clauses if c.markup != "deleted"]
    cue_sets = version_cues(clauses)
    statuses = [status for status, _ in assess(clauses, cue_sets, text_missing)]
    return fidelity_from(statuses, {name for found in cue_sets for name in found})
