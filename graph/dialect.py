"""Where Neo4j 5 and FalkorDB differ: the only module that knows which backend it talks to.

The named queries in `graph.queries` are one text for both backends except where noted there;
this module holds everything else that differs:

| topic | Neo4j 5 | FalkorDB (embedded) |
|---|---|---|
| connection | `neo4j` driver, bolt, `NEO4J_*` settings | `falkordb` client over a unix socket to the server `graph.embedded` starts |
| uniqueness | `CREATE CONSTRAINT … IF NOT EXISTS` (Cypher) | `CREATE INDEX` (Cypher, errors if it exists) then `GRAPH.CONSTRAINT CREATE` (a Redis command) |
| transactions | real multi-statement transactions; rollback on error | none (each query is atomic on its own, Bolt rollback is ignored): a write transaction copies the graph (`GRAPH.COPY`) into a staging graph, writes there, and on success swaps it in with `RENAME`, which is atomic; on error, or if the process dies, the staging copy is dropped and the live graph was never touched |
| shortest paths | `allShortestPaths((a)-[*..n]-(b))` | `CALL algo.SPpaths({…, relDirection: 'both'})` |
| query timeout | driver `Query(timeout=…)` | `timeout` argument of `GRAPH.QUERY` (ms) |
| results | `Record.data()` | `result_set` rows zipped with `header`; maps come back as `OrderedDict` |
| row order | without `ORDER BY`, the order its plan meets the rows in | without `ORDER BY`, a different order; so `LIMIT` without `ORDER BY` keeps different rows. Every query whose row order or cut reaches an answer orders its rows (`path.*`, `graph.ego_ids`, `ego.expand`, `node.index`, `resolve.index`, `overlap.initiatives_of`); Python code that groups rows sorts them first (`graph.overlap`, `graph.analysis`) |
| order of a map's keys | `properties(x)` in the store's own order (`first_seen, last_seen, sources, name, id, label`) | in the order the properties were first set (`id, name, …, label, first_seen, last_seen, sources`) |
| `collect()` | list in the order the rows are met | the same, in its own order (callers use such lists as sets: `resolve.context`) |
| `toString(float)` | `'1.0'` | `'1.000000'` (no named query applies it to a float: node properties are strings) |
| backend name | `store.backend`, `samgraf stats --json`: `neo4j` | `falkordb` |
| the write lock | a node in the graph, `(:SamgrafLock {name})`, without the model's `Node` label: `MATCH (n)` meets it, so queries about the graph match `(n:Node)` (`graph.count`) | a Redis key beside the graph; `MATCH (n)` meets model nodes only |

Consequences of the last rows, which `tests/test_parity.py` allows for: equal maps compare equal,
but JSON answers list their properties' keys in different orders, and GraphML/GEXF exports
declare their attributes in different orders (same content).

Cypher features FalkorDB lacks and that the named queries therefore avoid on both backends:
`EXISTS {}` / `COUNT {}` subqueries (use pattern predicates), `datetime()` (timestamps are
UTC ISO-8601 strings set from Python), `elementId()`/`id()` (every node and relationship has
the model's own `id`), map-valued properties (properties are scalars or lists of scalars),
`shortestPath` in `MATCH` (per-backend query above).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any, Protocol

from graph.model import BASE_LABEL, NODE_KINDS, REL_KINDS
from graph.procs import pid_alive
from graph.queries import render
from graph.settings import Settings


class StoreError(RuntimeError):
    pass


class QueryTimeout(StoreError):
    pass


class Runner(Protocol):
    def __call__(self, text: str, params: dict[str, Any]) -> list[dict[str, Any]]: ...


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


class Dialect:
    """One backend. Every writer (import, `cypher --write`, review decision, merge, undo)
    holds `write_lock()` while it writes, and an import holds it from its first read of the
    graph (entity resolution) to its commit: writes never overlap, so a concurrent import
    cannot undo a deletion or miss a merge that running one after the other would make."""

    backend: str = ""
    #: seconds a writer waits for the lock before giving up with a clear error
    lock_wait: float = 600.0

    def __init__(self) -> None:
        self._held = threading.local()

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """The graph's write lock, shared by every process and machine that writes to it;
        reentrant within one thread."""
        depth = getattr(self._held, "depth", 0)
        if depth:
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        token = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex}"
        deadline = time.monotonic() + self.lock_wait
        while not self._acquire(token):
            if time.monotonic() > deadline:
                raise StoreError("en annen import eller skriving holder grafen; prøv igjen senere")
            time.sleep(0.1)
        self._held.depth = 1
        try:
            yield
        finally:
            self._held.depth = 0
            self._release(token)

    def _acquire(self, token: str) -> bool:
        raise NotImplementedError

    def _release(self, token: str) -> None:
        raise NotImplementedError

    def run(
        self, text: str, params: dict[str, Any], *, write: bool, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        raise NotImplementedError

    def ensure_schema(self) -> None:
        raise NotImplementedError

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Runner]:
        raise NotImplementedError
        yield  # pragma: no cover

    def drop_all(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


# ---------------------------------------------------------------------------------------------


class FalkorDialect(Dialect):
    backend = "falkordb"

    def __init__(self, settings: Settings, start_server: bool = True):
        from graph.embedded import EmbeddedServer

        super().__init__()
        self.settings = settings
        self.server = EmbeddedServer(settings.db_path, keep=settings.keep_server)
        if start_server:
            self.server.ensure()
        self._connect()
        self.graph_name = settings.graph_name

    def _graph(self, name: str | None = None) -> Any:
        return self.db.select_graph(name or self.graph_name)

    def _connect(self) -> None:
        from falkordb import FalkorDB

        self.db = FalkorDB(
            unix_socket_path=str(self.server.sock), client_name=f"samgraf-{os.getpid()}"
        )
        self.conn = self.db.connection

    def _recover(self) -> None:
        """The server died (a crash, `kill`): start it again from its files and reconnect.
        Raises StoreError if it cannot be started."""
        from graph.embedded import EmbeddedServerError

        with contextlib.suppress(Exception):
            self.conn.close()
        try:
            self.server.ensure()
        except EmbeddedServerError as exc:
            raise StoreError(
                f"den innebygde databasen svarer ikke og kan ikke startes: {exc}"
            ) from exc
        self._connect()

    def _query(
        self, graph: str, text: str, params: dict[str, Any], timeout: float | None, write: bool
    ) -> list[dict[str, Any]]:
        import redis

        ms = int((timeout or self.settings.query_timeout) * 1000)
        for attempt in (1, 2):
            g = self._graph(graph)
            try:
                if write:
                    res = g.query(text, params, timeout=ms)
                else:
                    res = g.ro_query(text, params, timeout=ms)
                break
            except redis.ConnectionError as exc:
                self._recover()
                if write or attempt == 2:
                    raise StoreError(
                        "den innebygde databasen stoppet under spørringen og er startet på nytt; "
                        "ingenting ble skrevet (en skriving kjøres ikke om igjen av seg selv)"
                        if write
                        else f"den innebygde databasen svarer ikke: {exc}"
                    ) from exc
                # a read is safe to run again on the restarted server
            except Exception as exc:
                msg = str(exc)
                if "timed out" in msg.lower() or "timeout" in msg.lower():
                    raise QueryTimeout(f"spørringen brukte mer enn {ms} ms") from exc
                if "empty key" in msg.lower() or "invalid graph operation on empty key" in msg:
                    return []
                raise StoreError(msg) from exc
        header = [h[1] if isinstance(h, list | tuple) else h for h in (res.header or [])]
        return [dict(zip(header, (_plain(v) for v in row), strict=False)) for row in res.result_set]

    def run(
        self, text: str, params: dict[str, Any], *, write: bool, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        if not write:
            return self._query(self.graph_name, text, params, timeout, write)
        with self.write_lock():  # an import's swap must not undo this write
            return self._query(self.graph_name, text, params, timeout, write)

    def ensure_schema(self) -> None:
        existing = {
            (row["label"], prop)
            for row in self._query(
                self.graph_name, render("schema.indexes", self.backend)[0], {}, None, False
            )
            for prop in row["properties"]
        }
        for label in [*NODE_KINDS, BASE_LABEL]:
            for prop, qname in (("id", "schema.node_id"), ("name", "schema.node_name")):
                if (label, prop) not in existing:
                    text, _ = render(qname, self.backend, label=label)
                    self._query(self.graph_name, text, {}, None, True)
        for rel in REL_KINDS:
            if (rel, "id") not in existing:
                text, _ = render("schema.rel_id", self.backend, type=rel)
                self._query(self.graph_name, text, {}, None, True)
        for label in [*NODE_KINDS, BASE_LABEL]:
            with contextlib.suppress(Exception):  # "constraint already exists"
                self.conn.execute_command(
                    "GRAPH.CONSTRAINT",
                    "CREATE",
                    self.graph_name,
                    "UNIQUE",
                    "NODE",
                    label,
                    "PROPERTIES",
                    1,
                    "id",
                )

    def _acquire(self, token: str) -> bool:
        """SET NX on a Redis key; a holder on this machine whose process has died is
        replaced (the key also expires after an hour)."""
        key = f"samgraf:lock:{self.graph_name}"
        if self.conn.set(key, token, nx=True, px=3_600_000):
            return True
        holder = self.conn.get(key)
        if holder:
            host, pid = _text(holder).split(":")[:2]
            if host == socket.gethostname() and not pid_alive(int(pid)):
                self.conn.delete(key)
        return False

    def _release(self, token: str) -> None:
        key = f"samgraf:lock:{self.graph_name}"
        holder = self.conn.get(key)
        if holder and _text(holder) == token:
            self.conn.delete(key)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Runner]:
        staging = f"{self.graph_name}__staging"
        with self.write_lock():
            if self.conn.exists(staging):  # left by a process that died mid-import
                self.conn.execute_command("GRAPH.DELETE", staging)
            if self.conn.exists(self.graph_name):
                self.conn.execute_command("GRAPH.COPY", self.graph_name, staging)

            def runner(text: str, params: dict[str, Any]) -> list[dict[str, Any]]:
                return self._query(staging, text, params, None, True)

            try:
                yield runner
            except BaseException:
                if self.conn.exists(staging):
                    self.conn.execute_command("GRAPH.DELETE", staging)
                raise
            if self.conn.exists(staging):
                self.conn.execute_command("RENAME", staging, self.graph_name)

    def drop_all(self) -> None:
        # GRAPH.DELETE drops the graph with its indexes (not Cypher: a FalkorDB command)
        for name in (self.graph_name, f"{self.graph_name}__staging"):
            if self.conn.exists(name):
                self.conn.execute_command("GRAPH.DELETE", name)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()


# ---------------------------------------------------------------------------------------------


class Neo4jDialect(Dialect):
    """Neo4j 5 through the official driver, single server or cluster (Aura, primaries and
    secondaries).

    Reads go through `execute_read` and single writes through `execute_write`: managed
    transactions that the driver routes (with a `neo4j://` URI, reads to secondaries and writes
    to the leader) and retries on transient errors for up to `SAMGRAF_NEO4J_RETRY_SECONDS`.
    Every session of one process shares one bookmark manager, so a read that follows a write
    in the same request or command sees it, whichever cluster member answers. Imports are one
    explicit write transaction (`transaction()`): all or nothing, not retried by the driver
    because their input is a stream; a failed import is simply run again (imports are
    idempotent). The only auto-commit statement is `admin.clear`, whose
    `CALL … IN TRANSACTIONS` Neo4j allows nowhere else.
    """

    backend = "neo4j"
    SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

    def __init__(self, settings: Settings):
        import neo4j

        super().__init__()
        uri, username, password = (
            settings.neo4j_uri,
            settings.neo4j_username,
            settings.neo4j_password,
        )
        if not uri:
            # a server started with `samgraf db start --neo4j` in SAMGRAF_DB_PATH
            from graph.neo4j_local import local_home, read_connection

            local = read_connection(local_home(settings.db_path))
            if local is None:
                raise StoreError(
                    "SAMGRAF_STORE=neo4j krever NEO4J_URI, eller en lokal Neo4j startet med "
                    "`samgraf db start --neo4j`"
                )
            uri, username, password = local.uri, local.username, local.password
        if uri.split("://", 1)[0] not in self.SCHEMES:
            raise StoreError(
                f"NEO4J_URI={uri!r}: ukjent skjema; bruk ett av {', '.join(self.SCHEMES)}"
            )
        self.settings = settings
        self.uri = uri
        self._neo4j = neo4j
        self.driver = neo4j.GraphDatabase.driver(
            uri,
            auth=(username, password or ""),
            max_connection_pool_size=settings.neo4j_pool_size,
            connection_timeout=settings.neo4j_connect_timeout,
            connection_acquisition_timeout=settings.neo4j_acquire_timeout,
            max_transaction_retry_time=settings.neo4j_retry_seconds,
        )
        self.bookmarks = neo4j.GraphDatabase.bookmark_manager()
        self.database = settings.neo4j_database
        self._heartbeat: threading.Event | None = None

    # ---- the write lock: a lease on a lock node, renewed while held -------------------------

    LEASE_MS = 120_000

    def _lock_params(self, token: str) -> dict[str, Any]:
        now = int(time.time() * 1000)
        return {"name": "write", "token": token, "now": now, "until": now + self.LEASE_MS}

    def _acquire(self, token: str) -> bool:
        text = render("lock.acquire", self.backend)[0]
        rows = self._run(text, self._lock_params(token), write=True, timeout=30)
        if not rows:
            return False
        stop = threading.Event()

        def renew() -> None:  # a holder that dies stops renewing: the lease runs out
            while not stop.wait(self.LEASE_MS / 4000):
                with contextlib.suppress(StoreError):
                    self._run(
                        render("lock.renew", self.backend)[0],
                        self._lock_params(token),
                        write=True,
                        timeout=30,
                    )

        threading.Thread(target=renew, name="samgraf-lock-lease", daemon=True).start()
        self._heartbeat = stop
        return True

    def _release(self, token: str) -> None:
        if self._heartbeat is not None:
            self._heartbeat.set()
            self._heartbeat = None
        with contextlib.suppress(StoreError):
            self._run(
                render("lock.release", self.backend)[0],
                self._lock_params(token),
                write=True,
                timeout=30,
            )

    def _session(self, write: bool) -> Any:
        mode = self._neo4j.WRITE_ACCESS if write else self._neo4j.READ_ACCESS
        return self.driver.session(
            database=self.database, default_access_mode=mode, bookmark_manager=self.bookmarks
        )

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        errors = self._neo4j.exceptions
        try:
            yield
        except errors.ClientError as exc:
            if "Timeout" in (exc.code or "") or "terminated" in str(exc).lower():
                raise QueryTimeout(str(exc)) from exc
            raise StoreError(str(exc)) from exc
        except errors.ServiceUnavailable as exc:
            raise StoreError(f"Neo4j svarer ikke på {self.uri}: {exc}") from exc
        except errors.Neo4jError as exc:
            raise StoreError(str(exc)) from exc

    def run(
        self, text: str, params: dict[str, Any], *, write: bool, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        if not write:
            return self._run(text, params, write=False, timeout=timeout)
        with self.write_lock():
            return self._run(text, params, write=True, timeout=timeout)

    def _run(
        self, text: str, params: dict[str, Any], *, write: bool, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        @self._neo4j.unit_of_work(timeout=timeout or self.settings.query_timeout)
        def work(tx: Any) -> list[dict[str, Any]]:
            return [r.data() for r in tx.run(text, params)]

        with self._errors(), self._session(write) as s:
            return s.execute_write(work) if write else s.execute_read(work)

    def ensure_schema(self) -> None:
        statements = []
        for label in [*NODE_KINDS, BASE_LABEL]:
            statements.append(render("schema.node_id", self.backend, label=label)[0])
            statements.append(render("schema.node_name", self.backend, label=label)[0])
        for rel in REL_KINDS:
            statements.append(render("schema.rel_id", self.backend, type=rel)[0])
        statements.append(render("schema.lock", self.backend)[0])
        for text in statements:  # IF NOT EXISTS: idempotent
            self._run(text, {}, write=True, timeout=60)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Runner]:
        with (
            self.write_lock(),
            self._errors(),
            self._session(True) as s,
            s.begin_transaction() as tx,
        ):

            def runner(text: str, params: dict[str, Any]) -> list[dict[str, Any]]:
                return [r.data() for r in tx.run(text, params)]

            try:
                yield runner
            except BaseException:
                tx.rollback()
                raise
            tx.commit()

    def drop_all(self) -> None:
        with self._errors(), self._session(True) as s:
            s.run(render("admin.clear", self.backend)[0]).consume()

    def close(self) -> None:
        self.driver.close()


def make_dialect(settings: Settings) -> Dialect:
    if settings.store == "neo4j":
        return Neo4jDialect(settings)
    return FalkorDialect(settings)
