"""Funding links: real statute and page text tie money to programs and clauses, with evidence and confidence."""

from __future__ import annotations

from analysis.money.links import ClauseRef, FundingItem, Program, citations, diversion_relevance, link_all
from tests.funding.helpers import BSCC, FUNDING_FIXTURES

SECTION_1001_86 = (FUNDING_FIXTURES.parent / "corpus/texts/CA/PEN-1001.86/2016-06-27_code_added-by-SB843.txt").read_text(encoding="utf-8")
PROGRAM_PAGE = (BSCC / "current_lead-grant-program-page.txt").read_text(encoding="utf-8")
CA_LEAD = Program(id="CA-LEAD-pilot", name="Law Enforcement Assisted Diversion", jurisdiction="CA", aliases=("LEAD",),
                  statutes=("1001.85", "1001.86"), years=(2016, 2026))
COSSUP = Program(id="US-COSSUP", name="Comprehensive Opioid, Stimulant, and Substance Use Program", jurisdiction="US",
                 aliases=("COSSUP",), listings=("16.838",))


def test_relevance_uses_keywords_and_case_sensitive_acronyms() -> None:
    assert diversion_relevance(PROGRAM_PAGE, ["pre-arrest diversion"], ["LEAD"]).evidence == "acronym 'LEAD'"
    assert not diversion_relevance("We lead the nation in space science.", ["diversion"], ["LEAD"]).related


def test_state_announcement_links_to_state_program_and_clause() -> None:
    award = FundingItem("award", "announcement", "bscc:los angeles", "CA", PROGRAM_PAGE, (), 2017)
    clause = ClauseRef("CA-PEN-1001.86#2", "CA", SECTION_1001_86, ("2016-17",))
    links = link_all([award], [CA_LEAD, COSSUP], [clause])
    by_target = {link.target_id: link for link in links}
    assert set(by_target) == {"CA-LEAD-pilot", "CA-PEN-1001.86#2"}
    program_link = by_target["CA-LEAD-pilot"]
    assert "program_name" in program_link.methods and "jurisdiction" in program_link.methods
    assert 0.5 <= program_link.confidence <= 1.0 and "names 'Law Enforcement Assisted Diversion'" in program_link.evidence
    assert by_target["CA-PEN-1001.86#2"].evidence.startswith("both name Law Enforcement Assisted Diversion")


def test_program_named_by_different_spellings_still_links() -> None:
    award = FundingItem("award", "announcement", "x", "CA", "Law Enforcement Assisted Diversion: Los Angeles", (), 2017)
    assert link_all([award], [], [ClauseRef("c#1", "CA", SECTION_1001_86, ("2017",))]) == []  # no programs, no names
    [link] = [l for l in link_all([award], [CA_LEAD], [ClauseRef("c#1", "CA", SECTION_1001_86, ("2017",))])
              if l.target_kind == "clause"]
    assert "('Law Enforcement Assisted Diversion' / 'LEAD')" in link.evidence and "period" in link.methods


def test_listing_number_links_federal_award_and_other_states_do_not_match() -> None:
    federal = FundingItem("award", "usaspending", "ASST_X", "WA", "Opioid site-based program", ("16.838",), 2021)
    links = link_all([federal], [CA_LEAD, COSSUP], [ClauseRef("CA#1", "CA", SECTION_1001_86)])
    assert [(l.target_id, l.methods[0]) for l in links] == [("US-COSSUP", "assistance_listing")]


def test_citations_are_section_numbers_not_amounts() -> None:
    assert citations("as described in Section 1001.86 of the Penal Code, $5.9 million") == {"1001.86"}
    assert citations("RCW 71.24.589 and chapter 2.92") == {"71.24.589", "2.92"}


def test_stated_authorizing_bills_link_only_in_their_own_state() -> None:
    from analysis.money.links import FundingItem, link_stated_bills, stated_bill_ids

    assert stated_bill_ids("Senate Bill 843 (chaptered June 27, 2016)") == ("SB 843",)
    assert stated_bill_ids("Public Act 103-0361 (HB3819); Deflection Act") == ("HB 3819",)
    assert stated_bill_ids("Section 520G of the Public Health Service Act") == ()
    bills = [("CA", "2015-2016", "SB 843"), ("IL", "103rd General Assembly", "HB 3819"), ("TX", "84R", "SB 843")]
    same_state = link_stated_bills(FundingItem("award", "records:a.csv", "1", "IL", ""), "HB3819", bills)
    assert [(l.target_id, l.confidence) for l in same_state] == [("IL 103rd General Assembly HB 3819", 0.9)]
    assert link_stated_bills(FundingItem("award", "records:a.csv", "2", "WA", ""), "Senate Bill 843", bills) == []
    ambiguous = link_stated_bills(FundingItem("award", "records:a.csv", "3", "US", ""), "Senate Bill 843", bills)
    assert ambiguous == []  # no state named and two tracked SB 843s: no guess
    unique = link_stated_bills(FundingItem("award", "records:a.csv", "4", "US", ""), "Senate Bill 843", bills[:2])
    assert [l.target_id for l in unique] == ["CA 2015-2016 SB 843"] and unique[0].confidence == 0.7


def test_stated_recipient_kind_decides_only_when_the_name_does_not() -> None:
    from analysis.money.recipients import classify_with_stated_kind

    assert classify_with_stated_kind("Snohomish County Prosecuting Attorney", "county").type == "prosecution"
    stated = classify_with_stated_kind("Allegheny County", "County (Department of Human Services oversees)")
    assert (stated.type, stated.rule) == ("health_human_services", "stated_kind:health_human_services")
    assert classify_with_stated_kind("(recipient not named)", "not stated (project serves a city)").type == "unknown"
    assert classify_with_stated_kind("Pueblo County", "county").type == "other"
