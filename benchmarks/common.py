"""Shared helpers for the benchmarks: a throw-away store on either backend, the Neo4j server the
run uses, memory of a process, result reporting and the side-by-side rows.

Backends: "embedded" (FalkorDB, started by the project itself) and "neo4j". `SAMGRAF_BENCH_STORES`
(comma-separated, default both) picks which ones a run measures. The Neo4j is the one
`NEO4J_URI` (`NEO4J_USERNAME`, `NEO4J_PASSWORD`, `NEO4J_DATABASE`) names; when that is unset the
run starts a local Neo4j Community itself (`graph.neo4j_local`, in
`<tmp>/samgraf-bench-neo4j`, watching this process so a killed run leaves no server) and stops
it at the end of the run, but only if it started it. Neo4j Community has one database, so each
benchmark clears it (`store.clear()`) before and after it writes.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import platform
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.settings import Settings
from graph.store import GraphStore

RESULTS = Path(__file__).resolve().parent / "results"
BACKENDS = ("embedded", "neo4j")
STORE_NAMES = {"embedded": "FalkorDB", "neo4j": "Neo4j"}
EMBEDDED_DB = Path(tempfile.gettempdir()) / "samgraf-bench"
NEO4J_HOME = Path(tempfile.gettempdir()) / "samgraf-bench-neo4j"
#: heap of the Neo4j a run starts itself. Not the local server's 1g default: Neo4j keeps a
#: transaction's changes in memory (4.5-5.5 KB per node or relationship written here) and
#: caps all of them at 70 % of the heap (dbms.memory.transaction.total.max), and the loader
#: and the import write in one transaction: with 1g, loading 250,000 rows fails at 717 MiB;
#: the 100,000-row import (500,000 nodes and relationships) peaks at 2.7 GB.
BENCH_NEO4J_HEAP = "6g"


def backends() -> list[str]:
    """The stores this run measures: `SAMGRAF_BENCH_STORES`, default both."""
    wanted = os.environ.get("SAMGRAF_BENCH_STORES", ",".join(BACKENDS))
    chosen = [b.strip() for b in wanted.split(",") if b.strip()]
    unknown = [b for b in chosen if b not in BACKENDS]
    if unknown:
        raise SystemExit(f"SAMGRAF_BENCH_STORES: unknown store(s) {unknown}; use {BACKENDS}")
    return chosen


# ---- the Neo4j of this run -------------------------------------------------------------------


@dataclass
class Neo4jServer:
    uri: str
    username: str
    password: str
    database: str
    pid: int | None  # known when the server is local (started here, or found in NEO4J_HOME)
    started_here: bool


_neo4j: Neo4jServer | None = None


def neo4j_server() -> Neo4jServer:
    """The Neo4j this run measures; started (once) when NEO4J_URI is not set."""
    global _neo4j
    if _neo4j is not None:
        return _neo4j
    if os.environ.get("NEO4J_URI"):
        _neo4j = Neo4jServer(
            uri=os.environ["NEO4J_URI"],
            username=os.environ.get("NEO4J_USERNAME", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD", ""),
            database=os.environ.get("NEO4J_DATABASE", "neo4j"),
            pid=_int_env("SAMGRAF_BENCH_NEO4J_PID"),
            started_here=False,
        )
        return _neo4j
    from graph.neo4j_local import LocalNeo4j

    server = LocalNeo4j(NEO4J_HOME)
    running = server.connection()
    conn = running or _start_local(server)
    _neo4j = Neo4jServer(
        uri=conn.uri,
        username=conn.username,
        password=conn.password,
        database="neo4j",
        pid=conn.pid,
        started_here=running is None,
    )
    # child processes (uvicorn, the import children) find the same server through the env
    os.environ.update(conn.env())
    os.environ["SAMGRAF_BENCH_NEO4J_PID"] = str(conn.pid)
    if _neo4j.started_here:
        atexit.register(stop_neo4j)
    return _neo4j


def _start_local(server: Any) -> Any:
    """Start the local Neo4j with BENCH_NEO4J_HEAP unless SAMGRAF_NEO4J_HEAP says otherwise."""
    heap = os.environ.get("SAMGRAF_NEO4J_HEAP") or BENCH_NEO4J_HEAP
    print(f"(starting a local Neo4j, heap {heap}, in {server.home} …)", flush=True)
    t0 = time.perf_counter()
    saved = os.environ.get("SAMGRAF_NEO4J_HEAP")
    os.environ["SAMGRAF_NEO4J_HEAP"] = heap
    try:
        conn = server.start(parent_pid=os.getpid())
    finally:
        if saved is None:
            os.environ.pop("SAMGRAF_NEO4J_HEAP", None)
    print(f"(Neo4j {conn.version} up in {time.perf_counter() - t0:.0f} s)", flush=True)
    return conn


def stop_neo4j() -> None:
    """Stop the local Neo4j if this run started it (a server it found running is left)."""
    global _neo4j
    if _neo4j is None or not _neo4j.started_here:
        return
    from graph.neo4j_local import LocalNeo4j

    LocalNeo4j(NEO4J_HOME).stop()
    for key in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "SAMGRAF_BENCH_NEO4J_PID"):
        os.environ.pop(key, None)
    _neo4j = None


def _int_env(name: str) -> int | None:
    with contextlib.suppress(ValueError):
        return int(os.environ.get(name, ""))
    return None


# ---- stores ----------------------------------------------------------------------------------


def store_settings(
    graph: str, backend: str = "embedded", db_path: Path | None = None, **extra: Any
) -> Settings:
    path = db_path or EMBEDDED_DB
    if backend == "neo4j":
        n = neo4j_server()
        return Settings(
            store="neo4j",
            db_path=path,
            graph_name=graph,
            neo4j_uri=n.uri,
            neo4j_username=n.username,
            neo4j_password=n.password,
            neo4j_database=n.database,
            **extra,
        )
    return Settings(store="embedded", db_path=path, graph_name=graph, **extra)


def store_env(graph: str, backend: str, db_path: Path) -> dict[str, str]:
    """Environment for a child process (uvicorn) that opens the same store."""
    env = {
        **os.environ,
        "SAMGRAF_STORE": backend,
        "SAMGRAF_DB_PATH": str(db_path),
        "SAMGRAF_GRAPH": graph,
    }
    if backend == "neo4j":
        n = neo4j_server()
        env.update(
            NEO4J_URI=n.uri,
            NEO4J_USERNAME=n.username,
            NEO4J_PASSWORD=n.password,
            NEO4J_DATABASE=n.database,
        )
    return env


def bench_store(
    graph: str, db_path: Path | None = None, backend: str = "embedded", **extra: Any
) -> GraphStore:
    """An empty store: a fresh FalkorDB graph, or the (one) Neo4j database cleared."""
    store = GraphStore.open(store_settings(graph, backend, db_path, **extra))
    store.clear()  # FalkorDB: drops the graph; Neo4j: deletes everything; indexes re-created
    return store


def drop(store: GraphStore) -> None:
    """Leave nothing behind (Neo4j's one database is shared by every benchmark)."""
    store.dialect.drop_all()
    store.close()


# ---- memory ----------------------------------------------------------------------------------


def process_memory_mb(pid: int | None) -> dict[str, int] | None:
    """Resident memory of a (server) process: now and its peak since it started, MB."""
    if pid is None:
        return None
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = {}
    for line in status.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024)
    return {"rss_mb": fields.get("VmRSS", 0), "peak_rss_mb": fields.get("VmHWM", 0)}


def server_pid(backend: str, db_path: Path | None = None) -> int | None:
    """The database server's process: FalkorDB's redis-server, or a local Neo4j."""
    if backend == "neo4j":
        return neo4j_server().pid
    with contextlib.suppress(OSError, ValueError):
        return int(((db_path or EMBEDDED_DB) / "server.pid").read_text().strip())
    return None


class Neo4jTxMemory:
    """Samples the largest transaction memory Neo4j reports (SHOW TRANSACTIONS) while it runs:
    `with Neo4jTxMemory() as m: …`, then `m.peak_mb`."""

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self.peak_mb = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        import neo4j

        n = neo4j_server()
        query = (
            "SHOW TRANSACTIONS YIELD estimatedUsedHeapMemory AS heap, currentQuery AS q "
            "WHERE NOT q STARTS WITH 'SHOW' RETURN max(heap) AS heap"
        )
        with neo4j.GraphDatabase.driver(n.uri, auth=(n.username, n.password)) as driver:
            while not self._stop.is_set():
                with contextlib.suppress(Exception):
                    records, _, _ = driver.execute_query(query, database_=n.database)
                    heap = records[0]["heap"] if records else None
                    self.peak_mb = max(self.peak_mb, round((heap or 0) / 2**20))
                self._stop.wait(self.interval)

    def __enter__(self) -> Neo4jTxMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)


# ---- timing and reporting --------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def report(name: str, figures: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    figures = {
        "benchmark": name,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1_5_15": [round(x, 1) for x in os.getloadavg()],
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        **figures,
    }
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print(f"\n== {name} ==")
    for key, value in figures.items():
        if key not in ("benchmark", "side_by_side"):
            print(f"  {key}: {value}")


def row(
    figure: str,
    unit: str,
    values: Mapping[str, tuple[float | str | None, float | None]],
    target: str = "",
    met: dict[str, bool] | None = None,
) -> dict[str, Any]:
    """One row of the side-by-side table: per store (absolute, ratio to the bare baseline on
    the same store in the same run); `met` per store when the row has a target."""
    return {
        "figure": figure,
        "unit": unit,
        "stores": {b: {"abs": v[0], "ratio": v[1]} for b, v in values.items() if v[0] is not None},
        "target": target,
        "met": met or {},
    }


def ratio(value: float, baseline: float, digits: int = 2) -> float:
    return round(value / baseline, digits) if baseline else float("nan")
