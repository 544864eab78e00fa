"""Explainable recipient typing: ordered rules over names and registry categories, each result naming the rule that fired."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RULES_PATH = Path(__file__).with_name("recipient_rules.toml")
RECIPIENT_TYPES = ("law_enforcement", "prosecution", "courts_corrections", "health_human_services",
                   "nonprofit_provider", "university_evaluator", "other", "unknown")
UNTYPED = ("other", "unknown")
ENFORCEMENT_TYPES = ("law_enforcement", "prosecution")
SERVICE_TYPES = ("health_human_services", "nonprofit_provider")


@dataclass(frozen=True)
class RecipientRule:
    """One ordered rule from recipient_rules.toml."""

    id: str
    type: str
    pattern: re.Pattern[str]
    field: str = "name"
    why: str = ""


@dataclass(frozen=True)
class RecipientType:
    """The type given to one recipient and why: the rule id and the text it matched."""

    name: str
    normalized: str
    type: str
    rule: str
    matched: str


def normalize_name(name: str) -> str:
    """A join key that ignores case, punctuation and spacing ('THE CITY OF X.' == 'the City of X')."""
    text = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).strip()
    return re.sub(r"^the ", "", text)


@lru_cache(maxsize=8)
def load_rules(path: Path = RULES_PATH) -> tuple[RecipientRule, ...]:
    """Rules in file order; an unknown type or field is a configuration error."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))["rule"]
    rules = []
    for entry in raw:
        if entry["type"] not in RECIPIENT_TYPES or entry.get("field", "name") not in ("name", "category"):
            raise ValueError(f"bad recipient rule {entry.get('id')}: type {entry['type']!r}")
        rules.append(RecipientRule(entry["id"], entry["type"], re.compile(entry["pattern"], re.IGNORECASE),
                                   entry.get("field", "name"), entry.get("why", "")))
    return tuple(rules)


def classify(name: str, categories: Iterable[str] = (), rules: tuple[RecipientRule, ...] | None = None) -> RecipientType:
    """The first rule that matches the name (or a business category) decides; nothing matching means 'unknown'."""
    rules = rules if rules is not None else load_rules()
    categories = tuple(categories)
    for rule in rules:
        targets = (name,) if rule.field == "name" else categories
        for target in targets:
            hit = rule.pattern.search(target)
            if hit:
                return RecipientType(name, normalize_name(name), rule.type, rule.id, hit.group(0))
    return RecipientType(name, normalize_name(name), "unknown", "no_rule_matched", "")


def classify_with_stated_kind(name: str, stated_kind: str, categories: Iterable[str] = ()) -> RecipientType:
    """The name decides, unless it only says 'a government' or nothing, and the source states the kind of recipient."""
    typed = classify(name, categories)
    if typed.type not in UNTYPED or not stated_kind.strip() or stated_kind.lower().startswith("not stated"):
        return typed
    stated = classify(stated_kind)
    if stated.type in UNTYPED and typed.type != "unknown":
        return typed
    return RecipientType(name, typed.normalized, stated.type, f"stated_kind:{stated.rule}", stated.matched)
