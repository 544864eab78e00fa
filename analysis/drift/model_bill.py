"""Find bills that copy LEAD model language (named or not) by shingle overlap with reference phrasings, then score them."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from analysis.drift.align import WORD
from analysis.clauses.engine import classify
from analysis.drift.fidelity import provisions, score_version
from analysis.model import Fidelity

SHINGLE = 5
PHRASE_MATCH = 0.5  # share of a reference phrasing's shingles that must appear to count as copied
MIN_PROVISIONS = 2  # copied provisions that make an unnamed bill a model bill
_MODEL_NAME = "law enforcement assisted diversion"
_LEAD_ACRONYM = re.compile(r"\bLEAD (?:program|pilot|participants?|services|national|core|site)")


@dataclass(frozen=True)
class ProvisionMatch:
    """How much of one provision's reference language a bill reproduces."""

    provision: str
    coverage: float  # best share of one reference phrasing's shingles found in the bill
    phrase: str


@dataclass(frozen=True)
class ModelMatch:
    """Whether a bill follows the LEAD model text, how closely, and its fidelity when it does."""

    names_model: bool
    is_model_bill: bool
    similarity: float  # weighted share of provisions whose model language the bill reproduces
    provisions: tuple[ProvisionMatch, ...]
    fidelity: Fidelity | None
    characters: int


@dataclass(frozen=True)
class _Reference:
    shingles: dict[tuple[str, ...], tuple[int, ...]]  # shingle -> phrase indexes
    phrases: tuple[tuple[str, str, int], ...]  # (provision id, phrase, shingle count)


def _shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    """Word 5-grams: long enough that a shared one means copied wording, not shared vocabulary."""
    return set(zip(*(tokens[k:] for k in range(SHINGLE)), strict=False))


@lru_cache(maxsize=1)
def _reference() -> _Reference:
    """Shingle index of every reference phrasing in provisions.toml."""
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    phrases = []
    for provision in provisions():
        for phrase in provision.reference:
            own = _shingles(WORD.findall(phrase.lower()))
            for shingle in own:
                index[shingle].append(len(phrases))
            phrases.append((provision.id, phrase, len(own)))
    return _Reference({k: tuple(v) for k, v in index.items()}, tuple(phrases))


@lru_cache(maxsize=1)
def _weights() -> dict[str, int]:
    """Fidelity weights by provision id."""
    return {p.id: p.weight for p in provisions()}


def screen(text: str, score: bool = True) -> ModelMatch:
    """Compare any bill with the LEAD model; score its fidelity when it names or copies the model."""
    reference = _reference()
    lowered = text.lower()
    hits: dict[int, int] = defaultdict(int)
    for shingle in _shingles(WORD.findall(lowered)) & reference.shingles.keys():
        for phrase_index in reference.shingles[shingle]:
            hits[phrase_index] += 1
    best: dict[str, ProvisionMatch] = {}
    for phrase_index, count in hits.items():
        provision, phrase, total = reference.phrases[phrase_index]
        coverage = round(count / total, 4) if total else 0.0
        if provision not in best or coverage > best[provision].coverage:
            best[provision] = ProvisionMatch(provision, coverage, phrase)
    copied = tuple(sorted((m for m in best.values() if m.coverage >= PHRASE_MATCH), key=lambda m: -m.coverage))
    weights = _weights()
    similarity = sum(weights[m.provision] * m.coverage for m in copied) / sum(weights.values())
    names_model = _MODEL_NAME in " ".join(lowered.split()) or bool(_LEAD_ACRONYM.search(text))
    is_model_bill = names_model or len(copied) >= MIN_PROVISIONS
    fidelity = score_version(classify(text)) if score and is_model_bill else None
    return ModelMatch(names_model, is_model_bill, round(similarity, 4), copied, fidelity, len(text))
