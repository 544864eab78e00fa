"""Amendment comparison on real version pairs: alignment, redlines, cut-off texts, markup, JSON and the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analysis.drift.align import MIN_SIMILARITY, align, coverage_end, similarity, words
from analysis.clauses.engine import classify
from analysis.drift.engine import compare, report_to_json
from analysis.drift.cues import find_cues, rules, version_cues
from analysis.drift import align as alignment
from analysis.drift import redline as redlines
from analysis.drift.furniture import is_furniture
from analysis.drift.redline import redline, version_views
from pipelines.cli import main

CORPUS = Path(__file__).parents[1] / "fixtures" / "corpus"
TEXTS = CORPUS / "texts"
AMENDMENTS = Path(__file__).parents[1] / "fixtures" / "amendments" / "texts"
FURNITURE = Path(__file__).parents[1] / "fixtures" / "amendments_furniture"


def read(relative: str) -> str:
    return (TEXTS / relative).read_text(encoding="utf-8")


def gold_pairs() -> list[dict]:
    lines = (CORPUS / "gold" / "pairs.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _high_severity(pair: dict) -> list[str]:
    severity = {spec["id"]: spec["severity"] for spec in rules()["signals"]}
    return [signal for signal in pair["signals"] if severity[signal] == "H"]


@pytest.mark.parametrize("pair", [p for p in gold_pairs() if _high_severity(p)], ids=lambda pair: pair["new"].split("/")[1])
def test_gold_pairs_keep_every_high_severity_signal(pair):
    """Training pairs: every high-severity change the coders found is flagged, with evidence from the new or old text."""
    found = {s.id: s for s in compare(read(pair["old"]), read(pair["new"])).signals}
    for signal in _high_severity(pair):
        assert signal in found, f"{signal} missed"
        assert found[signal].new_text or found[signal].old_text


def test_version_markup_is_the_amendment_basis():
    old, new = "CA/SB1110_2015-16/2016-02-17_introduced.txt", "CA/SB1110_2015-16/2016-05-31_amended-senate.txt"
    prior, current, marked = version_views(read(new))
    assert marked
    assert "approve three counties" in prior.text and "approve three counties" not in current.text
    assert "until January 1, 2020" in current.text  # an insert left open by the cut-off is still an insert
    assert "until January 1, 2020" not in prior.text
    report = compare(read(old), read(new))
    assert report.extras["basis"] == "markup"
    sunset = next(s for s in report.signals if s.id == "sunset_added")
    assert "repeal" in sunset.new_text and "repeal" not in sunset.old_text
    assert report.new.model_score > report.old.model_score


def test_missing_text_is_never_deleted_text():
    full = read("CA/PEN-1001.85/2016-06-27_code_added-by-SB843.txt")
    cut = full[: full.index("(4) Participation") + 40]  # stops mid-sentence, like the partial corpus files
    for old, new in ((full, cut), (cut, full)):
        report = compare(old, new)
        assert report.direction == "no-change", report_to_json(report)
        assert not report.signals
    assert report.extras["truncated"]["old"]


def test_renderings_of_the_same_version_do_not_drift():
    for original, alternative in (
        ("CA/PEN-1001.86/2016-06-27_code_added-by-SB843.txt", "CA/PEN-1001.86/alt_sources/self-law.txt"),
        ("CA/SB843_2015-16/2016-06-27_chaptered.txt", "CA/SB843_2015-16/alt_sources/2016-06-27_chaptered.leginfo-raw.txt"),
        ("CA/SB1110_2015-16/2016-02-17_introduced.txt", "CA/SB1110_2015-16/alt_sources/2016-02-17_introduced.legiscan.txt"),
    ):
        report = compare(read(original), read(alternative))
        assert (report.direction, report.signals) == ("no-change", ())


def test_alignment_follows_meaning_not_position():
    old = ["(1) Providing intensive case management.", "(2) Prioritizing housing without preconditions.", "(3) Employing social services."]
    new = [
        "(1) Prioritizing housing without preconditions.",
        "(2) Providing intensive case management.",
        "(3) Employing social services.",
        "(4) A new duty to report.",
    ]
    pairs = {(p.old, p.new) for p in align(old, new)}
    assert {(0, 1), (1, 0), (2, 2), (None, 3)} <= pairs


def test_coverage_end_maps_a_cut_off_copy_into_the_full_text():
    full = "The board shall award grants to up to three jurisdictions. Grantees shall collect data on outcomes and costs."
    end, tail = coverage_end("The board shall award grants to up to three juris", full)
    assert full[:end].endswith("jurisdictions") and tail <= 2


def test_redline_is_word_level():
    line = redline("Participation shall be voluntary throughout.", "Participation may be voluntary throughout.")
    assert line.runs == (("equal", "Participation"), ("delete", "shall"), ("insert", "may"), ("equal", "be voluntary throughout."))
    assert line.inserted_text == "may" and line.deleted_text == "shall"


def test_json_contract_and_changes():
    old = (AMENDMENTS / "exclusion_added" / "old.txt").read_text(encoding="utf-8")
    new = (AMENDMENTS / "exclusion_added" / "new.txt").read_text(encoding="utf-8")
    data = report_to_json(compare(old, new))
    assert {"direction", "fidelity", "signals", "provisions", "changes"} <= set(data)
    assert set(data["fidelity"]) == {"old", "new"}
    assert {s["id"] for s in data["signals"]} == {"exclusion_added"}
    assert set(data["signals"][0]) == {"id", "severity", "old_text", "new_text"}
    assert len(data["provisions"]) == 24 and all(set(p) == {"id", "old", "new"} for p in data["provisions"])
    narrow = next(p for p in data["provisions"] if p["id"] == "narrow_exclusions")
    assert (narrow["old"], narrow["new"]) == ("present", "weakened")
    added = [c for c in data["changes"] if c["kind"] == "added"]
    assert any("probation or parole" in c["new_text"] for c in added)
    json.dumps(data)


def test_cli_prints_the_json_contract(capsys):
    old, new = AMENDMENTS / "sunset_added" / "old.txt", AMENDMENTS / "sunset_added" / "new.txt"
    assert main(["drift", str(old), str(new), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["direction"] == "toward-model"
    assert [s["id"] for s in data["signals"]] == ["sunset_added"]
    assert main(["drift", str(old), str(new)]) == 0
    summary = capsys.readouterr().out
    assert "toward-model" in summary and "sunset_added" in summary


def test_cli_reports_bad_input(tmp_path, capsys):
    binary = tmp_path / "garbage.txt"
    binary.write_bytes(b"\x00\x01 not a bill")
    good = AMENDMENTS / "sunset_added" / "old.txt"
    assert main(["drift", str(binary), str(good), "--json"]) == 2
    assert main(["drift", str(tmp_path / "missing.txt"), str(good)]) == 2
    err = capsys.readouterr().err
    assert "NUL" in err and "missing.txt" in err


def test_markup_handed_over_by_a_source_is_used():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Span:  # the shape of sources.records.MarkupSpan
        kind: str
        start: int
        end: int

    old = read("CA/PEN-1001.85/2016-06-27_code_added-by-SB843.txt")
    added = " Each participant shall submit to drug testing as a condition of continued participation."
    anchor = old.index("(Added by Stats.")
    new = old[:anchor] + added + "\n" + old[anchor:]
    report = compare(old, new, new_markup=[Span("insert", anchor, anchor + len(added))])
    assert report.extras["basis"] == "markup"
    assert [s.id for s in report.signals] == ["treatment_mandate_added"]
    with pytest.raises(ValueError):
        compare(old, new, new_markup=[("insert", 0, len(new) + 5)])


def test_a_version_without_text_is_an_error_not_a_judgement(tmp_path, capsys):
    text = read("CA/PEN-1001.85/2016-06-27_code_added-by-SB843.txt")
    with pytest.raises(ValueError, match="new version has no text"):
        compare(text, "  \n ")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert main(["drift", str(empty), str(TEXTS / "CA/PEN-1001.85/2016-06-27_code_added-by-SB843.txt")]) == 2
    assert "old version has no text" in capsys.readouterr().err


def test_a_clause_rewritten_in_place_is_paired_with_its_old_wording():
    old = ["(1) Civil legal services.", "(2) Dedicated police resources, including for overtime required for operational meetings and training.", "(3) Data."]
    new = ["(1) Civil legal services.", "(2) Dedicated police resources, including salaries of officers assigned to the program.", "(3) Data."]
    assert similarity(words(old[1]), words(new[1])) < MIN_SIMILARITY  # too different to pair on wording alone
    assert {(p.old, p.new) for p in align(old, new)} == {(0, 0), (1, 1), (2, 2)}


def test_list_items_take_money_from_their_lead_in():
    text = "Grant funding may be used to support any of the following:\n(1) Outreach workers.\n(2) Patrol overtime for officers."
    clauses = classify(text)
    cues = version_cues(clauses)
    by_text = {c.text.strip(): found for c, found in zip(clauses, cues, strict=True)}
    assert "listed_enforcement_use" in by_text["(2) Patrol overtime for officers."]
    assert "listed_service_use" in by_text["(1) Outreach workers."]
    assert not any("listed_enforcement_use" in found for found in version_cues(classify("(1) Patrol overtime for officers.")))


def test_a_negated_informant_rule_keeps_its_protection():
    found = find_cues("An officer shall not ask a person who seeks assistance to act as an informant or to provide information about other persons.")
    assert "no_informant" in found and "informant_use" not in found
    assert "informant_use" in find_cues("Officers may ask participants to provide information about drug sales.")


def test_a_rewritten_amendment_fires_on_meaning_not_position():
    old = read("CA/PEN-1001.88/2016-06-27_code_added-by-SB843.txt")
    new = old.replace("(6) Dedicated law enforcement resources, including for overtime required for participation in operational meetings and training.",
                      "(6) Dedicated law enforcement resources, including the salaries of officers assigned to the program.")
    assert [s.id for s in compare(old, new).signals] == ["law_enforcement_funding_added"]
    assert not compare(old, old.replace("(3) Outreach", "(3)  Outreach")).signals


def test_copies_cut_at_the_same_words_compare_their_whole_text():
    full = read("CA/PEN-1001.87/2018-01-01_code_as-amended-by-AB1516.txt")
    cut = full[: full.index("(C) The individual") + 20]  # both copies stop mid-sentence at the same words
    added = cut.replace("at any time.", "at any time. The case manager shall report the participant's progress to the referring officer.")
    report = compare(cut, added)
    assert report.extras["truncated"] == {"old": True, "new": True}
    assert [s.id for s in report.signals] == ["information_sharing_added"]


def test_changed_clauses_leave_out_headers_sponsors_and_line_numbers():
    """A committee substitute's new sponsor line, document ids, enacting clause and shifted line numbers are not
    changed clauses; its new wording is, down to the part of the title that changed."""
    old = (FURNITURE / "fl_sb618" / "old.txt").read_text(encoding="utf-8")
    new = (FURNITURE / "fl_sb618" / "new.txt").read_text(encoding="utf-8")
    changes = compare(old, new).changes
    quoted = " ".join(c.old_text + " " + c.new_text for c in changes)
    assert "By Senator Evers" not in quoted and "Be It Enacted" not in quoted
    assert any("public or private educational" in c.new_text for c in changes)
    assert any(c.kind == "removed" and c.old_text.startswith("authorizing a court to issue a bench warrant") for c in changes)

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z]+", text.lower())

    assert all(words(c.old_text) != words(c.new_text) for c in changes if c.kind == "modified")


def test_real_furniture_lines_are_furniture_and_clauses_are_not():
    head = (FURNITURE / "mo_hb1706_head.txt").read_text(encoding="utf-8").splitlines()
    for line in ("SECOND REGULAR SESSION", "HOUSE BILL NO. 1706", "102ND GENERAL ASSEMBLY", "INTRODUCED BY REPRESENTATIVE MYERS.",
                 "AN ACT", "Be it enacted by the General Assembly of the state of Missouri, as follows:"):
        assert line in head and is_furniture(line)
    tally = (FURNITURE / "ca_sb1110_floor_analysis_head.txt").read_text(encoding="utf-8")
    assert is_furniture(tally[tally.index("SENATE PUBLIC") : tally.index("SUBJECT:")])
    for clause in ("(6) Overtime for officers", "Participation in LEAD shall be voluntary.", "A person under 21 years of age is ineligible."):
        assert not is_furniture(clause)


def test_a_word_diff_too_big_falls_back_to_sentences_and_still_accounts_for_every_word(monkeypatch):
    """Past the word-pair limit the redline diffs sentences first; the runs still rebuild both texts exactly."""
    old = " ".join(f"Clause {k} shall stay as written." for k in range(60)) + " The program shall be voluntary."
    new = " ".join(f"Clause {k} shall stay as written." for k in range(60)) + " The program may be voluntary."
    calls = []
    monkeypatch.setattr(redlines, "WORD_DIFF_LIMIT", 1000)
    monkeypatch.setattr(redlines, "_chunks", lambda tokens, real=redlines._chunks: calls.append(len(tokens)) or real(tokens))
    line = redline(old, new)
    assert calls  # the sentence-level path was taken
    assert " ".join(t for op, t in line.runs if op != "insert").split() == old.split()
    assert " ".join(t for op, t in line.runs if op != "delete").split() == new.split()
    assert line.deleted_text == "shall" and line.inserted_text == "may"


def test_alignment_candidates_skip_words_every_clause_shares(monkeypatch):
    """Words found in more clauses than the posting limit propose no candidates (retrieval stays linear); a clause
    rewritten in place is still found through its rarer words."""
    monkeypatch.setattr(alignment, "POSTING_LIMIT", 3)
    old = [f"the board shall meet {k} times" for k in range(8)] + ["participation in the program shall be voluntary and may end"]
    new = [f"the council shall convene {k} days" for k in range(8)] + ["participation in the program may be voluntary and may end"]
    pairs = align(old, new)
    assert any(p.old == 8 and p.new == 8 and p.similarity >= MIN_SIMILARITY for p in pairs)


def test_an_appropriation_split_into_yearly_amounts_adds_no_police_money():
    """A federal bill's one authorization line became an item per fiscal year: the items name no recipient, so
    the model's reading of a bare amount as police money is not a new provision."""
    old = "".join(read("US/s-4003-117/2022-06-14_RS_junxit-bills117.txt").splitlines(keepends=True)[58:65])
    new = "".join(read("US/s-4003-117/2022-08-01_ES_junxit-bills117.txt").splitlines(keepends=True)[58:69])
    assert "$20,000,000 for each of fiscal years" in old and "$20,000,000 for fiscal year 2024" in new
    assert "law_enforcement_funding_added" not in {signal.id for signal in compare(old, new).signals}
