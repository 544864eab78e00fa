"""Rules stay general: no alternative names a place, a bill or a code section, or is a literal phrase of one document.

A document is one bill (its folder under tests/fixtures/corpus/texts): versions of a bill repeat its wording.
A literal phrase is an alternative of two or more words with no pattern in it beyond a plural `s?` or `\\b`.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

import pytest

from analysis.clauses.reading import lower
from analysis.clauses.rules import CATEGORIES_FILE, branches

TEXTS = Path(__file__).parents[1] / "fixtures" / "corpus" / "texts"
FIELDS = ("pattern", "unless", "unless_lead_in", "requires", "requires_lead_in")
STATES = ("alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii idaho illinois "
          "indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi missouri "
          "montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah vermont virginia washington "
          "wisconsin wyoming").split()
CITIES = ["seattle", "santa fe", "san francisco", "los angeles", "chicago", "houston", "phoenix", "honolulu", "albany",
          "baltimore", "atlanta", "denver", "portland", "new york", "new mexico", "new jersey", "north carolina"]
PLACE = re.compile(r"\b(?:" + "|".join(STATES + CITIES) + r")\b")
# A section like 647(b) or 10.31.110, a bill number like SB 1110, a code citation like 42 CFR, or a 3+ digit number.
CODE = re.compile(r"\d+\\?\(\w\\?\)|\d+\\?\.\d+|\b(?:s\.?b|h\.?b|a\.?b|h\.?r|rcw|ilcs|cfr|u\.?s\.?c)\b\W{0,3}\d|\d\W{0,3}(?:cfr|u\.?s\.?c)\b|(?<![{,\d])\d{3,}")


def _literal_phrase(alternative: str) -> bool:
    core = re.sub(r"\\b|(?<=\w)\?", "", alternative)
    return not re.search(r"[\\()\[\]{}*+?.^$|]", core) and len(core.split()) >= 2


@lru_cache(maxsize=1)
def _documents() -> dict[str, str]:
    bills: dict[str, list[str]] = {}
    for path in sorted(TEXTS.rglob("*.txt")):
        bill = "/".join(path.relative_to(TEXTS).parts[:2])
        bills.setdefault(bill, []).append(path.read_text(encoding="utf-8", errors="replace"))
    return {bill: lower("\n".join(texts)) for bill, texts in bills.items()}


def _alternatives() -> list[tuple[str, str]]:
    """(where, alternative source) for every top-level alternative of every rule field, named scope and shared pattern."""
    data = tomllib.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))
    found = [(f"{table} {name}", branch) for table in ("scopes", "shared") for name, source in data.get(table, {}).items()
             for branch in branches(source.strip())]
    found += [(f"{rule['id']}.{field}", branch) for rule in data["rule"] for field in FIELDS if rule.get(field)
              for branch in branches(rule[field].strip())]
    return found


def problems(where: str, alternative: str) -> list[str]:
    """Why an alternative is not a general drafting form (empty when it is)."""
    text = lower(alternative)
    found = [kind for kind, pattern in (("names a place", PLACE), ("names a bill or code section", CODE)) if pattern.search(text)]
    if _literal_phrase(alternative):
        compiled = re.compile(text.replace(" ", r"\s+"))
        matching = [bill for bill, document in _documents().items() if compiled.search(document)]
        if len(matching) == 1:
            found.append(f"literal phrase of one document ({matching[0]})")
    return found


def test_the_checks_catch_what_they_are_for():
    assert problems("x", "program operating in seattle")
    assert problems("x", r"647\(b\)") and problems("x", "42 cfr part 2") and problems("x", r"s\.?b\.? 1110")
    assert not problems("x", r"(?:\w+ ){0,120}?referral") and not problems("x", "law enforcement")


@pytest.mark.parametrize("where, alternative", _alternatives())
def test_every_rule_alternative_is_a_general_drafting_form(where, alternative):
    assert not problems(where, alternative), f"{where}: {alternative!r}"
