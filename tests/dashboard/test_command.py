"""`divwatch dashboard` is one documented command that starts Streamlit on the published copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.cli import build_parser, main
from pipelines.commands.dashboard import APP, dashboard_env, launch, streamlit_command


def test_dashboard_command_is_registered_with_its_options(tmp_path: Path) -> None:
    args = build_parser().parse_args(["dashboard", "--serving", str(tmp_path / "s.duckdb"), "--port", "9999"])
    assert args.func is launch and args.port == 9999 and args.address == "127.0.0.1"


def test_command_runs_the_app_headless_and_passes_the_serving_path(tmp_path: Path) -> None:
    command = streamlit_command("127.0.0.1", 9999)
    assert command[1:5] == ["-m", "streamlit", "run", str(APP)] and APP.exists()
    assert command[command.index("--server.headless") + 1] == "true"
    assert command[command.index("--browser.gatherUsageStats") + 1] == "false"
    assert dashboard_env(str(tmp_path / "s.duckdb"))["DIVWATCH_SERVING"] == str((tmp_path / "s.duckdb").resolve())


def test_missing_copy_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["dashboard", "--serving", str(tmp_path / "absent.duckdb")]) == 2
    assert "run `divwatch run` first" in capsys.readouterr().err
