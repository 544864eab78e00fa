"""Clause labels follow the codebook near-misses on real text; every label names its rule and evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.money import amounts as money
from analysis.clauses.engine import classify, iter_classify_file
from analysis.clauses.evaluate import category_spans

TEXTS = Path(__file__).parents[1] / "fixtures" / "corpus" / "texts"


def read(relative: str) -> str:
    with open(TEXTS / relative, encoding="utf-8", newline="") as handle:
        return handle.read()


def clause_with(clauses, words: str):
    return next(c for c in clauses if words in " ".join(c.text.split()))


def categories_of(text: str) -> set[str]:
    return {span.category for span in category_spans(classify(text))}


def test_prostitution_as_eligible_offense():
    text = read("CA/SB1110_2015-16/2016-02-17_introduced.txt")
    clause = clause_with(classify(text), "possession of a controlled substance or other prohibited substance, or prostitution")
    assert {"eligible_offense_prostitution", "eligible_offense_drug"} <= set(clause.categories)


def test_prostitution_as_social_contact_verification_is_referral_not_eligibility():
    clause = clause_with(classify(read("CA/PEN-1001.87/2018-01-01_code_as-amended-by-AB1516.txt")), "Verification by law enforcement")
    assert "referral_pathway" in clause.categories
    assert "eligible_offense_prostitution" not in clause.categories


def test_promoting_prostitution_is_an_exclusion():
    text = "(c) The following individuals are ineligible for LEAD:\n(1) The individual is suspected of promoting prostitution.\n"
    clause = clause_with(classify(text), "promoting prostitution")
    assert clause.categories == ("exclusion",)


def test_buyer_arrests_are_enforcement_not_an_eligible_offense():
    clause = clause_with(classify(read("WA/RCW_9A.88.140/2025-08-01_current-codified.txt")), "patronizing a prostitute, promoting")
    assert "trafficking_enforcement" in clause.categories
    assert "eligible_offense_prostitution" not in clause.categories


def test_offense_defining_statutes_get_no_labels():
    for relative in ("WA/RCW_9A.88.030/2025-08-01_current-codified.txt", "WA/RCW_9A.88.110/2025-08-01_current-codified.txt"):
        assert categories_of(read(relative)) == set(), relative


def test_voluntary_next_to_charges_is_both_voluntary_and_sanction():
    tail = read("AZ/HB2603_2021/2021_HB2603_introduced_pretrial-diversion_via-legiscan_PARTIAL.txt")
    failure = tail[tail.index("If a participant fails") :].split("\n")[0]
    text = "Participation in the program shall be voluntary. " + failure
    assert {"voluntary_participation", "sanction_or_coercion"} <= categories_of(text)


def test_intake_window_alone_is_voluntary_and_not_a_sanction():
    clauses = classify(read("CA/PEN-1001.87/2018-01-01_code_as-amended-by-AB1516.txt"))
    clause = clause_with(clauses, "shall not be filed, provided that the person finishes")
    assert "voluntary_participation" in clause.categories
    assert "sanction_or_coercion" not in clause.categories
    assert clause.modality == "shall not"


def test_money_to_the_board_with_law_enforcement_uses_is_funding_other_and_law_enforcement_funding():
    clauses = classify(read("CA/PEN-1001.88/2016-06-27_code_added-by-SB843.txt"))
    assert "law_enforcement_funding" in clause_with(clauses, "Dedicated law enforcement resources").categories
    assert "law_enforcement_funding" in clause_with(clauses, "Dedicated prosecutorial resources").categories
    assert "funding_other" in clause_with(clauses, "Project management and community engagement").categories
    assert "services_funding" in clause_with(clauses, "Civil legal services for LEAD participants").categories
    assert "law_enforcement_funding" not in clause_with(clauses, "Civil legal services").categories


def test_may_and_shall_and_subject_to_appropriation():
    clauses = classify(read("CA/PEN-1001.87/2018-01-01_code_as-amended-by-AB1516.txt"))
    referral = clause_with(clauses, "A law enforcement officer may refer an individual to LEAD")
    assert referral.modality == "may" and referral.actor == "law_enforcement"
    assert clause_with(clauses, "Participation in LEAD shall be voluntary").modality == "shall"
    centers = clause_with(classify(read("WA/RCW_7.68.380/2025-08-01_current-codified.txt")), "Subject to the availability of amounts appropriated")
    assert centers.modality == "subject to appropriation"


def test_reporting_a_violation_to_police_is_information_sharing_but_intake_not_completed_is_not():
    clause = clause_with(classify(read("WA/RCW_10.31.110/2025-08-01_current-codified.txt")), "shall inform the referring law enforcement agency")
    assert "information_sharing" in clause.categories
    baseline = "(c) The case manager shall inform the referring officer if the person fails to complete the intake interview within 30 days.\n"
    assert "information_sharing" not in categories_of(baseline)


def test_harm_reduction_negated_is_not_harm_reduction():
    assert "harm_reduction" in categories_of("LEAD is a harm-reduction oriented process for responding to low-level offenses.")
    assert "harm_reduction" not in categories_of("Nothing in this section shall be construed to require harm reduction services.")


def test_text_deleted_by_the_versions_markup_does_not_count():
    text = read("CA/SB1110_2015-16/2016-05-31_amended-senate.txt")
    clauses = classify(text)
    struck = clause_with(clauses, "approve three counties for the establishment")
    assert struck.markup == "deleted"
    assert all(span.start != struck.start for span in category_spans(clauses))
    assert "sunset" in {span.category for span in category_spans(clauses)}


def test_every_label_names_its_rule_and_evidence_inside_the_clause():
    text = read("CA/PEN-ch2.92/current_leginfo-chapter-display.txt")
    clauses = classify(text)
    labelled = [c for c in clauses if c.labels]
    assert labelled
    for clause in clauses:
        assert text[clause.start : clause.end] == clause.text
        for label in clause.labels:
            assert label.rule
            assert clause.start <= label.evidence_start < label.evidence_end <= clause.end


def test_streaming_a_file_gives_offsets_into_the_file(tmp_path):
    text = read("CA/PEN-ch2.92/current_leginfo-chapter-display.txt") * 3
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8", newline="")
    streamed = list(iter_classify_file(path, chunk_characters=2000))
    assert streamed and all(text[c.start : c.end] == c.text for c in streamed)
    whole = {(c.start, c.categories) for c in classify(text) if c.labels}
    assert len({(c.start, c.categories) for c in streamed if c.labels} & whole) >= 0.8 * len(whole)


def test_binary_input_fails_clearly(tmp_path):
    path = tmp_path / "junk.bin"
    path.write_bytes(b"%PDF-1.4\x00\x01\x02" * 100)
    with pytest.raises(ValueError, match="binary"):
        list(iter_classify_file(path))


def test_money_fields():
    assert money.amounts("allocates $15 million and $5,900,000") == (15_000_000.0, 5_900_000.0)
    assert money.fiscal_years("The Governor's 2016-2017 Budget; fiscal year 2018-19") == ("2016-17", "2018-19")
    assert money.recipient_type("Dedicated law enforcement resources, including overtime") == "law_enforcement"
    assert money.recipient_type("Grant funding for case management services") == "services"
    assert money.recipient_type("Participation shall be voluntary.") == ""


def test_new_matter_inserted_by_the_versions_markup_is_marked_inserted():
    clauses = classify(read("CA/SB1110_2015-16/2016-05-31_amended-senate.txt"))
    added = clause_with(clauses, "This bill, until January 1, 2020, would establish")
    assert added.markup == "inserted"
    assert "sunset" in added.categories


def test_trigger_scan_without_pyahocorasick_finds_the_same_rules():
    import tomllib

    from analysis.clauses.rules import CATEGORIES_FILE, _regex_scanner, _trigger_scanner

    by_trigger: dict[str, list[int]] = {}
    for index, rule in enumerate(tomllib.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))["rule"]):
        for trigger in rule["triggers"]:
            by_trigger.setdefault(trigger, []).append(index)
    mapping = {word: tuple(ids) for word, ids in by_trigger.items()}
    fast, fallback = _trigger_scanner(mapping), _regex_scanner(mapping)
    text = read("CA/PEN-ch2.92/current_leginfo-chapter-display.txt").lower()
    for piece in text.split("\n\n"):
        assert fast(piece) == fallback(piece)
    assert fast(text)


def test_the_one_pass_scan_reads_non_ascii_symbols_as_any_other_symbol():
    from analysis.clauses.reading import _scanner, lower

    scan = _scanner()
    if scan is None:
        pytest.skip("Hyperscan is not installed: every clause takes the trigger-word path")
    text = lower(read("US/hr-2977-118/2023-04-27_IH_junxit-bills118.txt"))
    pieces = [piece for piece in text.split("\n") if "—" in piece or "§" in piece]
    assert len(pieces) >= 5
    for piece in pieces:
        assert scan(piece) == scan(piece.replace("—", "#").replace("§", "#")), piece
    assert scan("a diversion program—in the state") is not None
    assert scan("a diversion program in the état") is None  # a non-ASCII letter: Python's word rules decide


def test_the_model_is_named_in_any_case_hyphenated_or_not():
    """Federal drafters write "law enforcement-assisted deflection and diversion programs": the LEAD model by name."""
    clauses = classify(read("US/hr-5811-118/2023-09-28_IH_junxit-bills118.txt"))
    named = clause_with(clauses, "Law enforcement-assisted deflection and diversion programs have the potential")
    assert any(label.category == "model_fidelity" and label.rule == "model.lead_named" for label in named.labels)
    assert "model_fidelity" not in categories_of("Law enforcement agencies shall assist the county with housing.")
