"""Turn alert payloads into what people read: email text and HTML, chat text, webhook JSON, feed entries."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
import jinja2

from pipelines.alerts.sanitize import safe_link

WIDTH = 78


def redline_text(redline: list[list[str]]) -> str:
    """A word diff readable in plain text: [-deleted-] {+inserted+}, the rest as is."""
    marks = {"delete": "[-{}-]", "insert": "{{+{}+}}"}
    return " ".join(marks.get(op, "{}").format(words.strip()) for op, words in redline if words.strip())


def fidelity_text(fidelity: dict) -> str:
    """'0.42 -> 0.55 (+0.13)', or whatever part is known."""
    old, new, delta = fidelity.get("old"), fidelity.get("new"), fidelity.get("delta")
    if old is None and new is None:
        return "not scored"
    if old is None:
        return f"{new:.2f}"
    if new is None:
        return f"{old:.2f} -> not scored"
    return f"{old:.2f} -> {new:.2f} ({delta:+.2f})"


def _wrap(text: str, indent: int) -> str:
    """Wrap long bill text for plain-text mail, continuing lines under the first."""
    lines = textwrap.wrap(" ".join(str(text).split()), WIDTH - indent) or [""]
    return ("\n" + " " * indent).join(lines)


def _safe_url(url: str) -> str:
    """Only http(s) links become clickable; anything else (javascript:, data:, file:) is dropped."""
    return safe_link(url) or "#"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(wrap=_wrap, redline_text=redline_text, fidelity=fidelity_text, safe_url=_safe_url)
    return env


_ENV = _environment()


@dataclass(frozen=True)
class RenderedAlert:
    """One message for one recipient channel: a subject line, plain text and HTML."""

    subject: str
    text: str
    html: str


def headline(payload: dict) -> str:
    """'CA SB 1110: amended in Senate (2016-05-31)'."""
    date = f" ({payload['version_date']})" if payload.get("version_date") else ""
    return " ".join(f"{payload['jurisdiction']} {payload['bill_id']}: {payload['version_label']}{date}".split())


def subject(payloads: list[dict]) -> str:
    """Subject for one alert or a digest; the strongest signal leads so triage works from the inbox."""
    if len(payloads) == 1:
        payload = payloads[0]
        strongest = payload["signals"][0] if payload["signals"] else None
        flag = f" [{strongest['severity']}: {strongest['id']}]" if strongest else ""
        return f"New version of {headline(payload)}{flag}"
    bills = sorted({f"{p['jurisdiction']} {p['bill_id']}" for p in payloads})
    return f"Diversion Watch digest: {len(payloads)} new versions ({', '.join(bills[:5])}{', ...' if len(bills) > 5 else ''})"


def render(payloads: list[dict]) -> RenderedAlert:
    """Plain text and HTML for one alert or a digest; every piece of bill text is escaped in the HTML."""
    title = subject(payloads)
    text = _ENV.get_template("alert.txt").render(alerts=payloads, subject=title)
    html = _ENV.get_template("alert.html").render(alerts=payloads, subject=title)
    return RenderedAlert(subject=title, text=text, html=html)


def entry_html(payload: dict) -> str:
    """The HTML body of one Atom entry (the same escaped rendering as the email, without the page shell)."""
    html = _ENV.get_template("alert.html").render(alerts=[payload], subject=headline(payload))
    start, end = html.index("<section>"), html.rindex("</section>") + len("</section>")
    return html[start:end]


def webhook_body(payloads: list[dict]) -> dict:
    """JSON for webhook receivers: the structured payloads plus a plain-text rendering for simple consumers."""
    return {"event": "new_bill_versions", "count": len(payloads), "alerts": payloads, "text": render(payloads).text}


def chat_text(payloads: list[dict]) -> tuple[str, str]:
    """A short title and body for chat rooms, where long clause text would drown the message."""
    lines = []
    for payload in payloads:
        signals = ", ".join(f"{s['id']} ({s['severity']})" for s in payload["signals"]) or "no drift signals"
        lines.append(
            f"{headline(payload)}; fidelity {fidelity_text(payload['fidelity'])}; {signals}; "
            f"{payload['changes_total']} changed clauses. {payload['url']}"
        )
    return subject(payloads), "\n".join(lines)
