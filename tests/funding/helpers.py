"""Paths to the funding fixtures and a reader for the recorded real payloads."""

from __future__ import annotations

from pathlib import Path

FUNDING_FIXTURES = Path(__file__).parents[1] / "fixtures" / "funding"
PAYLOADS = FUNDING_FIXTURES / "payloads"
BSCC = Path(__file__).parents[1] / "fixtures" / "corpus" / "texts" / "CA" / "context" / "BSCC"


def payload(name: str) -> bytes:
    """A recorded real response body, byte for byte."""
    return (PAYLOADS / name).read_bytes()
