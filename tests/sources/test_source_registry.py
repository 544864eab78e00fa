"""Tracking config, source building for both modes, and the fail-fast reachability check."""

from __future__ import annotations

import re
import socket

import pytest

from sources.california import CaliforniaSource
from sources.config_files import ConfigError, read_funding_config
from sources.folder import FolderSource
from sources.legiscan import LegiScanSource
from sources.openstates import OpenStatesSource
from sources.registry import (
    DEMO_FOLDER,
    PROJECT_ROOT,
    SourceUnreachable,
    build_client,
    build_sources,
    check_reachable,
    load_tracking,
)
from sources.washington import WashingtonSource


def test_default_tracking_file_holds_terms_jurisdictions_and_hosts():
    tracking = load_tracking()
    assert "law enforcement assisted diversion" in tracking.terms.phrases
    assert ("prostitution", "diversion") in tracking.terms.all_of
    assert tracking.jurisdictions["CA"].sources == ("california",)
    assert {"lawfilesext.leg.wa.gov", "api.legiscan.com", "v3.openstates.org"} <= tracking.allowed_hosts
    client = build_client(tracking)
    assert client.allows("https://lawfilesext.leg.wa.gov/biennium/2025-26/Htm/Bills/House%20Bills/2402.htm")
    assert not client.allows("https://app.legiplex.com/tx/legislature/2011/82-0/bills/hb1994/drafts-latest")


def test_bad_tracking_file_names_the_key(tmp_path):
    path = tmp_path / "tracking.toml"
    path.write_text('[search]\nphrases = "deflection"\n')
    with pytest.raises(ValueError, match="search.phrases"):
        load_tracking(path)
    path.write_text('[jurisdictions.TX]\nsources = ["scraper-x"]\n')
    with pytest.raises(ValueError, match="jurisdictions.TX.sources.0: Input should be 'california'"):
        load_tracking(path)


def test_a_misspelled_key_is_a_clear_error_naming_key_and_file(tmp_path):
    tracking = tmp_path / "tracking.toml"
    tracking.write_text('[jurisdictions.WA]\nsources = ["washington"]\nsesions = ["2025-26"]\n')
    with pytest.raises(ConfigError, match=rf"{re.escape(str(tracking))}: jurisdictions.WA.sesions: Extra inputs"):
        load_tracking(tracking)
    funding = tmp_path / "funding.toml"
    text = (PROJECT_ROOT / "config" / "funding.toml").read_text().replace("max_pages = 4", "max_page = 4")
    funding.write_text(text)
    with pytest.raises(ConfigError, match=rf"{re.escape(str(funding))}: grantsgov.max_page: Extra inputs"):
        read_funding_config(funding)
    assert read_funding_config(PROJECT_ROOT / "config" / "funding.toml")["grantsgov"]["max_pages"] == 4


def test_folder_mode_covers_the_folder_jurisdictions():
    built = build_sources("folder", load_tracking(), None, None)
    assert len(built) >= 6 and {"CA", "WA", "TX", "IL"} <= set(built)
    assert all(isinstance(s, FolderSource) for group in built.values() for s in group)


def test_live_mode_builds_configured_sources_and_skips_keyless_ones(tmp_path, monkeypatch, make_client):
    path = tmp_path / "tracking.toml"
    path.write_text(
        '[search]\nphrases = ["deflection"]\n'
        '[jurisdictions.CA]\nsources = ["california"]\nsessions = ["2025-2026"]\n'
        '[jurisdictions.WA]\nsources = ["washington"]\nsessions = ["2023-24"]\n'
        '[jurisdictions.TX]\nsources = ["openstates", "legiscan"]\n'
        '[sources.openstates]\nbase_url = "http://127.0.0.1:9/"\napi_key_env = "TEST_OS_KEY"\n'
        '[sources.legiscan]\napi_key_env = "TEST_LS_KEY"\n'
    )
    monkeypatch.setenv("TEST_OS_KEY", "os-key")
    monkeypatch.delenv("TEST_LS_KEY", raising=False)
    built = build_sources("live", load_tracking(path), make_client(), None, updated_since="2026-01-01")
    assert isinstance(built["CA"][0], CaliforniaSource) and isinstance(built["WA"][0], WashingtonSource)
    assert built["WA"][0].bienniums == ("2023-24",)
    [texas] = built["TX"]
    assert isinstance(texas, OpenStatesSource) and texas.base_url == "http://127.0.0.1:9"
    assert texas.updated_since == "2026-01-01" and texas.headers == {"X-API-KEY": "os-key"}
    monkeypatch.setenv("TEST_LS_KEY", "0" * 32)
    built = build_sources("live", load_tracking(path), make_client(), None, known_change_hashes={"1": "a"})
    assert isinstance(built["TX"][1], LegiScanSource) and built["TX"][1].known_change_hashes == {"1": "a"}
    with pytest.raises(ValueError, match="unknown source mode"):
        build_sources("cloud", load_tracking(path), None, None)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_check_reachable_fails_fast_naming_the_host(httpserver, make_client):
    client = make_client(retries=0)
    terms = load_tracking().terms
    reachable = {"CA": [CaliforniaSource(client, terms, base_url=httpserver.url_for(""))]}
    check_reachable(reachable, client)  # a 404 at the root still proves the host answers
    unreachable = {"WA": [WashingtonSource(client, terms, base_url=f"http://127.0.0.1:{closed_port()}")]}
    with pytest.raises(SourceUnreachable) as failure:
        check_reachable(unreachable, client)
    message = str(failure.value)
    assert "127.0.0.1" in message and "connection refused" in message and "divwatch run --source folder" in message
    check_reachable(build_sources("folder", load_tracking(), None, DEMO_FOLDER), None)
