"""The announcement watcher on real BSCC pages served locally as text, as HTML and through a feed."""

from __future__ import annotations

from datetime import date
from html import escape

from feedgen.feed import FeedGenerator
from pytest_httpserver import HTTPServer

from sources.announcements import AnnouncementWatcher, Vocabulary, WatchedPage, extract_amounts, extract_awards
from tests.funding.helpers import BSCC

VOCABULARY = Vocabulary(
    programs={"Law Enforcement Assisted Diversion": ("LEAD",)},
    applicant_terms=("jurisdictions", "counties", "social service providers"),
    feed_keywords=("diversion",),
)
ESC_NEWS = (BSCC / "2016-07-11_news_bscc-seeks-esc-for-lead.txt").read_text(encoding="utf-8")
PROGRAM_PAGE = (BSCC / "current_lead-grant-program-page.txt").read_text(encoding="utf-8")
RFP_PAGE = (BSCC / "2016-12_lead-grant-rfp-page.txt").read_text(encoding="utf-8")


def _page(name: str, url: str, **extra) -> WatchedPage:
    return WatchedPage(name=name, agency="Board of State and Community Corrections", jurisdiction="CA", url=url, **extra)


def _as_html(text: str) -> str:
    """The stored page text in minimal markup (no HTML copy of these pages was stored), plus chrome to be ignored."""
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in text.splitlines()[1:] if line.strip())
    return (f"<html><head><title>BSCC</title><script>var award = '$99 million';</script></head><body>"
            f"<nav>Home | Grants</nav><main><h1>{escape(text.splitlines()[0])}</h1>{paragraphs}</main></body></html>")


def test_extractors_on_real_text() -> None:
    assert extract_amounts("The Governor's Budget allocates $15 million; Long Beach got $1,300,000.") == (15e6, 1.3e6)
    awards = extract_awards(PROGRAM_PAGE)
    assert [(a.recipient, a.amount) for a in awards] == [("Los Angeles", 5_900_000.0)]
    assert "BSCC grant award" in awards[0].evidence


def test_watcher_reads_text_and_html_pages_and_records_failures(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/news/esc").respond_with_data(ESC_NEWS, content_type="text/plain; charset=utf-8")
    httpserver.expect_request("/lead").respond_with_data(_as_html(PROGRAM_PAGE), content_type="text/html")
    httpserver.expect_request("/rfp").respond_with_data(RFP_PAGE, content_type="text/plain")
    httpserver.expect_request("/gone").respond_with_data("server error", status=500)
    pages = [_page("esc", httpserver.url_for("/news/esc")), _page("program", httpserver.url_for("/lead"), year=2017),
             _page("rfp", httpserver.url_for("/rfp")), _page("gone", httpserver.url_for("/gone")),
             _page("elsewhere", "https://example.org/lead")]
    harvest = AnnouncementWatcher(client, pages, VOCABULARY).harvest()

    found = {a.source: a for a in harvest.records}
    assert set(found) == {"esc", "program", "rfp"}
    esc = found["esc"]
    assert (esc.program, esc.published, esc.amounts) == ("Law Enforcement Assisted Diversion", date(2016, 7, 11), (15e6,))
    assert "jurisdictions" in esc.eligible_applicants and esc.fiscal_year == 2016
    program = found["program"]
    assert program.title.startswith("Law Enforcement Assisted Diversion") and 99e6 not in program.amounts
    assert program.awards[0].recipient == "Los Angeles" and program.fiscal_year == 2017
    assert found["rfp"].deadlines == (date(2017, 1, 30),)
    assert {e.item: e.reason.split(" ")[0] for e in harvest.errors} == {"gone": "HTTP", "elsewhere": "host"}
    urls = {p.name: p.url for p in pages}
    assert all(len(a.sha256) == 64 and a.url == a.link == urls[a.source] for a in harvest.records)


def test_feed_items_followed_when_on_allowed_hosts(httpserver: HTTPServer, client) -> None:
    feed = FeedGenerator()
    feed.title("BSCC news")
    feed.link(href=httpserver.url_for("/"))
    feed.description("Board of State and Community Corrections news (items from the stored BSCC pages)")
    for title, link in ((ESC_NEWS.splitlines()[0], httpserver.url_for("/news/esc")),
                        ("Diversion grant notice hosted elsewhere", "https://example.org/notice"),
                        ("Jail standards revised", httpserver.url_for("/news/other"))):
        item = feed.add_entry()
        item.title(title)
        item.link(href=link)
        item.description(title)
        item.pubDate("Mon, 11 Jul 2016 00:00:00 +0000")
    httpserver.expect_request("/feed.xml").respond_with_data(feed.rss_str(), content_type="application/rss+xml")
    httpserver.expect_request("/news/esc").respond_with_data(ESC_NEWS, content_type="text/plain")
    page = _page("feed", httpserver.url_for("/feed.xml"), kind="feed", follow_links=True)

    harvest = AnnouncementWatcher(client, [page], VOCABULARY).harvest()

    assert [a.link for a in harvest.records] == [httpserver.url_for("/news/esc")]
    assert harvest.records[0].amounts == (15e6,) and harvest.records[0].published == date(2016, 7, 11)
    assert len(harvest.errors) == 1 and "host not allowed" in harvest.errors[0].reason


def test_malformed_feed_is_an_error_not_a_crash(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data("<rss><channel><item><title>LEAD", content_type="application/rss+xml")
    harvest = AnnouncementWatcher(client, [_page("feed", httpserver.url_for("/feed.xml"), kind="feed")], VOCABULARY).harvest()
    assert harvest.records == [] and "malformed" in harvest.errors[0].reason.lower()


RSS_1_0 = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="{base}/feed.rdf"><title>BSCC news</title><link>{base}/</link><description>news</description></channel>
  <item rdf:about="{base}/news/esc"><title>{title}</title><link>{base}/news/esc</link>
    <description>{title}</description><dc:date>2016-07-11T09:00:00-07:00</dc:date></item>
</rdf:RDF>"""
ATOM_UPDATED_ONLY = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>BSCC news</title><id>urn:bscc</id><updated>2016-07-11T16:00:00Z</updated>
  <entry><title>{title}</title><id>urn:bscc:esc</id><link href="{base}/news/esc"/><updated>2016-07-11T16:00:00Z</updated>
    <summary type="html">&lt;p&gt;{title}&lt;/p&gt;</summary></entry>
</feed>"""


def test_rss_1_0_and_atom_without_published_keep_their_items_and_dates(httpserver: HTTPServer, client) -> None:
    base, title = httpserver.url_for("").rstrip("/"), escape(ESC_NEWS.splitlines()[0])
    httpserver.expect_request("/feed.rdf").respond_with_data(RSS_1_0.format(base=base, title=title),
                                                             content_type="application/rdf+xml")
    httpserver.expect_request("/feed.atom").respond_with_data(ATOM_UPDATED_ONLY.format(base=base, title=title),
                                                              content_type="application/atom+xml")
    pages = [_page("rdf", httpserver.url_for("/feed.rdf"), kind="feed"), _page("atom", httpserver.url_for("/feed.atom"), kind="feed")]
    harvest = AnnouncementWatcher(client, pages, VOCABULARY).harvest()
    assert harvest.errors == []
    assert [(a.source, a.link, a.published) for a in harvest.records] == [
        ("rdf", f"{base}/news/esc", date(2016, 7, 11)), ("atom", f"{base}/news/esc", date(2016, 7, 11))]
    assert harvest.records[1].text.splitlines()[1] == ESC_NEWS.splitlines()[0]  # HTML summary read as text
