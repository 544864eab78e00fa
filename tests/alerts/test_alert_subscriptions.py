"""The subscriptions file: the shipped example validates, mistakes are named, secrets can only be env var names."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from pipelines.alerts.subscriptions import ConfigError, load_config, sync_subscriptions, to_rows
from warehouse.db import Warehouse
from warehouse.outbox import stored_subscriptions

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "subscriptions.toml"
VALID_SUB = '[[subscriptions]]\nid = "group"\n[[subscriptions.channels]]\nkind = "atom"\npath = "x.atom"\n'


def test_the_shipped_example_is_valid_and_sends_nothing_until_enabled() -> None:
    config = load_config(EXAMPLE)
    assert [s.id for s in config.subscriptions] == ["ca-sex-worker-rights", "harm-reduction-digest", "defender-feed"]
    assert {c.kind for s in config.subscriptions for c in s.channels} == {"email", "apprise", "webhook", "atom"}
    assert to_rows(config) == []


def test_enabled_example_subscriptions_store_their_filters(tmp_path: Path, warehouse: Warehouse) -> None:
    enabled = tmp_path / "subs.toml"
    enabled.write_text(EXAMPLE.read_text(encoding="utf-8").replace("enabled = false", "enabled = true"))
    report = sync_subscriptions(warehouse, enabled, datetime(2026, 1, 1))
    assert (report.subscriptions, report.channels) == (3, 5)
    with warehouse.connect() as con:
        stored = {s.subscription_id: s for s in stored_subscriptions(con)}
    assert stored["harm-reduction-digest"].mode == "daily"
    assert stored["harm-reduction-digest"].filters["min_severity"] == "H"
    assert stored["ca-sex-worker-rights"].filters["bills"] == ["CA/SB 1110", "AB 2217"]
    assert [c["name"] for c in stored["ca-sex-worker-rights"].channels] == ["email", "apprise"]


def test_a_missing_file_is_the_zero_config_case(tmp_path: Path) -> None:
    assert load_config(tmp_path / "absent.toml").subscriptions == []


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ('[[subscriptions]]\nid = "g"\n[[subscriptions.channels]]\nkind = "webhook"\nurl = "https://h/T0KEN"\n',
         "url"),
        ('[[subscriptions]]\nid = "g"\n[[subscriptions.channels]]\nkind = "webhook"\nurl_env = "https://h/T0KEN"\n',
         "url_env"),
        (VALID_SUB + '[subscriptions.filters]\ncategories = ["police_stuff"]\n', "police_stuff"),
        (VALID_SUB + '[subscriptions.filters]\nmin_severity = "X"\n', "min_severity"),
        ('[[subscriptions]]\nid = "g"\n[[subscriptions.channels]]\nkind = "email"\nto = ["a@b.org"]\n', "[smtp]"),
        (VALID_SUB + VALID_SUB, "unique"),
        ('[[subscriptions]]\nid = "feed"\n[[subscriptions.channels]]\nkind = "atom"\npath = "x.atom"\n', "built-in"),
        (VALID_SUB.replace("x.atom", "/etc/cron.d/x.atom"), "inside the data folder"),
        (VALID_SUB.replace("x.atom", "../x.atom"), "inside the data folder"),
        (VALID_SUB.replace("x.atom", "warehouse.duckdb"), "inside the data folder"),
        ('[webhooks]\nallow_private_networks = ["10.0.0.0/33"]\n' + VALID_SUB, "allow_private_networks"),
        ('[smtp]\nhost = "h"\nsecurity = "none"\nsender = "s@x.org"\npassword_env = "PW"\n' + VALID_SUB, "unencrypted"),
        ("[[subscriptions]\nid = 1", "not valid TOML"),
    ],
)
def test_mistakes_are_reported_with_where_and_why(tmp_path: Path, body: str, complaint: str) -> None:
    path = tmp_path / "subs.toml"
    path.write_text(body)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert complaint in str(raised.value)
    assert "T0KEN" not in str(raised.value)  # a pasted secret is never echoed back


def test_a_broken_file_keeps_the_stored_subscriptions(tmp_path: Path, warehouse: Warehouse) -> None:
    path = tmp_path / "subs.toml"
    path.write_text(VALID_SUB)
    sync_subscriptions(warehouse, path, datetime(2026, 1, 1))
    path.write_text(VALID_SUB.replace('kind = "atom"', 'kind = "pigeon"'))
    with pytest.raises(ConfigError):
        sync_subscriptions(warehouse, path, datetime(2026, 1, 2))
    with warehouse.connect() as con:
        assert [s.subscription_id for s in stored_subscriptions(con)] == ["feed", "group"]
