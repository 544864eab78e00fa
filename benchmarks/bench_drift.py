"""Time compare() on ~50 KB version pairs built from real texts, next to a plain difflib word diff of the same pairs."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from analysis.drift import align
from analysis.drift import cues as cue_rules
from analysis.clauses.engine import classify
from analysis.drift.engine import compare
from analysis.drift.redline import plain_word_diff

ROOT = Path(__file__).parents[1] / "tests" / "fixtures"
TARGET = 50_000


def build_pairs() -> list[tuple[str, str, str]]:
    """Each pair: many real amendments (old/new fixture texts) interleaved with unchanged real corpus texts."""
    amendments = [json.loads(line) for line in (ROOT / "amendments" / "gold" / "pairs.jsonl").read_text(encoding="utf-8").splitlines()]
    filler = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "texts").rglob("*.txt"))]
    pairs = []
    for offset in range(3):
        old_parts, new_parts, k = [], [], offset
        while sum(map(len, old_parts)) < TARGET:
            amendment = amendments[k % len(amendments)]
            old_parts.append((ROOT / "amendments" / "texts" / amendment["old"]).read_text(encoding="utf-8"))
            new_parts.append((ROOT / "amendments" / "texts" / amendment["new"]).read_text(encoding="utf-8"))
            unchanged = filler[(7 * k) % len(filler)]
            old_parts.append(unchanged), new_parts.append(unchanged)
            k += 1
        pairs.append((f"pair{offset}", "\n\n".join(old_parts), "\n\n".join(new_parts)))
    return pairs


def cold_compare(old: str, new: str) -> None:
    """compare() with the per-clause caches emptied first (a pair never seen before)."""
    cue_rules._cached_cues.cache_clear()
    align._clause_words.cache_clear()
    compare(old, new)


def classify_both(old: str, new: str) -> None:
    """The clause engine's share: classifying both versions."""
    classify(old)
    classify(new)


def timed(function, *args, repeat: int = 15) -> float:
    """Median wall time in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(*args)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    print("median ms per pair; cold = clause caches emptied, warm = clauses seen in an earlier version")
    header = f"{'pair':6} {'old KB':>7} {'new KB':>7} {'cold':>7} {'warm':>7} {'classify x2':>12} {'difflib words':>14}"
    print(header + f" {'cold/difflib':>13}  result")
    for name, old, new in build_pairs():
        report = compare(old, new)
        cold_ms, warm_ms = timed(cold_compare, old, new), timed(compare, old, new)
        classify_ms = timed(classify_both, old, new)
        diff_ms = timed(plain_word_diff, old, new)
        ids = sorted({s.id for s in report.signals})
        print(
            f"{name:6} {len(old) / 1000:7.1f} {len(new) / 1000:7.1f} {cold_ms:7.1f} {warm_ms:7.1f} {classify_ms:12.1f}"
            f" {diff_ms:14.1f} {cold_ms / diff_ms:13.2f}  {len(ids)} signal ids, {len(report.changes)} clause changes, {report.direction}"
        )


if __name__ == "__main__":
    main()
