"""Structure markers become sections with the right hierarchy and offsets into the text as read."""

from __future__ import annotations

from pathlib import Path

from analysis.text.sections import segment

TEXTS = Path(__file__).parents[1] / "fixtures" / "corpus" / "texts"


def read(relative: str) -> str:
    with open(TEXTS / relative, encoding="utf-8", newline="") as handle:
        return handle.read()


def by_path(sections, path):
    return [s for s in sections if s.path.endswith(path)]


def test_code_sections_and_nested_subdivisions():
    text = read("CA/PEN-ch2.92/current_leginfo-chapter-display.txt")
    sections = segment(text)
    item = next(s for s in sections if s.path.endswith("1001.85 (b)(4)"))
    assert text[item.start :].startswith("(4) Participation in LEAD services shall be voluntary")
    parent = next(s for s in sections if s.path.endswith("1001.85 (b)"))
    assert parent.level == item.level - 1
    assert parent.end <= item.start
    starts = [s.start for s in sections]
    assert starts == sorted(starts)
    assert all(s.start <= s.end for s in sections)


def test_inline_enumerators_after_a_colon_are_children():
    text = read("KY/KRS_15.525/2019_current_law-enforcement-referral-program_via-lawserver.txt")
    sections = segment(text)
    warrant = next(s for s in sections if s.path == "(3)(a)")
    assert text[warrant.start :].startswith("(a) Has an outstanding arrest warrant")
    assert "subdivision (b)" not in [s.heading for s in sections]


def test_roman_numerals_nest_below_capital_letters_and_letters_continue_after_h():
    text = read("CA/PEN-ch2.92/alt_sources/codecond-chapter-page.raw.txt")
    roman = by_path(segment(text), "(iii)")
    assert roman and text[roman[0].start :].startswith("(iii) Law enforcement has a reliable basis")
    letters = "(g) Seventh.\n(h) Eighth.\n(i) Ninth.\n(j) Tenth.\n"
    paths = [s.path for s in segment(letters)]
    assert paths == ["(g)", "(h)", "(i)", "(j)"]
    romans = "(a) Items:\n(i) First.\n(ii) Second.\n"
    assert [s.path for s in segment(romans)] == ["(a)", "(a)(i)", "(a)(ii)"]


def test_line_numbered_bill_headings_keep_original_offsets():
    text = read("IL/SB2367_2018_trailer-amending-Sec25/2018_SB2367_engrossed_official-ilga_PARTIAL.txt")
    sections = segment(text)
    heading = next(s for s in sections if s.path == "Sec. 25")
    assert heading.heading.startswith("Reporting and evaluation")
    first_item = next(s for s in sections if s.path == "Sec. 25 (1)")
    assert text[first_item.start :].startswith("(1) develop a set of minimum data")
    assert not any(s.path.startswith("Section 35") for s in sections)  # a wrapped reference, not a heading


def test_digest_and_dotted_lists():
    text = read("AZ/HB2638_2020/2019-2020_HB2638_introduced_prearrest-deflection_official-azleg_PARTIAL.txt")
    paths = [s.path for s in segment(text)]
    assert "ARTICLE 15 B.2." in paths
    item = next(s for s in segment(text) if s.path == "ARTICLE 15 B.2.")
    assert text[item.start :].startswith("2. A self")


def test_text_without_markers_is_one_section():
    assert [(s.path, s.start, s.end) for s in segment("Plain words only.")] == [("", 0, 17)]
    assert segment("") == []
