"""`divwatch review`: list the least certain labels, record analysts' verdicts, import edited CSVs, export reviews as gold."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from pipelines.settings import reviews_gold, reviews_inbox, warehouse_path

CLAUSES_FILE = "clauses.jsonl"  # one training clause per reviewed clause, read by `divwatch train --reviews`
LABELS_FILE = "labels.jsonl"  # the codebook's per-file shape, for people and tools that read gold
VERSIONS_FILE = "versions.jsonl"  # text and markup of the reviewed versions, so agreement is measured in context


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("review", help="review clause labels: what to check next, verdicts, CSV import, gold export")
    parser.add_argument("--reviewer", default=getpass.getuser(), help="who reviews (default: the login name)")
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("next", help="the least certain unreviewed labels, as CSV with an empty verdict column")
    listing.add_argument("--bill", help="only this bill id, e.g. 'SB 1110'")
    listing.add_argument("--state", help="only this state, e.g. WA")
    listing.add_argument("--limit", type=int, default=20)
    listing.add_argument("--out", type=Path, help="write the CSV here instead of standard output")
    for name, verdicts, text in (("mark", ("correct", "wrong"), "accept or reject a predicted label"),
                                 ("add", None, "add a category the engine missed")):
        action = actions.add_parser(name, help=text)
        action.add_argument("version_id")
        action.add_argument("start", type=int, help="clause start offset (clause_start in `review next`)")
        action.add_argument("end", type=int, help="clause end offset")
        action.add_argument("category")
        if verdicts:
            action.add_argument("verdict", choices=verdicts)
            action.add_argument("--right", help="with wrong: the category the clause should have instead")
        action.add_argument("--note")
    signal = actions.add_parser("signal", help="accept or reject a drift signal of an amendment")
    signal.add_argument("new_version_id")
    signal.add_argument("signal")
    signal.add_argument("verdict", choices=("correct", "wrong"))
    signal.add_argument("--note")
    importing = actions.add_parser("import", help="record the verdicts of edited `review next` CSVs (default: the inbox)")
    importing.add_argument("files", nargs="*", type=Path, help=f"CSV files (default: every file in {reviews_inbox()})")
    export = actions.add_parser("export", help="write the reviews in force as gold with their provenance")
    export.add_argument("--gold", type=Path, default=reviews_gold(), help="output folder (default: %(default)s)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Dispatch to the action; every write goes to the warehouse through warehouse.reviews, never to the serving copy."""
    from warehouse.db import Warehouse, WarehouseBusy

    warehouse = Warehouse(path=warehouse_path())
    try:
        with warehouse.connect() as con:
            return ACTIONS[args.action](con, args)
    except WarehouseBusy as error:
        print(f"divwatch review: {error}", file=sys.stderr)
        return 2


def _next(con, args: argparse.Namespace) -> int:
    from analysis.clauses.learned import shipped_model
    from warehouse.reviews import least_certain

    model = shipped_model()
    thresholds = {c: round(float(t), 4) for c, t in zip(model.categories, model.thresholds)}
    frame = least_certain(con, thresholds, args.bill, args.state, args.limit)
    if args.out:
        frame.to_csv(args.out, index=False)
        print(f"{len(frame)} labels to review -> {args.out}")
    else:
        frame.to_csv(sys.stdout, index=False)
    return 0


def _record_one(con, review) -> int:
    from analysis.clauses.rules import load_rules
    from warehouse.reviews import ReviewError, record

    try:
        ids = record(con, review, list(load_rules().categories), origin="cli")
    except ReviewError as error:
        print(f"divwatch review: {error}", file=sys.stderr)
        return 2
    print(f"recorded review {', '.join(map(str, ids))}")
    return 0


def _mark(con, args: argparse.Namespace) -> int:
    from warehouse.reviews import Review

    return _record_one(con, Review(args.version_id, args.category, args.verdict, args.reviewer, args.start,
                                   args.end, right_category=args.right, note=args.note))


def _add(con, args: argparse.Namespace) -> int:
    from warehouse.reviews import Review

    return _record_one(con, Review(args.version_id, args.category, "missing", args.reviewer, args.start,
                                   args.end, note=args.note))


def _signal(con, args: argparse.Namespace) -> int:
    from warehouse.reviews import Review

    return _record_one(con, Review(args.new_version_id, args.signal, args.verdict, args.reviewer,
                                   item_kind="signal", note=args.note))


def _import(con, args: argparse.Namespace) -> int:
    """Record each file's rows; bad rows are reported one by one and the rest still land. Inbox files move to imported/."""
    from analysis.clauses.rules import load_rules
    from warehouse.reviews import import_inbox, read_rows, record_rows

    categories = list(load_rules().categories)
    if args.files:
        results = [(path, *record_rows(con, read_rows(path), categories, origin=path.name, reviewer=args.reviewer))
                   for path in args.files]
    else:
        results = import_inbox(con, reviews_inbox(), categories, args.reviewer)
    for path, added, errors in results:
        for error in errors:
            print(error, file=sys.stderr)
        print(f"{path}: {added} reviews recorded, {len(errors)} rows refused")
    return 1 if any(errors for _, _, errors in results) else 0


def _export(con, args: argparse.Namespace) -> int:
    from analysis.reviews import file_gold, reviewed_clauses
    from warehouse.reviews import reviewed_items, reviewed_versions

    items = reviewed_items(con)
    items["reviewed_at"] = items["reviewed_at"].map(lambda stamp: stamp.isoformat())
    items["probability"] = items["probability"].astype(object).where(items["probability"].notna(), None)
    items["predicted"] = items["predicted"].map(list)
    clauses = reviewed_clauses(items.to_dict("records"))
    args.gold.mkdir(parents=True, exist_ok=True)
    versions = [{"version_id": v.version_id, "text": v.text, "markup": json.loads(v.markup or "[]")}
                for v in reviewed_versions(con).itertuples(index=False)]
    for name, rows in ((CLAUSES_FILE, clauses), (LABELS_FILE, file_gold(clauses)), (VERSIONS_FILE, versions)):
        (args.gold / name).write_text("".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows),
                                      encoding="utf-8")
    print(f"{len(items)} reviews of {len(clauses)} clauses in {len(versions)} versions -> {args.gold}/"
          f"{{{CLAUSES_FILE},{LABELS_FILE},{VERSIONS_FILE}}}")
    return 0


ACTIONS = {"next": _next, "mark": _mark, "add": _add, "signal": _signal, "import": _import, "export": _export}
