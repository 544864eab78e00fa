"""`divwatch run`: materialize everything, one jurisdiction partition at a time, into the warehouse."""

from __future__ import annotations

import argparse
import os
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="fetch, analyse and publish everything (the main job)")
    parser.add_argument("--source", choices=["folder", "live"], default=os.environ.get("DIVWATCH_SOURCE", "folder"),
                        help="bundled/own folder of texts (offline, default) or the live legislature APIs")
    parser.add_argument("--folder", help="folder of documents with .meta.toml sidecars (default: demo/texts)")
    parser.add_argument("--jurisdiction", action="append", help="only these jurisdictions (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="show Dagster's step-by-step log")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the jobs in order and print what landed; exit 1 when any run failed."""
    os.environ["DIVWATCH_SOURCE"] = args.source
    if args.folder:
        os.environ["DIVWATCH_FOLDER"] = os.path.abspath(args.folder)
    from pipelines.settings import ensure_dagster_home

    ensure_dagster_home()
    import dagster as dg

    from pipelines.definitions import FOLLOW_UP_JOBS, defs, resources
    from pipelines.sensors import alerts_given_up
    from sources.registry import check_reachable

    sources, client = resources()["bill_sources"].open()
    if args.source == "live":
        try:
            check_reachable(sources, client)
        except Exception as error:  # the message names the host and the offline alternative
            print(f"divwatch: {error}", file=sys.stderr)
            return 2
    wanted = [j for j in sorted(sources) if not args.jurisdiction or j in args.jurisdiction]
    instance = dg.DagsterInstance.get()
    run_config = {} if args.verbose else {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    failed = []
    for jurisdiction in wanted:
        result = defs.resolve_job_def("bills_job").execute_in_process(
            run_config=run_config, partition_key=jurisdiction, instance=instance, raise_on_error=False
        )
        print(f"{jurisdiction}: {'ok' if result.success else 'FAILED'} (run {result.run_id[:8]})")
        if not result.success:
            failed.append(jurisdiction)
    for job_name in FOLLOW_UP_JOBS:
        result = defs.resolve_job_def(job_name).execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False
        )
        print(f"{job_name}: {'ok' if result.success else 'FAILED'}")
        if not result.success:
            failed.append(job_name)
        elif job_name == "deliver_alerts_job" and (dead := alerts_given_up(result)):
            print(f"{job_name}: {dead} alerts given up (dead); alerts.outbox says why")
            failed.append(job_name)
    _print_summary(resources()["warehouse"])
    return 1 if failed else 0


def _print_summary(warehouse) -> None:
    """What landed, in the words an organizer would use."""
    facts = warehouse.query_df(
        "SELECT (SELECT count(DISTINCT jurisdiction) FROM core.bill_versions) AS jurisdictions, "
        "(SELECT count(DISTINCT (jurisdiction, session, bill_id)) FROM core.bill_versions) AS bills, "
        "(SELECT count(*) FROM core.bill_versions) AS versions, "
        "(SELECT count(*) FROM analysis.clause_labels) AS labels, "
        "(SELECT count(*) FROM analysis.amendments) AS amendments, "
        "(SELECT count(*) FILTER (WHERE direction = 'drift-away') FROM analysis.amendments) AS drifting, "
        "(SELECT count(*) FROM alerts.outbox) AS alerts"
    ).iloc[0]
    print(f"{facts.versions} versions of {facts.bills} bills in {facts.jurisdictions} jurisdictions; "
          f"{facts.labels} labelled clauses; {facts.amendments} amendments ({facts.drifting} drifting away "
          f"from the LEAD model); {facts.alerts} alerts in the outbox")
    print(f"warehouse: {warehouse.path}")
