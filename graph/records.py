"""Validated facts on their way into the store.

Importers produce `NodeRecord`s and `RelRecord`s through `make_node` / `make_rel`, which
validate against the model; a `GraphBatch` collects them (merging duplicates and their
sources) and is what `GraphStore.upsert` writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from graph.ids import node_id, rel_id
from graph.model import REL_KINDS, ModelError, check_endpoints, node_kind

PROVENANCE = ("sources", "first_seen", "last_seen")


@dataclass(slots=True)
class NodeRecord:
    kind: str
    id: str
    props: dict[str, Any]
    sources: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.props.get("name", self.id))


@dataclass(slots=True)
class RelRecord:
    type: str
    from_kind: str
    from_id: str
    to_kind: str
    to_id: str
    props: dict[str, Any]
    sources: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.props["id"])


def _errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'verdi'}: {e['msg']}" for e in exc.errors()
    )


def make_node(
    kind: str, name: str, props: dict[str, Any] | None = None, sources: list[str] | None = None
) -> NodeRecord:
    """Validate a node against the model and give it its stable id."""
    cls = node_kind(kind)
    # `label` (the node kind) is set here, not taken from the input
    data = {k: v for k, v in (props or {}).items() if k not in PROVENANCE and k != "label"}
    data["name"] = name
    try:
        model = cls.model_validate(data)
    except ValidationError as exc:
        raise ModelError(f"{kind} {name!r}: {_errors(exc)}") from None
    clean = model.model_dump(mode="json", exclude_none=True, exclude=set(PROVENANCE))
    clean["id"] = model.id or node_id(kind, name, clean)
    clean["label"] = kind  # the node kind; Initiative has its own `kind` property
    if not clean.get("aliases"):
        clean.pop("aliases", None)
    return NodeRecord(kind, clean["id"], clean, list(sources or []))


def make_rel(
    rel_type: str,
    from_node: NodeRecord | tuple[str, str],
    to_node: NodeRecord | tuple[str, str],
    props: dict[str, Any] | None = None,
    sources: list[str] | None = None,
) -> RelRecord:
    """Validate a relationship (endpoints and properties) against the model."""
    fk, fid = (from_node.kind, from_node.id) if isinstance(from_node, NodeRecord) else from_node
    tk, tid = (to_node.kind, to_node.id) if isinstance(to_node, NodeRecord) else to_node
    spec = check_endpoints(rel_type, fk, tk)
    items = tuple(sorted(props.items())) if props else ()
    try:
        try:
            valid = _valid_rel_props(rel_type, items)
        except TypeError:  # an unhashable value (a list): validate without the cache
            valid = _valid_rel_props.__wrapped__(rel_type, items)
    except ValidationError as exc:
        raise ModelError(f"{rel_type} {fid} → {tid}: {_errors(exc)}") from None
    key = valid.get(spec.key_prop) if spec.key_prop else None
    clean = {**valid, "id": rel_id(fid, rel_type, tid, key)}
    return RelRecord(rel_type, fk, fid, tk, tid, clean, list(sources or []))


@lru_cache(maxsize=4096)
def _valid_rel_props(rel_type: str, items: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """Validated relationship properties; cached, as bulk imports repeat the same few."""
    model = REL_KINDS[rel_type].props.model_validate(dict(items))
    return model.model_dump(mode="json", exclude_none=True)


def _merge_sources(into: list[str], more: list[str]) -> None:
    for s in more:
        if s not in into:
            into.append(s)


@dataclass
class GraphBatch:
    """Nodes and relationships to upsert together; duplicates merge with their sources."""

    nodes: dict[str, NodeRecord] = field(default_factory=dict)
    rels: dict[str, RelRecord] = field(default_factory=dict)

    def add_node(self, node: NodeRecord) -> NodeRecord:
        existing = self.nodes.get(node.id)
        if existing is None:
            self.nodes[node.id] = node
            return node
        if existing.kind != node.kind:
            raise ModelError(f"id {node.id} brukt for både {existing.kind} og {node.kind}")
        for k, v in node.props.items():
            if k == "aliases":
                merged = list(existing.props.get("aliases", []))
                _merge_sources(merged, list(v))
                existing.props["aliases"] = merged
            else:
                existing.props.setdefault(k, v)
        _merge_sources(existing.sources, node.sources)
        return existing

    def add_rel(self, rel: RelRecord) -> RelRecord:
        existing = self.rels.get(rel.id)
        if existing is None:
            self.rels[rel.id] = rel
            return rel
        for k, v in rel.props.items():
            existing.props.setdefault(k, v)
        _merge_sources(existing.sources, rel.sources)
        return existing

    def counts(self) -> dict[str, dict[str, int]]:
        nodes: dict[str, int] = defaultdict(int)
        rels: dict[str, int] = defaultdict(int)
        for n in self.nodes.values():
            nodes[n.kind] += 1
        for r in self.rels.values():
            rels[r.type] += 1
        return {"nodes": dict(nodes), "relationships": dict(rels)}
