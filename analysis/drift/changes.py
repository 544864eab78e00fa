"""Changes inside a clause that keeps its cue (money up or down, a later date, an older age limit, words inserted
near the cue, shall -> may), read from the pair's redline."""

from __future__ import annotations

import re
from collections.abc import Sequence

from analysis.drift import cues as cue_rules
from analysis.drift.align import words
from analysis.drift.redline import Redline
from analysis.model import Clause

_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
SCALE_WORDS = "|".join(_SCALE)
_AMOUNT = re.compile(rf"\$\s?([\d,]+(?:\.\d+)?)\s*({SCALE_WORDS})?", re.IGNORECASE)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                 "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
                 "eighteen": 18, "nineteen": 19, "twenty": 20, "twenty-one": 21, "twenty-five": 25, "thirty": 30, "forty": 40, "fifty": 50}
_PERCENT = re.compile(r"\b(\d+(?:\.\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)
_AGE_LIMIT = re.compile(r"\b(?:under|younger than|below|less than)\s+(?:the\s+)?(?:age\s+of\s+)?(\d+|[a-z]+(?:-[a-z]+)?)(?:\s*\((\d+)\))?", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def overlaps(spans: cue_rules.Spans, runs: Sequence[tuple[int, int]]) -> bool:
    """Whether a cue's evidence touches changed words, so an untouched mention never fires a signal."""
    return any(start < b and a < end for a, b in spans for start, end in runs)


def changed_within(rule: dict, line: Redline, o: Clause, n: Clause, cue_spans: cue_rules.Spans) -> bool:
    """Changes inside a clause that keeps its cue: narrowed, broadened, a named party dropped, money up or down,
    an age limit raised, a later date."""
    vocab, when = cue_rules.rules()["changes"], rule["when"]
    if when == "narrowed":
        return _any(vocab["narrowing_inserted"], line.inserted_text) or _any(vocab["scope_deleted"], line.deleted_text)
    if when == "broadened":
        return len(words(line.inserted_text)) >= 2 and _inserted_near(vocab[rule["vocab"]], line, n.text, cue_spans)
    if when in {"amount_up", "amount_down"}:
        before, after = _amounts(o.text), _amounts(n.text)
        for unit in range(2):  # dollars first; shares (percent) when neither side names dollars
            if before[unit] is not None and after[unit] is not None:
                return after[unit] > before[unit] if when == "amount_up" else after[unit] < before[unit]
        return False
    if when == "dropped":
        return any(m.group().lower() not in n.text.lower() for p in vocab[rule["vocab"]] for m in re.finditer(p, line.deleted_text, re.IGNORECASE))
    if when == "age_up":
        before, after = _age_limit(o.text), _age_limit(n.text)
        return before is not None and after is not None and after > before
    if when == "date_later":
        before, after = _YEAR.findall(o.text), _YEAR.findall(n.text)
        return bool(before and after) and max(after) > max(before)
    return False


def downgraded(line: Redline, o: Clause) -> bool:
    """shall -> may, or a new "subject to appropriation"-style condition the old clause did not have."""
    modality = cue_rules.rules()["modality"]
    deleted, inserted = set(words(line.deleted_text)), set(words(line.inserted_text))
    if deleted & set(modality["strong_words"]) and inserted & set(modality["weak_words"]):
        return True
    weak = cue_rules.weak_condition_patterns()
    return any(p.search(line.inserted_text) for p in weak) and not any(p.search(o.text) for p in weak)


def _inserted_near(patterns: Sequence[str], line: Redline, text: str, cue_spans: cue_rules.Spans) -> bool:
    """Whether inserted words within reach of the cue match a vocabulary pattern: a word added to another
    provision of a long clause (a quoted block read whole) does not broaden this one."""
    reach = cue_rules.TOGETHER_REACH + 1  # overlaps is strict: words exactly at the reach still count
    near = [(start - reach, end + reach) for start, end in cue_spans]
    return any(overlaps(near, (run,)) and _any(patterns, text[run[0]:run[1]]) for run in line.inserted_spans)


def _any(patterns: Sequence[str], text: str) -> bool:
    """Whether any vocabulary pattern occurs in text."""
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def _age_limit(text: str) -> int | None:
    """The highest "under the age of N" limit a clause names (digits in parentheses win over words)."""
    ages = [int(m.group(2) or m.group(1)) if (m.group(2) or m.group(1).isdigit()) else _NUMBER_WORDS.get(m.group(1).lower())
            for m in _AGE_LIMIT.finditer(text)]
    ages = [age for age in ages if age]
    return max(ages) if ages else None


def _amounts(text: str) -> tuple[float | None, float | None]:
    """The largest dollar amount and the largest percentage a clause names, so raised or cut money can be told apart."""
    dollars = [float(m.group(1).replace(",", "")) * _SCALE.get((m.group(2) or "").lower(), 1) for m in _AMOUNT.finditer(text)]
    shares = [float(_NUMBER_WORDS.get(m.group(1).lower(), 0) or m.group(1)) for m in _PERCENT.finditer(text)]
    return (max(dollars) if dollars else None), (max(shares) if shares else None)
