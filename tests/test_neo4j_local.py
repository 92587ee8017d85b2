"""Neo4j as production runs it: routing URIs, managed transactions, the local server that
`samgraf db start --neo4j` starts, and how a store finds it."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from graph.dialect import Neo4jDialect, StoreError
from graph.neo4j_local import LocalNeo4j, local_home, read_connection
from graph.procs import pid_alive
from graph.settings import Settings
from graph.store import GraphStore
from tests.conftest import cli_env, make_settings, run_samgraf
from tests.test_store import small_batch


def test_routing_uri_writes_then_reads_its_own_write(db_path: Path) -> None:
    """`neo4j://` (what Aura and clusters use) against the single local server: it answers the
    routing table; a read right after a write sees it (one bookmark manager per process)."""
    settings = make_settings("neo4j", db_path)
    routed = settings.model_copy(
        update={"neo4j_uri": settings.neo4j_uri.replace("bolt://", "neo4j://")}  # type: ignore[union-attr]
    )
    store = GraphStore.open(routed)
    try:
        assert isinstance(store.dialect, Neo4jDialect)
        assert store.dialect.uri.startswith("neo4j://")
        store.clear()
        store.upsert(small_batch(2))
        assert store.stats()["nodes"] == {"Initiative": 3}
        store.run_text(
            "MATCH (n:Initiative {id: $id}) SET n.status = 'avsluttet'",
            {"id": "initiative:prosjekt-1"},
            write=True,
        )
        assert store.node("initiative:prosjekt-1")["status"] == "avsluttet"  # type: ignore[index]
        # the driver keeps the bookmark of the last write
        assert store.dialect.bookmarks.get_bookmarks() is not None
    finally:
        store.dialect.drop_all()
        store.close()


def test_unknown_uri_scheme_is_refused(db_path: Path) -> None:
    settings = make_settings("neo4j", db_path).model_copy(
        update={"neo4j_uri": "http://127.0.0.1:7474"}
    )
    with pytest.raises(StoreError, match="ukjent skjema"):
        GraphStore.open(settings)


def test_wrong_password_is_a_store_error(db_path: Path) -> None:
    settings = make_settings("neo4j", db_path).model_copy(update={"neo4j_password": "feil"})
    with pytest.raises(StoreError):
        GraphStore.open(settings)


def test_store_finds_a_local_server_without_neo4j_uri(tmp_path: Path, db_path: Path) -> None:
    """`SAMGRAF_STORE=neo4j` with no NEO4J_URI uses `<SAMGRAF_DB_PATH>/neo4j/connection.json`
    (written by `samgraf db start --neo4j`) while the server named there runs."""
    real = make_settings("neo4j", db_path)
    home = local_home(tmp_path)
    home.mkdir(parents=True)
    info = {
        "uri": real.neo4j_uri,
        "routing_uri": str(real.neo4j_uri).replace("bolt://", "neo4j://"),
        "username": real.neo4j_username,
        "password": real.neo4j_password,
        "pid": os.getpid(),  # a live process stands in for the server's
    }
    (home / "connection.json").write_text(json.dumps(info))
    settings = Settings(store="neo4j", db_path=tmp_path, graph_name="x", neo4j_uri=None)
    store = GraphStore.open(settings)
    assert store.backend == "neo4j" and isinstance(store.run("stats.nodes"), list)
    store.close()
    # a connection file whose server is gone is not used
    info["pid"] = 2**22 + 12345
    (home / "connection.json").write_text(json.dumps(info))
    assert read_connection(home) is None
    with pytest.raises(StoreError, match="samgraf db start --neo4j"):
        GraphStore.open(settings)


@pytest.mark.slow
def test_newcomer_starts_neo4j_loads_and_stops_it(tmp_path: Path) -> None:
    """The README's path without Docker: `samgraf db start --neo4j`, then
    `SAMGRAF_STORE=neo4j samgraf load`, `stats`, and `samgraf db stop`."""
    db = tmp_path / "nykommer"
    env_vars = {"SAMGRAF_STORE": "neo4j"}
    with cli_env(db, "samgraf", **env_vars) as env:
        for key in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD"):
            env.pop(key, None)
        started = run_samgraf(env, "db", "start", "--neo4j", timeout=300)
        assert "kjører på bolt://127.0.0.1:" in started.stdout, started.stderr
        conn = read_connection(local_home(db))
        assert conn is not None
        try:
            # authentication is on: the generated password is required
            assert len(conn.password) >= 24
            assert (local_home(db) / "connection.json").stat().st_mode & 0o077 == 0
            run_samgraf(env, "load", timeout=300)
            stats = json.loads(run_samgraf(env, "stats", "--json").stdout)
            assert stats["backend"] == "neo4j" and stats["total_nodes"] > 250
            status = run_samgraf(env, "db", "status").stdout
            assert f"kjører på {conn.uri}" in status
            # a second start finds the running server instead of starting another
            again = run_samgraf(env, "db", "start", "--neo4j")
            assert f"(pid {conn.pid})" in again.stdout
        finally:
            stopped = run_samgraf(env, "db", "stop", "--neo4j", check=False)
        assert "Lokal Neo4j stoppet" in stopped.stdout
        for _ in range(100):
            try:
                os.kill(conn.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            os.kill(conn.pid, signal.SIGKILL)
            pytest.fail("Neo4j kjørte fortsatt etter `samgraf db stop --neo4j`")
        assert read_connection(local_home(db)) is None
        # the data stay: the next start serves the same graph
        LocalNeo4j(local_home(db)).start()
        try:
            stats = json.loads(run_samgraf(env, "stats", "--json").stdout)
            assert stats["total_nodes"] > 250
        finally:
            LocalNeo4j(local_home(db)).stop()


@pytest.mark.slow
def test_server_started_for_a_process_stops_when_it_is_killed(tmp_path: Path) -> None:
    """What keeps a killed test run from leaving Neo4j behind: the server started with
    `parent_pid` (the suite passes its own) stops when that process dies, even by kill -9."""
    import subprocess

    parent = subprocess.Popen(["sleep", "600"])
    server = LocalNeo4j(tmp_path / "neo4j")
    try:
        conn = server.start(parent_pid=parent.pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        for _ in range(300):
            if read_connection(server.home) is None:
                break
            time.sleep(0.1)
        assert read_connection(server.home) is None, "Neo4j kjørte videre uten forelderen"
        for _ in range(600):  # the JVM is gone after its clean shutdown (a few seconds)
            if not pid_alive(conn.pid):
                break
            time.sleep(0.1)
        assert not pid_alive(conn.pid)
    finally:
        if parent.poll() is None:
            parent.kill()
        server.stop()
