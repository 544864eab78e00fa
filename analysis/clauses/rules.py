"""Codebook category rules loaded from reviewed data (categories.toml), compiled once and applied per clause."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

CATEGORIES_FILE = Path(__file__).with_name("categories.toml")
PATTERN_FIELDS = ("pattern", "unless", "unless_lead_in", "requires", "requires_lead_in")
_SHARED = re.compile(r"@(\w+)@")


@dataclass(frozen=True)
class Rule:
    """One way a clause shows a category: a pattern, vetoes (near-misses) and scope requirements."""

    id: str
    category: str
    pattern: re.Pattern[str]  # as reviewed (its top-level alternatives are what the generality test checks)
    search: re.Pattern[str]  # the same pattern anchored at word starts when that cannot change a match: faster scans
    case_sensitive: bool
    unless: re.Pattern[str] | None
    unless_lead_in: re.Pattern[str] | None  # veto found in the lead-in (items of an exclusion or staffing list)
    unless_scope: str  # "" | a named scope that vetoes when the clause matches it (a veto shared by several rules)
    requires: re.Pattern[str] | None
    requires_lead_in: re.Pattern[str] | None  # must occur in the lead-in (items of a list the lead-in introduces)
    scope: str  # "" | a named scope pattern the clause or its lead-in must match
    background_ok: bool  # may fire on background text (recitals, findings about other efforts)


@dataclass(frozen=True)
class RuleBook:
    """All rules, the named scopes, and one trigger scanner that says which rules a clause can fire."""

    categories: tuple[str, ...]
    rules: tuple[Rule, ...]
    scopes: dict[str, re.Pattern[str]]
    background: re.Pattern[str] | None
    scan: Callable[[str], set[int]]  # lower-cased text -> indexes of rules whose triggers occur in it


class Hit(NamedTuple):
    """A rule that fired on a clause, with its evidence as offsets into the clause text (a tuple: made per hit)."""

    category: str
    rule: str
    start: int
    end: int


def _expand(source: str, shared: dict[str, str]) -> str:
    """Put the shared pattern text of categories.toml ("@ineligibility_lead_in@") into a rule field, as a group."""
    def fragment(match: re.Match[str]) -> str:
        if match.group(1) not in shared:
            raise ValueError(f"unknown shared pattern @{match.group(1)}@")
        return f"(?:{shared[match.group(1)].strip()})"

    return _SHARED.sub(fragment, source)


def _compile(source: str) -> re.Pattern[str]:
    """Compile a reviewed pattern: a literal space means any run of whitespace (layout varies)."""
    return re.compile(source.strip().replace(" ", r"\s+"))


def branches(source: str) -> list[str]:
    """Top-level alternatives of a regex source (split on | outside groups and character classes)."""
    parts, depth, in_class, escaped, current = [], 0, False, False, []
    for char in source:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _starts_at_word(source: str) -> bool:
    """Whether every alternative of a pattern must begin with a letter or digit (so a leading \\b changes nothing)."""
    for branch in branches(source):
        if branch.startswith("(?:"):
            depth, end = 0, -1
            for index, char in enumerate(branch):
                depth += char == "("
                depth -= char == ")"
                if depth == 0:
                    end = index
                    break
            if end < 0 or branch[end + 1 : end + 2] in ("?", "*", "{") or not _starts_at_word(branch[3:end]):
                return False
        elif not (branch[:1].isalnum() or branch[:2] in ("\\b", "\\d", "\\w")):
            return False
    return True


def _anchored(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern with a leading word boundary when every alternative starts with a word character.

    Triggers are found only at word starts, so a match starting inside a word is never intended; the
    boundary lets the regex engine reject most start positions at once instead of trying every alternative.
    """
    source = pattern.pattern
    return re.compile(r"\b(?:" + source + ")", pattern.flags) if _starts_at_word(source) else pattern


def _trie_regex(words: list[str]) -> str:
    """One alternation factored as a prefix trie, so a single scan finds every trigger quickly."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict) -> str:
        if list(node) == [""]:
            return ""
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        optional = "" in node
        body = branches[0] if len(branches) == 1 and not optional else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if optional else body

    return render(trie)


@lru_cache(maxsize=4)
def load_rules(path: Path = CATEGORIES_FILE) -> RuleBook:
    """Parse and compile the category rules; cached so every caller shares one compiled book."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    shared = data.get("shared", {})
    for entry in data["rule"]:
        entry.update({key: _expand(entry[key], shared) for key in PATTERN_FIELDS if key in entry})
    categories = tuple(data["categories"])
    scopes = {name: _anchored(_compile(_expand(source, shared))) for name, source in data.get("scopes", {}).items()}
    rules: list[Rule] = []
    rules_by_trigger: dict[str, list[int]] = {}
    for entry in data["rule"]:
        if entry["category"] not in categories:
            raise ValueError(f"rule {entry['id']}: unknown category {entry['category']!r}")
        for key in ("scope", "unless_scope"):
            if entry.get(key) and entry[key] not in scopes:
                raise ValueError(f"rule {entry['id']}: unknown {key} {entry[key]!r}")
        case_sensitive = bool(entry.get("case_sensitive", False))
        pattern = _compile(entry["pattern"])
        rules.append(
            Rule(
                id=entry["id"],
                category=entry["category"],
                pattern=pattern,
                search=_anchored(pattern),
                case_sensitive=case_sensitive,
                unless=_anchored(_compile(entry["unless"])) if entry.get("unless") else None,
                unless_lead_in=_compile(entry["unless_lead_in"]) if entry.get("unless_lead_in") else None,
                unless_scope=entry.get("unless_scope", ""),
                requires=_anchored(_compile(entry["requires"])) if entry.get("requires") else None,
                requires_lead_in=_compile(entry["requires_lead_in"]) if entry.get("requires_lead_in") else None,
                scope=entry.get("scope", ""),
                background_ok=bool(entry.get("background_ok", False)),
            )
        )
        for trigger in entry["triggers"]:
            if trigger != trigger.lower() or not re.fullmatch(r"[a-z0-9$§\-]+", trigger):
                raise ValueError(f"rule {entry['id']}: a trigger is one lower-case word: {trigger!r}")
            rules_by_trigger.setdefault(trigger, []).append(len(rules) - 1)
    background = _compile(data["background"]) if data.get("background") else None
    scanner = _trigger_scanner({k: tuple(v) for k, v in rules_by_trigger.items()})
    return RuleBook(categories, tuple(rules), scopes, background, scanner)


def _trigger_scanner(rules_by_trigger: dict[str, tuple[int, ...]]) -> Callable[[str], set[int]]:
    """One pass over a clause that finds every trigger at a word start (Aho-Corasick when installed)."""
    try:
        import ahocorasick
    except ImportError:
        return _regex_scanner(rules_by_trigger)
    automaton = ahocorasick.Automaton()
    for word, ids in rules_by_trigger.items():
        automaton.add_word(word, (len(word), ids))
    automaton.make_automaton()

    def scan(lowered: str) -> set[int]:
        found: set[int] = set()
        for end, (length, ids) in automaton.iter(lowered):
            start = end - length + 1
            if start == 0 or not lowered[start - 1].isalnum():
                found.update(ids)
        return found

    return scan


class ClauseScan(NamedTuple):
    """What one automaton pass over a clause found: candidate rules, background, scopes and named features (a tuple: made per clause)."""

    candidates: set[int]  # rules whose pattern may match (a superset: Python's re confirms each)
    background: bool  # False: certainly not background text; True: confirm with the background pattern
    scopes: frozenset[str]  # named scopes the clause itself matches (exactly)
    features: frozenset[str]  # caller-named patterns the clause matches (exactly)


@lru_cache(maxsize=1 << 12)
def _found_in(pattern: re.Pattern[str], text: str) -> bool:
    """Whether a pattern occurs in a lead-in (list items share their parent's lead-in, so this repeats)."""
    return pattern.search(text) is not None


def _regex_scanner(rules_by_trigger: dict[str, tuple[int, ...]]) -> Callable[[str], set[int]]:
    """The same scan with one trie-shaped regex; a longer trigger carries the rules of its prefixes."""
    pattern = re.compile(r"(?<![a-z0-9])" + _trie_regex(sorted(rules_by_trigger)))
    inherited = {
        word: tuple(sorted({i for other, ids in rules_by_trigger.items() if word.startswith(other) for i in ids}))
        for word in rules_by_trigger
    }

    def scan(lowered: str) -> set[int]:
        found: set[int] = set()
        for match in pattern.finditer(lowered):
            found.update(inherited[match.group()])
        return found

    return scan


def candidate_rules(book: RuleBook, lowered: str) -> set[int]:
    """Indexes of the rules whose trigger words occur in the (lower-cased) clause."""
    return book.scan(lowered)


def apply_rules(book: RuleBook, text: str, lowered: str, lead_in: str, candidates: set[int], scan: ClauseScan | None = None) -> list[Hit]:
    """Rules that fire on one clause: pattern found, no veto in the clause or lead-in, requirements and scope met.

    Requirements and scopes may be met by the clause or by its lead-in (the parent's "... the following:"
    sentence); `unless_lead_in` and `requires_lead_in` look at the lead-in alone, cached since sibling items
    share one lead-in; `unless_scope` is a veto shared by several rules that the clause scan has already matched.
    The background test runs at most once, only after some rule's own pattern matched, and not at all when the
    clause scan already ruled it out.
    """
    hits: list[Hit] = []
    is_background: bool | None = None if scan is None or scan.background else False
    for index in sorted(candidates):
        rule = book.rules[index]
        if rule.requires_lead_in is not None and not (lead_in and _found_in(rule.requires_lead_in, lead_in)):
            continue
        match = rule.search.search(text if rule.case_sensitive else lowered)
        if match is None:
            continue
        if not rule.background_ok:
            if is_background is None:
                is_background = book.background is not None and book.background.search(lowered) is not None
            if is_background:
                continue
        if rule.scope:  # cheap (the clause scan already knows), so checked before the vetoes
            scope = book.scopes[rule.scope]
            in_clause = rule.scope in scan.scopes if scan is not None else scope.search(lowered) is not None
            if not (in_clause or lead_in and _found_in(scope, lead_in)):
                continue
        if rule.unless_lead_in is not None and lead_in and _found_in(rule.unless_lead_in, lead_in):
            continue
        if rule.unless_scope and (rule.unless_scope in scan.scopes if scan is not None else book.scopes[rule.unless_scope].search(lowered)):
            continue
        if rule.unless is not None and rule.unless.search(lowered):
            continue
        if rule.requires is not None and not (rule.requires.search(lowered) or lead_in and _found_in(rule.requires, lead_in)):
            continue
        hits.append(Hit(rule.category, rule.id, match.start(), match.end()))
    return hits
