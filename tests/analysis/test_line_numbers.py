"""Printed line numbers are read out of the text, so phrases broken by them match again and offsets still point home."""

from __future__ import annotations

from pathlib import Path

from analysis.clauses.engine import classify
from analysis.text.line_numbers import line_number_edits
from analysis.text.normalize import current_view, normalize

TEXTS = Path(__file__).parents[1] / "fixtures" / "corpus" / "texts"


def test_a_flattened_pdf_reads_without_its_inline_line_numbers():
    text = (TEXTS / "FL/SB618-2016/2016_c1_flsenate.txt").read_text(encoding="utf-8")
    assert "\n" not in text.strip() and "prohibiting the issuance of the civil citation if the 11 misdemeanor" in text
    read = current_view(normalize(text)).text
    assert "prohibiting the issuance of the civil citation if the misdemeanor offense involves a victim" in read


def test_line_numbers_at_line_starts_go_and_section_numbers_stay():
    text = (TEXTS / "MO/SB1200-2024/2023-12-05_introduced_legiscan-showme.txt").read_text(encoding="utf-8")
    read = current_view(normalize(text)).text
    assert "557.520. 1. For purposes of this section, the\nfollowing terms shall mean:\n(1) \"Failed start\"" in read


def test_numbers_that_do_not_count_up_line_by_line_are_words():
    prose = ("The program shall run for 2 years in 3 counties. Each county names 5 members. "
             "Up to 40 people may enrol. Reports are due within 90 days. ") * 3
    assert line_number_edits(prose) == []
    lines = "".join(f"{n} a fee of 25 dollars, or 10 hours of service\n" for n in range(1, 8))
    assert [lines[start:end] for start, end, _ in line_number_edits(lines)] == [f"{n} " for n in range(1, 8)]


def test_evidence_offsets_point_into_the_file_as_it_was():
    text = (TEXTS / "FL/SB618-2016/2016_c1_flsenate.txt").read_text(encoding="utf-8")
    clauses = classify(text)
    assert clauses and all(text[c.start:c.end].split()[0] in c.text for c in clauses)
    assert any(text[label.evidence_start:label.evidence_end] for c in clauses for label in c.labels)
