"""Path and overlap queries on a generated graph of 50,000 nodes / 200,000 relationships.

Store: the embedded FalkorDB, loaded through the project's own loader. Measured: 1,000 calls
each of `graph.paths.find_paths` (k=1, max 4 hops, every hop explained; half the pairs random,
half connected by a random walk) and
`graph.overlap.overlaps` (scored and explained), p50/p95. Baseline, same run, same data: the
same computation in networkx on an in-memory copy of the graph (bidirectional BFS shortest
path; the weighted Adamic–Adar overlap over neighbours in Python). Also reported: the bare
named path query alone, and k=3 paths. Target: query p95 < 50 ms.
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

from benchmarks.common import bench_store, report
from graph.overlap import load_config
from graph.overlap import overlaps as store_overlaps
from graph.paths import find_paths
from graph.records import NodeRecord, RelRecord, make_node, make_rel

N_NODES = 50_000
N_RELS = 200_000
N_QUERIES = 1_000
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


def run() -> dict[str, Any]:
    nodes, rels = generate()
    store = bench_store("bench_queries")

    def stream() -> Iterator[NodeRecord | RelRecord]:
        yield from nodes
        yield from rels

    t0 = time.perf_counter()
    store.upsert(stream())
    load_s = time.perf_counter() - t0

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
    config = load_config()
    types = set(config.relationships)

    # warm-up (server caches, query plans)
    for a, b in pairs[:20]:
        find_paths(store, a, b)
    path_t, path_r = measure(lambda p: find_paths(store, p[0], p[1], k=1, max_hops=4), pairs)
    bare_t, _ = measure(
        lambda p: store.run(
            "path.all_shortest",
            {"a": p[0], "b": p[1], "types": list(types | {"HAS_ROLE"}), "limit": 20},
            hops=4,
        ),
        pairs,
    )
    k3_t, _ = measure(lambda p: find_paths(store, p[0], p[1], k=3, max_hops=4), pairs[:200])

    def nx_path(p: tuple[str, str]) -> list[str] | None:
        try:
            path = nx.bidirectional_shortest_path(g, p[0], p[1])
        except nx.NetworkXNoPath:
            return None
        return path if len(path) - 1 <= 4 else None

    nx_path_t, nx_path_r = measure(nx_path, pairs)
    found = sum(1 for r in path_r if r)
    agree = sum(
        1
        for r, x in zip(path_r, nx_path_r, strict=True)
        if (r[0].length if r else None) == (len(x) - 1 if x else None)
    )

    for i in targets[:20]:
        store_overlaps(store, i)
    over_t, over_r = measure(lambda i: store_overlaps(store, i, limit=20), targets)
    kind = nx.get_node_attributes(g, "kind")
    nx_over_t, nx_over_r = measure(lambda i: nx_overlap(g, kind, i, config.weights, types), targets)
    same_top = sum(
        1
        for r, x in zip(over_r, nx_over_r, strict=True)
        if (round(r[0].score, 3) if r else None) == (round(x[0][1], 3) if x else None)
    )
    store.dialect.drop_all()
    store.close()

    p, np_ = percentiles(path_t), percentiles(nx_path_t)
    o, no = percentiles(over_t), percentiles(nx_over_t)
    figures = {
        "nodes": N_NODES,
        "relationships": N_RELS,
        "queries_each": N_QUERIES,
        "load_s": round(load_s, 2),
        "paths_store": p,
        "paths_bare_named_query": percentiles(bare_t),
        "paths_k3_store_200": percentiles(k3_t),
        "paths_networkx": np_,
        "paths_found_within_4_hops": found,
        "paths_same_length_as_networkx": agree,
        "paths_p95_ratio_store_vs_networkx": round(p["p95_ms"] / np_["p95_ms"], 1),
        "overlaps_store": o,
        "overlaps_networkx": no,
        "overlaps_same_top_score_as_networkx": same_top,
        "overlaps_p95_ratio_store_vs_networkx": round(o["p95_ms"] / no["p95_ms"], 1),
        "target": "store p95 < 50 ms for paths and overlaps",
        "target_met": p["p95_ms"] < 50 and o["p95_ms"] < 50,
    }
    report("queries", figures)
    return figures


if __name__ == "__main__":
    run()
