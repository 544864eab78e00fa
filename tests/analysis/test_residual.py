"""The residual ranking tells wording that carries across jurisdictions from wording that does not."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from analysis.clauses import features
from analysis.clauses.residual import residual_ranking
from analysis.clauses.rules import load_rules
from analysis.clauses.training import NEGATIVE, POSITIVE, Examples

JURISDICTIONS = ("AA", "BB", "CC", "DD")


def _examples(positive_word) -> Examples:
    """Per jurisdiction: 6 quoted clauses of the first category (their word from positive_word(j)), 20 clauses of files
    without it (their words its own), and 3 quoted clauses a rule already caught (never ranked)."""
    book = load_rules()
    categories, rule_ids = tuple(book.categories), tuple(rule.id for rule in book.rules)
    category_column = features.rule_offset() + len(rule_ids)
    rows, columns, targets, groups = [], [], [], []

    def add(words: list[int], target: int, jurisdiction: str) -> None:
        row = len(targets)
        rows.extend([row] * len(words)), columns.extend(words)
        targets.append([target] + [NEGATIVE] * (len(categories) - 1)), groups.append(jurisdiction)

    for j, jurisdiction in enumerate(JURISDICTIONS):
        for k in range(6):
            add([positive_word(j), 100 + k], POSITIVE, jurisdiction)
        for k in range(20):
            add([200 + 20 * j + k, 100 + k % 6], NEGATIVE, jurisdiction)
        for k in range(3):
            add([300, category_column], POSITIVE, jurisdiction)
    matrix = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, columns)),
                               shape=(len(targets), category_column + len(categories)))
    return Examples(matrix, np.array(targets, np.int8), np.zeros(len(targets), int), np.array(groups), (frozenset(),),
                    categories, rule_ids, "test", np.ones(len(targets)))


def test_wording_shared_across_jurisdictions_ranks_first_and_wording_of_one_does_not():
    shared = residual_ranking(_examples(lambda j: 1))
    assert shared.auc == 1.0 and shared.quoted == 6 * len(JURISDICTIONS) and shared.others == 20 * len(JURISDICTIONS)
    assert shared.found_at[0.01] == 1.0
    own = residual_ranking(_examples(lambda j: 10 + j))  # every jurisdiction words its clauses its own way
    assert own.auc is not None and own.auc <= 0.6 and own.found_at[0.01] <= 0.2
    assert own.quoted == shared.quoted  # the clauses a rule caught are never ranked
