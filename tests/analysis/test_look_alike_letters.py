"""Cyrillic and Greek look-alike letters read as the Latin letters they imitate, with offsets unchanged."""

from __future__ import annotations

from pathlib import Path

from analysis.clauses.engine import classify
from analysis.text.normalize import current_view, normalize

TEXTS = Path(__file__).parents[1] / "fixtures" / "corpus" / "texts"
CYRILLIC_LOOK_ALIKES = str.maketrans("aeopcxiAEOPC", "аеорсхіАЕОРС")


def what_clauses_say(clauses):
    return [(c.start, c.end, c.section, c.labels, c.modality, c.actor, c.amounts, c.markup) for c in clauses]


def test_a_real_clause_spelled_with_cyrillic_look_alikes_gets_the_same_labels():
    text = (TEXTS / "WA/RCW_10.31.110/2025-08-01_current-codified.txt").read_text(encoding="utf-8")
    richest = max((c.text for c in classify(text)), key=lambda words: sum(len(c.labels) for c in classify(words)))
    spoofed = richest.translate(CYRILLIC_LOOK_ALIKES)
    assert spoofed != richest and not spoofed.isascii()
    original, read = classify(richest), classify(spoofed)
    assert sum(len(c.labels) for c in original) >= 2
    assert what_clauses_say(read) == what_clauses_say(original)
    assert [c.text for c in read] == [spoofed[c.start : c.end] for c in read]  # offsets into the text as read


def test_a_whole_bill_with_look_alikes_keeps_every_label_at_the_same_offsets():
    text = (TEXTS / "WA/RCW_10.31.110/2025-08-01_current-codified.txt").read_text(encoding="utf-8")
    original = classify(text)
    read = classify(text.translate(CYRILLIC_LOOK_ALIKES))
    assert sum(len(c.labels) for c in original) >= 8
    assert what_clauses_say(read) == what_clauses_say(original)


def test_greek_and_fullwidth_letters_fold_one_character_for_one():
    text = "Ρarticipation ѕhall be vοluntary for ｅｖｅｒｙ рerson."
    view = current_view(normalize(text))
    assert view.text == "Participation shall be voluntary for every person."
    for index in range(len(view.text)):
        assert view.to_original(index) == index


def test_a_word_of_another_script_is_left_as_written():
    text = "The term село means village; ѕhall is spoofed."
    view = current_view(normalize(text))
    assert view.text == "The term село means village; shall is spoofed."
