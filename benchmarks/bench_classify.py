"""Clause-engine throughput and memory: the gold corpus replicated to >= 100 MB, streamed from disk.

Run: .venv/bin/python benchmarks/bench_classify.py [--megabytes 100]
Prints figures only (targets: >= 10 MB/s of bill text per core, peak memory < 1 GB).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from analysis.clauses import classify, clear_caches, iter_classify_file

CORPUS = Path(__file__).parents[1] / "tests" / "fixtures" / "corpus" / "texts"


def corpus_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(CORPUS.rglob("*.txt"))]


def cold_throughput(texts: list[str]) -> tuple[float, float]:
    """MB/s (CPU) classifying every corpus file once with an empty clause cache: text never seen before."""
    clear_caches()
    size = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    started = time.process_time()
    for text in texts:
        classify(text)
    return size, size / (time.process_time() - started)


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
    args = parser.parse_args()
    texts = corpus_texts()
    size, cold = cold_throughput(texts)
    print(f"cold (unseen text, empty clause cache): {size:.2f} MB in corpus, {cold:.2f} MB/s per core (CPU time)")
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
    print(f"throughput: {total / cpu:.2f} MB/s per core (CPU time), {total / wall:.2f} MB/s wall")
    print(f"peak memory (max RSS of this process): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
