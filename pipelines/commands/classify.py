"""`divwatch classify FILE... --json`: the labelled clauses of bill texts, for people and scripts."""

from __future__ import annotations

import argparse
import json
import sys

from analysis.clauses.engine import classify
from analysis.clauses.evaluate import CategorySpan, category_spans, read_text


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("classify", help="label the clauses of bill text files with codebook categories")
    parser.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files (offsets are characters into each file as read)")
    parser.add_argument("--json", action="store_true", help="JSON Lines: one object per labelled clause-category")
    parser.set_defaults(func=run)


def _why(span: CategorySpan) -> str:
    """What decided a span: the model's probability and the rules that fired, else the words it weighed most."""
    probability = f"p={span.probability:.2f}" if span.probability is not None else "rule only"
    return f"({probability}; {'; '.join(span.explanations) or ', '.join(span.rules)})"


def run(args: argparse.Namespace) -> int:
    """Print every labelled clause-category; a file that cannot be read is reported and skipped (exit 1)."""
    failed = False
    for path in args.files:
        try:
            text = read_text(path)
            if "\x00" in text:
                raise ValueError("binary content (NUL byte); not bill text")
            spans = category_spans(classify(text))
        except (OSError, ValueError) as error:
            print(f"divwatch classify: {path}: {error}", file=sys.stderr)
            failed = True
            continue
        for span in spans:
            record = {
                "file": path,
                "category": span.category,
                "start": span.start,
                "end": span.end,
                "text": text[span.start : span.end],
                "modality": span.modality,
                "section": span.section,
                "rule": ",".join(span.rules),
                "probability": span.probability,
                "model_version": span.model_version,
            }
            if args.json:
                print(json.dumps(record, ensure_ascii=False))
            else:
                print(f"{path}:{span.start}-{span.end} {span.category} {_why(span)} [{span.modality or '-'}] {span.section}: "
                      f"{' '.join(record['text'].split())[:160]}")
    return 1 if failed else 0
