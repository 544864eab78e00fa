"""Serving tests read the warehouse `divwatch run` builds from the bundled demo; the hand-built corpus warehouse
(`corpus_warehouse`) is only for edge cases real data lacks (stale sources, failed extractions, sent alerts)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.serving.corpus_warehouse import CorpusVersion, shared_corpus_warehouse
from tests.serving.demo_run import DemoRun, shared_demo_run
from warehouse.db import Warehouse


@pytest.fixture
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The real run's files (read-only: copy before writing)."""
    return shared_demo_run(tmp_path_factory.getbasetemp())


@pytest.fixture
def demo_warehouse(demo_run: DemoRun, tmp_path: Path) -> Warehouse:
    """A private copy of the real run's warehouse that a test may write to."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_run.warehouse, path)
    return Warehouse(path=str(path))


@pytest.fixture
def corpus_warehouse(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Warehouse:
    """Hand-built edge cases: a private copy of the corpus warehouse that a test may write to."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(shared_corpus_warehouse(tmp_path_factory.getbasetemp())[0], path)
    return Warehouse(path=str(path))


@pytest.fixture
def corpus_versions(tmp_path_factory: pytest.TempPathFactory) -> list[CorpusVersion]:
    return list(shared_corpus_warehouse(tmp_path_factory.getbasetemp())[1])
