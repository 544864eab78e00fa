"""The `divwatch` command: one entry point whose subcommands live in pipelines/commands."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import pipelines.commands


def build_parser() -> argparse.ArgumentParser:
    """Collect every subcommand module so adding a command never touches this file."""
    parser = argparse.ArgumentParser(prog="divwatch", description="Track diversion bills, their drift and their money.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in pkgutil.iter_modules(pipelines.commands.__path__):
        importlib.import_module(f"pipelines.commands.{module.name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
