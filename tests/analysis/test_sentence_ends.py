"""Clauses end at sentence ends, never after an abbreviation or an initial, and at list-line breaks."""

from __future__ import annotations

from analysis.clauses.engine import classify


def clause_texts(text: str) -> list[str]:
    return [clause.text for clause in classify(text)]


def test_abbreviations_and_initials_do_not_end_a_clause():
    text = "Funds under 42 U.S. Code may be used. See Sec. 5 of the act. Officer J. Smith shall refer people."
    assert clause_texts(text) == [
        "Funds under 42 U.S. Code may be used.",
        "See Sec. 5 of the act.",
        "Officer J. Smith shall refer people.",
    ]


def test_questions_exclamations_closing_marks_and_list_lines_end_clauses():
    text = "Is it voluntary? Yes! The program (LEAD). Then a list:\nparticipants;\nproviders"
    assert clause_texts(text) == ["Is it voluntary?", "Yes!", "The program (LEAD).", "Then a list:", "participants;", "providers"]


def test_a_period_inside_a_word_or_before_lower_case_does_not_end_a_clause():
    text = "The fee is 2.5 percent of the total. e.g. the county. Participation is voluntary."
    assert clause_texts(text) == ["The fee is 2.5 percent of the total. e.g. the county.", "Participation is voluntary."]
