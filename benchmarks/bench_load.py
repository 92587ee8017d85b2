"""Upsert of a generated graph (50,000 nodes, 200,000 relationships) into the embedded store.

Baseline: the bare batched UNWIND-MERGE loop on the same store in the same run, rows prepared
in advance. Measured: the project's loader path, i.e. validation of every node and relationship
against the model (`make_node` / `make_rel`, as an importer streams them) and
`GraphStore.upsert` with provenance and the atomic staging-copy swap.
Target: loader throughput ≥ 50% of the bare loop.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from benchmarks.common import bench_store, report, timed
from graph.queries import render
from graph.records import NodeRecord, RelRecord, make_node, make_rel

N_NODES = 50_000
N_RELS = 200_000
BATCH = 5000


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


def run() -> dict[str, Any]:
    nodes, rels = generate()

    # --- baseline: bare UNWIND-MERGE with prepared rows ---------------------------------------
    store = bench_store("bench_bare")
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

    def bare() -> None:
        for label, rows in node_rows.items():
            text, _ = render("bench.bare_nodes", "falkordb", label=label)
            for i in range(0, len(rows), BATCH):
                store.dialect.run(text, {"rows": rows[i : i + BATCH]}, write=True, timeout=600)
        for (t, fk, tk), rows in rel_rows.items():
            text, _ = render("bench.bare_rels", "falkordb", type=t, from_label=fk, to_label=tk)
            for i in range(0, len(rows), BATCH):
                store.dialect.run(text, {"rows": rows[i : i + BATCH]}, write=True, timeout=600)

    bare_s, _ = timed(bare)
    store.dialect.drop_all()
    store.close()

    # --- the project's loader -------------------------------------------------------------
    store = bench_store("bench_loader")

    def records() -> Iterator[NodeRecord | RelRecord]:
        # what an importer does: validate each row against the model and stream it on
        recs: list[NodeRecord] = []
        for i, (k, name, props) in enumerate(nodes):
            rec = make_node(k, name, props, [f"bench.csv:{i + 2}"])
            recs.append(rec)
            yield rec
        for j, (t, a, b) in enumerate(rels):
            yield make_rel(t, recs[a], recs[b], {"role": "deltaker"}, [f"bench-rels.csv:{j + 2}"])

    def loader() -> None:
        store.upsert(records())

    loader_s, _ = timed(loader)
    counts = store.stats()
    store.dialect.drop_all()
    store.close()
    assert sum(counts["nodes"].values()) == N_NODES, counts
    assert sum(counts["relationships"].values()) == N_RELS, counts
    total = N_NODES + N_RELS
    figures = {
        "nodes": N_NODES,
        "relationships": N_RELS,
        "bare_unwind_merge_s": round(bare_s, 2),
        "bare_rows_per_s": round(total / bare_s),
        "loader_s": round(loader_s, 2),
        "loader_rows_per_s": round(total / loader_s),
        "loader_vs_bare_throughput": round(bare_s / loader_s, 3),
        "target": "loader_vs_bare_throughput >= 0.5",
        "target_met": bare_s / loader_s >= 0.5,
    }
    report("load", figures)
    return figures


if __name__ == "__main__":
    run()
