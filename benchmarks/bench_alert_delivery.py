"""CPU cost of one delivery pass per alert (each send recorded at once), to a real SMTP server on 127.0.0.1.

    python benchmarks/bench_alert_delivery.py --alerts 200
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipelines.alerts.deliver import deliver_due  # noqa: E402
from pipelines.alerts.subscriptions import load_config  # noqa: E402
from warehouse.db import Warehouse  # noqa: E402
from warehouse.outbox import OutboxItem, SubscriptionRow, enqueue, replace_subscriptions  # noqa: E402

NOW = datetime(2026, 3, 1, 12, 0)


class _Sink:
    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd hook name)
        return "250 OK"


def _payload(n: int) -> dict:
    clause = "A participant may be referred to services in lieu of arrest for an eligible offense. " * 4
    return {
        "version_id": f"CA-SB{n}-amended", "jurisdiction": "CA", "session": "2025-26", "bill_id": f"SB {n}",
        "title": "Law Enforcement Assisted Diversion", "version_label": "amended in Senate",
        "version_date": "2026-02-01", "revision": 0, "url": "https://leginfo.legislature.ca.gov/x", "loaded_at": None,
        "previous": {"version_id": f"CA-SB{n}-introduced", "version_label": "introduced", "version_date": "2026-01-05"},
        "analyzed": True, "direction": "toward-model", "fidelity": {"old": 0.2, "new": 0.35, "delta": 0.15},
        "changes": [{"kind": "modified", "old_section": "Sec. 2", "new_section": "Sec. 2", "old_text": clause,
                     "new_text": clause + "\x0b(end)", "redline": [["equal", clause], ["insert", "(end)"]]}] * 5,
        "changes_total": 5, "signals": [{"id": "sunset_added", "severity": "toward", "old_text": "", "new_text": clause}],
        "categories": ["referral_pathway"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=200)
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Controller(_Sink(), hostname="127.0.0.1", port=port)
    server.start()
    folder = Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    config = folder / "subs.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nsender = "w@example.org"\n'
                      '[[subscriptions]]\nid = "group"\n[[subscriptions.channels]]\nkind = "email"\nto = ["g@example.org"]\n')
    warehouse = Warehouse(path=str(folder / "w.duckdb"))
    channel = {"name": "email", "kind": "email", "to": ["g@example.org"]}
    with warehouse.connect() as con:
        replace_subscriptions(con, [SubscriptionRow("group", "group", channels=(channel,))], NOW)
        items = [OutboxItem(sid, f"CA-SB{n}-amended", name, "CA", _payload(n), NOW)
                 for n in range(args.alerts) for sid, name in (("group", "email"), ("feed", "atom"))]
        enqueue(con, items, NOW)
    try:
        cpu = time.process_time()
        report = deliver_due(warehouse, load_config(config), folder / "alerts.atom", now=NOW, limit=2 * args.alerts)
        cpu = time.process_time() - cpu
    finally:
        server.stop()
    print(f"{report.rows_sent} rows sent ({report.messages_sent} messages, {report.rows_dead} dead): "
          f"{cpu:.2f} s CPU, {1000 * cpu / max(report.messages_sent, 1):.1f} ms CPU per message")


if __name__ == "__main__":
    main()
