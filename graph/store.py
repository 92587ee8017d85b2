"""`GraphStore`: the one way into the graph database, for either backend.

It runs named queries (`graph.queries`) and writes `GraphBatch`es; the backend differences
live in `graph.dialect`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from graph.dialect import Dialect, Runner, StoreError, make_dialect
from graph.queries import render
from graph.records import GraphBatch, NodeRecord, RelRecord
from graph.settings import Settings, get_settings

BATCH_SIZE = 5000


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class UpsertResult:
    nodes: int
    relationships: int


class GraphStore:
    def __init__(self, dialect: Dialect):
        self.dialect = dialect
        self._schema_ready = False

    @classmethod
    def open(cls, settings: Settings | None = None) -> GraphStore:
        store = cls(make_dialect(settings or get_settings()))
        store.ensure_schema()
        return store

    @property
    def backend(self) -> str:
        return self.dialect.backend

    def ensure_schema(self) -> None:
        """Constraints and indexes derived from the model; idempotent."""
        if not self._schema_ready:
            self.dialect.ensure_schema()
            self._schema_ready = True

    # ---- reads and single statements --------------------------------------------------------

    def run(
        self,
        name: str,
        params: dict[str, Any] | None = None,
        *,
        timeout: float | None = None,
        **parts: Any,
    ) -> list[dict[str, Any]]:
        """Run a named query."""
        text, write = render(name, self.backend, **parts)
        return self.dialect.run(text, params or {}, write=write, timeout=timeout)

    def run_text(
        self, text: str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> list[dict[str, Any]]:
        """Run Cypher given by the user (`samgraf cypher`); read-only unless `write`."""
        return self.dialect.run(text, params or {}, write=write)

    def stats(self) -> dict[str, dict[str, int]]:
        nodes = {r["kind"]: int(r["n"]) for r in self.run("stats.nodes")}
        rels = {r["type"]: int(r["n"]) for r in self.run("stats.rels")}
        return {"nodes": nodes, "relationships": rels}

    def node(self, node_id: str) -> dict[str, Any] | None:
        rows = self.run("node.by_id", {"id": node_id})
        return rows[0]["props"] if rows else None

    def neighbours(self, node_id: str) -> list[dict[str, Any]]:
        return self.run("node.neighbours", {"id": node_id})

    def all_nodes(self) -> list[dict[str, Any]]:
        return [r["props"] for r in self.run("graph.nodes")]

    def all_rels(self) -> list[dict[str, Any]]:
        return self.run("graph.rels")

    def subgraph(
        self, node_id: str, hops: int, limit: int = 5000
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        ids = [
            r["id"] for r in self.run("graph.ego_ids", {"id": node_id, "limit": limit}, hops=hops)
        ]
        nodes = [r["props"] for r in self.run("graph.nodes_by_ids", {"ids": ids})]
        rels = self.run("graph.rels_among", {"ids": ids})
        return nodes, rels

    # ---- writes ----------------------------------------------------------------------------

    def upsert(
        self, batch: GraphBatch | Iterable[NodeRecord | RelRecord], now: str | None = None
    ) -> UpsertResult:
        """Write a batch, or a stream of records, in one transaction: all of it or nothing."""
        now = now or utc_now()
        with self.dialect.transaction() as tx:
            return self.upsert_in(tx, batch, now)

    def upsert_in(
        self, tx: Runner, batch: GraphBatch | Iterable[NodeRecord | RelRecord], now: str
    ) -> UpsertResult:
        """Write records through `tx` in chunks, streaming.

        Records are buffered per kind (nodes) or per type and endpoint kinds (relationships)
        and written BATCH_SIZE at a time by a writer thread, so the caller can validate the
        next records while the database writes the last ones. Before a chunk of relationships
        is written every buffered node is flushed, so a relationship always finds nodes that
        came before it. A chunk whose relationships do not all find both ends fails the write.
        """
        records: Iterable[NodeRecord | RelRecord] = (
            [*batch.nodes.values(), *batch.rels.values()]
            if isinstance(batch, GraphBatch)
            else batch
        )
        writer = _ChunkWriter(self, tx, now)
        try:
            for rec in records:
                writer.add(rec)
            writer.flush_all()
        finally:
            writer.close()
        return UpsertResult(writer.n_nodes, writer.n_rels)

    def clear(self) -> None:
        self.dialect.drop_all()
        self._schema_ready = False
        self.ensure_schema()

    def close(self) -> None:
        self.dialect.close()

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _ChunkWriter:
    def __init__(self, store: GraphStore, tx: Runner, now: str):
        self.store, self.tx, self.now = store, tx, now
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="samgraf-write")
        self.pending: (
            tuple[Future[list[dict[str, Any]]], str | None, list[RelRecord], list[dict[str, Any]]]
            | None
        ) = None
        self.nodes: dict[str, list[NodeRecord]] = {}
        self.rels: dict[tuple[str, str, str], list[RelRecord]] = {}
        self.n_nodes = self.n_rels = 0

    def add(self, rec: NodeRecord | RelRecord) -> None:
        if isinstance(rec, NodeRecord):
            buf = self.nodes.setdefault(rec.kind, [])
            buf.append(rec)
            if len(buf) >= BATCH_SIZE:
                self._write_nodes(rec.kind)
        else:
            key = (rec.type, rec.from_kind, rec.to_kind)
            rbuf = self.rels.setdefault(key, [])
            rbuf.append(rec)
            if len(rbuf) >= BATCH_SIZE:
                self._write_rels(key)

    def _submit(
        self, text: str, rows: list[dict[str, Any]], rtype: str | None, chunk: list[RelRecord]
    ) -> None:
        self._wait()
        self.pending = (
            self.pool.submit(self.tx, text, {"rows": rows, "now": self.now}),
            rtype,
            chunk,
            rows,
        )

    def _wait(self) -> None:
        if self.pending is None:
            return
        future, rtype, chunk, rows = self.pending
        self.pending = None
        res = future.result()
        # The Neo4j driver keeps every statement's parameters until its transaction ends:
        # emptying the written chunk keeps an import's memory flat on Neo4j too.
        rows.clear()
        if rtype is None:
            return
        written = int(res[0]["n"]) if res else 0
        if written != len(chunk):
            missing = _missing_endpoints(self.tx, self.store.backend, chunk)
            raise StoreError(
                f"{len(chunk) - written} {rtype}-relasjoner mangler endepunkt: {missing}"
            )
        self.n_rels += written

    def _write_nodes(self, kind: str) -> None:
        chunk = self.nodes.pop(kind, [])
        if not chunk:
            return
        text, _ = render("upsert.nodes", self.store.backend, label=kind)
        rows = [{"id": n.id, "props": n.props, "sources": n.sources} for n in chunk]
        self._submit(text, rows, None, [])
        self.n_nodes += len(rows)

    def _write_rels(self, key: tuple[str, str, str]) -> None:
        for kind in list(self.nodes):
            self._write_nodes(kind)
        chunk = self.rels.pop(key, [])
        if not chunk:
            return
        rtype, fk, tk = key
        text, _ = render("upsert.rels", self.store.backend, type=rtype, from_label=fk, to_label=tk)
        self._submit(text, [_rel_row(r) for r in chunk], rtype, chunk)

    def flush_all(self) -> None:
        for kind in list(self.nodes):
            self._write_nodes(kind)
        for key in list(self.rels):
            self._write_rels(key)
        self._wait()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _rel_row(r: RelRecord) -> dict[str, Any]:
    return {"a": r.from_id, "b": r.to_id, "id": r.id, "props": r.props, "sources": r.sources}


def _missing_endpoints(tx: Runner, backend: str, rels: list[RelRecord]) -> str:
    ids = sorted({r.from_id for r in rels} | {r.to_id for r in rels})
    text, _ = render("graph.nodes_by_ids", backend)
    found = {row["props"]["id"] for row in tx(text, {"ids": ids})}
    return ", ".join(i for i in ids if i not in found)[:500]


__all__ = ["GraphStore", "NodeRecord", "RelRecord", "StoreError", "UpsertResult"]
