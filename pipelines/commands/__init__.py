"""Subcommands of `divwatch`; each module exposes register(subparsers)."""
