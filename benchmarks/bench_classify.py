"""Clause-engine throughput on text never seen before, linearity in document size, and peak memory.

Run: .venv/bin/python benchmarks/bench_classify.py [--copies 8] [--megabytes 100]
Prints figures only (targets: >= 10 MB/s of bill text per core cold, time linear in size, peak memory < 1 GB).

Never-seen text: each copy of the fixture corpus has its words perturbed deterministically (a seeded
generator swaps words for other corpus words, 8% of words and at least one in every 10), so sentences
almost never occur twice anywhere in the benchmark (it prints how often a clause of 10+ words does); the
clause caches are also emptied before every file.
Rules and the Hyperscan database are compiled once before timing (a start-up cost, not per-text work).
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

from analysis.clauses.engine import classify, clear_caches, iter_classify_file

CORPUS = Path(__file__).parents[1] / "tests" / "fixtures" / "corpus" / "texts"
_TOKENS = re.compile(r"(\s+)")
_WORD = re.compile(r"[A-Za-z]{3,}")
_LONGEST_UNCHANGED_RUN = 10  # words (a word of 3+ letters is swapped at the latest after this many)


def corpus_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(CORPUS.rglob("*.txt"))]


def unseen_copy(texts: list[str], seed: int) -> list[str]:
    """The corpus with words swapped for other corpus words (seeded), so its sentences occur nowhere else."""
    rng = random.Random(seed)
    vocabulary = sorted({word.lower() for text in texts for word in _WORD.findall(text)})
    perturbed = []
    for text in texts:
        tokens = _TOKENS.split(text)
        unchanged = 0
        for index, token in enumerate(tokens):
            if not token.strip():
                continue
            unchanged += 1
            if not _WORD.fullmatch(token):
                continue
            if unchanged >= _LONGEST_UNCHANGED_RUN or rng.random() < 0.08:
                word = rng.choice(vocabulary)
                tokens[index] = word.capitalize() if token[0].isupper() else word
                unchanged = 0
        perturbed.append("".join(tokens))
    return perturbed


def cold_throughput(files: list[str]) -> tuple[float, float, int, int, float]:
    """MB/s (CPU) over distinct files, caches emptied before each; clauses, labelled, and the share of long clauses seen before."""
    size = sum(len(text.encode("utf-8")) for text in files) / 1e6
    spent, clauses, labelled, texts = 0.0, 0, 0, Counter()
    for text in files:
        clear_caches()
        started = time.process_time()
        result = classify(text)
        spent += time.process_time() - started
        clauses += len(result)
        labelled += sum(1 for clause in result if clause.labels)
        texts.update(clause.text for clause in result if len(clause.text.split()) >= _LONGEST_UNCHANGED_RUN)
    repeated = sum(count - 1 for count in texts.values()) / max(1, sum(texts.values()))
    return size, size / spent, clauses, labelled, repeated


def linearity(copies: list[list[str]], factors: tuple[int, ...] = (1, 4, 16), repeats: int = 3) -> list[tuple[int, float, float]]:
    """CPU seconds (best of a few runs: other processes disturb the caches) to classify one document of 1, 4, 16 distinct copies."""
    results = []
    for factor in factors:
        document = "\n\n".join(text for copy in copies[:factor] for text in copy)
        best = float("inf")
        for _ in range(repeats):
            clear_caches()
            started = time.process_time()
            classify(document)
            best = min(best, time.process_time() - started)
        results.append((factor, len(document.encode("utf-8")) / 1e6, best))
    return results


def replicated_file(texts: list[str], megabytes: int, folder: Path) -> Path:
    """Write the texts over and over (as one big file of many bills) until it reaches the size."""
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
    parser.add_argument("--copies", type=int, default=16, help="distinct never-seen corpus copies (at least 16)")
    parser.add_argument("--megabytes", type=int, default=100, help="size of the replicated file streamed for memory")
    args = parser.parse_args()
    texts = corpus_texts()
    classify("Warm-up: the rules and the scan database are compiled before timing.")
    copies = [unseen_copy(texts, seed) for seed in range(max(16, args.copies))]
    unseen = [text for copy in copies[: args.copies] for text in copy]
    size, cold, clauses, labelled, repeated = cold_throughput(unseen)
    print(f"cold (never-seen text, {len(unseen)} distinct files, caches emptied per file): {size:.2f} MB, "
          f"{cold:.2f} MB/s per core (CPU time); {clauses} clauses, {labelled / clauses:.0%} labelled, "
          f"{repeated:.1%} of clauses of {_LONGEST_UNCHANGED_RUN}+ words repeat an earlier one")
    original_size, original, original_clauses, original_labelled, _ = cold_throughput(texts)
    print(f"  for comparison, the unperturbed corpus files (caches emptied per file): {original:.2f} MB/s, "
          f"{original_labelled / original_clauses:.0%} of clauses labelled")
    runs = linearity(copies)
    base_factor, _, base_seconds = runs[0]
    for factor, megabytes, seconds in runs:
        print(f"linearity: one document of {factor:2d} distinct copies ({megabytes:.2f} MB): {seconds:.2f} s CPU "
              f"({megabytes / seconds:.2f} MB/s), {seconds / base_seconds:.1f}x the time of {base_factor} copy for {factor / base_factor:.0f}x the size")
    with tempfile.TemporaryDirectory() as folder:
        path = replicated_file(unseen, args.megabytes, Path(folder))
        total = path.stat().st_size / 1e6
        clear_caches()
        cpu = time.process_time()
        streamed = sum(1 for _ in iter_classify_file(path))
        cpu = time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"cached (replicated: the {len(unseen)} never-seen files written over and over, streamed as one {total:.0f} MB file): "
          f"{streamed} clauses, {total / cpu:.2f} MB/s per core (CPU time)")
    print(f"peak memory (max RSS of this process, whole benchmark): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
