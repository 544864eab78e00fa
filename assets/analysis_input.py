"""What a partition's analysis depends on (its versions and the engine), so unchanged work is recognised and skipped."""

import hashlib
from functools import cache
from pathlib import Path

import pandas as pd

import analysis

ENGINE_FILES = (".py", ".toml", ".npz", ".json")


@cache
def engine_fingerprint() -> str:
    """A hash of the analysis engine's code, rules and model, so an improved engine re-analyses every partition."""
    digest = hashlib.sha256()
    root = Path(analysis.__file__).parent
    for path in sorted(p for p in root.rglob("*") if p.suffix in ENGINE_FILES and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def input_hash(versions: pd.DataFrame) -> str:
    """What a partition's results depend on: its versions' ids and texts, and the engine."""
    digest = hashlib.sha256(engine_fingerprint().encode())
    for version_id, text_sha256 in sorted(zip(versions["version_id"], versions["text_sha256"])):
        digest.update(f"{version_id}:{text_sha256};".encode())
    return digest.hexdigest()
