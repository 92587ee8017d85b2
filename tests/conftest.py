"""Fixtures: a store per backend, and the bundled dataset loaded into it.

Every store test runs on both backends: the embedded FalkorDB and a real Neo4j 5. The Neo4j
is the one NEO4J_URI names or, when it is unset, a local Neo4j Community that the session
starts itself (`graph.neo4j_local`, in `.samgraf/test-neo4j`) and stops at the end, also when
the run fails or is killed (the server watches the test process). A server already running
there (`python -m graph.neo4j_local start .samgraf/test-neo4j`) is reused and left running,
which saves its start-up (~12 s) when running single tests.

`SAMGRAF_TEST_NEO4J=0` skips the Neo4j variants for a quick local run; under CI it is
ignored, and a run in which any test is skipped for lack of Neo4j fails.
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
NEO4J_HOME = REPO_ROOT / ".samgraf" / "test-neo4j"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
NO_NEO4J = "NEO4J_URI er ikke satt: Neo4j-testene hoppes over"


def pytest_configure(config: pytest.Config) -> None:
    """Start (or reuse) the local Neo4j unless NEO4J_URI names one."""
    if os.environ.get("NEO4J_URI"):
        return
    if os.environ.get("SAMGRAF_TEST_NEO4J") == "0" and not IN_CI:
        return
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller started it
        return
    from graph.neo4j_local import LocalNeo4j

    server = LocalNeo4j(NEO4J_HOME)
    conn = server.connection()
    started = conn is None
    if conn is None:
        conn = server.start(parent_pid=os.getpid())
    os.environ.update(conn.env())
    config.stash[_NEO4J_KEY] = (server, started)


_NEO4J_KEY = pytest.StashKey[tuple[object, bool]]()


def pytest_unconfigure(config: pytest.Config) -> None:
    server, started = config.stash.get(_NEO4J_KEY, (None, False))
    if started and server is not None:
        server.stop()  # type: ignore[attr-defined]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Under CI, a test skipped for lack of Neo4j fails the run."""
    if not IN_CI:
        return
    skipped = [
        r
        for r in terminalreporter.stats.get("skipped", [])
        if "neo4j" in str(getattr(r, "longrepr", "")).lower()
    ]
    if skipped:
        terminalreporter.write_line(
            f"FEIL: {len(skipped)} tester ble hoppet over fordi Neo4j manglet (CI krever 0)",
            red=True,
        )
        terminalreporter._session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("samgraf-db")


def make_settings(backend: str, db_path: Path, graph: str | None = None) -> Settings:
    if backend == "neo4j" and not os.environ.get("NEO4J_URI"):
        if IN_CI:
            pytest.fail(NO_NEO4J + " (CI krever Neo4j)")
        pytest.skip(NO_NEO4J)
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
    _LOADED_STATS[settings.graph_name] = s.stats()
    try:
        yield s, settings
    finally:
        s.dialect.drop_all()
        s.close()


@pytest.fixture
def loaded(_loaded: tuple[GraphStore, Settings]) -> GraphStore:
    """The bundled Kristiansand dataset, loaded once per backend; for read-only tests.

    Neo4j Community has one database, which other tests clear: it is loaded again when its
    counts are no longer those of the loaded dataset (a count query costs a few ms; a load
    about a second).
    """
    from importers.bundled import load_dataset

    s, settings = _loaded
    if s.backend == "neo4j":
        expected = _LOADED_STATS.get(settings.graph_name)
        if expected is None or s.stats() != expected:
            s.clear()
            load_dataset(s, settings)
            _LOADED_STATS[settings.graph_name] = s.stats()
    return s


_LOADED_STATS: dict[str, dict[str, dict[str, int]]] = {}


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
