"""Model-bill screening: LEAD language is recognised with or without the LEAD name, and unrelated law is not."""

from __future__ import annotations

from pathlib import Path

from analysis.drift.model_bill import screen

TEXTS = Path(__file__).parents[1] / "fixtures" / "corpus" / "texts"


def read(relative: str) -> str:
    return (TEXTS / relative).read_text(encoding="utf-8")


def unnamed_copy() -> str:
    """Real LEAD statute text with every mention of the model renamed, as a copying bill might do."""
    sections = ("CA/PEN-1001.85/2016-06-27_code_added-by-SB843.txt", "CA/PEN-1001.87/2018-01-01_code_as-amended-by-AB1516.txt")
    text = "\n".join(read(f) for f in sections)
    return text.replace("Law Enforcement Assisted Diversion (LEAD)", "Community Response Diversion (CRD)").replace("LEAD", "CRD")


def test_a_bill_copying_lead_language_without_naming_it_is_found_and_scored():
    match = screen(unnamed_copy())
    assert not match.names_model
    assert match.is_model_bill
    copied = {m.provision for m in match.provisions}
    assert {"prebooking_referral", "voluntary_participation", "housing_first", "no_charges_if_intake_completed"} <= copied
    assert all(m.coverage >= 0.5 for m in match.provisions)
    assert match.fidelity is not None and match.fidelity.model_score > 0
    status = {p.provision: p.status for p in match.fidelity.provisions}
    assert status["voluntary_participation"] == "present"


def test_named_lead_bill_is_a_model_bill_even_without_copied_text():
    match = screen(read("CA/SB1110_2015-16/2016-02-17_introduced.txt"))
    assert match.names_model and match.is_model_bill
    assert match.fidelity is not None


def test_unrelated_law_is_not_a_model_bill():
    for relative in (
        "WA/RCW_9A.88.030/2025-08-01_current-codified.txt",
        "TX/HSC_169.005/2011_first-offender-prostitution-prevention-program-fees_via-tx.elaws.txt",
    ):
        match = screen(read(relative))
        assert not match.is_model_bill
        assert match.fidelity is None


def test_one_borrowed_phrase_is_not_enough():
    text = (
        "A county may operate a program. "
        "Participation shall be voluntary and the person may decline to participate in the program at any time."
    )
    match = screen(text)
    assert [m.provision for m in match.provisions] == ["voluntary_participation"]
    assert not match.is_model_bill
    assert 0 < match.similarity < 0.1


def test_screening_without_scoring_skips_fidelity():
    match = screen(unnamed_copy(), score=False)
    assert match.is_model_bill and match.fidelity is None
    assert match.characters == len(unnamed_copy())
