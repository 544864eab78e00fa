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
    """Run the jobs in order under the run lock and print what landed; exit 1 when any run failed."""
    os.environ["DIVWATCH_SOURCE"] = args.source
    if args.folder:
        if not os.path.isdir(args.folder):
            print(f"divwatch: --folder {args.folder}: no such folder", file=sys.stderr)
            return 2
        os.environ["DIVWATCH_FOLDER"] = os.path.abspath(args.folder)
    from pipelines.runstate import RunInProgress, run_lock
    from pipelines.settings import warehouse_path
    from warehouse.db import WarehouseBusy

    try:
        with run_lock(warehouse_path()):
            return _run_locked(args)
    except (RunInProgress, WarehouseBusy) as error:
        print(f"divwatch: {error}", file=sys.stderr)
        return 2


def _run_locked(args: argparse.Namespace) -> int:
    from pipelines.definitions import FOLLOW_UP_JOBS, defs, resources
    from pipelines.runstate import fail_abandoned_runs, open_instance, run_tags
    from pipelines.sensors import alerts_given_up
    from sources.registry import check_reachable
    from warehouse.publish import remove_abandoned_copies

    instance = open_instance()
    for run_id in fail_abandoned_runs(instance):
        print(f"marked run {run_id[:8]} failed: its process died before it finished")
    config = resources()
    remove_abandoned_copies(config["serving"].serving_path)
    sources, client = config["bill_sources"].open()
    if args.source == "live":
        try:
            check_reachable(sources, client)
        except Exception as error:  # the message names the host and the offline alternative
            print(f"divwatch: {error}", file=sys.stderr)
            return 2
    elif not _folder_ready(sources, config["bill_sources"].folder):
        return 2
    with config["warehouse"].connect():
        pass  # migrate now, and wait briefly (then fail clearly) if another process holds the file
    wanted = [j for j in sorted(sources) if not args.jurisdiction or j in args.jurisdiction]
    run_config = {} if args.verbose else {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    failed = []
    for jurisdiction in wanted:
        result = defs.resolve_job_def("bills_job").execute_in_process(
            run_config=run_config, partition_key=jurisdiction, instance=instance, raise_on_error=False,
            tags=run_tags(),
        )
        print(f"{jurisdiction}: {_outcome(result, 'clauses', 'analysis current, skipped')} (run {result.run_id[:8]})")
        if not result.success:
            failed.append(jurisdiction)
    for job_name in FOLLOW_UP_JOBS:
        if job_name == "serving_job" and failed:
            print(f"serving_job: skipped, the analysis of {', '.join(failed)} is incomplete; the last published copy stays")
            continue
        result = defs.resolve_job_def(job_name).execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False, tags=run_tags()
        )
        print(f"{job_name}: {_outcome(result, 'published_snapshot', 'nothing changed, published copy kept')}")
        if not result.success:
            failed.append(job_name)
        elif job_name == "deliver_alerts_job" and (dead := alerts_given_up(result)):
            print(f"{job_name}: {dead} alerts given up (dead); alerts.outbox says why")
            failed.append(job_name)
    _print_summary(config["warehouse"])
    return 1 if failed else 0


def _outcome(result, node: str, skipped: str) -> str:
    """'ok', 'FAILED', or what was skipped when the run succeeded without materializing `node` (if the job has it)."""
    if not result.success:
        return "FAILED"
    if node in result.job_def.graph.node_dict and not result.asset_materializations_for_node(node):
        return f"ok, {skipped}"
    return "ok"


def _folder_ready(sources: dict, folder: str) -> bool:
    """Say which texts had no sidecar, and fail clearly when the folder holds nothing loadable."""
    scanned = {id(source): source for group in sources.values() for source in group}.values()
    for source in scanned:
        if source.inferred:
            print(f"{len(source.inferred)} document(s) had no .meta.toml sidecar; jurisdiction, bill, session and "
                  f"label were inferred from the path (STATE/BILL_SESSION/[DATE_]LABEL.ext): "
                  f"{', '.join(source.inferred[:5])}{' ...' if len(source.inferred) > 5 else ''}")
    if sources:
        return True
    print(f"divwatch: no loadable documents in {folder} (.txt, .html, .htm, .pdf or .xml under a state folder, "
          "each with a .meta.toml sidecar or in STATE/BILL_SESSION/LABEL.ext)", file=sys.stderr)
    return False


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
