"""CPU time and peak memory of compare(): ~50 KB real amendment pairs, gut-and-amend pairs of 400 KB to 5 MB (every
sentence rewritten) and versions made of section markers only. Each large case runs in a fresh process so its peak
resident memory is its own; times are time.process_time() (other processes on the machine do not inflate them).

    python benchmarks/bench_drift.py            # every case
    python benchmarks/bench_drift.py markers    # cases whose name contains "markers"
"""

from __future__ import annotations

import json
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from analysis.clauses.engine import classify
from analysis.drift import align
from analysis.drift import cues as cue_rules
from analysis.drift.engine import compare
from analysis.drift.redline import plain_word_diff

ROOT = Path(__file__).parents[1] / "tests" / "fixtures"
TARGET = 50_000
LARGE_CASES = {  # name: (kind, size in characters or markers)
    "gut-and-amend 400 KB": ("rewritten", 400_000),
    "gut-and-amend 1 MB": ("rewritten", 1_000_000),
    "gut-and-amend 5 MB": ("rewritten", 5_000_000),
    "one sentence 1 MB": ("one_sentence", 1_000_000),
    "section markers 100k": ("markers", 100_000),
    "section markers 1M": ("markers", 1_000_000),
}


def build_pairs() -> list[tuple[str, str, str]]:
    """Each pair: many real amendments (old/new fixture texts) interleaved with unchanged real corpus texts."""
    amendments = [json.loads(line) for line in (ROOT / "amendments" / "gold" / "pairs.jsonl").read_text(encoding="utf-8").splitlines()]
    filler = corpus_texts()
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


def corpus_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "texts").rglob("*.txt"))]


def real_text(size: int, seed: int, rewrite: bool) -> str:
    """Real corpus texts in a random order up to `size` characters; `rewrite` shuffles the words of every sentence,
    so nothing of the old version survives word for word (a gut-and-amend)."""
    rng, texts, parts, total = random.Random(seed), corpus_texts(), [], 0
    while total < size:
        text = rng.choice(texts)
        if rewrite:
            text = re.sub(r"[^.\n]+", lambda m: " ".join(rng.sample(m.group().split(), len(m.group().split()))), text)
        parts.append(text)
        total += len(text) + 2
    return "\n\n".join(parts)[:size]


def large_pair(kind: str, size: int) -> tuple[str, str]:
    if kind == "rewritten":
        return real_text(size, 1, False), real_text(size, 2, True)
    if kind == "one_sentence":  # no sentence ends at all: one clause per side
        return (" ".join(real_text(size, 1, False).replace(".", " ").split()),
                " ".join(real_text(size, 2, True).replace(".", " ").split()))
    return "".join(f"Sec. {k}.\n" for k in range(size)), "".join(f"Sec. {k + 7}.\n" for k in range(size))


def run_large(name: str, part: str) -> dict:
    """One large case in this fresh process: CPU seconds and peak memory of compare(), or (part "classify") of the
    clause engine classifying both sides, its share of compare()."""
    old, new = large_pair(*LARGE_CASES[name])
    compare("Participation shall be voluntary.", "Participation may be voluntary.")  # rules compiled before timing
    start = time.process_time()
    report = compare(old, new) if part == "compare" else (classify(old), classify(new))
    seconds = time.process_time() - start
    result = {"case": name, "part": part, "old_kb": len(old) // 1000, "cpu_s": round(seconds, 2),
              "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}
    if part == "compare":
        result.update(changes=len(report.changes), signals=len(report.signals))
    return result


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
    """Median CPU time in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.process_time()
        function(*args)
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


def small_pairs() -> None:
    print("median CPU ms per pair; cold = clause caches emptied, warm = clauses seen in an earlier version")
    print(f"{'pair':6} {'old KB':>7} {'new KB':>7} {'cold':>7} {'warm':>7} {'classify x2':>12} {'difflib words':>14}  result")
    for name, old, new in build_pairs():
        report = compare(old, new)
        cold_ms, warm_ms = timed(cold_compare, old, new), timed(compare, old, new)
        classify_ms, diff_ms = timed(classify_both, old, new), timed(plain_word_diff, old, new)
        ids = sorted({s.id for s in report.signals})
        print(f"{name:6} {len(old) / 1000:7.1f} {len(new) / 1000:7.1f} {cold_ms:7.1f} {warm_ms:7.1f} {classify_ms:12.1f}"
              f" {diff_ms:14.1f}  {len(ids)} signal ids, {len(report.changes)} clause changes, {report.direction}")


def main(selection: str = "") -> None:
    if not selection:
        small_pairs()
    print("large pairs, each part in a fresh process (CPU seconds; classify = the clause engine's share of compare)")
    for name in (n for n in LARGE_CASES if selection in n):
        for part in ("compare", "classify"):
            child = subprocess.run([sys.executable, __file__, "--case", name, part], capture_output=True, text=True, check=False)
            print(child.stdout.strip() or f"{name} {part}: failed\n{child.stderr[-2000:]}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--case"]:
        print(json.dumps(run_large(sys.argv[2], sys.argv[3])))
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "")
