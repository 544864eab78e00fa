"""Bounded time on hostile input: huge files, one 5 MB line, binary junk, mixed encodings, regex bait.

Run: .venv/bin/python benchmarks/bench_pathological.py
Each case runs in its own process with a time limit and prints seconds, clauses, or the clear error it raised.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).parents[1]
CORPUS = REPO / "tests" / "fixtures" / "corpus" / "texts"
LIMIT_SECONDS = 120
_CYRILLIC_LOOK_ALIKES = str.maketrans("aeopcxiAEOPC", "аеорсхіАЕОРС")


def corpus_bytes() -> bytes:
    return b"\n\n".join(path.read_bytes() for path in sorted(CORPUS.rglob("*.txt")))


def write_cases(folder: Path) -> dict[str, Path]:
    """Every hostile input as a file."""
    rng = random.Random(7)
    corpus = corpus_bytes()
    single_line = corpus.replace(b"\r", b" ").replace(b"\n", b" ")
    cases = {
        "50MB of bill text": corpus * (50_000_000 // len(corpus) + 1),
        "5MB single line": (single_line * (5_000_000 // len(single_line) + 1))[:5_000_000],
        "5MB one word, no spaces": b"a" * 5_000_000,
        "5MB of open parentheses and enumerators": b"(a)(1)(A)(i)" * 420_000 + b"((((((((((" * 10_000,
        "5MB of dots and capitals": b". A. 1. (" * 625_000,
        "unclosed begin delete, 5MB": b"begin delete " + b"shall be voluntary " * 260_000,
        "unclosed brackets in an amending bill": b"is amended to read as follows: [" + b"x [" * 1_600_000,
        "5MB of line-number bait": b"\n1    x\n2shall\n 3word" * 260_000,
        "binary junk with NUL bytes": bytes(rng.getrandbits(8) for _ in range(2_000_000)),
        "binary junk without NUL bytes": bytes(rng.randrange(1, 256) for _ in range(2_000_000)),
        "mixed encodings (UTF-8, cp1252, latin-1)": (
            "Participation shall be voluntary — “quoted” café.\n".encode("utf-8")
            + "The officer may refer “the person” to LEAD.\n".encode("cp1252")
            + "Fée: 5 €.\n".encode("latin-1", errors="replace")
        ) * 40_000,
        "5MB of one long XML tag": b"<" + b"a" * 5_000_000 + b">",
        "5MB of bill text in Cyrillic look-alikes": (corpus.decode("utf-8").translate(_CYRILLIC_LOOK_ALIKES).encode("utf-8") * (5_000_000 // len(corpus) + 1))[:5_000_000],
        "5MB of Cyrillic words": ("Участник программы может отказаться в любое время. " * 60_000).encode("utf-8")[:5_000_000],
        "5MB one word of look-alikes": ("а" * 2_500_000).encode("utf-8"),
    }
    paths = {}
    for index, (name, data) in enumerate(cases.items()):
        path = folder / f"case{index}.txt"
        path.write_bytes(data)
        paths[name] = path
    return paths


def run_case(path: str) -> None:
    """Child process: stream-classify one file and print the outcome."""
    from analysis.clauses.engine import iter_classify_file

    started = time.process_time()
    try:
        clauses = sum(1 for _ in iter_classify_file(path))
    except ValueError as error:
        print(f"clear error after {time.process_time() - started:.2f} s CPU: {error}")
        return
    print(f"{clauses} clauses in {time.process_time() - started:.2f} s CPU")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, path in write_cases(Path(folder)).items():
            size = path.stat().st_size / 1e6
            started = time.perf_counter()
            try:
                result = subprocess.run([sys.executable, __file__, "--case", str(path)], cwd=REPO, capture_output=True,
                                        text=True, timeout=LIMIT_SECONDS, env={**os.environ, "PYTHONPATH": str(REPO)})
                outcome = (result.stdout.strip() or result.stderr.strip().splitlines()[-1])
            except subprocess.TimeoutExpired:
                outcome = f"TIMEOUT after {LIMIT_SECONDS} s"
            print(f"{name:42} {size:6.1f} MB  {time.perf_counter() - started:6.1f} s wall  {outcome}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        run_case(sys.argv[2])
    else:
        main()
