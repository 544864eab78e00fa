"""Each amendment and print convention is recognised on real text, and offsets stay offsets into it."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.text.normalize import DELETE, INSERT, current_view, deleted_views, marked_view, normalize

TEXTS = Path(__file__).parents[1] / "fixtures" / "corpus" / "texts"


def read(relative: str) -> str:
    with open(TEXTS / relative, encoding="utf-8", newline="") as handle:
        return handle.read()


def assert_maps_back(text: str, view) -> None:
    """Every clean character copied verbatim is the original character at its mapped offset."""
    for segment, clean_start in enumerate(view.clean_starts):
        if not view.verbatim[segment]:
            continue
        clean_end = view.clean_starts[segment + 1] if segment + 1 < len(view.clean_starts) else len(view.text)
        for index in range(clean_start, clean_end):
            assert text[view.to_original(index)] == view.text[index], index


def test_california_begin_end_tokens_become_spans_and_deleted_matter_leaves_the_current_view():
    text = read("CA/SB1110_2015-16/2016-05-31_amended-senate.txt")
    nt = normalize(text)
    inserted = [text[s.start : s.end] for s in nt.spans if s.kind == INSERT]
    deleted = [text[s.start : s.end] for s in nt.spans if s.kind == DELETE]
    assert " and repeal" in inserted
    assert any("approve three counties" in passage for passage in deleted)
    current = current_view(nt).text
    assert "begin insert" not in current and "end delete" not in current
    assert "approve three counties" not in current
    assert "until January 1, 2020" in current
    assert "approve three counties" in marked_view(nt).text
    assert any("approve three counties" in view.text for view in deleted_views(nt))
    assert_maps_back(text, current_view(nt))


def test_texas_brackets_in_an_amending_bill_are_deletions_but_session_law_citations_are_not():
    text = read("TX/SB536_2015/2015_SB536_introduced_official-capitol-texas_PARTIAL.txt")
    nt = normalize(text)
    deleted = [text[s.start : s.end] for s in nt.spans if s.kind == DELETE]
    assert "PROSTITUTION PREVENTION" in deleted
    assert "PERSONS PROGRAM" in " ".join(current_view(nt).text.split())
    citation = "RCW 9A.88.030 is amended to read as follows:\n(3) Prostitution is a misdemeanor.\n[ 2020 c 331 s 4; 1988 c 145 s 16.]"
    assert normalize(citation).spans == ()


def test_brackets_are_left_alone_when_the_text_amends_nothing():
    text = read("WA/RCW_7.68.390/2025-08-01_current-codified.txt")
    assert normalize(text).spans == ()


def test_new_york_capitals_with_legend_are_insertions():
    # No New York text is in the corpus yet; this follows the legend NY bills print above the text.
    text = ("EXPLANATION--Matter in CAPITALS is new; matter in brackets [ ] is old law to be omitted.\n"
            "Section 1. The officer [shall] MAY REFER THE PERSON to a case manager.")
    nt = normalize(text)
    kinds = {(s.kind, text[s.start : s.end]) for s in nt.spans}
    assert (DELETE, "shall") in kinds
    assert (INSERT, "MAY REFER THE PERSON") in kinds


def test_bold_insertions_and_tags_are_recognised():
    text = "The program **shall** offer services. The board <del>shall</del><ins>may</ins> contract."
    kinds = {(s.kind, text[s.start : s.end]) for s in normalize(text).spans}
    assert {(INSERT, "shall"), (DELETE, "shall"), (INSERT, "may")} <= kinds
    assert "board   may contract" in current_view(normalize(text)).text.replace("  ", "   ")


def test_illinois_line_numbers_and_page_headers_are_not_clause_text():
    text = read("IL/SB2367_2018_trailer-amending-Sec25/2018_SB2367_engrossed_official-ilga_PARTIAL.txt")
    clean = current_view(normalize(text)).text
    assert "LRB100" not in clean
    assert "collected from\n each deflection program" in clean or "collected from each deflection program" in " ".join(clean.split())
    assert "Senate Bill 3023" not in clean  # "53023" = line 5 + "3023": the glued number stays a known limit
    view = current_view(normalize(text))
    position = view.text.index("develop a set of minimum data")
    assert text[view.to_original(position) :].startswith("develop a set of minimum data")


def test_line_numbers_glued_to_words_are_removed():
    text = read("CA/SB1110_2015-16/2016-02-17_introduced.txt")
    clean = " ".join(current_view(normalize(text)).text.split())
    assert "Interested counties shall submit applications to the board, including information" in clean


def test_soft_hyphen_ligature_and_line_end_hyphenation():
    text = "The pro\u00adgram offers har-\n  m reduction and ﬁnancial sub-\nstance use services."
    view = current_view(normalize(text))
    assert "program" in view.text and "financial" in view.text and "substance" in view.text
    index = view.text.index("financial")
    assert text[view.to_original(index)] == "ﬁ"


def test_explicit_markup_is_used_and_validated():
    text = "Participation shall be voluntary."
    nt = normalize(text, [("deleted", 23, 32)])
    assert [(s.kind, text[s.start : s.end]) for s in nt.spans] == [(DELETE, "voluntary")]
    with pytest.raises(ValueError):
        normalize(text, [("delete", 10, 99)])


def test_xml_rendering_tags_are_layout():
    text = read("CA/related/AB2582_2025-26/2026-02-20_introduced.txt")
    clean = current_view(normalize(text)).text
    assert "<ns0:" not in clean
    assert "commits prostitution" in clean
