"""Ego networks: everything within N hops (N ≤ 3) of a node, capped and ranked when large.

Breadth-first, one named query per step (`ego.expand`), so a hub cannot make one query
explode. When more than `limit` nodes are reached, the nearest are kept first and, within a
distance, those with most links into the network, then highest degree; what was cut is
counted per kind.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from graph.limits import LIMITS, RequestError, check
from graph.model import explain
from graph.refs import PROVENANCE, node_ref, nodes_by_id, public_props

DEFAULT_LIMIT = 200


class EgoError(RequestError):
    """A request this module cannot answer (see `RequestError`)."""


def ego_network(
    store: Any, node_id: str, hops: int = 1, limit: int = DEFAULT_LIMIT
) -> dict[str, Any]:
    if hops < 1:
        raise EgoError("hops må være minst 1", "hops")
    if limit < 1:
        raise EgoError("limit må være minst 1", "limit")
    check("ego_hops", hops, "hops")
    check("ego_limit", limit, "limit")
    centre = store.node(node_id)
    if centre is None:
        raise EgoError(f"finner ingen node med id {node_id!r}", "node_id", status=404)

    distance: dict[str, int] = {node_id: 0}
    links: dict[str, int] = {node_id: 0}
    kinds: dict[str, str] = {node_id: str(centre.get("label"))}
    frontier = [node_id]
    reached_cap = False
    cap = LIMITS["ego_limit"] * 10  # rows per step: protects against hubs
    for step in range(1, hops + 1):
        if not frontier:
            break
        rows = store.run("ego.expand", {"ids": frontier, "seen": list(distance), "limit": cap})
        reached_cap = reached_cap or len(rows) >= cap
        frontier = []
        for r in rows:
            if r["id"] in distance:
                continue
            distance[r["id"]] = step
            links[r["id"]] = int(r["links"])
            kinds[r["id"]] = r["kind"]
            frontier.append(r["id"])

    ids = list(distance)
    if len(ids) > limit:
        degree = {r["id"]: int(r["degree"]) for r in store.run("ego.degrees", {"ids": ids})}
        ids.sort(key=lambda i: (distance[i], -links[i], -degree.get(i, 0), i))
    kept, cut = ids[:limit], ids[limit:]
    props = nodes_by_id(store, kept)
    nodes = []
    for i in kept:
        p = public_props(props[i])
        p["kind"] = p.get("label")
        p["distance"] = distance[i]
        nodes.append(p)
    names = {i: props[i].get("name", i) for i in kept}
    rels = []
    for r in store.run("graph.rels_among", {"ids": kept}):
        rp = {k: v for k, v in r["props"].items()}
        rels.append(
            {
                "a": r["a"],
                "b": r["b"],
                "type": r["type"],
                "props": rp,
                "explanation": explain(
                    r["type"],
                    names[r["a"]],
                    names[r["b"]],
                    {k: v for k, v in rp.items() if k not in PROVENANCE},
                ),
            }
        )
    return {
        "centre": node_ref(centre),
        "hops": hops,
        "nodes": nodes,
        "relationships": rels,
        "cut": {
            "nodes": len(cut),
            "by_kind": dict(Counter(kinds[i] for i in cut)),
            "by_distance": {
                str(d): n for d, n in sorted(Counter(distance[i] for i in cut).items())
            },
            "incomplete": reached_cap,
        },
    }
