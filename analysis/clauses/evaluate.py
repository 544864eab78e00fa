"""Score the clause engine against a gold folder, file-level per category plus evidence recall."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from analysis.clauses.engine import classify
from analysis.model import Clause

EVIDENCE_OVERLAP = 0.30


@dataclass(frozen=True)
class CategorySpan:
    """One labelled clause-category: adjacent clauses doing the same thing are one span."""

    category: str
    start: int
    end: int
    modality: str
    section: str
    rules: tuple[str, ...]
    probability: float | None = None  # the model's highest probability over the merged clauses
    model_version: str = ""
    explanations: tuple[str, ...] = ()


@dataclass
class CategoryScore:
    """True/false positive and false negative counts for one label: a category per file, or a signal per pair."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        total = 2 * self.true_positives + self.false_positives + self.false_negatives
        return 2 * self.true_positives / total if total else 1.0

    def add(self, other: CategoryScore) -> None:
        """Pool another score's counts into this one."""
        self.true_positives += other.true_positives
        self.false_positives += other.false_positives
        self.false_negatives += other.false_negatives

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.true_positives, "fp": self.false_positives, "fn": self.false_negatives}


@dataclass
class EvalReport:
    """Everything the eval command prints: per category, micro-F1, evidence recall and misses."""

    files: int = 0
    per_category: dict[str, CategoryScore] = field(default_factory=dict)
    quotes: int = 0
    quotes_found: int = 0
    errors: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)  # "file: kind category" lines for reading errors

    @property
    def micro(self) -> CategoryScore:
        total = CategoryScore()
        for score in self.per_category.values():
            total.add(score)
        return total

    def add(self, other: EvalReport) -> None:
        """Pool another report (another jurisdiction's files) into this one."""
        self.files += other.files
        for name, counts in other.per_category.items():
            self.per_category.setdefault(name, CategoryScore()).add(counts)
        self.quotes += other.quotes
        self.quotes_found += other.quotes_found
        self.errors.extend(other.errors)
        self.misses.extend(other.misses)

    @property
    def evidence_recall(self) -> float:
        return self.quotes_found / self.quotes if self.quotes else 1.0

    def as_dict(self) -> dict:
        """Machine-readable figures for --json."""
        return {
            "files": self.files,
            "micro": _score_dict(self.micro),
            "evidence_recall": round(self.evidence_recall, 4),
            "quotes": self.quotes,
            "quotes_found": self.quotes_found,
            "per_category": {name: _score_dict(score) for name, score in sorted(self.per_category.items())},
            "errors": self.errors,
        }


def _score_dict(score: CategoryScore) -> dict:
    return score.as_dict()


def _best(first: float | None, second: float | None) -> float | None:
    return second if first is None else first if second is None else max(first, second)


def category_spans(clauses: Iterable[Clause]) -> list[CategorySpan]:
    """Labelled clause-categories of the current version; a run of adjacent clauses with one category merges."""
    open_runs: dict[str, CategorySpan] = {}
    finished: list[CategorySpan] = []
    for clause in clauses:
        if clause.markup == "deleted":
            continue
        labels = clause.labels
        categories = tuple(dict.fromkeys(label.category for label in labels))
        for category in list(open_runs):
            if category not in categories:
                finished.append(open_runs.pop(category))
        for category in categories:
            own = [label for label in labels if label.category == category]
            rules = tuple(dict.fromkeys(label.rule for label in own))
            explanations = tuple(dict.fromkeys(label.explanation for label in own if label.explanation))
            probability = max((label.probability for label in own if label.probability is not None), default=None)
            run = open_runs.get(category)
            if run is None:
                open_runs[category] = CategorySpan(category, clause.start, clause.end, clause.modality, clause.section, rules,
                                                   probability, own[0].model_version, explanations)
            else:
                open_runs[category] = replace(run, end=clause.end, modality=run.modality or clause.modality,
                                              rules=tuple(dict.fromkeys(run.rules + rules)),
                                              probability=_best(run.probability, probability),
                                              explanations=tuple(dict.fromkeys(run.explanations + explanations)))
    finished.extend(open_runs.values())
    return sorted(finished, key=lambda span: (span.start, span.category))


def read_text(path: Path) -> str:
    """A text file as read: UTF-8, line endings kept so offsets match other readers byte-for-character."""
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        return handle.read()


def _quote_found(text: str, quote: str, spans: list[CategorySpan]) -> bool:
    """Whether some occurrence of the quote is covered >= 30% by one predicted span of its category."""
    position = text.find(quote)
    while position >= 0:
        end = position + len(quote)
        for span in spans:
            if min(end, span.end) - max(position, span.start) >= EVIDENCE_OVERLAP * len(quote):
                return True
        position = text.find(quote, position + 1)
    return False


@dataclass(frozen=True)
class ClassifiedFile:
    """One gold entry with its text and the engine's clauses, so several scorings can share one run."""

    file: str
    gold: dict[str, list[str]]
    text: str
    clauses: tuple[Clause, ...]


def jurisdiction_of(file: str) -> str:
    """The jurisdiction of a gold file: its top folder (a state code, or US)."""
    return file.split("/")[0].upper()


def classify_gold(gold_dir: Path, texts_dir: Path | None = None, jurisdictions: Iterable[str] = (),
                  classifier: Callable[[str], list[Clause]] = classify) -> tuple[list[ClassifiedFile], list[str]]:
    """Classify every gold file (optionally only those under the given state folders); unreadable ones are errors."""
    texts_dir = texts_dir or gold_dir.parent / "texts"
    wanted = {j.upper() for j in jurisdictions}
    classified, errors = [], []
    for line in (gold_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        if wanted and jurisdiction_of(entry["file"]) not in wanted:
            continue
        try:
            text = read_text(texts_dir / entry["file"])
        except OSError as error:
            errors.append(f"{entry['file']}: {error}")
            continue
        classified.append(ClassifiedFile(entry["file"], entry["categories"], text, tuple(classifier(text))))
    return classified, errors


def score(classified: Iterable[ClassifiedFile], errors: Iterable[str] = ()) -> EvalReport:
    """File-level figures per category and evidence recall."""
    from analysis.clauses.rules import load_rules

    report = EvalReport(per_category={name: CategoryScore() for name in load_rules().categories}, errors=list(errors))
    for item in classified:
        report.files += 1
        spans = category_spans(item.clauses)
        predicted = {span.category for span in spans}
        for category, counts in report.per_category.items():
            if category in item.gold and category in predicted:
                counts.true_positives += 1
            elif category in predicted:
                counts.false_positives += 1
                report.misses.append(f"{item.file}: FP {category} {[s.rules for s in spans if s.category == category][:2]}")
            elif category in item.gold:
                counts.false_negatives += 1
                report.misses.append(f"{item.file}: FN {category}")
        for category, quotes in item.gold.items():
            category_hits = [span for span in spans if span.category == category]
            for quote in quotes:
                report.quotes += 1
                if _quote_found(item.text, quote, category_hits):
                    report.quotes_found += 1
                else:
                    report.misses.append(f"{item.file}: EVIDENCE {category}: {quote[:90]!r}")
    return report


def evaluate(gold_dir: Path, texts_dir: Path | None = None, jurisdictions: Iterable[str] = ()) -> EvalReport:
    """Classify every gold file and compare (optionally only files under the given state folders)."""
    classified, errors = classify_gold(gold_dir, texts_dir, jurisdictions)
    return score(classified, errors=errors)


def format_report(report: EvalReport) -> str:
    """A plain table of the figures, for the terminal."""
    lines = [f"files: {report.files}", f"{'category':32} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
    for name, score in sorted(report.per_category.items()):
        lines.append(f"{name:32} {score.precision:6.3f} {score.recall:6.3f} {score.f1:6.3f} {score.true_positives:4} {score.false_positives:4} {score.false_negatives:4}")
    micro = report.micro
    lines.append(f"{'micro':32} {micro.precision:6.3f} {micro.recall:6.3f} {micro.f1:6.3f} {micro.true_positives:4} {micro.false_positives:4} {micro.false_negatives:4}")
    lines.append(f"evidence recall: {report.evidence_recall:.3f} ({report.quotes_found}/{report.quotes} gold quotes)")
    lines.extend(f"error: {error}" for error in report.errors)
    return "\n".join(lines)


def evaluate_clauses(rows: Iterable[dict], classifier: Callable[[str], list[Clause]] = classify) -> EvalReport:
    """Score standalone clauses ({"text", "categories"}) the same way as files: one item per clause."""
    from analysis.clauses.rules import load_rules

    report = EvalReport(per_category={name: CategoryScore() for name in load_rules().categories})
    for row in rows:
        report.files += 1
        predicted = {span.category for span in category_spans(classifier(row["text"]))}
        gold = set(row["categories"])
        for category, counts in report.per_category.items():
            if category in gold and category in predicted:
                counts.true_positives += 1
            elif category in predicted:
                counts.false_positives += 1
                report.misses.append(f"FP {category}: {row['text'][:100]}")
            elif category in gold:
                counts.false_negatives += 1
                report.misses.append(f"FN {category}: {row['text'][:100]}")
    return report
