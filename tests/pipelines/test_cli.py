"""The `divwatch` command's promises that are not covered by the layers it calls."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from pipelines.cli import build_parser, main

REPO = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    """A local port nothing listens on, so a connection is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_every_contract_subcommand_is_registered() -> None:
    commands = build_parser()._subparsers._group_actions[0].choices
    assert {"run", "classify", "eval", "drift", "dashboard"} <= set(commands)


def test_live_mode_fails_fast_naming_the_host_and_the_offline_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = closed_port()
    tracking = (REPO / "config" / "tracking.toml").read_text(encoding="utf-8")
    tracking = tracking.replace("https://wslwebservices.leg.wa.gov", f"http://127.0.0.1:{port}")
    tracking = tracking.replace("https://downloads.leginfo.legislature.ca.gov", f"http://127.0.0.1:{port}")
    tracking = tracking.replace('allowed_hosts = [', 'allowed_hosts = [\n  "127.0.0.1",')
    (tmp_path / "tracking.toml").write_text(tracking, encoding="utf-8")
    for name, value in {"DIVWATCH_TRACKING": tmp_path / "tracking.toml", "DIVWATCH_WAREHOUSE": tmp_path / "w.duckdb",
                        "DIVWATCH_HTTP_CACHE": tmp_path / "cache.sqlite", "DAGSTER_HOME": tmp_path / "home"}.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.delenv("OPENSTATES_API_KEY", raising=False)
    monkeypatch.delenv("LEGISCAN_API_KEY", raising=False)
    assert main(["run", "--source", "live"]) == 2
    message = capsys.readouterr().err
    assert "127.0.0.1" in message and "--source folder" in message
    assert not (tmp_path / "w.duckdb").exists()  # failed before writing anything
