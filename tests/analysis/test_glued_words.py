"""Words an extraction ran together are read apart, only in texts that show the fault, and offsets still point home."""

from __future__ import annotations

from pathlib import Path

from analysis.clauses.engine import classify
from analysis.text.glued_words import glued_word_edits
from analysis.text.normalize import current_view, normalize

TEXTS = Path(__file__).parents[1] / "fixtures" / "corpus" / "texts"
GLUED = TEXTS / "MO/HB1897-2024/2023-12-12_introduced_legiscan-showme.txt"
GLUED_LONG = TEXTS / "MO/HB1706-2024/2023-12-04_introduced_legiscan-showme.txt"
CLEAN = TEXTS / "WA/RCW_10.31.110/2025-08-01_current-codified.txt"


def _read(path: Path) -> str:
    return current_view(normalize(path.read_text(encoding="utf-8"))).text


def test_glued_words_of_a_legiscan_extraction_are_read_apart():
    text = GLUED.read_text(encoding="utf-8")
    assert "first encounter witha personwho reasonably appearsto" in text
    assert "first encounter with a person who reasonably appears to" in _read(GLUED)
    long_runs = _read(GLUED_LONG)
    assert "A representative of the attorney general" in long_runs
    assert "Arepresentativeoftheattorneygeneral" not in long_runs


def test_words_the_list_lacks_are_not_split_into_pieces():
    """Legal words missing from the word list stay whole: a bound prefix on a word the text also writes alone, and
    any split with a fragment that is no word ("li censure")."""
    read = _read(GLUED_LONG)
    for word in ("relicensure", "licensure", "noncombative", "biennium"):
        assert f" {word}" in read or f"\n{word}" in read, word


def test_a_text_without_glued_runs_is_left_exactly_as_written():
    clean = CLEAN.read_text(encoding="utf-8")
    assert glued_word_edits(clean) == []
    # one long token is a typo or a name, not an extraction that dropped its spaces
    assert glued_word_edits(clean + " Thedepartmentshallissuealicensetoall.") == []


def test_clauses_of_split_words_quote_the_file_as_it_was():
    text = GLUED.read_text(encoding="utf-8")
    clause = next(c for c in classify(text) if "encounter" in c.text)
    assert clause.text == text[clause.start:clause.end] and "witha personwho" in clause.text
