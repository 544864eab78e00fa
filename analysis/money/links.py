"""Tie money to what authorizes it: programs and bill clauses, by listing, name, citation, jurisdiction and period, with evidence."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_CITATION = re.compile(r"(?:\bsections?|\bsec\.|§+|\bRCW|\bchapter|\bILCS)\s*(\d+[A-Za-z]?(?:\.\d+[A-Za-z]?)+)", re.IGNORECASE)
_LISTING = re.compile(r"\b\d{2}\.\d{3}\b")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_STATED_BILL = re.compile(r"\b(Senate|House|Assembly)\s+Bill\s+(?:No\.\s*)?(\d+)\b|\b(SB|HB|AB)\s?(\d+)\b")
_CHAMBER = {"senate": "SB", "house": "HB", "assembly": "AB"}
MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Relevance:
    """Whether a funding text is about diversion, and the words that show it."""

    related: bool
    evidence: str


def diversion_relevance(text: str, keywords: Sequence[str], acronyms: Sequence[str] = ()) -> Relevance:
    """Keywords match case-insensitively, acronyms (such as LEAD) only as written, both on word boundaries."""
    for keyword in keywords:
        hit = re.search(rf"\b{re.escape(keyword)}", text, re.IGNORECASE)
        if hit:
            return Relevance(True, f"keyword '{hit.group(0)}'")
    for acronym in acronyms:
        if re.search(rf"\b{re.escape(acronym)}\b", text):
            return Relevance(True, f"acronym '{acronym}'")
    return Relevance(False, "")


@dataclass(frozen=True)
class FundingItem:
    """An opportunity, award or announcement reduced to what linking needs."""

    kind: str  # opportunity | award | announcement
    source: str
    item_id: str
    jurisdiction: str  # state code, or US for federal money with no state
    text: str
    listings: tuple[str, ...] = ()
    year: int | None = None


@dataclass(frozen=True)
class Program:
    """A configured program with the names, listings and statutes that identify its money."""

    id: str
    name: str
    jurisdiction: str
    aliases: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    statutes: tuple[str, ...] = ()
    bills: tuple[str, ...] = ()
    years: tuple[int, int] | None = None


@dataclass(frozen=True)
class ClauseRef:
    """A bill clause (from the clauses asset) that might authorize or govern the money."""

    clause_id: str  # version_id#clause_no
    jurisdiction: str
    text: str
    fiscal_years: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    """One funding item tied to one program or clause, with the evidence for it and a confidence in [0, 1]."""

    item: FundingItem
    target_kind: str  # program | clause | bill
    target_id: str
    methods: tuple[str, ...]
    evidence: str
    confidence: float


def _names_in(text: str, names: Iterable[str]) -> list[str]:
    found = []
    for name in names:
        flags = 0 if name.isupper() else re.IGNORECASE  # acronyms only as written
        if name and re.search(rf"\b{re.escape(name)}\b", text, flags):
            found.append(name)
    return found


def citations(text: str) -> set[str]:
    """Section numbers the text cites ('Section 1001.86 of the Penal Code' -> '1001.86')."""
    return {m.group(1).lower() for m in _CITATION.finditer(text)}


def _years(values: Iterable[str]) -> set[int]:
    return {int(m.group(0)) for v in values for m in _YEAR.finditer(v)}


def _place_fits(item: FundingItem, jurisdiction: str) -> bool:
    return jurisdiction == "US" or item.jurisdiction in (jurisdiction, "US", "")


def link_to_program(item: FundingItem, program: Program) -> Link | None:
    """Score one item against one program; None when the place does not fit or the evidence is too thin."""
    if not _place_fits(item, program.jurisdiction):
        return None
    scored: list[tuple[str, float, str]] = []
    shared = sorted(set(item.listings) & set(program.listings))
    if shared:
        scored.append(("assistance_listing", 0.6, f"listing {', '.join(shared)}"))
    names = _names_in(item.text, (program.name, *program.aliases))
    if names:
        scored.append(("program_name", 0.4, f"names '{names[0]}'"))
    cited = sorted(citations(item.text) & {s.lower() for s in program.statutes})
    if cited:
        scored.append(("statute", 0.5, f"cites section {', '.join(cited)}"))
    if not scored:
        return None
    if program.jurisdiction != "US" and item.jurisdiction == program.jurisdiction:
        scored.append(("jurisdiction", 0.1, f"same jurisdiction {item.jurisdiction}"))
    if program.years and item.year and program.years[0] <= item.year <= program.years[1]:
        scored.append(("period", 0.1, f"year {item.year} within {program.years[0]}-{program.years[1]}"))
    return _link(item, "program", program.id, scored)


def link_to_clause(item: FundingItem, clause: ClauseRef, programs: Sequence[Program]) -> Link | None:
    """Score one item against one clause: shared listing numbers, program names, cited sections, place and years."""
    if not _place_fits(item, clause.jurisdiction):
        return None
    scored: list[tuple[str, float, str]] = []
    shared = sorted(set(item.listings) & set(_LISTING.findall(clause.text)))
    if shared:
        scored.append(("assistance_listing", 0.6, f"listing {', '.join(shared)} in clause"))
    for program in programs:
        spellings = (program.name, *program.aliases)
        in_item, in_clause = _names_in(item.text, spellings), _names_in(clause.text, spellings)
        if in_item and in_clause:
            scored.append(("program_name", 0.4, f"both name {program.name} ('{in_item[0]}' / '{in_clause[0]}')"))
            break
    cited = sorted(citations(item.text) & citations(clause.text))
    if cited:
        scored.append(("statute", 0.5, f"both cite section {', '.join(cited)}"))
    if not scored:
        return None
    if item.jurisdiction == clause.jurisdiction:
        scored.append(("jurisdiction", 0.1, f"same jurisdiction {item.jurisdiction}"))
    if item.year and item.year in _years(clause.fiscal_years):
        scored.append(("period", 0.1, f"clause funds year {item.year}"))
    return _link(item, "clause", clause.clause_id, scored)


def _link(item: FundingItem, kind: str, target: str, scored: list[tuple[str, float, str]]) -> Link | None:
    confidence = round(min(1.0, sum(weight for _, weight, _ in scored)), 2)
    if confidence < MIN_CONFIDENCE:
        return None
    return Link(item, kind, target, tuple(m for m, _, _ in scored), "; ".join(e for _, _, e in scored), confidence)


def link_all(items: Iterable[FundingItem], programs: Sequence[Program], clauses: Sequence[ClauseRef]) -> list[Link]:
    """Every link above the confidence floor between the items and the programs or clauses."""
    links = []
    for item in items:
        links += [link for p in programs if (link := link_to_program(item, p))]
        links += [link for c in clauses if (link := link_to_clause(item, c, programs))]
    return links


def stated_bill_ids(text: str) -> tuple[str, ...]:
    """Bill numbers a source names as the authorizing law ('Senate Bill 843', 'HB3819'), spelled as bills are stored."""
    found = []
    for match in _STATED_BILL.finditer(text):
        chamber = _CHAMBER[match.group(1).lower()] if match.group(1) else match.group(3)
        found.append(f"{chamber} {int(match.group(2) or match.group(4))}")
    return tuple(dict.fromkeys(found))


def link_stated_bills(item: FundingItem, stated_law: str, bills: Iterable[tuple[str, str, str]]) -> list[Link]:
    """Tie money to a tracked (jurisdiction, session, bill_id) its source names; without a state, only an unambiguous bill."""
    bills = list(bills)
    links = []
    for bill_id in stated_bill_ids(stated_law):
        matches = [bill for bill in bills if bill[2] == bill_id]
        same_place = [bill for bill in matches if bill[0] == item.jurisdiction]
        if same_place:
            chosen, confidence, why = same_place, 0.9, f"same jurisdiction {item.jurisdiction}"
        elif item.jurisdiction in ("US", "") and len(matches) == 1:
            chosen, confidence, why = matches, 0.7, "the only tracked bill with that number; the source names no state"
        else:
            continue
        for jurisdiction, session, number in chosen:
            links.append(Link(item, "bill", f"{jurisdiction} {session} {number}", ("stated_law",),
                              f"source names '{bill_id}' as authorizing law; {why}", confidence))
    return links
