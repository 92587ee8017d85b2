"""Fixtures: a store per available backend, and the bundled dataset loaded into it.

The embedded (FalkorDB) backend always runs. The Neo4j backend runs when NEO4J_URI is set
and is reported as skipped otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from graph.settings import REPO_ROOT, Settings
from graph.store import GraphStore

DATA = REPO_ROOT / "data"
SEEDS = DATA / "seeds"
BACKENDS = ["embedded", "neo4j"]


@pytest.fixture(scope="session")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("samgraf-db")


def make_settings(backend: str, db_path: Path, graph: str | None = None) -> Settings:
    if backend == "neo4j" and not os.environ.get("NEO4J_URI"):
        pytest.skip("NEO4J_URI er ikke satt: Neo4j-testene hoppes over")
    return Settings(
        store=backend,  # type: ignore[arg-type]
        db_path=db_path,
        graph_name=graph or f"t{uuid.uuid4().hex[:10]}",
        data_dir=DATA,
        neo4j_uri=os.environ.get("NEO4J_URI"),
        neo4j_username=os.environ.get("NEO4J_USERNAME", "neo4j"),
        neo4j_password=os.environ.get("NEO4J_PASSWORD"),
        neo4j_database=os.environ.get("NEO4J_DATABASE", "neo4j"),
    )


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, db_path: Path) -> Settings:
    return make_settings(request.param, db_path)


@pytest.fixture
def store(settings: Settings) -> Iterator[GraphStore]:
    s = GraphStore.open(settings)
    s.clear()
    try:
        yield s
    finally:
        s.dialect.drop_all()
        s.close()


@pytest.fixture(scope="session", params=BACKENDS)
def _loaded(request: pytest.FixtureRequest, db_path: Path) -> Iterator[tuple[GraphStore, Settings]]:
    from importers.bundled import load_dataset

    settings = make_settings(request.param, db_path, graph=f"loaded_{request.param}")
    s = GraphStore.open(settings)
    s.clear()
    load_dataset(s, settings)
    try:
        yield s, settings
    finally:
        s.dialect.drop_all()
        s.close()


@pytest.fixture
def loaded(_loaded: tuple[GraphStore, Settings]) -> GraphStore:
    """The bundled Kristiansand dataset, loaded once per backend; for read-only tests.

    Neo4j Community has one database, which the `store` fixture clears: reload there
    (loading is idempotent, so this is a no-op when nothing was cleared).
    """
    from importers.bundled import load_dataset

    s, settings = _loaded
    if s.backend == "neo4j":
        load_dataset(s, settings)
    return s


@contextmanager
def cli_env(db: Path, graph: str, **extra: str) -> Iterator[dict[str, str]]:
    """Environment for running `samgraf` as a subprocess on its own embedded database; the
    server is kept running between verbs and stopped at the end."""
    from graph.embedded import EmbeddedServer

    env = {
        **os.environ,
        "SAMGRAF_DB_PATH": str(db),
        "SAMGRAF_STORE": "embedded",
        "SAMGRAF_GRAPH": graph,
        "SAMGRAF_KEEP_SERVER": "1",
        "COLUMNS": "200",
        **extra,
    }
    try:
        yield env
    finally:
        EmbeddedServer(db).stop()


def run_samgraf(
    env: dict[str, str], *args: str, check: bool = True, cwd: Path = REPO_ROOT, timeout: int = 180
) -> subprocess.CompletedProcess[str]:
    """Run `samgraf ARGS…` as a user would, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "samgraf.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        check=check,
    )
