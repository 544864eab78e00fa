"""Fidelity scoring: statuses per provision, both lenses, unknowns and the codebook weights."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.clauses.engine import classify
from analysis.drift.fidelity import STATUS_VALUES, provisions, score_version
from analysis.model import Clause, Label

TEXTS = Path(__file__).parents[1] / "fixtures" / "corpus" / "texts"

CODEBOOK_WEIGHTS = {
    "prebooking_referral": 3, "no_charges_if_intake_completed": 3, "voluntary_participation": 3,
    "harm_reduction_no_abstinence": 3, "no_sanctions_no_fail_out": 3, "harm_reduction_service_providers": 3,
    "case_manager_confidentiality": 3, "services_funding_share": 3, "no_new_law_enforcement_funding": 3,
    "housing_first": 2, "individualized_case_management": 2, "social_contact_referral_criteria": 2,
    "community_referral_pathway": 2, "narrow_exclusions": 2, "no_informant_use": 2, "community_governance": 2,
    "evaluation_requirement": 2, "sunset_or_pilot_period": 2, "fidelity_to_model": 2, "complaint_procedure": 2,
    "eligible_offenses_drug": 1, "eligible_offenses_prostitution": 1, "prosecutor_coordination": 1, "racial_equity_focus": 1,
}


def clause(text: str, *categories: str, modality: str = "", markup: str = "unchanged") -> Clause:
    """A Clause as the clause engine would hand it over (labels carry whole-clause evidence)."""
    labels = tuple(Label(c, "test", 0, len(text)) for c in categories)
    return Clause(0, len(text), text, "(a)", labels, modality, markup=markup)


def statuses(fidelity) -> dict[str, str]:
    return {p.provision: p.status for p in fidelity.provisions}


def test_provisions_match_the_codebook_weights():
    assert {p.id: p.weight for p in provisions()} == CODEBOOK_WEIGHTS
    assert sum(CODEBOOK_WEIGHTS.values()) == 53
    assert all(p.reference for p in provisions())


def test_score_is_the_weighted_mean_over_scored_provisions():
    fid = score_version([
        clause("Participation in the program shall be voluntary, and the person may decline at any time.", modality="shall"),
        clause("As a condition of participation, a participant shall submit to drug testing.", modality="shall"),
        clause("This chapter shall remain in effect only until January 1, 2030, and as of that date is repealed."),
    ])
    got = statuses(fid)
    assert got["voluntary_participation"] == "present"
    assert got["harm_reduction_no_abstinence"] == "contradicted"
    assert got["no_charges_if_intake_completed"] == "contradicted"
    assert got["sunset_or_pilot_period"] == "present"
    assert got["services_funding_share"] == "unknown"  # no money clause: n/a, out of the denominator
    scored = [p for p in fid.provisions if p.status != "unknown"]
    expected = sum(p.weight * STATUS_VALUES[p.status] for p in scored) / sum(p.weight for p in scored)
    assert fid.model_score == pytest.approx(expected, abs=1e-4)
    assert fid.model_score == pytest.approx((3 - 3 - 3 + 2) / 47, abs=1e-4)


def test_weak_modality_weakens_a_safeguard_but_not_officer_discretion():
    weak = statuses(score_version([clause("Participation in services may be voluntary.", modality="may")]))
    assert weak["voluntary_participation"] == "weakened"
    referral = clause("As an alternative to arrest, an officer may refer a person to a case manager.", modality="may")
    officer = statuses(score_version([referral]))
    assert officer["prebooking_referral"] == "present"


def test_text_missing_turns_absent_into_unknown():
    fid = score_version([clause("Participation shall be voluntary.", modality="shall")], text_missing=True)
    got = statuses(fid)
    assert got["voluntary_participation"] == "present"
    assert got["sunset_or_pilot_period"] == "unknown"
    assert fid.model_score == 1.0


def test_organizer_lens_drops_prostitution_weight_and_flags_it():
    fid = score_version([clause("A person arrested for prostitution shall be eligible for diversion.", "eligible_offense_prostitution")])
    assert statuses(fid)["eligible_offenses_prostitution"] == "present"
    assert "prostitution_clause_present" in fid.flags
    assert fid.model_score == pytest.approx(1 / 47, abs=1e-4)  # the two money provisions are n/a
    assert fid.organizer_score == 0.0


def test_money_provisions_follow_the_final_use():
    police = statuses(score_version([clause("Grants to local police departments for patrol overtime.", "law_enforcement_funding")]))
    assert police["no_new_law_enforcement_funding"] == "contradicted"
    assert police["services_funding_share"] == "contradicted"
    services = statuses(score_version([clause("Grant funding may be used for case management and housing.", "services_funding")]))
    assert services["no_new_law_enforcement_funding"] == "present"
    assert services["services_funding_share"] == "present"


def test_deleted_clauses_do_not_count():
    fid = score_version([clause("Participation shall be voluntary.", "voluntary_participation", markup="deleted")])
    assert statuses(fid)["voluntary_participation"] == "absent"


def test_real_statute_section():
    text = (TEXTS / "CA/PEN-1001.85/2016-06-27_code_added-by-SB843.txt").read_text(encoding="utf-8")
    fid = score_version(classify(text))
    got = statuses(fid)
    assert got["voluntary_participation"] == "present"
    assert got["harm_reduction_no_abstinence"] == "present"
    assert got["housing_first"] == "present"
    assert got["individualized_case_management"] == "present"
    assert got["fidelity_to_model"] == "weakened"  # names LEAD, no core-principles anchor
    assert got["case_manager_confidentiality"] == "absent"
    evidence = {p.provision: p.evidence for p in fid.provisions}
    assert "without preconditions" in evidence["housing_first"]
    assert -1 <= fid.model_score <= 1


def test_cue_prefilter_never_hides_a_match():
    from analysis.drift.cues import find_cues

    fixtures = TEXTS.parents[1]
    amendments = sorted((fixtures / "amendments").rglob("*.txt")) + sorted((fixtures / "amendments_unseen").rglob("*.txt"))
    for path in sorted(TEXTS.rglob("*.txt")) + amendments:
        for piece in classify(path.read_text(encoding="utf-8")):
            assert find_cues(piece.text) == find_cues(piece.text, prefilter=False), piece.text[:80]
    for provision in provisions():
        for phrase in provision.reference:
            assert find_cues(phrase) == find_cues(phrase, prefilter=False), phrase
