"""`divwatch dashboard`: serve the Streamlit dashboard over the published read-only copy."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from pipelines.settings import REPO, setting

APP = REPO / "dashboard" / "app.py"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("dashboard", help="open the dashboard over the published copy (read-only)")
    parser.add_argument("--serving", default=setting("SERVING", str(REPO / "data" / "serving.duckdb")),
                        help="published copy to read (default: data/serving.duckdb, or $DIVWATCH_SERVING)")
    parser.add_argument("--address", default="127.0.0.1", help="address to listen on (default: this machine only)")
    parser.add_argument("--port", type=int, default=8501)
    parser.set_defaults(func=launch)


def streamlit_command(address: str, port: int) -> list[str]:
    """The exact Streamlit invocation: headless (no browser, no e-mail prompt), usage stats off, viewer toolbar."""
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", address,
            "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--client.toolbarMode", "viewer"]


def dashboard_env(serving: str) -> dict[str, str]:
    """The app reads the serving path from DIVWATCH_SERVING, so tests and the CLI start it the same way."""
    return {**os.environ, "DIVWATCH_SERVING": str(Path(serving).resolve())}


def launch(args: argparse.Namespace) -> int:
    """Run Streamlit in the foreground until Ctrl-C."""
    if not Path(args.serving).exists():
        print(f"divwatch: no published copy at {args.serving}; run `divwatch run` first", file=sys.stderr)
        return 2
    print(f"Diversion Watch dashboard on http://{args.address}:{args.port} (reading {args.serving})")
    try:
        return subprocess.call(streamlit_command(args.address, args.port), env=dashboard_env(args.serving))
    except KeyboardInterrupt:
        return 0
