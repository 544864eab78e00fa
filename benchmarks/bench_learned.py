"""The learned pass on its own and the whole classify with it, cold (caches emptied), in MB/s of CPU time.

Run: .venv/bin/python benchmarks/bench_learned.py [--rounds 3]
Prints figures only (target for the whole classify: >= 10 MB/s per core; the learned pass should be well above it).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from analysis.clauses.engine import classify, clear_caches
from analysis.clauses.learned import RULES_ONLY, shipped_model
from analysis.clauses.training import train

REPO = Path(__file__).parents[1]
CORPUS = REPO / "tests" / "fixtures" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    texts = [path.read_text(encoding="utf-8") for path in sorted((CORPUS / "texts").rglob("*.txt"))]
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6 * rounds
    model = shipped_model()
    classify("warm-up: compile the rules and load the model.")
    rules_cpu = learned_cpu = whole_cpu = 0.0
    for _ in range(rounds):
        for text in texts:
            clear_caches()
            started = time.process_time()
            clauses = classify(text, model=RULES_ONLY)
            rules_cpu += time.process_time() - started
            started = time.process_time()
            list(model.label(clauses))
            learned_cpu += time.process_time() - started
            clear_caches()
            started = time.process_time()
            classify(text)
            whole_cpu += time.process_time() - started
    print(f"{megabytes:.1f} MB of corpus text ({len(texts)} files x {rounds}), cold, CPU time:")
    print(f"  rules only (engine without the model): {megabytes / rules_cpu:6.1f} MB/s")
    print(f"  learned pass alone (featurize + score):  {megabytes / learned_cpu:6.1f} MB/s")
    print(f"  whole classify (rules + learned pass): {megabytes / whole_cpu:6.1f} MB/s")
    started = time.process_time()
    train(CORPUS / "gold", near_misses=[REPO / "tests" / "fixtures" / name for name in ("unseen_clauses.jsonl", "near_miss_clauses.jsonl")])
    print(f"training on all gold: {time.process_time() - started:.1f} s CPU (one process)")


if __name__ == "__main__":
    main()
