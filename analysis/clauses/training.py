"""Train the clause model from gold evidence, with thresholds chosen on jurisdictions the weights never saw."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from analysis.clauses import features
from analysis.clauses.engine import classify
from analysis.clauses.evaluate import ClassifiedFile, classify_gold, jurisdiction_of
from analysis.clauses.learned import RULES_DECIDE, RULES_ONLY, ClauseModel
from analysis.clauses.rules import load_rules
from analysis.model import Clause
from analysis.reviews import PROVENANCE

POSITIVE, NEGATIVE, UNKNOWN = 1, 0, -1
QUOTE_OVERLAP = 0.5  # a clause shows a quoted category when they share half of the shorter one
REGULARIZATION = 4.0
THRESHOLD_GRID = np.round(np.arange(0.3, 0.96, 0.025), 3)
INNER_FOLDS = 5
RECALL_WEIGHT = 1.0  # quoted-clause recall counts as much as file-level F1 when choosing a threshold (both are targets)
THRESHOLD_TOLERANCE = 0.01  # thresholds scoring this close to the best are as good: the highest (fewest labels) is kept
NEAR_MISS_GROUP = "near-miss"
REVIEW_WEIGHT = 10.0  # an analyst's verdict on a clause is a deliberate correction: it counts as this many examples
MIN_JURISDICTIONS = 5  # a category the gold quotes in fewer jurisdictions than this keeps the rules' labels
TRUSTED_PRECISION = 0.8  # a rule right this often on the training clauses it fired on keeps its labels whatever the weights say
TRUSTED_SUPPORT = 5  # ... judged on at least this many clauses


@dataclass(frozen=True)
class Examples:
    """Every training clause as a feature row, with its file, jurisdiction and per-category target."""

    matrix: sparse.csr_matrix
    targets: np.ndarray  # (rows, categories): POSITIVE, NEGATIVE or UNKNOWN (an unquoted clause in a file that has the category)
    files: np.ndarray  # row -> index into gold
    groups: np.ndarray  # row -> jurisdiction
    gold: tuple[frozenset[str], ...]  # categories each file (or near-miss clause) has
    categories: tuple[str, ...]
    rule_ids: tuple[str, ...]
    digest: str  # what the examples were built from, for the model file
    row_weights: np.ndarray  # row -> sample weight (REVIEW_WEIGHT for an analyst's reviewed clause, else 1)

    def words(self) -> sparse.csr_matrix:
        """The hashed word blocks of every row (the clause's words and its lead-in's)."""
        return self.matrix[:, : features.rule_offset()].tocsr()

    def rules_fired(self) -> sparse.csr_matrix:
        """One column per rule id: which rules fired on each row."""
        return self.matrix[:, features.rule_offset() : features.rule_offset() + len(self.rule_ids)]

    def categories_fired(self) -> np.ndarray:
        """(rows, categories) booleans: whether a rule of the category fired on the row."""
        first = features.rule_offset() + len(self.rule_ids)
        return self.matrix[:, first : first + len(self.categories)].toarray() > 0


def _quote_spans(text: str, quotes: Sequence[str]) -> list[tuple[int, int]]:
    spans = []
    for quote in quotes:
        position = text.find(quote)
        while position >= 0:
            spans.append((position, position + len(quote)))
            position = text.find(quote, position + 1)
    return spans


def _shows(clause: Clause, spans: list[tuple[int, int]]) -> bool:
    return any(min(end, clause.end) - max(start, clause.start) >= QUOTE_OVERLAP * min(end - start, clause.end - clause.start)
               for start, end in spans)


def build_examples(classified: Sequence[ClassifiedFile], near_misses: Sequence[dict]) -> Examples:
    """Clauses of rule-labelled gold files (quoted ones positive, files without the category negative) and near-miss clauses.

    A near-miss clause ({"text", "categories", "clause"}) is one row: positive for its categories, negative for the rest
    except those it lists as "unknown" (a reviewed clause's predictions nobody reviewed).
    """
    book = load_rules()
    categories, rule_ids = tuple(book.categories), tuple(rule.id for rule in book.rules)
    rows: list[Clause] = []
    targets, files, groups, gold, row_weights = [], [], [], [], []
    for item in classified:
        spans = {category: _quote_spans(item.text, quotes) for category, quotes in item.gold.items()}
        for clause in item.clauses:
            if clause.markup == "deleted":
                continue
            rows.append(clause)
            targets.append([POSITIVE if c in spans and _shows(clause, spans[c]) else UNKNOWN if c in spans else NEGATIVE for c in categories])
            files.append(len(gold))
            groups.append(jurisdiction_of(item.file))
            row_weights.append(1.0)
        gold.append(frozenset(item.gold))
    for near_miss in near_misses:
        rows.append(near_miss["clause"])
        targets.append([POSITIVE if c in near_miss["categories"] else UNKNOWN if c in near_miss.get("unknown", ()) else NEGATIVE
                        for c in categories])
        files.append(len(gold))
        groups.append(NEAR_MISS_GROUP)
        gold.append(frozenset(near_miss["categories"]))
        row_weights.append(REVIEW_WEIGHT if near_miss.get("provenance", {}).get("source") == PROVENANCE else 1.0)
    digest = hashlib.sha256(json.dumps([[item.file, item.gold] for item in classified] + [[n["text"], n["categories"]] for n in near_misses],
                                       sort_keys=True).encode()).hexdigest()[:12]
    return Examples(features.featurize(rows, rule_ids, categories), np.array(targets, np.int8).reshape(-1, len(categories)),
                    np.array(files), np.array(groups), tuple(gold), categories, rule_ids, digest, np.array(row_weights, np.float64))


def _fit_weights(matrix: sparse.csr_matrix, targets: np.ndarray, row_weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per category on its known rows, each row weighed as given; (dense weights, intercepts)."""
    weights = np.zeros((matrix.shape[1], targets.shape[1]), np.float32)
    intercepts = np.full(targets.shape[1], -10.0, np.float32)
    present = np.unique(matrix.indices)  # the solver's cost grows with the columns it carries, most hashed ones are empty
    matrix = matrix[:, present]
    for index in range(targets.shape[1]):
        known = targets[:, index] != UNKNOWN
        labels = targets[known, index]
        if labels.min(initial=1) == labels.max(initial=0):  # one class only: the category never (or always) applies
            continue
        fitted = LogisticRegression(C=REGULARIZATION, solver="liblinear", dual=True,
                                    class_weight="balanced", max_iter=1000, random_state=0)
        fitted.fit(matrix[known], labels, sample_weight=row_weights[known])
        weights[present, index] = fitted.coef_[0]
        intercepts[index] = fitted.intercept_[0]
    return weights, intercepts


def _probabilities(matrix: sparse.csr_matrix, weights: np.ndarray, intercepts: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(matrix @ weights + intercepts)))


def _thresholds(examples: Examples, rows: np.ndarray, out_of_fold: np.ndarray) -> np.ndarray:
    """Per category, the threshold best for file-level F1 plus some recall of quoted clauses, on out-of-fold probabilities;
    RULES_DECIDE for a category quoted in fewer than MIN_JURISDICTIONS jurisdictions, whose weights would learn those texts' wording."""
    files, file_index = np.unique(examples.files[rows], return_inverse=True)
    targets, groups = examples.targets[rows], examples.groups[rows]
    chosen = np.full(len(examples.categories), RULES_DECIDE)
    for index, category in enumerate(examples.categories):
        quoted = targets[:, index] == POSITIVE
        if len(set(groups[quoted].tolist()) - {NEAR_MISS_GROUP}) < MIN_JURISDICTIONS:
            continue
        best_per_file = np.zeros(len(files))
        np.maximum.at(best_per_file, file_index, out_of_fold[:, index])
        has = np.array([category in examples.gold[f] for f in files])
        scores = []
        for threshold in THRESHOLD_GRID:
            predicted = best_per_file >= threshold
            tp, fp, fn = np.sum(predicted & has), np.sum(predicted & ~has), np.sum(~predicted & has)
            f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
            scores.append(f1 + RECALL_WEIGHT * np.mean(out_of_fold[quoted, index] >= threshold))
        chosen[index] = max(t for t, score in zip(THRESHOLD_GRID, scores) if score >= max(scores) - THRESHOLD_TOLERANCE)
    return chosen


def trusted_rules(examples: Examples, rows: np.ndarray) -> dict[str, dict]:
    """Rules whose labels were right at least TRUSTED_PRECISION of the time on the training clauses they fired on, with
    that precision: the weights may not overrule them (a clause of a file with the category that no quote covers counts
    neither way). Held out by jurisdiction, the weights had dropped quotes such rules found and found none the rules
    missed, so a rule's record on other jurisdictions' text is the better judge of its next label."""
    hits = examples.rules_fired()[rows].tocsc()
    targets, row_weights = examples.targets[rows], examples.row_weights[rows]
    category_of = {rule.id: examples.categories.index(rule.category) for rule in load_rules().rules}
    trusted = {}
    for column, rule in enumerate(examples.rule_ids):
        fired = hits.indices[hits.indptr[column] : hits.indptr[column + 1]]
        verdicts = targets[fired, category_of[rule]]
        right, wrong = row_weights[fired][verdicts == POSITIVE].sum(), row_weights[fired][verdicts == NEGATIVE].sum()
        if right + wrong >= TRUSTED_SUPPORT and right >= TRUSTED_PRECISION * (right + wrong):
            trusted[rule] = {"precision": round(float(right / (right + wrong)), 4), "clauses": int(right + wrong)}
    return trusted


def fit(examples: Examples, rows: np.ndarray | None = None) -> ClauseModel:
    """Weights from the given rows (default all), thresholds from grouped cross-validation inside them."""
    rows = np.arange(len(examples.files)) if rows is None else rows
    matrix, targets, groups, row_weights = examples.matrix[rows], examples.targets[rows], examples.groups[rows], examples.row_weights[rows]
    thresholds = np.full(len(examples.categories), RULES_DECIDE)  # with one jurisdiction nothing can be held out
    if len(set(groups)) > 1:
        out_of_fold = np.zeros(targets.shape, np.float32)
        for inner_train, inner_test in GroupKFold(n_splits=min(INNER_FOLDS, len(set(groups)))).split(matrix, groups=groups):
            weights, intercepts = _fit_weights(matrix[inner_train], targets[inner_train], row_weights[inner_train])
            out_of_fold[inner_test] = _probabilities(matrix[inner_test], weights, intercepts)
        thresholds = _thresholds(examples, rows, out_of_fold)
    weights, intercepts = _fit_weights(matrix, targets, row_weights)
    used = np.flatnonzero(np.any(weights != 0, axis=1)).astype(np.int32)
    meta = {"features": features.settings(), "examples": examples.digest, "rows": int(len(rows)),
            "model": {"kind": "logistic regression per category", "C": REGULARIZATION, "class_weight": "balanced",
                      "solver": "liblinear (dual)", "threshold_folds": INNER_FOLDS, "recall_weight": RECALL_WEIGHT,
                      "lowest_threshold": float(THRESHOLD_GRID[0]), "threshold_tolerance": THRESHOLD_TOLERANCE,
                      "review_weight": REVIEW_WEIGHT, "grouped_by": "jurisdiction",
                      "min_jurisdictions": MIN_JURISDICTIONS, "trusted_precision": TRUSTED_PRECISION,
                      "trusted_support": TRUSTED_SUPPORT},
            "jurisdictions": sorted(set(groups.tolist())), "trusted_rules": trusted_rules(examples, rows)}
    return ClauseModel(examples.categories, examples.rule_ids, used, weights[used], intercepts, thresholds.astype(np.float32), meta)


def near_miss_examples(paths: Sequence[Path]) -> list[dict]:
    """Hand-written clauses ({"text", "categories"} per JSON line) as single rule-labelled clauses, for build_examples."""
    rows = [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        labels = tuple(label for clause in classify(row["text"], model=RULES_ONLY) for label in clause.labels)
        row["clause"] = Clause(0, len(row["text"]), row["text"], "", labels)
    return rows


def train(gold_dir: Path, texts_dir: Path | None = None, near_misses: Sequence[Path] = ()) -> ClauseModel:
    """The clause model fitted on every gold file (and near-miss clause), as `divwatch train` ships it."""
    classified, errors = classify_gold(gold_dir, texts_dir, classifier=rules_only)
    if errors:
        raise ValueError(f"unreadable gold texts: {errors}")
    return fit(build_examples(classified, near_miss_examples(near_misses)))


def rules_only(text: str) -> list[Clause]:
    """The rule engine's clauses with the rules' own labels: the input the model learns from."""
    return classify(text, model=RULES_ONLY)
