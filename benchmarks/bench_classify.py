"""Clause-engine throughput and memory, cold (text never seen: caches emptied) and cached (replicated corpus).

Run: .venv/bin/python benchmarks/bench_classify.py [--megabytes 100] [--cold-rounds 5]
Prints figures only (targets: >= 10 MB/s of bill text per core, peak memory < 1 GB).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from analysis.clauses.engine import classify, clear_caches, iter_classify_file

CORPUS = Path(__file__).parents[1] / "tests" / "fixtures" / "corpus" / "texts"


def corpus_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(CORPUS.rglob("*.txt"))]


def cold_throughput(texts: list[str], rounds: int) -> tuple[float, float]:
    """MB/s (CPU) classifying corpus files with the clause caches emptied before each file: text never seen.

    Rules are compiled once beforehand (a one-time start-up cost, not per-text work).
    """
    classify("warm-up: compile the rules.")
    size = sum(len(text.encode("utf-8")) for text in texts) / 1e6 * rounds
    spent = 0.0
    for _ in range(rounds):
        for text in texts:
            clear_caches()
            started = time.process_time()
            classify(text)
            spent += time.process_time() - started
    return size, size / spent


def replicated_file(texts: list[str], megabytes: int, folder: Path) -> Path:
    """Write the corpus over and over (as one big file of many bills) until it reaches the size."""
    path = folder / "replicated.txt"
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        while written < megabytes * 1_000_000:
            for text in texts:
                handle.write(text)
                handle.write("\n\n")
                written += len(text.encode("utf-8")) + 2
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--cold-rounds", type=int, default=5)
    args = parser.parse_args()
    texts = corpus_texts()
    size, cold = cold_throughput(texts, args.cold_rounds)
    print(f"cold (unseen text, caches emptied per file): {size:.2f} MB classified, {cold:.2f} MB/s per core (CPU time)")
    with tempfile.TemporaryDirectory() as folder:
        path = replicated_file(texts, args.megabytes, Path(folder))
        total = path.stat().st_size / 1e6
        clear_caches()
        wall, cpu = time.perf_counter(), time.process_time()
        clauses = labelled = 0
        for clause in iter_classify_file(path):
            clauses += 1
            labelled += bool(clause.labels)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"streamed {total:.1f} MB: {clauses} clauses ({labelled} labelled) in {wall:.1f} s wall / {cpu:.1f} s CPU")
    print(f"cached (replicated corpus, clause cache warm after the first copy): {total / cpu:.2f} MB/s per core (CPU time), {total / wall:.2f} MB/s wall")
    print(f"peak memory (max RSS of this process): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
