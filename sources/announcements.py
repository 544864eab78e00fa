"""Watcher of state agencies' grant pages and news feeds: program, amounts, deadlines, eligibility and awards, with provenance."""

from __future__ import annotations

import re
import xml.sax
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

import feedparser
from bs4 import BeautifulSoup

from sources.funding_records import AnnouncedAward, Announcement, Harvest
from sources.funding_values import to_date
from sources.http import FetchFailed, Fetched, sniff_type
from sources.records import FetchError

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
          r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATE = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}),\s+(\d{{4}})")
_DATELINE = re.compile(rf"\(\s*({_MONTH})\s+(\d{{1,2}}),\s+(\d{{4}})\s*\)")
_MONEY = r"\$\s?(\d[\d,]*(?:\.\d+)?)(?:\s+(million|billion|thousand))?"
_AMOUNT = re.compile(_MONEY, re.IGNORECASE)
_DEADLINE_WORDS = re.compile(r"\b(due|deadline|until|no later than|submit|submitted|close[sd]?|closing)\b", re.IGNORECASE)
_ELIGIBLE_WORDS = re.compile(r"\b(eligib\w*|may apply|applicants?|allocated to|awarded to|selected)\b", re.IGNORECASE)
_NAME = r"((?:City and County of |County of |City of )?[A-Z][\w.'&-]*(?:\s+(?:of|and|the|[A-Z][\w.'&-]*)){0,7})"
_AWARD_PATTERNS = (
    ("name (… award $X)", re.compile(rf"{_NAME}\s*\([^()$]*?\baward\w*\s+{_MONEY}\)")),
    ("awarded $X to name", re.compile(rf"\bawarded\s+{_MONEY}\s+to\s+(?:the\s+)?{_NAME}")),
    ("name was awarded $X", re.compile(rf"{_NAME}\s+(?:was|has been|have been|were)\s+awarded\s+{_MONEY}")),
    ("name will receive $X", re.compile(rf"{_NAME}\s+(?:will|would|to)\s+receive\s+{_MONEY}")),
)
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


@dataclass(frozen=True)
class WatchedPage:
    """One page or feed to watch, from config/funding.toml."""

    name: str
    agency: str
    jurisdiction: str
    url: str
    kind: str = "page"  # page | feed
    year: int | None = None  # fiscal year to use when the page states no date of its own
    follow_links: bool = False


@dataclass(frozen=True)
class Vocabulary:
    """Program names and applicant kinds to look for, from config/funding.toml."""

    programs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # canonical name -> spellings
    applicant_terms: tuple[str, ...] = ()
    feed_keywords: tuple[str, ...] = ()


def _money(number: str, scale: str | None) -> float:
    return float(number.replace(",", "")) * _SCALE.get((scale or "").lower(), 1.0)


def _date(month: str, day: str, year: str) -> date | None:
    return to_date(f"{month.rstrip('.')[:3]} {day}, {year}")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def extract_amounts(text: str) -> tuple[float, ...]:
    """Every dollar figure, in order of first mention ('$15 million' -> 15000000.0)."""
    return tuple(dict.fromkeys(_money(m.group(1), m.group(2)) for m in _AMOUNT.finditer(text)))


def extract_deadlines(text: str) -> tuple[date, ...]:
    """Dates stated in sentences that speak of a due date, deadline or closing."""
    found = []
    for sentence in _sentences(text):
        if _DEADLINE_WORDS.search(sentence):
            found += [d for d in (_date(*m.groups()) for m in _DATE.finditer(sentence)) if d]
    return tuple(dict.fromkeys(found))


def extract_program(text: str, programs: dict[str, tuple[str, ...]]) -> str:
    """The configured program the text names first (by any of its spellings), else ''."""
    best: tuple[int, str] | None = None
    for canonical, spellings in programs.items():
        for spelling in (canonical, *spellings):
            hit = re.search(rf"\b{re.escape(spelling)}\b", text, re.IGNORECASE)
            if hit and (best is None or hit.start() < best[0]):
                best = (hit.start(), canonical)
    return best[1] if best else ""


def extract_eligible(text: str, terms: Sequence[str]) -> tuple[str, ...]:
    """Configured applicant kinds named in sentences about eligibility, selection or allocation."""
    found = []
    for sentence in _sentences(text):
        if _ELIGIBLE_WORDS.search(sentence):
            found += [t for t in terms if re.search(rf"\b{re.escape(t)}\b", sentence, re.IGNORECASE)]
    return tuple(dict.fromkeys(found))


def extract_awards(text: str) -> tuple[AnnouncedAward, ...]:
    """'Recipient gets amount' statements, each with the sentence that shows it."""
    found: dict[tuple[str, float], AnnouncedAward] = {}
    for sentence in _sentences(text):
        for _, pattern in _AWARD_PATTERNS:
            for m in pattern.finditer(sentence):
                groups = m.groups()
                name, number, scale = (groups[2], groups[0], groups[1]) if pattern.pattern.startswith(r"\bawarded") else groups
                name = re.sub(r"^(?:The|In|And)\s+", "", name.strip())
                key = (name, _money(number, scale))
                found.setdefault(key, AnnouncedAward(recipient=name, amount=key[1], evidence=sentence[:400]))
    return tuple(found.values())


def page_text(fetched: Fetched) -> tuple[str, str]:
    """(title, readable text) of an HTML or plain-text page."""
    if sniff_type(fetched.body, fetched.content_type) != "html":
        text = fetched.text().strip()
        return (text.splitlines()[0].strip() if text else ""), text
    soup = BeautifulSoup(fetched.body, "lxml")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "form"]):
        tag.decompose()
    heading = soup.find("h1") or soup.find("title")
    body = soup.find("main") or soup.find("article") or soup.body or soup
    text = re.sub(r"\n\s*\n+", "\n", body.get_text("\n", strip=True))
    return (heading.get_text(" ", strip=True) if heading else ""), text


def read_announcement(page: WatchedPage, vocabulary: Vocabulary, title: str, text: str, fetched: Fetched,
                      link: str = "", published: date | None = None) -> Announcement:
    """Everything the watcher extracts from one page's text."""
    dateline = _DATELINE.search(text[:600])
    published = published or (_date(*dateline.groups()) if dateline else None)
    return Announcement(
        source=page.name, agency=page.agency, jurisdiction=page.jurisdiction, title=title[:300],
        program=extract_program(text, vocabulary.programs), published=published,
        fiscal_year=published.year if published else page.year, amounts=extract_amounts(text),
        deadlines=extract_deadlines(text), eligible_applicants=extract_eligible(text, vocabulary.applicant_terms),
        awards=extract_awards(text), text=text, link=link or fetched.url,
        url=fetched.url, fetched_at=fetched.fetched_at, sha256=fetched.sha256,
    )


def feed_items(fetched: Fetched) -> list[dict]:
    """Items of an RSS 0.9x/1.0/2.0 or Atom feed as {title, link, published (a date or None), summary}."""
    parsed = feedparser.parse(fetched.body, response_headers={"content-type": fetched.content_type})
    usable = [entry for entry in parsed.entries if entry.get("title") or entry.get("link")]
    if isinstance(parsed.get("bozo_exception"), xml.sax.SAXException) and not usable:
        raise FetchFailed(fetched.url, f"malformed feed: {parsed.bozo_exception}")
    items = []
    for entry in usable:
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        summary = entry.get("summary", "")
        items.append({
            "title": entry.get("title", "").strip(),
            "link": entry.get("link", "").strip(),
            "published": date(*stamp[:3]) if stamp else None,
            "summary": BeautifulSoup(summary, "lxml").get_text(" ", strip=True) if "<" in summary else summary.strip(),
        })
    return items


class AnnouncementWatcher:
    """Reads every watched page and feed; a failing page or item becomes a FetchError and the rest still load."""

    def __init__(self, http: Any, pages: Iterable[WatchedPage], vocabulary: Vocabulary):
        self.http = http
        self.pages = tuple(pages)
        self.vocabulary = vocabulary

    def harvest(self) -> Harvest:
        """One announcement per page (or per matching feed item) and one FetchError per page or item that failed."""
        result = Harvest()
        for page in self.pages:
            try:
                fetched = self.http.get(page.url)
                if page.kind == "feed":
                    self._read_feed(page, fetched, result)
                else:
                    result.records.append(read_announcement(page, self.vocabulary, *page_text(fetched), fetched))
            except FetchFailed as exc:
                result.errors.append(_error(page, page.url, exc))
        return result

    def _read_feed(self, page: WatchedPage, feed: Fetched, result: Harvest) -> None:
        keywords = [k.lower() for k in self.vocabulary.feed_keywords]
        for item in feed_items(feed):
            blob = f"{item['title']} {item['summary']}".lower()
            if keywords and not any(k in blob for k in keywords):
                continue
            published = item["published"]
            if page.follow_links and item["link"]:
                try:
                    linked = self.http.get(item["link"])
                except FetchFailed as exc:
                    result.errors.append(_error(page, item["link"], exc))
                    continue
                title, text = page_text(linked)
                result.records.append(read_announcement(page, self.vocabulary, item["title"] or title, text, linked,
                                                        item["link"], published))
            else:
                text = f"{item['title']}\n{item['summary']}"
                result.records.append(read_announcement(page, self.vocabulary, item["title"], text, feed,
                                                        item["link"], published))


def _error(page: WatchedPage, url: str, exc: FetchFailed) -> FetchError:
    return FetchError(source=f"announcements:{page.name}", item=page.name, url=exc.url or url, reason=exc.reason,
                      jurisdiction=page.jurisdiction, occurred_at=datetime.now(timezone.utc))
