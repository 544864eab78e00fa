"""`divwatch backfill`: analyse (jurisdiction, session) partitions in parallel on Dask, resuming where a run stopped."""

from __future__ import annotations

import argparse
import os
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "backfill", help="re-analyse stored versions per (state, session) in parallel on a Dask cluster, then load them")
    parser.add_argument("--states", nargs="+", required=True, help="jurisdictions, e.g. CA TX US (or ALL)")
    parser.add_argument("--sessions", nargs="+", help="only these sessions (default: every stored session)")
    parser.add_argument("--workers", type=int, default=2, help="local Dask worker processes (default 2)")
    parser.add_argument("--executor", choices=["dask", "in_process"], default=os.environ.get("DIVWATCH_EXECUTOR", "dask"),
                        help="dask (parallel) or in_process (serial reference)")
    parser.add_argument("--scheduler", default=os.environ.get("DIVWATCH_DASK_ADDRESS"),
                        help="address of an existing Dask scheduler (tcp://host:8786) instead of a local cluster")
    parser.add_argument("--partitions", help="partition location: folder or fsspec URL (default data/partitions)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export, compute, load; print what was computed, skipped and loaded; exit 1 when a partition failed."""
    if args.workers < 1:
        print("divwatch: --workers must be at least 1", file=sys.stderr)
        return 2
    if args.partitions:
        os.environ["DIVWATCH_PARTITIONS"] = args.partitions
    from assets.partitions import STATES
    from pipelines.backfill import Progress, partition_root, run_backfill
    from pipelines.definitions import resources
    from pipelines.runstate import RunInProgress, fail_abandoned_runs, open_instance, run_lock, run_tags
    from warehouse.db import WarehouseBusy
    from warehouse.partition_files import PartitionStore

    states = STATES if [s.upper() for s in args.states] == ["ALL"] else [s.upper() for s in args.states]
    warehouse = resources()["warehouse"]
    store = PartitionStore(partition_root())
    instance = open_instance()
    for run_id in fail_abandoned_runs(instance):
        print(f"marked run {run_id[:8]} failed: its process died before it finished")
    progress = Progress(store)

    def started(pending, inputs) -> None:
        print(f"{len(inputs)} partitions selected, {len(inputs) - len(pending)} already finished, "
              f"{len(pending)} to compute on {args.executor} ({args.scheduler or f'{args.workers} local workers'})")
        progress.start(pending, inputs)

    try:
        result = run_backfill(instance, warehouse, store, states, args.sessions, args.executor, args.workers,
                              args.scheduler, on_start=started, tags=run_tags(),
                              warehouse_lock=lambda: run_lock(warehouse.path))
    except (RunInProgress, WarehouseBusy) as error:
        print(f"divwatch: {error}", file=sys.stderr)
        return 2
    finally:
        progress.stop()
    print(f"computed {len(result.computed)}, loaded {len(result.loaded)} changed partition(s) into {warehouse.path}; "
          f"files in {store.root}")
    print("seconds: " + ", ".join(f"{name} {phase['wall_s']:.1f}" for name, phase in result.phases.items()))
    if not result.success:
        print("divwatch: some partitions failed; run the same command again to finish only those", file=sys.stderr)
    return 0 if result.success else 1
