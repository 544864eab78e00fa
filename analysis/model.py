"""Shared result types of the clause and drift engines, so assets, CLI and alerts agree on one shape."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Label:
    """One codebook category on a clause, with the rule that fired (or "model") and its evidence offsets."""

    category: str
    rule: str
    evidence_start: int
    evidence_end: int
    probability: float | None = None  # the learned model's probability; None for a rule-only label
    model_version: str = ""
    explanation: str = ""  # "rule <id>", or the words that weighed most for a model-only label


@dataclass(frozen=True)
class Clause:
    """One operative clause with offsets into the text as read, and what it does."""

    start: int
    end: int
    text: str
    section: str  # hierarchy path, e.g. "Sec. 2 (a)(1)"
    labels: tuple[Label, ...] = ()
    modality: str = ""  # shall | may | shall not | subject to appropriation | intent | ""
    actor: str = ""
    amounts: tuple[float, ...] = ()
    fiscal_years: tuple[str, ...] = ()
    recipient_type: str = ""
    markup: str = "unchanged"  # unchanged | inserted | deleted (by the version's own amendment markup)
    lead_in: str = ""  # lower-cased sentences that introduce this clause (the parents' "... the following:")

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(label.category for label in self.labels))

    def evidence(self) -> tuple[tuple[str, tuple[tuple[int, int], ...]], ...]:
        """Each category with the spans (offsets into this clause's text) of the words that gave it: a rule's match,
        or the words the model weighed most."""
        spans: dict[str, list[tuple[int, int]]] = {}
        for label in self.labels:
            start, end = max(label.evidence_start - self.start, 0), min(label.evidence_end - self.start, len(self.text))
            spans.setdefault(label.category, []).append((start, end) if start < end else (0, len(self.text)))
        return tuple((category, tuple(sorted(set(found)))) for category, found in spans.items())


@dataclass(frozen=True)
class ProvisionStatus:
    """Status of one LEAD model provision in one version, with the clause that shows it."""

    provision: str
    status: str  # present | weakened | absent | contradicted | unknown
    weight: int
    evidence: str = ""


@dataclass(frozen=True)
class Fidelity:
    """Fidelity of one version in both lenses, in [-1, 1] (None when nothing could be scored)."""

    provisions: tuple[ProvisionStatus, ...]
    model_score: float | None
    organizer_score: float | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signal:
    """A codebook drift signal with old and new evidence text (either may be empty)."""

    id: str
    severity: str  # H | M | L | toward
    old_text: str
    new_text: str


@dataclass(frozen=True)
class ClauseChange:
    """One aligned pair of clauses that differ between versions, with a word-level redline."""

    kind: str  # added | removed | modified
    old_text: str
    new_text: str
    old_section: str = ""
    new_section: str = ""
    redline: tuple[tuple[str, str], ...] = ()  # (op, words): op in equal | insert | delete


@dataclass(frozen=True)
class DriftReport:
    """Everything the amendment analysis concludes about one old -> new version pair."""

    direction: str  # drift-away | toward-model | mixed | no-change
    old: Fidelity
    new: Fidelity
    signals: tuple[Signal, ...] = ()
    changes: tuple[ClauseChange, ...] = ()
    extras: dict = field(default_factory=dict)
