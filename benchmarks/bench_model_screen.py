"""Model-bill screening throughput (MB/s) over the real corpus replayed until >= 100 MB, streamed one text at a time."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from analysis.drift.model_bill import screen

CORPUS = Path(__file__).parents[1] / "tests" / "fixtures" / "corpus" / "texts"
TARGET_BYTES = 100 * 1024 * 1024


def run(score: bool, target: int) -> tuple[float, int, int, int]:
    """Screen texts round-robin until target bytes; returns (seconds, bytes, texts, model bills)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.rglob("*.txt"))]
    sizes = [len(t.encode("utf-8")) for t in texts]
    done = count = found = 0
    start = time.perf_counter()
    for text, size in itertools.cycle(zip(texts, sizes, strict=True)):
        found += screen(text, score=score).is_model_bill
        done += size
        count += 1
        if done >= target:
            break
    return time.perf_counter() - start, done, count, found


def main() -> None:
    for score, target in ((False, TARGET_BYTES), (True, TARGET_BYTES // 4)):
        seconds, done, count, found = run(score, target)
        label = "screen + fidelity of matches" if score else "screen only (shingle match)"
        rate = done / 1e6 / seconds
        print(f"{label:30} {done / 1e6:7.1f} MB  {count:6} texts  {found:6} model bills  {seconds:6.1f} s  {rate:6.1f} MB/s")


if __name__ == "__main__":
    main()
