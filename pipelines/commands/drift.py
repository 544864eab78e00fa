"""`divwatch drift OLD NEW [--json]`: how an amendment moved a bill relative to the LEAD model."""

from __future__ import annotations

import argparse
import json
import sys

from analysis.drift.engine import compare, report_to_json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("drift", help="compare two versions of a bill: drift signals, fidelity and direction")
    parser.add_argument("old", metavar="OLD", help="UTF-8 text file of the earlier version")
    parser.add_argument("new", metavar="NEW", help="UTF-8 text file of the later version")
    parser.add_argument("--json", action="store_true", help="print the JSON contract instead of a summary")
    parser.set_defaults(func=run)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if "\x00" in text:
        raise ValueError("binary content (NUL byte); not bill text")
    return text


def run(args: argparse.Namespace) -> int:
    """Print the drift report; unreadable input is reported on stderr with exit status 2."""
    try:
        report = report_to_json(compare(_read(args.old), _read(args.new)))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(f"divwatch drift: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(_summary(report))
    return 0


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.2f}"


def _summary(report: dict) -> str:
    """A short human-readable account: direction, scores, signals with evidence, changed provisions."""
    fidelity = report["fidelity"]
    lines = [f"direction: {report['direction']}   fidelity {_score(fidelity['old'])} -> {_score(fidelity['new'])}"]
    for signal in report["signals"]:
        lines.append(f"  [{signal['severity']}] {signal['id']}")
        for label, text in (("old", signal["old_text"]), ("new", signal["new_text"])):
            if text:
                lines.append(f"      {label}: {' '.join(text.split())[:200]}")
    changed = [p for p in report["provisions"] if p["old"] != p["new"]]
    if changed:
        lines.append("provisions:")
        lines += [f"  {p['id']}: {p['old']} -> {p['new']}" for p in changed]
    lines.append(f"{len(report['changes'])} clause changes")
    return "\n".join(lines)
