"""Score one bill version against the 24 LEAD model provisions, so versions and amendments can be compared."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analysis.drift.cues import Spans, version_cues, weak_condition_patterns
from analysis.model import Clause, Fidelity, ProvisionStatus

HERE = Path(__file__).parent
STATUS_VALUES = {"present": 1.0, "weakened": 0.5, "absent": 0.0, "contradicted": -1.0}
WEAK_MODALITIES = {"may", "subject to appropriation", "intent"}


@dataclass(frozen=True)
class Provision:
    """One model provision with its weights and the cues that decide its status."""

    id: str
    weight: int
    organizer_weight: int
    present: tuple[str, ...]
    weakened: tuple[str, ...]
    contradicted: tuple[str, ...]
    downgrade_if: tuple[str, ...]
    modality_sensitive: bool
    rule: str
    reference: tuple[str, ...]


@lru_cache(maxsize=1)
def provisions() -> tuple[Provision, ...]:
    """The 24 provisions from provisions.toml, in codebook order."""
    data = tomllib.loads((HERE / "provisions.toml").read_text(encoding="utf-8"))
    return tuple(
        Provision(
            id=pid,
            weight=spec["weight"],
            organizer_weight=spec.get("organizer_weight", spec["weight"]),
            present=tuple(spec.get("present", ())),
            weakened=tuple(spec.get("weakened", ())),
            contradicted=tuple(spec.get("contradicted", ())),
            downgrade_if=tuple(spec.get("downgrade_if", ())),
            modality_sensitive=spec.get("modality_sensitive", False),
            rule=spec.get("rule", ""),
            reference=tuple(spec.get("reference", ())),
        )
        for pid, spec in data.items()
    )


_WEAK_VERB = re.compile(r"\b(?:may|should)\s+(?:not\s+)?be\b", re.IGNORECASE)


def is_weak(clause: Clause, span: tuple[int, int] | None = None) -> bool:
    """Whether the clause states its duty only as an option, an intent or subject to money."""
    if span:
        segment_start = 1 + max(clause.text.rfind(mark, 0, span[0]) for mark in ".;:")
        if _WEAK_VERB.search(clause.text, segment_start, span[1]):
            return True
    return clause.modality in WEAK_MODALITIES or any(p.search(clause.text) for p in weak_condition_patterns())


def assess(
    clauses: Sequence[Clause], clause_cue_sets: Sequence[dict[str, Spans]], text_missing: bool = False
) -> list[tuple[ProvisionStatus, int]]:
    """Status of every provision with the index of its evidence clause (-1 when none)."""
    holders: dict[str, list[int]] = {}
    for index, found in enumerate(clause_cue_sets):
        for name in found:
            holders.setdefault(name, []).append(index)

    def weak(index: int, names: Sequence[str]) -> bool:
        spans = [clause_cue_sets[index][n][0] for n in names if n in clause_cue_sets[index]]
        return is_weak(clauses[index], spans[0] if spans else None)

    def first(names: Sequence[str], skip_weak: bool = False) -> int:
        hits = sorted(i for name in names for i in holders.get(name, ()))
        if skip_weak:
            strong = [i for i in hits if not weak(i, names)]
            hits = strong or hits
        return hits[0] if hits else -1

    results = []
    for provision in provisions():
        status, index = _status(provision, first, holders, weak)
        if status == "absent" and text_missing:
            status = "unknown"
        evidence = clauses[index].text.strip() if index >= 0 else ""
        results.append((ProvisionStatus(provision.id, status, provision.weight, evidence), index))
    return results


def _status(provision: Provision, first, holders: dict[str, list[int]], weak) -> tuple[str, int]:
    """Contradicted beats present beats weakened beats absent; money provisions have their own rule."""
    if provision.rule:
        return _money_status(provision.rule, first)
    index = first(provision.contradicted)
    if index >= 0:
        return "contradicted", index
    index = first(provision.present, skip_weak=provision.modality_sensitive)
    if index >= 0:
        weakened = provision.modality_sensitive and weak(index, provision.present)
        downgraded = any(holders.get(name) for name in provision.downgrade_if)
        return ("weakened" if weakened or downgraded else "present"), index
    index = first(provision.weakened)
    return ("weakened", index) if index >= 0 else ("absent", -1)


def _money_status(rule: str, first) -> tuple[str, int]:
    """Funding provisions: n/a without money clauses, else judged by who gets the money."""
    any_money, services, police = first(["funding_any"]), first(["services_funding"]), first(["law_enforcement_funding"])
    if any_money < 0 and services < 0 and police < 0:
        return "unknown", -1
    coordination_only = police >= 0 and first(["le_coordination_only"]) >= 0
    if rule == "services_share":
        if services >= 0:
            return ("weakened" if police >= 0 else "present"), services
        return ("contradicted", police) if police >= 0 else ("absent", -1)
    if police >= 0:
        return ("weakened" if coordination_only else "contradicted"), police
    return "present", max(any_money, services)


def fidelity_from(statuses: Sequence[ProvisionStatus], cue_names: set[str]) -> Fidelity:
    """Both lens scores and the organizer flags from provision statuses."""
    weights = {p.id: (p.weight, p.organizer_weight) for p in provisions()}

    def score(lens: int) -> float | None:
        scored = [(weights[s.provision][lens], STATUS_VALUES[s.status]) for s in statuses if s.status in STATUS_VALUES]
        total = sum(w for w, _ in scored)
        return round(sum(w * v for w, v in scored) / total, 4) if total else None

    by_id = {s.provision: s.status for s in statuses}
    flags = []
    if by_id.get("eligible_offenses_prostitution") in {"present", "weakened"}:
        flags.append("prostitution_clause_present")
    for cue, flag in (
        ("police_only_door", "police_only_referral"),
        ("police_final_authority", "prosecutor_or_police_final_authority"),
        ("no_charges_intake", "intake_charging_lever"),
        ("information_sharing", "information_shared_with_enforcement"),
    ):
        if cue in cue_names:
            flags.append(flag)
    return Fidelity(tuple(statuses), score(0), score(1), tuple(flags))


def score_version(clauses: Sequence[Clause], text_missing: bool = False) -> Fidelity:
    """Fidelity of one version; text_missing turns "absent" into "unknown" (left out of the score)."""
    clauses = [c for c in clauses if c.markup != "deleted"]
    cue_sets = version_cues(clauses)
    statuses = [status for status, _ in assess(clauses, cue_sets, text_missing)]
    return fidelity_from(statuses, {name for found in cue_sets for name in found})
