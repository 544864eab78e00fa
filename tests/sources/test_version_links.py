"""Real Open States version links (recorded samples) pass the shipped allowlist, old forms mapped to official hosts."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from sources.http import HttpClient
from sources.links import official_url
from sources.registry import DEFAULT_TRACKING, load_tracking
from tests.sources.source_helpers import FIXTURES

STATES = ("ca", "il", "ny", "tx", "wa")


def sample_links(state: str) -> list[dict[str, str]]:
    with open(FIXTURES / "samples" / f"openstates_version_links_sample_{state}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("state", STATES)
def test_every_real_version_link_passes_the_shipped_allowlist(state):
    client = HttpClient(allowed_hosts=load_tracking(DEFAULT_TRACKING).allowed_hosts)
    links = sample_links(state)
    refused = [row["url"] for row in links if not client.allows(official_url(row["url"]))]
    assert len(links) >= 50 and refused == []


def test_old_texas_ftp_links_become_the_official_https_documents():
    assert official_url("ftp://ftp.legis.state.tx.us/bills/86R/billtext/html/house_bills/HB01300_HB01399/HB01391I.htm") \
        == "https://capitol.texas.gov/tlodocs/86R/billtext/html/HB01391I.htm"
    mapped = Counter(official_url(row["url"]).split("/tlodocs/")[0] for row in sample_links("tx"))
    assert mapped == {"https://capitol.texas.gov": 50}


def test_other_links_are_left_alone():
    url = "http://assembly.state.ny.us/leg/?sh=printbill&bn=A2417&term=2017"
    assert official_url(url) == url
