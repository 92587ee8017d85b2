"""Path and overlap queries on a generated graph of 50,000 nodes / 200,000 relationships, on
both stores.

Each store (the embedded FalkorDB, then Neo4j) is loaded through the project's own loader.
Measured on each: 1,000 calls each of `graph.paths.find_paths` (k=1, max 4 hops, every hop
explained; half the pairs random, half connected by a random walk) and `graph.overlap.overlaps`
(scored and explained), p50/p95, and k=3 paths for 200 pairs. Baseline, per store, same run,
same pairs: the bare named query alone (`path.all_shortest` for paths, `overlap.shared` for
overlaps), whose p95 the ratios divide by. Reference, the same for both stores: the same
computation in networkx on an in-memory copy of the graph (bidirectional BFS shortest path;
the weighted Adamic–Adar overlap over neighbours in Python), also used to check the answers.
Target, per store: path and overlap p95 < 50 ms.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import networkx as nx

from benchmarks.common import STORE_NAMES, backends, bench_store, drop, ratio, report, row
from graph.overlap import ROW_LIMIT, load_config
from graph.overlap import overlaps as store_overlaps
from graph.paths import find_paths
from graph.records import NodeRecord, RelRecord, make_node, make_rel
from graph.store import GraphStore

N_NODES = 50_000
N_RELS = 200_000
N_QUERIES = 1_000
N_K3 = 200
TARGET_MS = 50.0
KINDS = [
    ("Person", 10_000),
    ("Initiative", 20_000),
    ("Organisation", 15_000),
    ("TargetGroup", 2_500),
    ("Theme", 2_500),
]
RELS = [
    ("HAS_ROLE", "Person", "Initiative", 70_000),
    ("PARTNER_IN", "Organisation", "Initiative", 70_000),
    ("TARGETS", "Initiative", "TargetGroup", 30_000),
    ("ADDRESSES", "Initiative", "Theme", 30_000),
]


def generate(seed: int = 11) -> tuple[list[NodeRecord], list[RelRecord]]:
    rng = random.Random(seed)
    nodes: list[NodeRecord] = []
    by_kind: dict[str, list[NodeRecord]] = defaultdict(list)
    for kind, n in KINDS:
        for i in range(n):
            props: dict[str, Any] = {"kind": "project"} if kind == "Initiative" else {}
            rec = make_node(kind, f"{kind} {i}", props, [f"bench.csv:{i + 2}"])
            nodes.append(rec)
            by_kind[kind].append(rec)
    rels: list[RelRecord] = []
    seen: set[tuple[str, str, str]] = set()
    for rtype, fk, tk, n in RELS:
        made = 0
        while made < n:
            a, b = rng.choice(by_kind[fk]), rng.choice(by_kind[tk])
            if (rtype, a.id, b.id) in seen:
                continue
            seen.add((rtype, a.id, b.id))
            props = {"role": "deltaker"} if rtype in ("HAS_ROLE", "PARTNER_IN") else {}
            rels.append(make_rel(rtype, a, b, props, [f"bench-rels.csv:{made + 2}"]))
            made += 1
    assert len(nodes) == N_NODES and len(rels) == N_RELS
    return nodes, rels


def percentiles(samples: list[float]) -> dict[str, float]:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50_ms": round(q[49] * 1000, 3),
        "p95_ms": round(q[94] * 1000, 3),
        "max_ms": round(max(samples) * 1000, 3),
    }


def measure(fn: Callable[[Any], Any], args: list[Any]) -> tuple[list[float], list[Any]]:
    times, results = [], []
    for a in args:
        t0 = time.perf_counter()
        results.append(fn(a))
        times.append(time.perf_counter() - t0)
    return times, results


def nx_overlap(
    g: nx.Graph,
    kind: dict[str, str],
    initiative: str,
    weights: dict[str, float],
    types: set[str],
) -> list[tuple[str, float]]:
    """The same weighted Adamic–Adar as graph.overlap, over an in-memory graph."""
    scores: dict[str, float] = defaultdict(float)
    cat = {
        "Person": "person",
        "Organisation": "partner",
        "TargetGroup": "target_group",
        "Theme": "theme",
    }
    for n, data in g[initiative].items():
        if data["type"] not in types:
            continue
        others = [j for j, d in g[n].items() if kind[j] == "Initiative" and d["type"] in types]
        deg = max(len(others), 2)
        for j in others:
            if j != initiative:
                scores[j] += weights[cat[kind[n]]] / math.log(deg)
    return sorted(scores.items(), key=lambda x: -x[1])[:20]


def workload(
    nodes: list[NodeRecord], rels: list[RelRecord]
) -> tuple[nx.Graph, list[tuple[str, str]], list[str]]:
    g = nx.Graph()
    for n in nodes:
        g.add_node(n.id, kind=n.kind)
    for r in rels:
        g.add_edge(r.from_id, r.to_id, type=r.type)
    rng = random.Random(5)
    people = [n.id for n in nodes if n.kind == "Person"]
    inits = [n.id for n in nodes if n.kind == "Initiative"]
    # half the pairs random (mostly more than 4 hops apart: the search must give up), half
    # the ends of a random walk of 3 or 5 steps from a person (a path exists)
    pairs = []
    for q in range(N_QUERIES):
        a = rng.choice(people)
        if q % 2 == 0:
            pairs.append((a, rng.choice(inits)))
            continue
        here = a
        for _ in range(rng.choice((3, 5))):
            if not g[here]:
                break  # an isolated person: the pair stays unconnected
            here = rng.choice(list(g[here]))
        pairs.append((a, here if here != a else rng.choice(inits)))
    targets = [rng.choice(inits) for _ in range(N_QUERIES)]
    return g, pairs, targets


def measure_store(
    backend: str,
    nodes: list[NodeRecord],
    rels: list[RelRecord],
    pairs: list[tuple[str, str]],
    targets: list[str],
) -> tuple[dict[str, Any], list[Any], list[Any]]:
    store: GraphStore = bench_store("bench_queries", backend=backend)

    def stream() -> Iterator[NodeRecord | RelRecord]:
        yield from nodes
        yield from rels

    t0 = time.perf_counter()
    store.upsert(stream())
    load_s = time.perf_counter() - t0
    config = load_config()
    types = set(config.relationships)
    path_types = list(types | {"HAS_ROLE"})
    overlap_types = list(config.relationships)

    def bare_path(p: tuple[str, str]) -> Any:
        return store.run(
            "path.all_shortest",
            {"a": p[0], "b": p[1], "types": path_types, "limit": 20},
            hops=4,
        )

    def bare_overlap(i: str) -> Any:
        return store.run("overlap.shared", {"ids": [i], "types": overlap_types, "limit": ROW_LIMIT})

    try:
        # warm-up (server caches, query plans, the JVM's JIT on Neo4j)
        for a, b in pairs[:20]:
            find_paths(store, a, b)
            bare_path((a, b))
        for i in targets[:20]:
            store_overlaps(store, i)
            bare_overlap(i)
        path_t, path_r = measure(lambda p: find_paths(store, p[0], p[1], k=1, max_hops=4), pairs)
        bare_t, _ = measure(bare_path, pairs)
        k3_t, _ = measure(lambda p: find_paths(store, p[0], p[1], k=3, max_hops=4), pairs[:N_K3])
        over_t, over_r = measure(lambda i: store_overlaps(store, i, limit=20), targets)
        bare_over_t, _ = measure(bare_overlap, targets)
    finally:
        drop(store)
    p, o = percentiles(path_t), percentiles(over_t)
    bp, bo = percentiles(bare_t), percentiles(bare_over_t)
    figures = {
        "load_s": round(load_s, 2),
        "paths": p,
        "paths_bare_named_query": bp,
        "paths_k3_200": percentiles(k3_t),
        "overlaps": o,
        "overlaps_bare_shared_query": bo,
        "paths_p95_vs_bare": ratio(p["p95_ms"], bp["p95_ms"]),
        "overlaps_p95_vs_bare": ratio(o["p95_ms"], bo["p95_ms"]),
        "target_met": p["p95_ms"] < TARGET_MS and o["p95_ms"] < TARGET_MS,
    }
    return figures, path_r, over_r


def run() -> dict[str, Any]:
    nodes, rels = generate()
    g, pairs, targets = workload(nodes, rels)
    config = load_config()
    types = set(config.relationships)

    def nx_path(p: tuple[str, str]) -> list[str] | None:
        try:
            path = nx.bidirectional_shortest_path(g, p[0], p[1])
        except nx.NetworkXNoPath:
            return None
        return path if len(path) - 1 <= 4 else None

    nx_path_t, nx_path_r = measure(nx_path, pairs)
    kind = nx.get_node_attributes(g, "kind")
    nx_over_t, nx_over_r = measure(lambda i: nx_overlap(g, kind, i, config.weights, types), targets)

    per_store: dict[str, dict[str, Any]] = {}
    for backend in backends():
        f, path_r, over_r = measure_store(backend, nodes, rels, pairs, targets)
        f["paths_found_within_4_hops"] = sum(1 for r in path_r if r)
        f["paths_same_length_as_networkx"] = sum(
            1
            for r, x in zip(path_r, nx_path_r, strict=True)
            if (r[0].length if r else None) == (len(x) - 1 if x else None)
        )
        f["overlaps_same_top_score_as_networkx"] = sum(
            1
            for r, x in zip(over_r, nx_over_r, strict=True)
            if (round(r[0].score, 3) if r else None) == (round(x[0][1], 3) if x else None)
        )
        per_store[backend] = f

    def cell(key: str, pct: str, base: str | None) -> dict[str, tuple[float, float | None]]:
        return {
            b: (
                f[key][pct],
                ratio(f[key][pct], f[base][pct], 1) if base else 1.0,
            )
            for b, f in per_store.items()
        }

    target = f"p95 < {TARGET_MS:g} ms"
    met_paths = {b: f["paths"]["p95_ms"] < TARGET_MS for b, f in per_store.items()}
    met_over = {b: f["overlaps"]["p95_ms"] < TARGET_MS for b, f in per_store.items()}
    scale = "50k nodes / 200k rels"
    figures: dict[str, Any] = {
        "nodes": N_NODES,
        "relationships": N_RELS,
        "queries_each": N_QUERIES,
        **{STORE_NAMES[b]: f for b, f in per_store.items()},
        "paths_networkx": percentiles(nx_path_t),
        "overlaps_networkx": percentiles(nx_over_t),
        "target": f"store p95 < {TARGET_MS:g} ms for paths and overlaps (each store)",
        "side_by_side": [
            row(
                f"paths {scale}: bare path.all_shortest p95 (baseline)",
                "ms",
                cell("paths_bare_named_query", "p95_ms", None),
            ),
            row(
                "paths: find_paths k=1, ≤ 4 hops, explained, p95",
                "ms",
                cell("paths", "p95_ms", "paths_bare_named_query"),
                target,
                met_paths,
            ),
            row(
                "paths: find_paths k=1, p50",
                "ms",
                cell("paths", "p50_ms", "paths_bare_named_query"),
            ),
            row(
                f"paths: find_paths k=3 ({N_K3} pairs), p95",
                "ms",
                cell("paths_k3_200", "p95_ms", "paths_bare_named_query"),
            ),
            row(
                f"overlaps {scale}: bare overlap.shared p95 (baseline)",
                "ms",
                cell("overlaps_bare_shared_query", "p95_ms", None),
            ),
            row(
                "overlaps: scored and explained, p95",
                "ms",
                cell("overlaps", "p95_ms", "overlaps_bare_shared_query"),
                target,
                met_over,
            ),
            row(
                "overlaps: scored and explained, p50",
                "ms",
                cell("overlaps", "p50_ms", "overlaps_bare_shared_query"),
            ),
        ],
    }
    report("queries", figures)
    return figures


if __name__ == "__main__":
    run()
