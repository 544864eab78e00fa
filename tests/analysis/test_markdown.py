"""Markdown renderings of federal bills read as their plain structure: sections, nested items, one clause per item."""

from __future__ import annotations

from pathlib import Path

from analysis.clauses.engine import classify
from analysis.text.markdown import markdown_edits
from analysis.text.normalize import current_view, normalize
from analysis.text.sections import segment

TEXTS = Path(__file__).parents[1] / "fixtures" / "corpus" / "texts"
CRISIS_CARE = TEXTS / "US/hr-2977-118/2023-04-27_IH_junxit-bills118.txt"


def test_bullets_hashes_and_italics_are_read_out():
    read = current_view(normalize(CRISIS_CARE.read_text(encoding="utf-8"))).text
    assert "\n§ 2. Grant program for one-stop crisis facilities\n" in read
    assert "\n(1) In general There is authorized to be appropriated to carry out this section $11,500,000,000" in read
    assert "**" not in read and "\n- " not in read


def test_nested_items_become_sections_with_their_paths():
    text = CRISIS_CARE.read_text(encoding="utf-8")
    paths = {section.path: text[section.start:section.end] for section in segment(text)}
    assert "§ 2 (b)(4)(C)" in paths
    assert "case management services and recovery oriented supports;" in paths["§ 2 (b)(4)(C)"]


def test_each_listed_amount_is_its_own_clause():
    text = CRISIS_CARE.read_text(encoding="utf-8")
    clauses = [clause for clause in classify(text) if "shall be for grants to" in clause.text]
    assert len(clauses) == 6  # one per kind of grantee, no longer one clause for the whole subsection
    assert all(clause.text.count("$") == 1 for clause in clauses)
    appropriation = next(c for c in classify(text) if "authorized to be appropriated to carry out" in c.text)
    assert "funding_other" in {label.category for label in appropriation.labels}


def test_a_few_dashes_do_not_make_a_text_markdown():
    prose = "The board shall meet.\n- at least quarterly;\nMembers serve *without* pay.\n"
    assert markdown_edits(prose) == []
    listed = prose + "- and report yearly.\n# Section two\n"
    removed = [listed[start:end] for start, end, _ in markdown_edits(listed)]
    assert removed.count("- ") == 2 and "# " in removed and removed.count("*") == 2
