"""Explained paths between two nodes: shortest and k-shortest, with filters.

`find_paths` asks the database for all shortest paths (the backend's own shortest-path
search, `path.all_shortest`); when more paths are wanted, or only certain node kinds may be
passed through, it deepens one step at a time with simple paths of exactly that length
(`path.of_length`) until it has `k`. Every hop is explained in Norwegian from the model
(`graph.model.explain`) and carries its sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.limits import LIMITS, QueryLimitError, RequestError, check
from graph.model import NODE_KINDS, REL_KINDS, explain
from graph.refs import node_ref

DEFAULT_MAX_HOPS = 4


class PathError(RequestError):
    """A path request that cannot be answered (unknown node, unknown kind …)."""


@dataclass
class PathResult:
    nodes: list[dict[str, str]]
    hops: list[dict[str, Any]] = field(default_factory=list)

    @property
    def length(self) -> int:
        return len(self.hops)

    def as_dict(self) -> dict[str, Any]:
        return {"length": self.length, "nodes": self.nodes, "hops": self.hops}


def _validate(
    k: int, max_hops: int, rel_types: list[str] | None, via_kinds: list[str] | None
) -> tuple[list[str], list[str] | None]:
    if k < 1:
        raise PathError("k må være minst 1", "k")
    if max_hops < 1:
        raise PathError("max_hops må være minst 1", "max_hops")
    check("k", k)
    check("max_hops", max_hops)
    for t in rel_types or []:
        if t not in REL_KINDS:
            raise PathError(
                f"ukjent relasjonstype {t!r}; tillatte: {', '.join(REL_KINDS)}", "rel_types"
            )
    for kind in via_kinds or []:
        if kind not in NODE_KINDS:
            raise PathError(
                f"ukjent nodetype {kind!r}; tillatte: {', '.join(NODE_KINDS)}", "via_kinds"
            )
    # each kind once: 5,000 copies of one type made the query scan its list 5,000 times
    types = list(dict.fromkeys(rel_types or REL_KINDS))
    return types, (list(dict.fromkeys(via_kinds)) if via_kinds else None)


def find_paths(
    store: Any,
    from_id: str,
    to_id: str,
    k: int = 1,
    max_hops: int = DEFAULT_MAX_HOPS,
    rel_types: list[str] | None = None,
    via_kinds: list[str] | None = None,
) -> list[PathResult]:
    """Up to `k` shortest simple paths from `from_id` to `to_id`, shortest first.

    `rel_types` limits the relationship kinds a path may use; `via_kinds` the node kinds it
    may pass through (the two ends excepted), e.g. ``["Person"]`` for "only through people".
    Raises `QueryLimitError` for k > 5 or max_hops > 6 and `PathError` for unknown nodes.
    """
    types, kinds = _validate(k, max_hops, rel_types, via_kinds)
    for fld, node_id in (("from", from_id), ("to", to_id)):
        if store.node(node_id) is None:
            raise PathError(f"finner ingen node med id {node_id!r}", fld, status=404)
    if from_id == to_id:
        raise PathError("fra og til er samme node", "to")

    found: list[dict[str, Any]] = []
    seen: set[tuple[str, ...]] = set()

    def add(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            ids = tuple(str(i) for i in row["ids"])
            if len(set(ids)) != len(ids) or ids in seen:
                continue  # parallel relationships give the same route twice
            seen.add(ids)
            found.append(row)

    start = 1
    if kinds is None:
        rows = store.run(
            "path.all_shortest",
            {"a": from_id, "b": to_id, "types": types, "limit": max(k * 4, 20)},
            hops=max_hops,
        )
        add(sorted(rows, key=lambda r: (len(r["ids"]), r["ids"])))
        if not found:
            return []
        start = len(found[0]["ids"])  # one more step than the shortest
    length = start
    while len(found) < k and length <= max_hops:
        rows = store.run(
            "path.of_length",
            {"a": from_id, "b": to_id, "types": types, "kinds": kinds, "limit": k * 4 + 20},
            hops=length,
        )
        add(sorted(rows, key=lambda r: r["ids"]))
        length += 1
    return [_explain(row) for row in found[:k]]


def _explain(row: dict[str, Any]) -> PathResult:
    """A found path (ids, kinds, names, relationship types, starts and properties) explained."""
    refs = [
        node_ref({"id": i, "label": kind, "name": name})
        for i, kind, name in zip(row["ids"], row["kinds"], row["names"], strict=True)
    ]
    hops = []
    for step, (rtype, start, rprops) in enumerate(
        zip(row["types"], row["starts"], row["rprops"], strict=True)
    ):
        here, there = refs[step], refs[step + 1]
        props = dict(rprops)
        sources = list(props.pop("sources", None) or [])
        for key in ("id", "first_seen", "last_seen"):
            props.pop(key, None)
        forward = start == here["id"]
        src, dst = (here, there) if forward else (there, here)
        hops.append(
            {
                "from": here,
                "to": there,
                "type": rtype,
                "direction": "out" if forward else "in",
                "explanation": explain(rtype, src["name"], dst["name"], props),
                "properties": props,
                "sources": sources,
            }
        )
    return PathResult(nodes=refs, hops=hops)


__all__ = ["LIMITS", "PathError", "PathResult", "QueryLimitError", "find_paths"]
