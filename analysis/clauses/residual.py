"""Whether words alone can find, in a jurisdiction they never saw, the quoted clauses no rule of their category caught.

The learned model can only add evidence the rules miss if such clauses share wording across jurisdictions. This
measures it directly: per held-out jurisdiction, one words-only classifier per category is trained on the other
jurisdictions' clauses that no rule of the category fired on, then ranks the held-out ones. A ranking near 0.5 means
more gold of the same kinds, or a reader that understands paraphrase, not more weights, is what evidence recall needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from analysis.clauses.training import NEAR_MISS_GROUP, NEGATIVE, POSITIVE, REGULARIZATION, Examples

FALSE_ALARM_RATES = (0.01, 0.05)
MIN_POSITIVES = 5  # a category quoted in fewer of the training clauses the rules missed is not learned


@dataclass(frozen=True)
class ResidualRanking:
    """How held-out words-only scores rank the quoted clauses the rules missed above the clauses that show nothing."""

    auc: float | None
    quoted: int
    others: int
    found_at: dict[float, float]  # false-alarm rate among the others -> share of the quoted clauses scored above it
    unlearned: int = 0  # quoted clauses of categories with too few training examples the rules missed (not ranked)

    def as_dict(self) -> dict:
        return {"auc": None if self.auc is None else round(self.auc, 4), "quoted_clauses_rules_missed": self.quoted,
                "other_clauses": self.others, "unlearned_quoted_clauses": self.unlearned,
                "found_at_false_alarm_rate": {str(rate): round(share, 4) for rate, share in self.found_at.items()}}

    def report(self) -> str:
        if self.auc is None:
            return "words alone on the clauses the rules missed: nothing to rank"
        found = ", ".join(f"{share:.1%} at {rate:.0%} false alarms" for rate, share in self.found_at.items())
        return (f"words alone on the clauses the rules missed, held out by jurisdiction: ranking AUC {self.auc:.3f} "
                f"({self.quoted} quoted clauses among {self.others} others; found {found}; {self.unlearned} more in categories "
                f"with too few examples to learn)")


def residual_ranking(examples: Examples) -> ResidualRanking:
    """Pooled over every jurisdiction held out in turn (near-miss clauses only ever train)."""
    words, fired = examples.words(), examples.categories_fired()
    quoted, others, unlearned = [], [], 0
    for jurisdiction in sorted(set(examples.groups.tolist()) - {NEAR_MISS_GROUP}):
        held_out = examples.groups == jurisdiction
        for index in range(len(examples.categories)):
            missed = ~fired[:, index]
            train = ~held_out & missed & np.isin(examples.targets[:, index], (POSITIVE, NEGATIVE))
            labels = examples.targets[train, index] == POSITIVE
            test_positive = held_out & missed & (examples.targets[:, index] == POSITIVE)
            test_negative = held_out & missed & (examples.targets[:, index] == NEGATIVE)
            if not test_positive.any():
                continue
            if labels.sum() < MIN_POSITIVES or labels.all():
                unlearned += int(test_positive.sum())
                continue
            classifier = LogisticRegression(C=REGULARIZATION, solver="liblinear", class_weight="balanced", max_iter=1000,
                                            random_state=0).fit(words[train], labels, sample_weight=examples.row_weights[train])
            quoted.append(classifier.predict_proba(words[test_positive])[:, 1])
            if test_negative.any():
                others.append(classifier.predict_proba(words[test_negative])[:, 1])
    return _ranking(np.concatenate(quoted) if quoted else np.zeros(0), np.concatenate(others) if others else np.zeros(0), unlearned)


def _ranking(quoted: np.ndarray, others: np.ndarray, unlearned: int) -> ResidualRanking:
    if not len(quoted) or not len(others):
        return ResidualRanking(None, len(quoted), len(others), {}, unlearned)
    auc = float(roc_auc_score(np.r_[np.ones(len(quoted)), np.zeros(len(others))], np.r_[quoted, others]))
    found = {rate: float(np.mean(quoted > np.quantile(others, 1 - rate))) for rate in FALSE_ALARM_RATES}
    return ResidualRanking(auc, len(quoted), len(others), found, unlearned)
