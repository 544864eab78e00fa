"""Measure the drift engine against gold version pairs: per-signal precision/recall/F1 and direction accuracy."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from analysis.clauses.engine import classify as classify_clauses
from analysis.clauses.evaluate import CategoryScore, jurisdiction_of
from analysis.drift.cues import rules
from analysis.drift.engine import Classifier, compare


@dataclass
class PairOutcome:
    """What the engine said about one gold pair next to what the coders said."""

    old: str
    new: str
    gold_signals: list[str]
    predicted_signals: list[str]
    gold_direction: str
    predicted_direction: str
    error: str = ""


@dataclass
class SignalScores:
    """Signal and direction scores over a gold folder of version pairs."""

    per_signal: dict[str, CategoryScore] = field(default_factory=dict)
    overall: CategoryScore = field(default_factory=CategoryScore)
    high: CategoryScore = field(default_factory=CategoryScore)
    pairs: list[PairOutcome] = field(default_factory=list)

    @property
    def direction_accuracy(self) -> float:
        scored = [p for p in self.pairs if not p.error]
        return sum(p.gold_direction == p.predicted_direction for p in scored) / len(scored) if scored else 0.0

    def as_dict(self) -> dict:
        return {
            "pairs": len(self.pairs),
            "overall": self.overall.as_dict(),
            "high_severity_recall": round(self.high.recall, 4),
            "direction_accuracy": round(self.direction_accuracy, 4),
            "per_signal": {sid: c.as_dict() for sid, c in sorted(self.per_signal.items())},
            "errors": [f"{p.old} -> {p.new}: {p.error}" for p in self.pairs if p.error],
            "mismatches": [
                {"old": p.old, "new": p.new, "gold": p.gold_signals, "predicted": p.predicted_signals,
                 "gold_direction": p.gold_direction, "predicted_direction": p.predicted_direction}
                for p in self.pairs
                if not p.error and (sorted(p.gold_signals) != sorted(p.predicted_signals) or p.gold_direction != p.predicted_direction)
            ],
        }

    def report(self) -> str:
        """A plain-text table for `divwatch eval`."""
        lines = [f"drift signals over {len(self.pairs)} pairs",
                 f"{'signal':34} {'tp':>3} {'fp':>3} {'fn':>3} {'prec':>6} {'rec':>6} {'f1':>6}"]
        quiet = 0
        for sid, c in sorted(self.per_signal.items()):
            if not (c.true_positives or c.false_positives or c.false_negatives):
                quiet += 1
                continue
            lines.append(f"{sid:34} {c.true_positives:>3} {c.false_positives:>3} {c.false_negatives:>3} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}")
        if quiet:
            lines.append(f"({quiet} other signals neither in gold nor predicted)")
        o = self.overall
        lines.append(f"{'overall (micro)':34} {o.true_positives:>3} {o.false_positives:>3} {o.false_negatives:>3} {o.precision:6.3f} {o.recall:6.3f} {o.f1:6.3f}")
        lines.append(f"high-severity recall {self.high.recall:.3f}   direction accuracy {self.direction_accuracy:.3f}")
        lines += [f"ERROR {p.old} -> {p.new}: {p.error}" for p in self.pairs if p.error]
        return "\n".join(lines)


def _completeness(texts_dir: Path) -> dict[str, bool]:
    """`complete` flags from a manifest.json beside texts/ when there is one (else truncation is guessed)."""
    manifest = texts_dir.parent / "manifest.json"
    if not manifest.is_file():
        return {}
    return {entry["file"]: bool(entry.get("complete", True)) for entry in json.loads(manifest.read_text(encoding="utf-8"))}


def evaluate_signals(gold_dir: Path, texts_dir: Path, classify: Classifier = classify_clauses,
                     jurisdiction: str | None = None) -> SignalScores:
    """Run compare() on every pair in gold_dir/pairs.jsonl (or one jurisdiction's) and score signal sets and directions;
    `classify` is the clause classifier drift reads (a leave-one-jurisdiction-out fold passes the model trained without it)."""
    gold_dir, texts_dir = Path(gold_dir), Path(texts_dir)
    severity = {spec["id"]: spec["severity"] for spec in rules()["signals"]}
    complete = _completeness(texts_dir)
    scores = SignalScores(per_signal={sid: CategoryScore() for sid in severity})
    for line in (gold_dir / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        gold = json.loads(line)
        if jurisdiction and jurisdiction_of(gold["new"]) != jurisdiction:
            continue
        outcome = PairOutcome(gold["old"], gold["new"], sorted(gold.get("signals", {})), [], gold.get("direction", ""), "")
        try:
            report = compare(
                (texts_dir / gold["old"]).read_text(encoding="utf-8"),
                (texts_dir / gold["new"]).read_text(encoding="utf-8"),
                old_complete=complete.get(gold["old"]),
                new_complete=complete.get(gold["new"]),
                classify=classify,
            )
        except (OSError, UnicodeDecodeError, ValueError) as error:
            outcome.error = f"{type(error).__name__}: {error}"
            scores.pairs.append(outcome)
            continue
        outcome.predicted_signals = sorted({s.id for s in report.signals})
        outcome.predicted_direction = report.direction
        scores.pairs.append(outcome)
        _count(scores, set(outcome.gold_signals), set(outcome.predicted_signals), severity)
    return scores


def _count(scores: SignalScores, gold: set[str], predicted: set[str], severity: dict[str, str]) -> None:
    for sid in gold | predicted:
        counts = scores.per_signal.setdefault(sid, CategoryScore())
        hit = sid in gold and sid in predicted
        for bucket in (counts, scores.overall) + ((scores.high,) if severity.get(sid) == "H" else ()):
            bucket.true_positives += hit
            bucket.false_positives += sid in predicted and sid not in gold
            bucket.false_negatives += sid in gold and sid not in predicted
