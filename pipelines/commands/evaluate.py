"""`divwatch eval --gold DIR`: how well the clause engine agrees with double-coded gold labels."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analysis.drift.evaluate import evaluate_signals
from analysis.clauses.evaluate import classify_gold, format_report, score
from analysis.clauses.holdout import format_holdout, leave_one_state_out


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval", help="precision / recall / F1 per category against a gold folder")
    parser.add_argument("--gold", required=True, type=Path, help="folder with labels.jsonl (and pairs.jsonl)")
    parser.add_argument("--texts", type=Path, help="texts folder (default: the gold folder's sibling texts/)")
    parser.add_argument("--state", action="append", default=[], help="only files under these state folders (repeatable)")
    parser.add_argument("--holdout", action="store_true",
                        help="also score each state without the rule parts only that state supports (generalization estimate)")
    parser.add_argument("--json", action="store_true", help="one JSON object with every figure")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the category figures (and signal figures when the gold folder has version pairs)."""
    if not (args.gold / "labels.jsonl").is_file():
        print(f"divwatch eval: {args.gold}: no labels.jsonl", file=sys.stderr)
        return 2
    texts_dir = args.texts or args.gold.parent / "texts"
    classified, errors = classify_gold(args.gold, texts_dir, args.state)
    report = score(classified, errors=errors)
    holdout = leave_one_state_out(classified) if args.holdout else []
    signals = evaluate_signals(args.gold, texts_dir) if (args.gold / "pairs.jsonl").is_file() else None
    if args.json:
        held_out = {result.state: result.held_out.as_dict() for result in holdout}
        print(json.dumps({"categories": report.as_dict(), "holdout": held_out,
                          "signals": signals.as_dict() if signals else None}, ensure_ascii=False))
    else:
        print(format_report(report))
        if holdout:
            print(format_holdout(holdout))
        if signals:
            print(signals.report())
    return 1 if report.errors else 0
