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


def test_a_bill_title_ends_a_clause_at_each_part_it_lists():
    text = ("An act relating to pretrial intervention; amending s. 948.08, F.S.; requiring that an adult fulfill a "
            "community service requirement; prohibiting the issuance of a citation if the victim objects; providing "
            "an effective date.")
    assert clause_texts(text) == [
        "An act relating to pretrial intervention;",
        "amending s. 948.08, F.S.;",
        "requiring that an adult fulfill a community service requirement;",
        "prohibiting the issuance of a citation if the victim objects;",
        "providing an effective date.",
    ]


def test_each_part_of_a_title_is_read_under_the_title_opening():
    """A title part says what the act does to the program its opening names, as a list item under its lead-in."""
    text = ("An act relating to pretrial intervention; amending s. 948.08, F.S.; requiring that an adult fulfill a "
            "community service requirement; providing an effective date. Section 1. The program shall be voluntary; "
            "requiring nothing more.")
    lead_ins = {clause.text: clause.lead_in for clause in classify(text)}
    assert lead_ins["requiring that an adult fulfill a community service requirement;"] == "an act relating to pretrial intervention;"
    assert lead_ins["providing an effective date."] == "an act relating to pretrial intervention;"
    assert lead_ins["An act relating to pretrial intervention;"] == ""
    assert lead_ins["requiring nothing more."] == "the program shall be voluntary;"


def test_an_enumerator_stays_with_its_item_and_a_number_ending_a_sentence_still_ends_it():
    text = "A person is eligible if he or she: 1. Is charged with a nonviolent felony. 2. Is not on probation. It began in 2019. Then it grew."
    texts = clause_texts(text)
    assert "1. Is charged with a nonviolent felony." in texts and "2. Is not on probation." in texts
    assert "It began in 2019." in texts and "Then it grew." in texts
    assert "1." not in texts and "2." not in texts
