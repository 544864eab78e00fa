"""One Hyperscan pass per clause that tells which rule patterns match, so Python's re runs only on those."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

from analysis.clauses.rules import ClauseScan, RuleBook
from analysis.text.normalize import NON_ASCII

_LOOK_AROUND = re.compile(r"\(\?<?[=!]")  # zero-width assertions, which Hyperscan can only prefilter


def clause_scanner(book: RuleBook, features: dict[str, str]) -> Callable[[str], ClauseScan | None] | None:
    """One Hyperscan pass per clause for every rule pattern, the background, the scopes and some features.

    Rule patterns Hyperscan can run as written (no look-arounds, matched on lower-cased text), scopes and
    features are compiled exactly, so a rule is a candidate only when it matches and Python's re then runs
    once, for the span; the other rules and the background are compiled in prefilter mode (they may report a
    match the pattern would not make, never miss one). Non-ASCII symbols ("§", "—") are scanned as one ASCII
    symbol; the scanner answers None for text with a non-ASCII letter, digit or space (Python's Unicode word
    rules differ there), and this returns None when Hyperscan is not installed: callers then use the trigger
    words.
    """
    try:
        import hyperscan
    except ImportError:
        return None
    loose = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY | hyperscan.HS_FLAG_CASELESS
    exact = hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY
    rule_count = len(book.rules)
    named = [("scope", name, pattern.pattern) for name, pattern in book.scopes.items()]
    named += [("feature", name, source) for name, source in features.items()]
    expressions = [rule.search.pattern for rule in book.rules] + [book.background.pattern if book.background else "(?!)"]
    expressions += [source for _, _, source in named]
    rule_flags = [loose if rule.case_sensitive or _LOOK_AROUND.search(rule.search.pattern) else exact | hyperscan.HS_FLAG_CASELESS
                  for rule in book.rules]
    database = compiled_database(hyperscan, expressions, rule_flags + [loose] + [exact] * len(named))
    extra_kind = {rule_count + 1 + offset: entry for offset, entry in enumerate(named)}
    scope_ids = {index: name for index, (kind, name, _) in extra_kind.items() if kind == "scope"}
    feature_ids = {index: name for index, (kind, name, _) in extra_kind.items() if kind == "feature"}
    not_rules = frozenset(extra_kind) | {rule_count}
    nothing: frozenset[str] = frozenset()

    def collect(index: int, start: int, end: int, match_flags: int, found: set[int]) -> None:
        found.add(index)

    def scan(lowered: str) -> ClauseScan | None:
        if not lowered.isascii():
            lowered = _symbols_as_ascii(lowered)
            if lowered is None:
                return None
        found: set[int] = set()
        database.scan(lowered.encode("ascii"), match_event_handler=collect, context=found)
        if found.isdisjoint(not_rules):
            return ClauseScan(found, False, nothing, nothing)
        return ClauseScan(
            found - not_rules,
            rule_count in found,
            frozenset(scope_ids[index] for index in found if index in scope_ids),
            frozenset(feature_ids[index] for index in found if index in feature_ids),
        )

    return scan


def _symbols_as_ascii(text: str) -> str | None:
    """The text with each non-ASCII symbol as DEL, which every rule construct (\\W, \\b, [^.;], literals) reads as
    it reads the symbol; None when a non-ASCII letter, digit or space is there."""
    symbols = set(NON_ASCII.findall(text))
    if any(char.isalnum() or char.isspace() for char in symbols):
        return None
    return text.translate(dict.fromkeys(map(ord, symbols), "\x7f"))


def compiled_database(hyperscan, expressions: list[str], flags: list[int], name: str = "clause-scan"):
    """Compile (seconds for prefilter patterns with long bounded gaps) or load the same database compiled before.

    The compiled form is kept in the user's cache folder under a digest of the expressions, flags and
    Hyperscan version, so an edited rule file or another library build never reuses a stale database.
    """
    digest = hashlib.sha256(repr((hyperscan.__version__, expressions, flags)).encode()).hexdigest()[:32]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "divwatch" / f"{name}-{digest}.hsdb"
    try:
        database = hyperscan.loadb(cache.read_bytes(), hyperscan.HS_MODE_BLOCK)
        database.scratch = hyperscan.Scratch(database)
        return database
    except (OSError, hyperscan.HyperscanError):
        pass
    database = hyperscan.Database()
    database.compile(expressions=[e.encode("ascii") for e in expressions], ids=list(range(len(expressions))),
                     elements=len(expressions), flags=flags)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.partial")
        partial.write_bytes(hyperscan.dumpb(database))
        os.replace(partial, cache)
    except OSError:
        pass  # an unwritable cache only costs the compile time again next run
    return database
