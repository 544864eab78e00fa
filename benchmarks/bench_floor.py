"""How fast the clause engine could possibly be in this stack: the cold throughput of its first stages alone.

Run: .venv/bin/python benchmarks/bench_floor.py [--copies 4]
Each line adds one stage to the one before, over the same never-seen files (bench_classify's perturbed
corpus copies), CPU time: reading the text (markup, look-alike letters, line numbers), finding its
sections, then the word 1-2 grams and their hashed columns the learned model needs. No rule runs and no
model scores; the last line is the whole engine, caches emptied per file, for comparison. If the stages
before any rule already cost more than a target allows, that target needs a different stack, not tuning.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from analysis.clauses import features
from analysis.clauses.engine import classify, clear_caches
from analysis.text.normalize import current_view, normalize
from analysis.text.sections import segment_plain
from bench_classify import corpus_texts, unseen_copy  # this folder is on the path when run as a script


def _sections(text: str) -> list[str]:
    clean = current_view(normalize(text)).text
    return [clean[section.start : section.end] for section in segment_plain(clean)]


def _grams(text: str) -> list[list[str]]:
    return [features.word_grams(section) for section in _sections(text)]


def _hashed(text: str) -> list:
    return features.gram_columns_per_text(_grams(text))


def _engine(text: str) -> list:
    clear_caches()
    return classify(text)


STAGES: tuple[tuple[str, Callable[[str], object]], ...] = (
    ("read the text (normalize)", normalize),
    ("+ find its sections", _sections),
    ("+ word 1-2 grams", _grams),
    ("+ hash them to feature columns", _hashed),
    ("the whole engine (rules, readings, model)", _engine),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=4, help="perturbed copies of the corpus to read")
    args = parser.parse_args()
    texts = corpus_texts()
    classify(texts[0])  # rules and the Hyperscan database compiled before timing
    files = [text for seed in range(1, args.copies + 1) for text in unseen_copy(texts, seed)]
    megabytes = sum(len(text.encode("utf-8")) for text in files) / 1e6
    print(f"{len(files)} never-seen files, {megabytes:.2f} MB; cumulative stages, CPU time")
    for name, stage in STAGES:
        started = time.process_time()
        for text in files:
            stage(text)
        seconds = time.process_time() - started
        print(f"{name:45} {seconds:6.2f} s  {megabytes / seconds:6.2f} MB/s")


if __name__ == "__main__":
    main()
