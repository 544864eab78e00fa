"""Leave-one-jurisdiction-out: score each jurisdiction with a model (weights and thresholds) trained without it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import numpy as np

from analysis.clauses.engine import classify
from analysis.clauses.evaluate import ClassifiedFile, EvalReport, jurisdiction_of, score
from analysis.clauses.residual import ResidualRanking, residual_ranking
from analysis.clauses.training import build_examples, fit
from analysis.drift import evaluate as drift_evaluate


@dataclass
class Fold:
    """One held-out jurisdiction: its files scored by a model that never saw them."""

    jurisdiction: str
    files: int
    trained_on: tuple[str, ...]
    report: EvalReport
    signals: drift_evaluate.SignalScores | None = None


@dataclass
class LeaveOneOut:
    """Every fold and the pooled figures over all of them."""

    folds: list[Fold] = field(default_factory=list)
    pooled: EvalReport = field(default_factory=EvalReport)
    signals: drift_evaluate.SignalScores | None = None
    residual: ResidualRanking | None = None

    def as_dict(self) -> dict:
        return {"pooled": self.pooled.as_dict(),
                "signals": self.signals.as_dict() if self.signals else None,
                "residual_ranking": self.residual.as_dict() if self.residual else None,
                "per_jurisdiction": {fold.jurisdiction: {"files": fold.files, "trained_on": list(fold.trained_on), "micro": fold.report.micro.as_dict(),
                                                         "evidence_recall": round(fold.report.evidence_recall, 4),
                                                         "signals": fold.signals.as_dict() if fold.signals else None}
                                     for fold in self.folds}}


def _drift_for(gold_dir: Path, texts_dir: Path, jurisdiction: str, classifier: Callable) -> drift_evaluate.SignalScores | None:
    """Drift signals on the held-out jurisdiction's gold pairs, read through the fold's model; None when it has none."""
    if not (gold_dir / "pairs.jsonl").is_file():
        return None
    scores = drift_evaluate.evaluate_signals(gold_dir, texts_dir, classify=classifier, jurisdiction=jurisdiction)
    return scores if scores.pairs else None


def _pool_signals(parts: list[drift_evaluate.SignalScores]) -> drift_evaluate.SignalScores | None:
    if not parts:
        return None
    pooled = drift_evaluate.SignalScores()
    for part in parts:
        for signal, counts in part.per_signal.items():
            pooled.per_signal.setdefault(signal, type(counts)()).add(counts)
        pooled.overall.add(part.overall)
        pooled.high.add(part.high)
        pooled.pairs.extend(part.pairs)
    return pooled


def leave_one_jurisdiction_out(rule_labelled: Sequence[ClassifiedFile], near_misses: Sequence[dict] = (),
                               gold_dir: Path | None = None, texts_dir: Path | None = None) -> LeaveOneOut:
    """Per jurisdiction: train on every other one (plus the near-miss clauses), then relabel and score it."""
    examples = build_examples(rule_labelled, near_misses)
    result = LeaveOneOut()
    signal_parts = []
    for jurisdiction in sorted({jurisdiction_of(item.file) for item in rule_labelled}):
        model = fit(examples, np.flatnonzero(examples.groups != jurisdiction))
        held_out = [replace(item, clauses=tuple(model.label(item.clauses)))
                    for item in rule_labelled if jurisdiction_of(item.file) == jurisdiction]
        signals = _drift_for(gold_dir, texts_dir, jurisdiction, partial(classify, model=model)) if gold_dir else None
        result.folds.append(Fold(jurisdiction, len(held_out), tuple(model.meta["jurisdictions"]), score(held_out), signals))
        signal_parts += [signals] if signals else []
    result.pooled = score([])
    for fold in result.folds:
        result.pooled.add(fold.report)
    result.signals = _pool_signals(signal_parts)
    result.residual = residual_ranking(examples)
    return result


def format_leave_one_out(result: LeaveOneOut) -> str:
    """Per-jurisdiction lines, then the pooled figures that are the headline estimate."""
    lines = ["leave-one-jurisdiction-out (weights and thresholds retrained without the scored jurisdiction;",
             "the rules were written reading every state, so the rule features still make this optimistic)",
             f"{'jurisdiction':12} {'files':>5} {'P':>6} {'R':>6} {'F1':>6} {'evidence':>8}"]
    for fold in result.folds:
        micro = fold.report.micro
        lines.append(f"{fold.jurisdiction:12} {fold.files:5} {micro.precision:6.3f} {micro.recall:6.3f} {micro.f1:6.3f} {fold.report.evidence_recall:8.3f}")
    micro = result.pooled.micro
    lines.append(f"{'pooled':12} {result.pooled.files:5} {micro.precision:6.3f} {micro.recall:6.3f} {micro.f1:6.3f} "
                 f"{result.pooled.evidence_recall:8.3f} ({result.pooled.quotes_found}/{result.pooled.quotes} quotes)")
    if result.residual:
        lines.append(result.residual.report())
    if result.signals:
        lines.append("drift signals, leave-one-jurisdiction-out:\n" + result.signals.report())
    return "\n".join(lines)
