"""NodeRef: how the analytics and the API name a node (`{"id", "kind", "kind_label", "name"}`)."""

from __future__ import annotations

from typing import Any

from graph.model import NODE_KINDS, personal_properties

PROVENANCE = ("sources", "first_seen", "last_seen")


def node_ref(props: dict[str, Any]) -> dict[str, str]:
    kind = str(props.get("label") or props.get("kind") or "")
    cls = NODE_KINDS.get(kind)
    return {
        "id": str(props["id"]),
        "kind": kind,
        "kind_label": cls.label_no if cls else kind,
        "name": str(props.get("name") or props["id"]),
    }


def public_props(props: dict[str, Any]) -> dict[str, Any]:
    """A node's properties without personal data (e-mail, phone)."""
    hidden = personal_properties()
    return {k: v for k, v in props.items() if k not in hidden}


def nodes_by_id(store: Any, ids: list[str] | set[str]) -> dict[str, dict[str, Any]]:
    """Properties of the given nodes, by id (one named query)."""
    if not ids:
        return {}
    rows = store.run("graph.nodes_by_ids", {"ids": sorted(ids)})
    return {r["props"]["id"]: r["props"] for r in rows}
