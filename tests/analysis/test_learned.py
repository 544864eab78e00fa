"""The learned clause model: reproducible training, a pickle-free file, labels that say why, folds that never see their jurisdiction."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy import sparse

from analysis.clauses import features
from analysis.clauses.engine import classify
from analysis.clauses.evaluate import classify_gold, jurisdiction_of
from analysis.clauses.learned import RULES_DECIDE, RULES_ONLY, ClauseModel, read_model, shipped_model, shipped_model_path
from analysis.clauses.lojo import leave_one_jurisdiction_out
from analysis.clauses.rules import load_rules
from analysis.clauses.training import (MIN_JURISDICTIONS, NEGATIVE, POSITIVE, THRESHOLD_GRID, TRUSTED_PRECISION, UNKNOWN, Examples,
                                       rules_only, trusted_rules)
from analysis.model import Clause
from pipelines.commands import train as train_command

FIXTURES = Path(__file__).parents[1] / "fixtures"
GOLD = FIXTURES / "corpus" / "gold"


def test_train_rebuilds_the_shipped_model_byte_for_byte(tmp_path):
    parser = argparse.ArgumentParser()
    train_command.register(parser.add_subparsers())
    out = tmp_path / "model.npz"
    args = parser.parse_args(["train", "--gold", str(GOLD), "--near-misses", str(FIXTURES / "unseen_clauses.jsonl"),
                              "--near-misses", str(FIXTURES / "near_miss_clauses.jsonl"), "--out", str(out)])
    assert args.func(args) == 0
    assert out.read_bytes() == shipped_model_path().read_bytes(), "rules, features or gold changed: run `divwatch train`"
    model = read_model(out.read_bytes())
    assert model.version == shipped_model().version and len(model.version) == 12
    assert not out.read_bytes().count(b"pickle") and model.meta["features"] == features.settings()


def test_every_label_carries_model_version_probability_and_explanation():
    text = "(1) A law enforcement officer may refer an individual to LEAD.\n(2) Participation in the program is voluntary.\n"
    model = shipped_model()
    labels = [label for clause in classify(text) for label in clause.labels]
    assert {"referral_pathway", "voluntary_participation"} <= {label.category for label in labels}
    for label in labels:
        threshold = model.thresholds[model.categories.index(label.category)]
        assert label.model_version == model.version and 0.0 <= label.probability <= 1.0
        if threshold >= RULES_DECIDE:  # a category with too few jurisdictions to learn keeps the rules' labels
            assert label.rule != "model" and label.explanation == f"rule {label.rule}"
        elif label.probability < threshold:  # only a rule trusted for its precision on the training clauses keeps such a label
            assert label.rule in model.trusted_rules and "(trusted: right on " in label.explanation
        else:
            assert label.explanation == f"rule {label.rule}" or (label.rule == "model" and label.explanation.startswith("words: "))


def _one_word_model(category: str, gram: str, trusted: dict | None = None) -> ClauseModel:
    """A model that knows one n-gram (and trusts the given rules): enough to check a model-only decision and its explanation."""
    base = shipped_model()
    index = base.categories.index(category)
    weights = np.zeros((1, len(base.categories)), np.float32)
    weights[0, index] = 20.0
    return ClauseModel(base.categories, base.rule_ids, features.gram_columns([gram]).astype(np.int32), weights,
                       np.full(len(base.categories), -5.0, np.float32), np.full(len(base.categories), 0.5, np.float32),
                       {**base.meta, "trusted_rules": trusted or {}}, "test")


def test_a_model_only_label_names_the_words_that_decided_it():
    model = _one_word_model("harm_reduction", "clean needles")
    clause = Clause(0, 40, "The program hands out clean needles daily.", "")
    [labelled] = model.label([clause])
    [label] = labelled.labels
    assert (label.category, label.rule, label.model_version) == ("harm_reduction", "model", "test")
    assert label.probability > 0.5 and "'clean needles'" in label.explanation
    assert clause.text[label.evidence_start:label.evidence_end] == "clean needles"  # the words, not the whole clause
    [unlabelled] = model.label([Clause(0, 20, "Nothing to see here.", "")])
    assert unlabelled.labels == ()


def test_the_model_can_overrule_a_rule():
    model = _one_word_model("harm_reduction", "clean needles")  # gives every other category probability ~0.007
    rule_clauses = rules_only("Participation in the program shall be voluntary.\n")
    assert any(clause.labels for clause in rule_clauses)
    assert not any(clause.labels for clause in model.label(rule_clauses))


def test_a_trusted_rule_keeps_its_label_where_the_weights_would_drop_it():
    rule_clauses = rules_only("Participation in the program shall be voluntary.\n")
    fired = sorted({label.rule for clause in rule_clauses for label in clause.labels})
    rule = fired[0]  # trusted; any other rule that fired is not, so the weights drop its label
    model = _one_word_model("harm_reduction", "clean needles", trusted={rule: {"precision": 0.9, "clauses": 20}})
    [label] = [label for clause in model.label(rule_clauses) for label in clause.labels]
    assert label.rule == rule and label.probability < model.thresholds[model.categories.index(label.category)]
    assert label.explanation == f"rule {rule} (trusted: right on 90% of 20 training clauses)"


def test_a_rule_is_trusted_by_how_often_it_was_right_on_the_training_clauses_it_fired_on():
    book = load_rules()
    categories, rule_ids = tuple(book.categories), tuple(rule.id for rule in book.rules)
    # (rule, verdicts on the clauses it fired on, weight of each): an unknown clause counts neither way
    cases = [(0, [POSITIVE] * 4 + [NEGATIVE] + [UNKNOWN] * 3, 1.0),  # right on 4 of 5 known
             (1, [POSITIVE] * 4 + [NEGATIVE] * 2, 1.0),  # 4 of 6: below the bar
             (2, [POSITIVE] * 4, 1.0),  # always right, but on too few clauses
             (3, [POSITIVE], 10.0)]  # one analyst-reviewed clause weighs as ten
    rows, columns, targets, weights = [], [], [], []
    for rule, verdicts, weight in cases:
        for verdict in verdicts:
            target = np.full(len(categories), NEGATIVE, np.int8)
            target[categories.index(book.rules[rule].category)] = verdict
            rows.append(len(targets)), columns.append(features.rule_offset() + rule), targets.append(target), weights.append(weight)
    matrix = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, columns)),
                               shape=(len(rows), features.rule_offset() + len(rule_ids) + len(categories)))
    examples = Examples(matrix, np.array(targets), np.zeros(len(rows), int), np.array(["XX"] * len(rows)), (frozenset(),),
                        categories, rule_ids, "test", np.array(weights))
    trusted = trusted_rules(examples, np.arange(len(rows)))
    assert trusted == {rule_ids[0]: {"precision": TRUSTED_PRECISION, "clauses": 5}, rule_ids[3]: {"precision": 1.0, "clauses": 10}}
    assert trusted_rules(examples, np.arange(8)) == {rule_ids[0]: {"precision": TRUSTED_PRECISION, "clauses": 5}}  # only the rows given
    shipped = shipped_model().trusted_rules
    assert shipped and len(shipped) < len(rule_ids) and all(row["precision"] >= TRUSTED_PRECISION for row in shipped.values())


def test_each_fold_is_trained_without_the_jurisdiction_it_scores():
    classified, errors = classify_gold(GOLD, jurisdictions=["AZ", "HI", "KY", "PA"], classifier=rules_only)
    assert not errors
    result = leave_one_jurisdiction_out(classified)
    assert [fold.jurisdiction for fold in result.folds] == ["AZ", "HI", "KY", "PA"]
    for fold in result.folds:
        assert fold.jurisdiction not in fold.trained_on and len(fold.trained_on) == 3
    assert result.pooled.files == len(classified) == sum(fold.files for fold in result.folds)
    assert {jurisdiction_of(item.file) for item in classified} == {"AZ", "HI", "KY", "PA"}
    assert 0.0 < result.pooled.micro.f1 < 1.0


def test_a_category_quoted_in_few_jurisdictions_keeps_the_rules_labels():
    quoted_in: dict[str, set[str]] = {}
    for line in (GOLD / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for category, quotes in row["categories"].items():
            if quotes:
                quoted_in.setdefault(category, set()).add(jurisdiction_of(row["file"]))
    model = shipped_model()
    rules_decide = {c for c, t in zip(model.categories, model.thresholds) if t >= RULES_DECIDE}
    assert rules_decide == {c for c in model.categories if len(quoted_in.get(c, ())) < MIN_JURISDICTIONS}
    assert rules_decide and len(rules_decide) < len(model.categories)
    text = (GOLD.parent / "texts" / "CA" / "SB1110_2015-16" / "2016-05-31_amended-senate.txt").read_text(encoding="utf-8")
    by_rules, by_model = classify(text, model=RULES_ONLY), classify(text)
    assert [(c.start, c.end) for c in by_rules] == [(c.start, c.end) for c in by_model]
    for ruled, decided in zip(by_rules, by_model):
        assert set(ruled.categories) & rules_decide == set(decided.categories) & rules_decide


def test_a_learned_category_needs_at_least_the_lowest_threshold_of_the_grid():
    """A category whose out-of-fold scores favoured labelling almost everything (0.075 once) no longer can."""
    model = shipped_model()
    learned = [float(t) for t in model.thresholds if t < RULES_DECIDE]
    assert learned and min(learned) >= THRESHOLD_GRID[0] >= 0.3
    assert model.meta["model"]["lowest_threshold"] == float(THRESHOLD_GRID[0])


def test_a_model_label_points_at_its_words_across_the_words_the_featurizer_passes_over():
    text = "prohibiting the issuance of the civil citation if the 11 misdemeanor offense involves a victim"
    start, end = features.gram_span(text, "issuance civil")
    assert text[start:end] == "issuance of the civil"
    start, end = features.gram_span(text, "if misdemeanor")
    assert text[start:end] == "if the 11 misdemeanor"
    assert features.gram_span(text, "civil victim") == (0, len(text))  # not adjacent: the whole clause
