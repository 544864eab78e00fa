"""`divwatch import funding FILE.csv`: load funding records a user holds (a public-records response) into the warehouse."""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path

from sources.funding_csv import AMOUNT_KINDS, REQUIRED_COLUMNS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("import", help="load records you hold into the warehouse")
    kinds = parser.add_subparsers(dest="what", required=True)
    funding = kinds.add_parser(
        "funding", help="funding records from a CSV file (re-importing a file replaces its rows)",
        description=f"Columns: {', '.join(REQUIRED_COLUMNS)} are required; award_id, program, recipient_state, "
                    f"recipient_kind_as_stated, fiscal_year, date, description, authorizing_law_if_stated, note and "
                    f"amount_kind ({', '.join(AMOUNT_KINDS)}; default award) are read when present. "
                    "Only award amounts are summed on the dashboard.")
    funding.add_argument("csv_file", type=Path)
    funding.add_argument("--no-publish", action="store_true", help="load only; skip re-typing recipients and publishing")
    funding.set_defaults(func=import_funding)


def import_funding(args: argparse.Namespace) -> int:
    """Load the file, print each refused row with its reason, then re-type recipients, relink and publish."""
    if not args.csv_file.is_file():
        print(f"divwatch: no such file: {args.csv_file}")
        return 2
    from pipelines.settings import ensure_dagster_home

    ensure_dagster_home()
    import dagster as dg

    from assets.funding import funding_links, recipients
    from assets.funding_support import import_records
    from pipelines.definitions import defs, resources

    resource_set = resources()
    harvest = import_records(resource_set["warehouse"], args.csv_file, resource_set["funding"].settings(),
                             f"import-{uuid.uuid4().hex[:12]}")
    print(f"{args.csv_file.name}: {len(harvest.records)} rows loaded, {len(harvest.errors)} refused")
    for error in harvest.errors:
        print(f"  {error.item}: {error.reason}")
    if args.no_publish or not harvest.records:
        return 1 if harvest.errors and not harvest.records else 0
    instance = dg.DagsterInstance.get()
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    typed = dg.materialize([recipients, funding_links], resources=resource_set, instance=instance, run_config=quiet,
                           raise_on_error=False)
    published = defs.resolve_job_def("serving_job").execute_in_process(instance=instance, run_config=quiet,
                                                                      raise_on_error=False)
    print(f"recipients and links: {'ok' if typed.success else 'FAILED'}; publish: {'ok' if published.success else 'FAILED'}")
    return 0 if typed.success and published.success else 1
