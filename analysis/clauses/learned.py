"""The learned clause model: decides each clause's categories from its words and the rules that fired."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from importlib import resources
from itertools import islice
from pathlib import Path

import numpy as np

from analysis.clauses import features
from analysis.model import Clause, Label

MODEL_FILE = "clause_model.npz"
BATCH_CLAUSES = 4096
EXPLAINED_FEATURES = 3
RULES_DECIDE = 2.0  # a threshold no probability reaches: the category keeps exactly the rules' labels


@dataclass(frozen=True, eq=False)
class ClauseModel:
    """One linear model per category over hashed words and rule hits, with a probability threshold each."""

    categories: tuple[str, ...]
    rule_ids: tuple[str, ...]
    columns: np.ndarray  # feature columns that carry a weight, ascending
    weights: np.ndarray  # (len(columns), len(categories))
    intercepts: np.ndarray  # (len(categories),)
    thresholds: np.ndarray  # (len(categories),); RULES_DECIDE where training found the rules better than the weights
    meta: dict
    version: str = ""

    @cached_property
    def _dense_weights(self) -> np.ndarray:
        """Weights over every feature column, so scoring is one sparse-dense product."""
        full = np.zeros((features.rule_offset() + len(self.rule_ids) + len(self.categories), len(self.categories)), np.float32)
        full[self.columns] = self.weights
        return full

    @cached_property
    def trusted_rules(self) -> dict[str, dict]:
        """Rules whose labels the weights may not overrule, with their precision on the training clauses."""
        return self.meta.get("trusted_rules", {})

    def probabilities(self, clauses: list[Clause], grams: list[list[str]] | None = None) -> np.ndarray:
        """Probability of each category for each clause, shape (clauses, categories)."""
        if not clauses:
            return np.zeros((0, len(self.categories)), np.float32)
        logits = features.featurize(clauses, self.rule_ids, self.categories, grams) @ self._dense_weights + self.intercepts
        return 1.0 / (1.0 + np.exp(-logits))

    def label(self, clauses: Iterable[Clause]) -> Iterator[Clause]:
        """The clauses again, each labelled with the categories the model decides, in batches (each clause's words are
        read once, for its features and its explanations)."""
        stream = iter(clauses)
        while batch := list(islice(stream, BATCH_CLAUSES)):
            grams = [features.word_grams(clause.text) for clause in batch]
            probabilities = self.probabilities(batch, grams)
            decisions = self._decisions(batch, probabilities)
            distinct = [list(dict.fromkeys(words)) if self._explains(clause, decided) else []
                        for clause, words, decided in zip(batch, grams, decisions)]
            columns = features.gram_columns_per_text(distinct)  # one hashing call for every explanation of the batch
            for clause, words, word_columns, row, decided in zip(batch, distinct, columns, probabilities, decisions):
                yield self._decided(clause, words, word_columns, row, decided) if decided.any() or clause.labels else clause

    def _decisions(self, clauses: list[Clause], probabilities: np.ndarray) -> np.ndarray:
        """Which categories each clause gets: above threshold, or a trusted rule of it fired, or for a category the rules
        decide, any rule of it fired."""
        decided = probabilities >= self.thresholds
        for column in np.flatnonzero(self.thresholds >= RULES_DECIDE):
            category = self.categories[column]
            decided[:, column] = [any(label.category == category for label in clause.labels) for clause in clauses]
        trusted = self.trusted_rules
        for row, clause in enumerate(clauses):
            for label in clause.labels:
                if label.rule in trusted:
                    decided[row, self._category_index[label.category]] = True
        return decided

    @cached_property
    def _category_index(self) -> dict[str, int]:
        return {category: index for index, category in enumerate(self.categories)}

    def _explains(self, clause: Clause, decided: np.ndarray) -> bool:
        """Whether the model gives the clause a category no rule of it fired for (a label its words must explain)."""
        fired = {label.category for label in clause.labels}
        return any(self.categories[index] not in fired for index in np.flatnonzero(decided))

    def _decided(self, clause: Clause, grams: list[str], columns: np.ndarray, probability: np.ndarray,
                 decided: np.ndarray) -> Clause:
        labels = []
        for index in np.flatnonzero(decided):
            category = self.categories[index]
            fired = [label for label in clause.labels if label.category == category]
            p = round(float(probability[index]), 4)
            if fired and probability[index] < self.thresholds[index] < RULES_DECIDE:  # decided by its trusted rules alone
                labels.extend(replace(label, probability=p, model_version=self.version,
                                      explanation=self._trusted_explanation(label.rule))
                              for label in fired if label.rule in self.trusted_rules)
            elif fired:
                labels.extend(replace(label, probability=p, model_version=self.version, explanation=f"rule {label.rule}") for label in fired)
            else:
                strongest = self.strongest_grams(grams, columns, index)
                start, end = features.gram_span(clause.text, strongest[0]) if strongest else (0, len(clause.text))
                labels.append(Label(category, "model", clause.start + start, clause.start + end, p, self.version,
                                    explanation(strongest)))
        return replace(clause, labels=tuple(labels))

    def _trusted_explanation(self, rule: str) -> str:
        """Why a rule's label stands where the weights alone would have dropped it."""
        trusted = self.trusted_rules[rule]
        return f"rule {rule} (trusted: right on {trusted['precision']:.0%} of {trusted['clauses']} training clauses)"

    def strongest_grams(self, grams: list[str], columns: np.ndarray, category_index: int) -> list[str]:
        """The word n-grams (distinct, with their feature columns) that push hardest toward the category, strongest first."""
        weights = self._dense_weights[columns, category_index]
        return [grams[i] for i in np.argsort(-weights, kind="stable")[:EXPLAINED_FEATURES] if weights[i] > 0]


def explanation(strongest: list[str]) -> str:
    """A model label's explanation: the words that weighed most."""
    return "words: " + ", ".join(repr(gram) for gram in strongest) if strongest else "words: (none positive)"


class RulesOnly:
    """The rule engine's own labels, unchanged: what training learns from and the reference in benchmarks."""

    version = "rules"

    def label(self, clauses: Iterable[Clause]) -> Iterable[Clause]:
        return clauses


RULES_ONLY = RulesOnly()


def _zip_entry(archive: zipfile.ZipFile, name: str, payload: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, payload)


def model_bytes(model: ClauseModel) -> bytes:
    """The model as a zip of .npy arrays plus JSON settings, byte-identical for identical models (no pickle)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("columns", "weights", "intercepts", "thresholds"):
            array = io.BytesIO()
            np.save(array, getattr(model, name), allow_pickle=False)
            _zip_entry(archive, f"{name}.npy", array.getvalue())
        meta = {**model.meta, "categories": list(model.categories), "rule_ids": list(model.rule_ids),
                "thresholds": [round(float(t), 4) for t in model.thresholds]}
        _zip_entry(archive, "meta.json", json.dumps(meta, indent=1, sort_keys=True).encode())
    return buffer.getvalue()


def save_model(model: ClauseModel, path: Path) -> str:
    """Write the model file; returns its version (the first 12 hex digits of its SHA-256)."""
    payload = model_bytes(model)
    path.write_bytes(payload)
    return hashlib.sha256(payload).hexdigest()[:12]


def read_model(payload: bytes) -> ClauseModel:
    """A model from its file bytes; refuses a file written for different features."""
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        meta = json.loads(archive.read("meta.json"))
        arrays = {name: np.load(io.BytesIO(archive.read(f"{name}.npy")), allow_pickle=False)
                  for name in ("columns", "weights", "intercepts", "thresholds")}
    if meta.get("features") != features.settings():
        raise ValueError(f"clause model was trained with features {meta.get('features')}, not {features.settings()}")
    return ClauseModel(tuple(meta["categories"]), tuple(meta["rule_ids"]), arrays["columns"], arrays["weights"],
                       arrays["intercepts"], arrays["thresholds"], meta, hashlib.sha256(payload).hexdigest()[:12])


def shipped_model_path() -> Path:
    return Path(str(resources.files(__package__) / MODEL_FILE))


@lru_cache(maxsize=1)
def shipped_model() -> ClauseModel:
    """The model file inside the package (rebuilt by `divwatch train`)."""
    return read_model(shipped_model_path().read_bytes())
