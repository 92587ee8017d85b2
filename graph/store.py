"""`GraphStore`: the one way into the graph database, for either backend.

It runs named queries (`graph.queries`) and writes `GraphBatch`es; the backend differences
live in `graph.dialect`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
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
        self, name: str, params: dict[str, Any] | None = None, *, timeout: float | None = None,
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
        ids = [r["id"] for r in self.run("graph.ego_ids", {"id": node_id, "limit": limit}, hops=hops)]
        nodes = [r["props"] for r in self.run("graph.nodes_by_ids", {"ids": ids})]
        rels = self.run("graph.rels_among", {"ids": ids})
        return nodes, rels

    # ---- writes ----------------------------------------------------------------------------

    def upsert(self, batch: GraphBatch, now: str | None = None) -> UpsertResult:
        """Write a batch in one transaction: all of it or nothing."""
        now = now or utc_now()
        with self.dialect.transaction() as tx:
            return self.upsert_in(tx, batch, now)

    def upsert_in(self, tx: Runner, batch: GraphBatch, now: str) -> UpsertResult:
        n_nodes = 0
        for kind, nodes in batch.nodes_by_kind().items():
            text, _ = render("upsert.nodes", self.backend, label=kind)
            for chunk in _chunks(nodes, BATCH_SIZE):
                rows = [{"id": n.id, "props": n.props, "sources": n.sources} for n in chunk]
                tx(text, {"rows": rows, "now": now})
                n_nodes += len(rows)
        n_rels = 0
        for (rtype, fk, tk), rels in batch.rels_by_signature().items():
            text, _ = render("upsert.rels", self.backend, type=rtype, from_label=fk, to_label=tk)
            for chunk in _chunks(rels, BATCH_SIZE):
                rows = [_rel_row(r) for r in chunk]
                res = tx(text, {"rows": rows, "now": now})
                written = int(res[0]["n"]) if res else 0
                if written != len(rows):
                    missing = _missing_endpoints(tx, self.backend, chunk)
                    raise StoreError(
                        f"{len(rows) - written} {rtype}-relasjoner mangler endepunkt: {missing}"
                    )
                n_rels += written
        return UpsertResult(n_nodes, n_rels)

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


def _rel_row(r: RelRecord) -> dict[str, Any]:
    return {"a": r.from_id, "b": r.to_id, "id": r.id, "props": r.props, "sources": r.sources}


def _missing_endpoints(tx: Runner, backend: str, rels: list[RelRecord]) -> str:
    ids = sorted({r.from_id for r in rels} | {r.to_id for r in rels})
    text, _ = render("graph.nodes_by_ids", backend)
    found = {row["props"]["id"] for row in tx(text, {"ids": ids})}
    return ", ".join(i for i in ids if i not in found)[:500]


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


__all__ = ["GraphStore", "NodeRecord", "RelRecord", "StoreError", "UpsertResult"]
