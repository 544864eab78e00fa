"""Alert test helpers: bill versions written straight into a real warehouse, a real SMTP server, real subscriptions."""

from __future__ import annotations

import difflib
import json
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from aiosmtpd.controller import Controller

from warehouse.db import Warehouse

SB1110 = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "texts" / "CA" / "SB1110_2015-16"
OLD_DIGEST = (
    "This bill would require the Board of State and Community Corrections to approve three counties for the "
    "establishment of a Law Enforcement Assisted Diversion (LEAD) pilot program."
)
NEW_DIGEST = (
    "This bill, until January 1, 2020, would establish the Law Enforcement Assisted Diversion (LEAD) pilot program, "
    "to be administered by the Board of State and Community Corrections, to improve public safety and reduce recidivism"
)
HOSTILE = '<script>alert("pwned")</script> & "quoted" \'single\' <b>bold</b>'


def word_redline(old: str, new: str) -> list[list[str]]:
    """A word-level redline in the warehouse's JSON shape, for seeding version_changes."""
    a, b = old.split(), new.split()
    ops = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(["equal", " ".join(a[i1:i2])])
        if tag in ("delete", "replace"):
            ops.append(["delete", " ".join(a[i1:i2])])
        if tag in ("insert", "replace"):
            ops.append(["insert", " ".join(b[j1:j2])])
    return ops


@dataclass
class Amendment:
    """One bill whose new version a test adds, with the analysis rows the analysis assets would have written."""

    jurisdiction: str
    bill_id: str
    old_text: str
    new_text: str
    changes: list[tuple[str, str]]  # (old clause, new clause)
    signals: list[tuple[str, str, str, str]] = field(default_factory=list)  # (id, severity, old, new)
    categories: list[str] = field(default_factory=list)
    fidelity: tuple[float, float] = (0.2, 0.35)
    session: str = "2015-16"
    title: str = "Law Enforcement Assisted Diversion"
    url: str = "https://leginfo.legislature.ca.gov/faces/billTextClient.xhtml?bill_id=201520160SB1110"


def _version_row(a: Amendment, label: str, day: str, text: str, loaded_at: datetime) -> dict:
    return {
        "version_id": f"{a.jurisdiction}-{a.bill_id}-{label}".replace(" ", ""),
        "jurisdiction": a.jurisdiction, "session": a.session, "bill_id": a.bill_id, "version_label": label,
        "version_date": pd.Timestamp(day).date(), "revision": 0, "url": a.url, "source": "folder",
        "document_format": "text", "text": text, "text_sha256": str(hash(text)), "loaded_at": loaded_at,
    }


def add_first_version(warehouse: Warehouse, a: Amendment, loaded_at: datetime) -> str:
    """Store the introduced version (already known before the test's new version arrives)."""
    row = _version_row(a, "introduced", "2016-02-17", a.old_text, loaded_at)
    bill = {"jurisdiction": a.jurisdiction, "session": a.session, "bill_id": a.bill_id, "title": a.title,
            "url": a.url, "source": "folder", "updated_at": loaded_at}
    warehouse.insert_new("core.bills", pd.DataFrame([bill]), ["jurisdiction", "session", "bill_id"])
    warehouse.insert_new("core.bill_versions", pd.DataFrame([row]), ["version_id"])
    return row["version_id"]


def add_new_version(warehouse: Warehouse, a: Amendment, loaded_at: datetime) -> str:
    """Store the amended version and the analysis rows of the introduced -> amended pair."""
    old_id = f"{a.jurisdiction}-{a.bill_id}-introduced".replace(" ", "")
    row = _version_row(a, "amended in Senate", "2016-05-31", a.new_text, loaded_at)
    new_id = row["version_id"]
    pair = {"old_version_id": old_id, "new_version_id": new_id, "jurisdiction": a.jurisdiction}
    warehouse.insert_new("core.bill_versions", pd.DataFrame([row]), ["version_id"])
    warehouse.insert_new("analysis.amendments", pd.DataFrame([{
        **pair, "session": a.session, "bill_id": a.bill_id, "direction": "toward-model",
        "fidelity_old": a.fidelity[0], "fidelity_new": a.fidelity[1]}]), ["old_version_id", "new_version_id"])
    scores = [{"version_id": v, "jurisdiction": a.jurisdiction, "model_score": f} for v, f in zip((old_id, new_id), a.fidelity)]
    warehouse.upsert("analysis.version_fidelity", pd.DataFrame(scores))  # the one stored figure alerts quote
    changes = [{**pair, "change_no": n, "kind": "modified", "old_section": "Digest", "new_section": "Digest",
                "old_text": old, "new_text": new, "redline": json.dumps(word_redline(old, new))}
               for n, (old, new) in enumerate(a.changes)]
    warehouse.insert_new("analysis.version_changes", pd.DataFrame(changes), ["old_version_id", "new_version_id", "change_no"])
    if a.signals:
        signals = [{**pair, "signal": s, "severity": sev, "old_text": o, "new_text": n} for s, sev, o, n in a.signals]
        warehouse.insert_new("analysis.drift_signals", pd.DataFrame(signals), ["old_version_id", "new_version_id", "signal"])
    labels = [{"version_id": new_id, "jurisdiction": a.jurisdiction, "clause_no": n, "category": c, "rule": "seed",
               "evidence_start": 0, "evidence_end": 1} for n, c in enumerate(a.categories)]
    if labels:
        warehouse.insert_new("analysis.clause_labels", pd.DataFrame(labels), ["version_id", "clause_no", "category"])
    return new_id


def sb1110() -> Amendment:
    """The real CA SB 1110 pair: introduced -> amended in Senate, with its gold sunset_added signal."""
    return Amendment(
        jurisdiction="CA", bill_id="SB 1110",
        old_text=(SB1110 / "2016-02-17_introduced.txt").read_text(encoding="utf-8"),
        new_text=(SB1110 / "2016-05-31_amended-senate.txt").read_text(encoding="utf-8"),
        changes=[(OLD_DIGEST, NEW_DIGEST)],
        signals=[("sunset_added", "toward", OLD_DIGEST, NEW_DIGEST)],
        categories=["model_fidelity", "sunset"],
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler that keeps every message the server accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd hook name)
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    """A real SMTP server on 127.0.0.1 that tests can stop and start on the same port."""

    port: int
    inbox: Inbox
    authenticator: object | None = None
    controller: Controller | None = None

    def start(self) -> None:
        extra = {"authenticator": self.authenticator, "auth_require_tls": False} if self.authenticator else {}
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **extra)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None


LOCAL_RECEIVERS = '[webhooks]\nallow_private_networks = ["127.0.0.1/32", "::1/128"]\n'


def write_config(
    path: Path, smtp_port: int, body: str, smtp_extra: str = "", webhooks: str = LOCAL_RECEIVERS, timeout: float = 5
) -> Path:
    """A subscriptions file pointing at the test SMTP server; webhooks may reach the test servers on 127.0.0.1."""
    path.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\nsender = "watch@example.org"\n'
        f"timeout_seconds = {timeout}\n{smtp_extra}\n{webhooks}\n{body}",
        encoding="utf-8",
    )
    return path


T0 = datetime(2026, 3, 1, 12, 0, 0)
LATER = T0 + timedelta(hours=1)
