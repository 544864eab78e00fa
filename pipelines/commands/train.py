"""`divwatch train [--gold DIR]`: rebuild the shipped clause model from the gold, byte for byte the same each time."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from analysis.clauses.learned import RULES_DECIDE, save_model, shipped_model_path
from analysis.clauses.training import TRUSTED_PRECISION, train
from pipelines.commands.review import CLAUSES_FILE
from pipelines.settings import reviews_gold

GOLD = Path("tests/fixtures/corpus/gold")
NEAR_MISSES = [Path("tests/fixtures/unseen_clauses.jsonl"), Path("tests/fixtures/near_miss_clauses.jsonl")]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train", help="rebuild the learned clause model from gold labels")
    parser.add_argument("--gold", type=Path, default=GOLD, help="folder with labels.jsonl (default: %(default)s)")
    parser.add_argument("--texts", type=Path, help="texts folder (default: the gold folder's sibling texts/)")
    parser.add_argument("--near-misses", type=Path, action="append",
                        help="JSON Lines of hand-written clauses with their categories, also trained on (repeatable; "
                             f"default: {', '.join(map(str, NEAR_MISSES))}; '' for none)")
    parser.add_argument("--reviews", type=Path, nargs="?", const=reviews_gold(), action="append",
                        help="also train on analysts' reviews exported by `divwatch review export` (repeatable; "
                             f"a bare --reviews reads {reviews_gold()}); without it the model is the shipped one")
    parser.add_argument("--out", type=Path, default=None, help="model file (default: the one inside the package)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Train on every gold file and write the model file; prints its version and the time taken."""
    if not (args.gold / "labels.jsonl").is_file():
        print(f"divwatch train: {args.gold}: no labels.jsonl", file=sys.stderr)
        return 2
    reviews = [folder / CLAUSES_FILE for folder in args.reviews or []]
    if missing := [str(path) for path in reviews if not path.is_file()]:
        print(f"divwatch train: no reviews exported at {', '.join(missing)}: run `divwatch review export` first", file=sys.stderr)
        return 2
    started = time.process_time()
    model = train(args.gold, args.texts, [path for path in args.near_misses or NEAR_MISSES if path.is_file()] + reviews)
    out = args.out or shipped_model_path()
    version = save_model(model, out)
    thresholds = ", ".join(f"{c} {t:.3f}" if t < RULES_DECIDE else f"{c} rules" for c, t in zip(model.categories, model.thresholds))
    print(f"model {version} -> {out}\n{model.meta['rows']} training clauses, {len(model.columns)} weighted features, "
          f"CPU {time.process_time() - started:.1f} s\nthresholds: {thresholds}\n"
          f"{len(model.trusted_rules)} of {len(model.rule_ids)} rules trusted (right on >= {TRUSTED_PRECISION:.0%} of their training clauses)")
    return 0
