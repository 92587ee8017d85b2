"""Upsert of a generated graph (50,000 nodes, 200,000 relationships), on both stores.

Baseline, per store, same run: the bare batched UNWIND-MERGE loop (`bench.bare_nodes` /
`bench.bare_rels`, BATCH rows per statement, each statement its own transaction) on the same
store, rows prepared in advance. Measured: the project's loader path, i.e. validation of every
node and relationship against the model (`make_node` / `make_rel`, as an importer streams
them) and `GraphStore.upsert` with provenance, in one transaction (FalkorDB: the atomic
staging-copy swap; Neo4j: one explicit transaction), chunks of `graph.store.BATCH_SIZE`.
Target, per store: loader throughput ≥ 50% of the bare loop.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from typing import Any

from benchmarks.common import (
    STORE_NAMES,
    Neo4jTxMemory,
    backends,
    bench_store,
    drop,
    ratio,
    report,
    row,
    timed,
)
from graph.queries import render
from graph.records import NodeRecord, RelRecord, make_node, make_rel
from graph.store import BATCH_SIZE, GraphStore

N_NODES = 50_000
N_RELS = 200_000
BATCH = 5000
TARGET = 0.5


def generate(
    seed: int = 7,
) -> tuple[list[tuple[str, str, dict[str, Any]]], list[tuple[str, int, int]]]:
    rng = random.Random(seed)
    nodes: list[tuple[str, str, dict[str, Any]]] = []
    for i in range(N_NODES):
        if i % 5 == 0:
            nodes.append(("Person", f"Person {i}", {"title": "rådgiver"}))
        elif i % 5 in (1, 2):
            nodes.append(("Initiative", f"Prosjekt {i}", {"kind": "project", "status": "aktiv"}))
        else:
            nodes.append(("Organisation", f"Organisasjon {i}", {"org_type": "company"}))
    by_kind: dict[str, list[int]] = {}
    for i, (k, _, _) in enumerate(nodes):
        by_kind.setdefault(k, []).append(i)
    rels: list[tuple[str, int, int]] = []
    seen = set()
    while len(rels) < N_RELS:
        t = "HAS_ROLE" if len(rels) % 2 == 0 else "PARTNER_IN"
        a = rng.choice(by_kind["Person" if t == "HAS_ROLE" else "Organisation"])
        b = rng.choice(by_kind["Initiative"])
        if (t, a, b) in seen:
            continue
        seen.add((t, a, b))
        rels.append((t, a, b))
    return nodes, rels


def bare_rows(
    nodes: list[tuple[str, str, dict[str, Any]]], rels: list[tuple[str, int, int]]
) -> tuple[dict[str, list[dict[str, Any]]], dict[tuple[str, str, str], list[dict[str, Any]]]]:
    ids = [f"{k.lower()}:{i}" for i, (k, _, _) in enumerate(nodes)]
    node_rows: dict[str, list[dict[str, Any]]] = {}
    for i, (k, name, props) in enumerate(nodes):
        node_rows.setdefault(k, []).append({"id": ids[i], "props": {"name": name, **props}})
    rel_rows: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for t, a, b in rels:
        key = (t, nodes[a][0], nodes[b][0])
        rel_rows.setdefault(key, []).append(
            {
                "a": ids[a],
                "b": ids[b],
                "id": f"{ids[a]}|{t}|{ids[b]}",
                "props": {"role": "deltaker"},
            }
        )
    return node_rows, rel_rows


def bare_loop(
    store: GraphStore,
    node_rows: dict[str, list[dict[str, Any]]],
    rel_rows: dict[tuple[str, str, str], list[dict[str, Any]]],
    batch: int = BATCH,
) -> None:
    """The bare batched UNWIND-MERGE loop: one statement (and transaction) per batch, under
    one hold of the graph's write lock (as the loader holds it once), not one per statement."""
    with store.dialect.write_lock():
        for label, rows in node_rows.items():
            text, _ = render("bench.bare_nodes", store.backend, label=label)
            for i in range(0, len(rows), batch):
                store.dialect.run(text, {"rows": rows[i : i + batch]}, write=True, timeout=600)
        for (t, fk, tk), rows in rel_rows.items():
            text, _ = render("bench.bare_rels", store.backend, type=t, from_label=fk, to_label=tk)
            for i in range(0, len(rows), batch):
                store.dialect.run(text, {"rows": rows[i : i + batch]}, write=True, timeout=600)


def measure(backend: str, nodes: Any, rels: Any) -> dict[str, Any]:
    node_rows, rel_rows = bare_rows(nodes, rels)

    # --- baseline: bare UNWIND-MERGE with prepared rows ---------------------------------------
    store = bench_store("bench_bare", backend=backend)
    bare_s, _ = timed(lambda: bare_loop(store, node_rows, rel_rows))
    drop(store)

    # --- the project's loader -------------------------------------------------------------
    store = bench_store("bench_loader", backend=backend)

    def records() -> Iterator[NodeRecord | RelRecord]:
        # what an importer does: validate each row against the model and stream it on
        recs: list[NodeRecord] = []
        for i, (k, name, props) in enumerate(nodes):
            rec = make_node(k, name, props, [f"bench.csv:{i + 2}"])
            recs.append(rec)
            yield rec
        for j, (t, a, b) in enumerate(rels):
            yield make_rel(t, recs[a], recs[b], {"role": "deltaker"}, [f"bench-rels.csv:{j + 2}"])

    with Neo4jTxMemory() if backend == "neo4j" else contextlib.nullcontext() as txm:
        loader_s, _ = timed(lambda: store.upsert(records()))
    counts = store.stats()
    drop(store)
    assert sum(counts["nodes"].values()) == N_NODES, counts
    assert sum(counts["relationships"].values()) == N_RELS, counts
    total = N_NODES + N_RELS
    return {
        "bare_unwind_merge_s": round(bare_s, 2),
        "bare_rows_per_s": round(total / bare_s),
        "loader_s": round(loader_s, 2),
        "loader_rows_per_s": round(total / loader_s),
        "loader_vs_bare_throughput": round(bare_s / loader_s, 3),
        "target_met": bare_s / loader_s >= TARGET,
        **({"neo4j_tx_memory_peak_mb": txm.peak_mb} if txm is not None else {}),
    }


def run() -> dict[str, Any]:
    nodes, rels = generate()
    per_store = {b: measure(b, nodes, rels) for b in backends()}
    target = f"loader ≥ {TARGET} × bare"
    figures: dict[str, Any] = {
        "nodes": N_NODES,
        "relationships": N_RELS,
        "bare_batch_rows": BATCH,
        "loader_batch_rows": BATCH_SIZE,
        **{STORE_NAMES[b]: f for b, f in per_store.items()},
        "target": f"loader_vs_bare_throughput >= {TARGET} (each store)",
        "side_by_side": [
            row(
                "load 50k nodes + 200k rels: bare UNWIND-MERGE (baseline)",
                "rows/s",
                {b: (f["bare_rows_per_s"], 1.0) for b, f in per_store.items()},
            ),
            row(
                "load: project loader (validation, provenance, one transaction)",
                "rows/s",
                {
                    b: (f["loader_rows_per_s"], ratio(f["bare_unwind_merge_s"], f["loader_s"]))
                    for b, f in per_store.items()
                },
                target,
                {b: f["target_met"] for b, f in per_store.items()},
            ),
        ],
    }
    report("load", figures)
    return figures


if __name__ == "__main__":
    run()
