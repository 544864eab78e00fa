"""A small real warehouse (corpus texts, gold clauses, run records, alerts), built once and copied per test."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from tests.serving.corpus_warehouse import CorpusVersion, build_corpus_warehouse
from warehouse.db import Warehouse


@pytest.fixture(scope="session")
def built_corpus_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[CorpusVersion]]:
    path = tmp_path_factory.mktemp("corpus") / "warehouse.duckdb"
    versions = build_corpus_warehouse(Warehouse(path=str(path)), now=datetime.now())
    return path, versions


@pytest.fixture
def corpus_warehouse(built_corpus_warehouse, tmp_path: Path) -> Warehouse:
    """A private copy of the corpus warehouse that a test may write to."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(built_corpus_warehouse[0], path)
    return Warehouse(path=str(path))


@pytest.fixture
def corpus_versions(built_corpus_warehouse) -> list[CorpusVersion]:
    return built_corpus_warehouse[1]
