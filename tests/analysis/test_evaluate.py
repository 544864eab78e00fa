"""Eval figures on a tiny gold folder, and the classify / eval command-line contracts."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from analysis.clauses.evaluate import evaluate
from analysis.clauses.learned import shipped_model
from pipelines.commands import classify as classify_command
from pipelines.commands import evaluate as evaluate_command

CORPUS = Path(__file__).parents[1] / "fixtures" / "corpus"
REPO = Path(__file__).parents[2]
VOLUNTARY = "Participation in LEAD shall be voluntary, and the person may decline to participate in the program at any time."


def tiny_gold(tmp_path: Path) -> Path:
    """Two real files: one labelled as the coders did, one with a category the engine will not find."""
    for relative in ("CA/PEN-1001.87/2018-01-01_code_as-amended-by-AB1516.txt", "WA/RCW_9A.88.030/2025-08-01_current-codified.txt"):
        target = tmp_path / "texts" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / "texts" / relative, target)
    gold = tmp_path / "gold"
    gold.mkdir()
    rows = [
        {"file": "CA/PEN-1001.87/2018-01-01_code_as-amended-by-AB1516.txt",
         "categories": {"voluntary_participation": [VOLUNTARY], "referral_pathway": ["(2) Social contact referral."]}},
        {"file": "WA/RCW_9A.88.030/2025-08-01_current-codified.txt", "categories": {"confidentiality": ["Prostitution is a misdemeanor."]}},
    ]
    (gold / "labels.jsonl").write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return gold


def test_file_level_scores_and_evidence_recall(tmp_path):
    report = evaluate(tiny_gold(tmp_path))
    assert report.files == 2
    voluntary = report.per_category["voluntary_participation"]
    assert (voluntary.true_positives, voluntary.false_negatives) == (1, 0)
    confidentiality = report.per_category["confidentiality"]
    assert (confidentiality.true_positives, confidentiality.false_negatives, confidentiality.recall) == (0, 1, 0.0)
    predicted_elsewhere = sum(s.false_positives for s in report.per_category.values())
    micro = report.micro
    assert micro.true_positives == 2 and micro.false_negatives == 1 and micro.false_positives == predicted_elsewhere
    assert report.quotes == 3 and report.quotes_found == 2  # the misdemeanor quote is not confidentiality
    assert 0.0 < micro.f1 < 1.0


def test_missing_text_is_a_recorded_error_not_a_crash(tmp_path):
    gold = tiny_gold(tmp_path)
    (tmp_path / "texts" / "WA" / "RCW_9A.88.030" / "2025-08-01_current-codified.txt").unlink()
    report = evaluate(gold)
    assert report.files == 1 and len(report.errors) == 1


def parser_with(module) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="divwatch")
    module.register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_classify_json_lines_contract(capsys):
    path = str(CORPUS / "texts" / "CA/PEN-1001.87/2018-01-01_code_as-amended-by-AB1516.txt")
    args = parser_with(classify_command).parse_args(["classify", path, "--json"])
    assert args.func(args) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    text = (CORPUS / "texts" / "CA/PEN-1001.87/2018-01-01_code_as-amended-by-AB1516.txt").read_text(encoding="utf-8")
    assert records
    for record in records:
        assert set(record) == {"file", "category", "start", "end", "text", "modality", "section", "rule", "probability", "model_version"}
        assert text[record["start"] : record["end"]] == record["text"]
        assert record["model_version"] == shipped_model().version and 0.0 < record["probability"] <= 1.0 and record["rule"]
    assert any(r["category"] == "voluntary_participation" and VOLUNTARY in r["text"] for r in records)


def test_classify_text_output_says_what_decided_each_label(tmp_path, capsys):
    sample = tmp_path / "sample.txt"
    sample.write_text(VOLUNTARY + "\n", encoding="utf-8")
    args = parser_with(classify_command).parse_args(["classify", str(sample)])
    assert args.func(args) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if " voluntary_participation " in line)
    assert "(p=" in line and ("rule voluntary." in line or "words: " in line) and "decline to participate" in line


def test_classify_reports_unreadable_files_and_goes_on(tmp_path, capsys):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01binary")
    good = tmp_path / "good.txt"
    good.write_text(VOLUNTARY, encoding="utf-8")
    args = parser_with(classify_command).parse_args(["classify", str(junk), str(good), "--json"])
    assert args.func(args) == 1
    captured = capsys.readouterr()
    assert "junk.bin" in captured.err and "binary" in captured.err
    assert "voluntary_participation" in {json.loads(line)["category"] for line in captured.out.splitlines()}


def test_eval_json_output(tmp_path, capsys):
    args = parser_with(evaluate_command).parse_args(["eval", "--gold", str(tiny_gold(tmp_path)), "--json"])
    assert args.func(args) == 0
    figures = json.loads(capsys.readouterr().out)["categories"]
    assert figures["files"] == 2
    assert figures["per_category"]["confidentiality"]["fn"] == 1
    assert 0.0 <= figures["micro"]["f1"] <= 1.0 and figures["quotes_found"] == 2


def test_divwatch_entry_point_runs_classify(tmp_path):
    sample = tmp_path / "sample.txt"
    sample.write_text("(1) A law enforcement officer may refer an individual to LEAD.\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pipelines.cli", "classify", str(sample), "--json"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    categories = {json.loads(line)["category"] for line in result.stdout.splitlines()}
    assert {"referral_pathway", "model_fidelity"} <= categories


def test_regex_alternatives_split_only_at_top_level():
    from analysis.clauses.rules import branches

    assert branches(r"a b|(?:c|d) e|[|x]f|g\|h") == ["a b", "(?:c|d) e", "[|x]f", r"g\|h"]


def test_eval_by_jurisdiction_baseline_and_record(tmp_path, capsys, monkeypatch):
    results = tmp_path / "accuracy.jsonl"
    results.write_text('{"first": "look"}\n', encoding="utf-8")
    monkeypatch.setattr(evaluate_command, "RESULTS", results)
    args = parser_with(evaluate_command).parse_args(["eval", "--gold", str(tiny_gold(tmp_path)), "--by-jurisdiction",
                                                     "--baseline", "--record", "--json", "--near-misses", str(tmp_path / "none.jsonl")])
    assert args.func(args) == 0
    figures = json.loads(capsys.readouterr().out)
    folds = figures["leave_one_jurisdiction_out"]["per_jurisdiction"]
    assert set(folds) == {"CA", "WA"} and folds["CA"]["trained_on"] == ["WA"] and folds["WA"]["trained_on"] == ["CA"]
    assert figures["leave_one_jurisdiction_out"]["pooled"]["files"] == 2
    assert figures["keyword_baseline"]["per_category"]["voluntary_participation"]["tp"] == 1  # "voluntar" is in the CA text
    rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == {"first": "look"} and len(rows) == 2
    recorded = rows[1]
    assert recorded["seen_before"] is True and recorded["command"].startswith("divwatch eval --gold ")
    assert "--by-jurisdiction" in recorded["command"] and recorded["engine"].startswith("model ")
    assert recorded["leave_one_jurisdiction_out"]["pooled"] == figures["leave_one_jurisdiction_out"]["pooled"]


def test_eval_text_names_the_headline_and_the_training_figure(tmp_path, capsys):
    args = parser_with(evaluate_command).parse_args(["eval", "--gold", str(tiny_gold(tmp_path)), "--by-jurisdiction", "--baseline"])
    args.func(args)
    out = capsys.readouterr().out
    assert "a training figure" in out and "leave-one-jurisdiction-out" in out and "keyword baseline" in out
    assert "rules were written reading every state" in out
