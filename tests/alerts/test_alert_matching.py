"""Subscription filters pick exactly the versions they describe, from real warehouse rows."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
from alert_seed import T0, add_first_version, add_new_version, sb1110

from assets.alerts import alerts, first_send_time
from warehouse.db import Warehouse
from warehouse.outbox import SubscriptionRow, replace_subscriptions

ATOM = ({"name": "atom", "kind": "atom", "path": "x.atom"},)


FILTER_CASES = [
    ({}, {"introduced", "amended in Senate"}),
    ({"jurisdictions": ["ca"]}, {"introduced", "amended in Senate"}),
    ({"jurisdictions": ["WA"]}, set()),
    ({"bills": ["CA/S.B. 1110"]}, {"introduced", "amended in Senate"}),
    ({"bills": ["WA/SB 1110"]}, set()),
    ({"categories": ["sunset"]}, {"amended in Senate"}),  # the seeded labels sit on the amended version
    ({"categories": ["law_enforcement_funding"]}, set()),
    ({"min_severity": "L"}, set()),  # only a toward-model signal fired
    ({"terms": ["January 1, 2020"]}, {"amended in Senate"}),  # in the changed clause
    ({"terms": ["Hancock"]}, {"introduced"}),  # the first version is searched in full; the change is not about him
    ({"terms": ["LEAD MODEL TA"]}, set()),
]


def test_filters_select_the_versions_they_name(warehouse: Warehouse) -> None:
    subscriptions = [SubscriptionRow(f"s{n}", "S", filters=f, channels=ATOM) for n, (f, _) in enumerate(FILTER_CASES)]
    with warehouse.connect() as con:
        replace_subscriptions(con, subscriptions, T0 - timedelta(days=9))
    add_first_version(warehouse, sb1110(), loaded_at=T0 - timedelta(days=1))
    add_new_version(warehouse, sb1110(), loaded_at=T0)
    assert dg.materialize([alerts], partition_key="CA", resources={"warehouse": warehouse}).success
    rows = warehouse.query_df(
        "SELECT subscription_id, json_extract_string(payload, '$.version_label') AS label FROM alerts.outbox"
    )
    for n, (filters, expected) in enumerate(FILTER_CASES):
        assert set(rows[rows["subscription_id"] == f"s{n}"]["label"]) == expected, filters


def test_versions_loaded_before_a_subscription_started_are_not_sent(warehouse: Warehouse) -> None:
    add_first_version(warehouse, sb1110(), loaded_at=T0 - timedelta(days=1))
    with warehouse.connect() as con:
        replace_subscriptions(con, [SubscriptionRow("late", "Late", channels=ATOM)], T0 - timedelta(hours=1))
    add_new_version(warehouse, sb1110(), loaded_at=T0)
    assert dg.materialize([alerts], partition_key="CA", resources={"warehouse": warehouse}).success
    rows = warehouse.query_df("SELECT subscription_id, count(*) AS n FROM alerts.outbox GROUP BY 1 ORDER BY 1")
    assert rows.values.tolist() == [["feed", 2], ["late", 1]]


def test_daily_digests_wait_for_their_hour() -> None:
    daily = SubscriptionRow("d", "D", mode="daily", digest_hour=7)
    assert first_send_time(daily, T0) == T0.replace(hour=7) + timedelta(days=1)  # T0 is noon
    assert first_send_time(daily, T0.replace(hour=6)) == T0.replace(hour=7)
    assert first_send_time(SubscriptionRow("i", "I"), T0) == T0
