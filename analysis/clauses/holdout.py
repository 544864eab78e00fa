"""An honest generalization estimate: score each state as if the rule parts only it supports had never been written.

Rules were written while reading gold quotes from every state, so the plain corpus score is a training
score. Here every top-level alternative of a rule's pattern and of its veto is credited to the states
where it makes a correct call (a true positive it finds, a false positive it prevents). Each state is
then scored without the alternatives that only that state supports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from analysis.clauses.reading import lower
from analysis.clauses.evaluate import ClassifiedFile, EvalReport, score
from analysis.model import Clause, Label
from analysis.clauses.rules import RuleBook, branches, load_rules


@dataclass(frozen=True)
class StateHoldout:
    """One state's figures with every rule part, and without the parts no other state supports."""

    state: str
    files: int
    removed_parts: int
    full: EvalReport
    held_out: EvalReport


def _state(item: ClassifiedFile) -> str:
    return item.file.split("/")[0].upper()


def _parts(book: RuleBook):
    """(rule, kind, index) -> compiled alternative, for patterns ("p") and vetoes ("u")."""
    import re

    compiled = {}
    for rule in book.rules:
        for kind, pattern in (("p", rule.pattern), ("u", rule.unless)):
            if pattern is not None:
                for index, branch in enumerate(branches(pattern.pattern)):
                    compiled[(rule.id, kind, index)] = re.compile(branch)
    return compiled


def _matching(parts, rule, kind: str, clause_text: str, lowered: str) -> set:
    keys = [key for key in parts if key[0] == rule.id and key[1] == kind]
    haystack = clause_text if kind == "p" and rule.case_sensitive else lowered
    return {key for key in keys if parts[key].search(haystack)}


def leave_one_state_out(classified: list[ClassifiedFile]) -> list[StateHoldout]:
    """Per state: drop the pattern and veto alternatives only that state supports, then score that state."""
    book = load_rules()
    parts = _parts(book)
    rules = {rule.id: rule for rule in book.rules}
    support: dict[tuple, set[str]] = defaultdict(set)
    label_parts: dict[tuple[str, int, str], set] = {}
    vetoed: list[tuple[ClassifiedFile, Clause, str, set]] = []  # a clause a veto kept from a label
    for item in classified:
        state = _state(item)
        for clause in item.clauses:
            if clause.markup == "deleted":
                continue
            lowered = lower(clause.text)
            fired = {label.rule for label in clause.labels}
            for label in clause.labels:
                matched = _matching(parts, rules[label.rule], "p", clause.text, lowered)
                label_parts[(item.file, clause.start, label.rule)] = matched
                if label.category in item.gold:
                    for key in matched:
                        support[key].add(state)
            for rule in book.rules:
                if rule.id in fired or rule.unless is None or rule.requires or rule.scope:
                    continue
                if rule.pattern.search(clause.text if rule.case_sensitive else lowered) and rule.unless.search(lowered):
                    vetoes = _matching(parts, rule, "u", clause.text, lowered)
                    vetoed.append((item, clause, rule.id, vetoes))
                    if rule.category not in item.gold:
                        for key in vetoes:
                            support[key].add(state)
    results = []
    for state in sorted({_state(item) for item in classified}):
        removed = {key for key, states in support.items() if states == {state}}
        files = [item for item in classified if _state(item) == state]
        held_out = [_without(item, removed, label_parts, vetoed, rules) for item in files]
        results.append(StateHoldout(state, len(files), len(removed), score(files), score(held_out)))
    return results


def _without(item: ClassifiedFile, removed: set, label_parts, vetoed, rules) -> ClassifiedFile:
    """The file's clauses as if the removed parts did not exist: labels lost, vetoed labels restored."""
    restored = defaultdict(list)
    for vetoed_item, clause, rule_id, vetoes in vetoed:
        if vetoed_item is item and vetoes and vetoes <= removed:
            restored[clause.start].append(Label(rules[rule_id].category, rule_id, clause.start, clause.start))
    clauses = []
    for clause in item.clauses:
        labels = [
            label for label in clause.labels
            if not (matched := label_parts.get((item.file, clause.start, label.rule))) or matched - removed
        ]
        clauses.append(replace(clause, labels=tuple(labels) + tuple(restored.get(clause.start, ()))))
    return replace(item, clauses=tuple(clauses))


def format_holdout(results: Iterable[StateHoldout]) -> str:
    """Per-state table plus the pooled held-out figures."""
    results = list(results)
    lines = [f"{'state':6} {'files':>5} {'parts_removed':>13} {'F1_all':>7} {'F1_held_out':>11} {'evidence_held_out':>17}"]
    pooled = EvalReport(per_category={name: type(next(iter(results)).full.micro)() for name in load_rules().categories})
    for result in results:
        lines.append(f"{result.state:6} {result.files:5} {result.removed_parts:13} {result.full.micro.f1:7.3f} "
                     f"{result.held_out.micro.f1:11.3f} {result.held_out.evidence_recall:17.3f}")
        for name, counts in result.held_out.per_category.items():
            total = pooled.per_category[name]
            total.true_positives += counts.true_positives
            total.false_positives += counts.false_positives
            total.false_negatives += counts.false_negatives
        pooled.quotes += result.held_out.quotes
        pooled.quotes_found += result.held_out.quotes_found
    micro = pooled.micro
    lines.append(f"pooled held-out: micro P {micro.precision:.3f} R {micro.recall:.3f} F1 {micro.f1:.3f}, "
                 f"evidence recall {pooled.evidence_recall:.3f} ({pooled.quotes_found}/{pooled.quotes})")
    return "\n".join(lines)
