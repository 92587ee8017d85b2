"""The store on every available backend: upsert, provenance, atomicity, the embedded server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from graph.dialect import StoreError
from graph.embedded import EmbeddedServer, _alive
from graph.records import GraphBatch, make_node, make_rel
from graph.settings import Settings
from graph.store import GraphStore
from tests.conftest import make_settings


def small_batch(n: int = 3, source: str = "test.csv") -> GraphBatch:
    b = GraphBatch()
    prog = b.add_node(
        make_node("Initiative", "Flere i arbeid", {"kind": "programme"}, [f"{source}:1"])
    )
    for i in range(n):
        p = b.add_node(
            make_node("Initiative", f"Prosjekt {i}", {"kind": "project"}, [f"{source}:{i + 2}"])
        )
        b.add_rel(make_rel("PART_OF", p, prog, {}, [f"{source}:{i + 2}"]))
    return b


def test_upsert_is_idempotent_and_keeps_provenance(store: GraphStore) -> None:
    store.upsert(small_batch(), now="2026-01-01T00:00:00Z")
    first = store.stats()
    store.upsert(small_batch(), now="2026-02-01T00:00:00Z")
    assert (
        store.stats()
        == first
        == {
            "nodes": {"Initiative": 4},
            "relationships": {"PART_OF": 3},
        }
    )
    node = store.node("initiative:prosjekt-0")
    assert node is not None
    assert node["sources"] == ["test.csv:2"]
    assert node["first_seen"] == "2026-01-01T00:00:00Z"
    assert node["last_seen"] == "2026-02-01T00:00:00Z"
    # a second source for the same fact is added, not duplicated
    store.upsert(small_batch(source="other.csv"))
    node = store.node("initiative:prosjekt-0")
    assert node is not None and node["sources"] == ["test.csv:2", "other.csv:2"]
    for rel in store.all_rels():
        assert rel["props"]["sources"], rel


def test_changed_source_updates_only_what_changed(store: GraphStore) -> None:
    store.upsert(small_batch())
    b = GraphBatch()
    b.add_node(
        make_node(
            "Initiative", "Prosjekt 1", {"kind": "project", "status": "avsluttet"}, ["test.csv:3"]
        )
    )
    store.upsert(b)
    assert store.node("initiative:prosjekt-1")["status"] == "avsluttet"  # type: ignore[index]
    assert "status" not in store.node("initiative:prosjekt-2")  # type: ignore[operator]


def test_failed_write_leaves_the_store_unchanged(store: GraphStore) -> None:
    store.upsert(small_batch())
    before = store.stats()
    bad = small_batch(5)
    # a relationship to a node that exists neither in the batch nor in the store
    bad.add_rel(
        make_rel(
            "PART_OF",
            ("Initiative", "initiative:prosjekt-4"),
            ("Initiative", "initiative:finnes-ikke"),
            {},
            ["bad.csv:9"],
        )
    )
    with pytest.raises(StoreError, match=r"mangler endepunkt: .*initiative:finnes-ikke"):
        store.upsert(bad)
    assert store.stats() == before
    assert store.node("initiative:prosjekt-4") is None


KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from graph.settings import Settings
    from graph.store import GraphStore, render
    from graph.records import make_node
    # NEO4J_* come from the environment, as for any samgraf process
    s = Settings(store=sys.argv[4], db_path=Path(sys.argv[1]), graph_name=sys.argv[2])
    store = GraphStore.open(s)
    with store.dialect.transaction() as tx:
        text, _ = render("upsert.nodes", store.backend, label="Initiative")
        for i in range(50):
            n = make_node("Initiative", f"Halvveis {i}", {"kind": "project"}, ["kill.csv:1"])
            tx(text, {"rows": [{"id": n.id, "props": n.props, "sources": n.sources}], "now": "x"})
        Path(sys.argv[3]).write_text("halfway")
        time.sleep(60)
    """
)


@pytest.mark.parametrize("backend", ["embedded", "neo4j"])
def test_import_killed_half_way_leaves_the_store_as_it_was(
    backend: str, db_path: Path, tmp_path: Path
) -> None:
    """kill -9 in the middle of a write transaction: FalkorDB never swaps the staging copy
    in; Neo4j rolls back the open transaction when the client's connection drops."""
    settings = make_settings(backend, db_path)
    store = GraphStore.open(settings)
    store.clear()
    store.upsert(small_batch())
    before = store.stats()
    marker = tmp_path / "halfway"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILL_SCRIPT,
            str(db_path),
            settings.graph_name,
            str(marker),
            backend,
        ],
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        for _ in range(600):
            if marker.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), "the import never got half-way"
        # the half-written transaction is not visible to others while it is open
        assert store.node("initiative:halvveis-0") is None
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    # Neo4j notices the dropped connection and rolls back; give it a moment
    for _ in range(50):
        if store.stats() == before:
            break
        time.sleep(0.1)
    assert store.stats() == before
    assert store.node("initiative:halvveis-0") is None
    # the dead writer's lock, staging copy or open transaction does not block the next import
    store.upsert(small_batch(4))
    assert store.stats()["nodes"]["Initiative"] == 5
    store.dialect.drop_all()
    store.close()


def test_second_process_reuses_the_running_server(db_path: Path) -> None:
    settings = make_settings("embedded", db_path)
    store = GraphStore.open(settings)
    pid_before = (db_path / "server.pid").read_text()
    code = (
        "from pathlib import Path; from graph.settings import Settings; "
        "from graph.store import GraphStore; "
        f"s = GraphStore.open(Settings(store='embedded', db_path=Path({str(db_path)!r}), "
        f"graph_name={settings.graph_name!r})); print(s.dialect.server.started_here)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert (db_path / "server.pid").read_text() == pid_before
    assert _alive(store.dialect.server.sock)  # type: ignore[attr-defined]  # still up for us
    store.close()


def test_stale_socket_after_a_crash_is_handled(tmp_path: Path) -> None:
    db = tmp_path / "crashed"
    db.mkdir()
    server = EmbeddedServer(db)
    server.sock.write_text("")  # a leftover socket file nothing listens on
    (db / "server.pid").write_text("999999")  # and a pid file of a dead process
    settings = Settings(store="embedded", db_path=db, graph_name="stale")
    store = GraphStore.open(settings)
    store.upsert(small_batch(1))
    assert store.stats()["nodes"]["Initiative"] == 2
    store.close()
    EmbeddedServer(db).stop()
    assert not _alive(server.sock)


def test_data_survive_a_server_restart(tmp_path: Path) -> None:
    db = tmp_path / "persist"
    settings = Settings(store="embedded", db_path=db, graph_name="persist")
    store = GraphStore.open(settings)
    store.upsert(small_batch(2))
    store.close()
    EmbeddedServer(db).stop()
    store = GraphStore.open(settings)
    assert store.stats()["nodes"]["Initiative"] == 3
    store.close()
    EmbeddedServer(db).stop()
