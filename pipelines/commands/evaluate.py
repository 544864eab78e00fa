"""`divwatch eval --gold DIR`: how well the clause engine agrees with double-coded gold labels."""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import shlex
import sys
from dataclasses import replace
from importlib import resources
from pathlib import Path

from analysis.clauses.baseline import keyword_labels
from analysis.clauses.evaluate import ClassifiedFile, EvalReport, classify_gold, format_report, score
from analysis.clauses.learned import shipped_model
from analysis.clauses.lojo import format_leave_one_out, leave_one_jurisdiction_out
from analysis.clauses.training import near_miss_examples, rules_only
from analysis.drift.evaluate import evaluate_signals
from analysis.reviews import agreement, format_agreement
from pipelines.commands.review import CLAUSES_FILE, VERSIONS_FILE
from pipelines.commands.train import NEAR_MISSES
from pipelines.settings import reviews_gold

RESULTS = Path("benchmarks/results/accuracy.jsonl")
BASELINE_MIN_FILES = 5


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval", help="precision / recall / F1 per category against a gold folder")
    parser.add_argument("--gold", required=True, type=Path, help="folder with labels.jsonl (and pairs.jsonl)")
    parser.add_argument("--texts", type=Path, help="texts folder (default: the gold folder's sibling texts/)")
    parser.add_argument("--state", action="append", default=[], help="only files under these state folders (repeatable)")
    parser.add_argument("--by-jurisdiction", action="store_true",
                        help="leave-one-jurisdiction-out: retrain the model without each jurisdiction, then score it (the headline estimate)")
    parser.add_argument("--near-misses", type=Path, action="append",
                        help="near-miss clause files the folds also train on (repeatable; default: those `divwatch train` uses)")
    parser.add_argument("--baseline", action="store_true", help="compare every category with the 20-regex keyword baseline")
    parser.add_argument("--record", action="store_true", help=f"append the figures to {RESULTS}")
    parser.add_argument("--unseen", action="store_true", help="with --record: this gold was never read or tuned on")
    parser.add_argument("--reviews", type=Path, nargs="?", const=reviews_gold(),
                        help="also report agreement with analysts' reviews per category and month (a bare --reviews reads "
                             f"{reviews_gold()})")
    parser.add_argument("--json", action="store_true", help="one JSON object with every figure")
    parser.set_defaults(func=run)


def _relabelled(classified: list[ClassifiedFile], label) -> list[ClassifiedFile]:
    return [replace(item, clauses=tuple(label(item.clauses))) for item in classified]


def _gold_files(report: EvalReport) -> dict[str, int]:
    return {name: s.true_positives + s.false_negatives for name, s in report.per_category.items()}


def _baseline_lines(engine: EvalReport, keywords: EvalReport, engine_name: str) -> list[str]:
    gold_files = _gold_files(engine)
    lines = [f"keyword baseline vs engine ({engine_name}), F1 per category",
             f"{'category':32} {'gold':>4} {'keywords':>8} {'engine':>8}"]
    for name in sorted(engine.per_category):
        ours, theirs = engine.per_category[name].f1, keywords.per_category[name].f1
        worse = gold_files[name] >= BASELINE_MIN_FILES and ours < theirs
        lines.append(f"{name:32} {gold_files[name]:4} {theirs:8.3f} {ours:8.3f}{'  WORSE' if worse else ''}")
    lines.append(f"{'micro':32} {'':4} {keywords.micro.f1:8.3f} {engine.micro.f1:8.3f}")
    return lines


def _engine_version() -> str:
    rules = hashlib.sha256((resources.files("analysis.clauses") / "categories.toml").read_bytes()).hexdigest()[:12]
    return f"model {shipped_model().version}, rules {rules}"


def _command(args: argparse.Namespace) -> str:
    """The eval command line that produced a recorded figure."""
    words = ["divwatch", "eval", "--gold", str(args.gold), *(["--texts", str(args.texts)] if args.texts else [])]
    words += [part for state in args.state for part in ("--state", state)]
    words += [flag for flag, on in (("--by-jurisdiction", args.by_jurisdiction), ("--baseline", args.baseline),
                                    ("--unseen", args.unseen)) if on]
    return shlex.join(words + ["--record"])


def _record(args: argparse.Namespace, figures: dict) -> None:
    row = {"date": datetime.date.today().isoformat(), "engine": _engine_version(),
           "gold": f"{args.gold} ({figures['fit']['files']} files)", "seen_before": not args.unseen,
           "command": _command(args),
           "fit_is_training_figure": not args.unseen, **figures}
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] if path.is_file() else []


def _review_agreement(folder: Path, model) -> dict:
    versions = {row["version_id"]: row for row in _json_lines(folder / VERSIONS_FILE)}
    return agreement(_json_lines(folder / CLAUSES_FILE), model, versions)


def run(args: argparse.Namespace) -> int:
    """Print the category figures (and signal figures when the gold folder has version pairs)."""
    if not (args.gold / "labels.jsonl").is_file():
        print(f"divwatch eval: {args.gold}: no labels.jsonl", file=sys.stderr)
        return 2
    texts_dir = args.texts or args.gold.parent / "texts"
    rule_labelled, errors = classify_gold(args.gold, texts_dir, args.state, classifier=rules_only)
    model = shipped_model()
    fit = score(_relabelled(rule_labelled, model.label), errors=errors)
    near_miss_files = [path for path in args.near_misses or NEAR_MISSES if path.is_file()]
    near_misses = near_miss_examples(near_miss_files) if args.by_jurisdiction else []
    held_out = leave_one_jurisdiction_out(rule_labelled, near_misses, args.gold, texts_dir) if args.by_jurisdiction else None
    keywords = score(_relabelled(rule_labelled, lambda clauses: map(keyword_labels, clauses))) if args.baseline else None
    signals = evaluate_signals(args.gold, texts_dir) if (args.gold / "pairs.jsonl").is_file() else None
    figures = {"fit": fit.as_dict(), "model_version": model.version,
               "leave_one_jurisdiction_out": held_out.as_dict() if held_out else None,
               "keyword_baseline": keywords.as_dict() if keywords else None,
               "signals": signals.as_dict() if signals else None,
               "review_agreement": _review_agreement(args.reviews, model) if args.reviews else None}
    if args.json:
        print(json.dumps({"categories": figures["fit"], **figures}, ensure_ascii=False))
    else:
        print(f"shipped model {model.version} (trained on {', '.join(model.meta.get('jurisdictions', []))}): "
              "a training figure wherever this gold is what it was trained on")
        print(format_report(fit))
        if signals:
            print(signals.report())
        if keywords:
            engine = held_out.pooled if held_out else fit
            print("\n".join(_baseline_lines(engine, keywords, "leave-one-jurisdiction-out" if held_out else "fit")))
        if held_out:
            print(format_leave_one_out(held_out))
        if figures["review_agreement"]:
            print(format_agreement(figures["review_agreement"]))
    if args.record:
        _record(args, figures)
    return 1 if fit.errors else 0
