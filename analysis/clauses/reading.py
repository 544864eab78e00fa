"""What one clause says (labels, modality, actor, money), computed once per distinct clause text."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from analysis.money import amounts as money
from analysis.clauses.scan import clause_scanner
from analysis.clauses.rules import ClauseScan, Hit, apply_rules, branches, candidate_rules, load_rules

# Modalities, strongest first; one scan finds every form present and the strongest one wins.
_MODALITY_ORDER = ("intent", "subject to appropriation", "shall not", "shall", "may")
_MODALITY = re.compile(
    r"\b(?:(?P<intent>it is the intent|intent of the (?:legislature|general assembly)|legislature (?:finds|declares))"
    r"|(?P<appropriation>subject to (?:the availability of )?(?:\w+ ){0,3}?appropriat|to the extent (?:that )?(?:funds|feasible|monies))"
    r"|(?P<shall_not>shall not|must not|may not|is prohibited from)\b"
    r"|(?P<shall>shall|must|is required to|are required to)\b"
    r"|(?P<may>may|is authorized to|are authorized to|can)\b)"
)
_MODALITY_NAMES = {"intent": "intent", "appropriation": "subject to appropriation", "shall_not": "shall not", "shall": "shall", "may": "may"}
# The same forms one by one, plus "this clause is about money", for the one-pass clause scanner.
_FEATURES = {
    "intent": r"\b(?:it is the intent|intent of the (?:legislature|general assembly)|legislature (?:finds|declares))",
    "subject to appropriation": r"\b(?:subject to (?:the availability of )?(?:\w+ ){0,3}?appropriat|to the extent (?:that )?(?:funds|feasible|monies))",
    "shall not": r"\b(?:shall not|must not|may not|is prohibited from)\b",
    "shall": r"\b(?:shall|must|is required to|are required to)\b",
    "may": r"\b(?:may|is authorized to|are authorized to|can)\b",
    "money": money.MONEY_WORDS.pattern,
}
_FY = re.compile(r"\bfy\s*(?:19|20)\d\d")
_OPERATIVE_VERB = re.compile(r"\b(?:shall|must|may|is authorized|are authorized|is required|will)\b")
# Who a clause names, by kind; the last one named before the operative verb is the clause's actor.
_ACTORS = {
    "law_enforcement": r"law enforcement officers?|peace officers?|police (?:officers?|departments?)|(?<!probation )officers?|deputy sheriffs?|sheriffs?|law enforcement agenc(?:y|ies)",
    "prosecutor": r"prosecut(?:or|ing attorney)s?|district attorneys?",
    "probation": r"probation (?:officers?|departments?)",
    "court": r"courts?|judges?|magistrates?",
    "case_manager": r"case managers?|service providers?|treatment providers?|providers?",
    "admin_board": r"board|(?<!police )department|authority|commission|committee",
    "grantee": r"grantees?|grant applicants?|jurisdictions?|count(?:y|ies)|cit(?:y|ies)",
    "participant": r"participants?|persons?|individuals?|defendants?|offenders?",
}
# The first three letters of every form: read backwards from the verb, a word start that opens no form is passed over at once.
_ACTOR_OPENINGS = sorted({re.sub(r"^\(\?<!.*?\)", "", form)[:3] for forms in _ACTORS.values() for form in branches(forms)})
if not all(opening.isalpha() and len(opening) == 3 for opening in _ACTOR_OPENINGS):
    raise ValueError(f"every actor form must open with three letters: {_ACTOR_OPENINGS}")
_LAST_ACTOR = re.compile(  # greedy lead: the match found is the last actor named (read backwards from the verb)
    r"(?s:.*)\b(?=" + "|".join(_ACTOR_OPENINGS) + ")(?:" + "|".join(f"(?P<{kind}>{forms})" for kind, forms in _ACTORS.items()) + r")\b"
)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class Reading(NamedTuple):
    """Everything the engine reads from one clause's text, with evidence offsets relative to the clause (a tuple: made per clause)."""

    hits: tuple[Hit, ...]
    modality: str
    actor: str
    amounts: tuple[float, ...]
    fiscal_years: tuple[str, ...]
    recipient_type: str


def lower(text: str) -> str:
    """Lower case that keeps every offset (full Unicode lowering can change a string's length)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER)


def modality(lowered: str) -> str:
    """The clause's strongest operative verb form, as the codebook's safeguard judgements read it."""
    found = {_MODALITY_NAMES[match.lastgroup] for match in _MODALITY.finditer(lowered)}
    return next((name for name in _MODALITY_ORDER if name in found), "")


def actor(lowered: str) -> str:
    """Who the clause empowers or binds: the last actor named before its operative verb."""
    verb = _OPERATIVE_VERB.search(lowered)
    last = _LAST_ACTOR.match(lowered, 0, verb.start() if verb else len(lowered))
    return last.lastgroup or "" if last else ""


@lru_cache(maxsize=256)
def _lead_in_candidates(lead_in: str) -> frozenset[int]:
    """Rules a lead-in sentence ("... the following:") can fire on its list items."""
    return frozenset(candidate_rules(load_rules(), lead_in))


CACHED_CLAUSE_CHARACTERS = 4096


def read_clause(text: str, lead_in: str) -> Reading:
    """Labels and features of one clause; versions of a bill repeat most clauses, so short ones are cached."""
    if len(text) <= CACHED_CLAUSE_CHARACTERS:
        return _cached_reading(text, lead_in)
    return _reading(text, lead_in)


@lru_cache(maxsize=1)
def _scanner():
    """The one-pass clause scanner over the rules and this module's features (None without Hyperscan)."""
    return clause_scanner(load_rules(), _FEATURES)


class _TextFacts(NamedTuple):
    """What a clause's text alone says (no lead-in): list items recur under many lead-ins, so this is cached by text."""

    lowered: str
    scan: ClauseScan | None
    candidates: set[int]
    modality: str
    actor: str
    amounts: tuple[float, ...]
    fiscal_years: tuple[str, ...]
    recipient_type: str


def _facts(text: str) -> _TextFacts:
    """Candidate rules and features of one clause text, computed."""
    lowered = lower(text)
    scanner = _scanner()
    scan: ClauseScan | None = scanner(lowered) if scanner is not None else None
    if scan is not None:
        candidates = scan.candidates
        form = next((name for name in _MODALITY_ORDER if name in scan.features), "")
        recipient = money.recipient_type(text, lowered) if "money" in scan.features else ""
    else:
        candidates = candidate_rules(load_rules(), lowered)
        form, recipient = modality(lowered), money.recipient_type(text, lowered)
    # Plain substring tests first: a regex led by \b cannot skip ahead and would step through every character.
    names_years = "fiscal" in lowered or "budget" in lowered or "fy" in lowered and _FY.search(lowered) is not None
    return _TextFacts(
        lowered=lowered,
        scan=scan,
        candidates=candidates,
        modality=form,
        actor=actor(lowered),
        amounts=money.amounts(text) if "$" in text else (),
        fiscal_years=money.fiscal_years(text) if names_years else (),  # a year needs "fiscal", "budget" or "fy"
        recipient_type=recipient,
    )


_cached_facts = lru_cache(maxsize=1 << 16)(_facts)


def _reading(text: str, lead_in: str) -> Reading:
    """Labels and features of one clause: the text's own facts (cached when short) plus the rules its lead-in lets fire."""
    facts = _cached_facts(text) if len(text) <= CACHED_CLAUSE_CHARACTERS else _facts(text)
    candidates = facts.candidates
    if facts.scan is None and lead_in:
        candidates = candidates | _lead_in_candidates(lead_in)
    hits = tuple(apply_rules(load_rules(), text, facts.lowered, lead_in, candidates, facts.scan)) if candidates else ()
    return Reading(
        hits=hits,
        modality=facts.modality,
        actor=facts.actor,
        amounts=facts.amounts,
        fiscal_years=facts.fiscal_years,
        recipient_type=facts.recipient_type,
    )


_cached_reading = lru_cache(maxsize=1 << 16)(_reading)


def clear_cache() -> None:
    """Forget cached readings (benchmarks measure text never seen before; rules reloaded)."""
    _cached_reading.cache_clear()
    _cached_facts.cache_clear()
