"""The reversible merge of two nodes in the graph.

`merge_nodes(tx, backend, winner, loser)` folds the loser into the winner: every relationship
of the loser is re-pointed to the winner (its id recomputed; if the winner already has that
relationship the two are combined, sources united), the winner gains the loser's name and
aliases as aliases, its sources, and any property it lacked, `merged_from` records the loser's
id, and the loser is deleted. Nothing is lost: the returned *snapshot* holds the loser's
properties and relationships and exactly what was added to the winner, and
`unmerge(tx, backend, snapshot)` puts both back, with their relationships, leaving anything
that changed on the winner since alone.

Both run through a transaction runner (`store.dialect.transaction()`), so a merge inside an
import is part of the import's single atomic write.
"""

from __future__ import annotations

from typing import Any

from graph.dialect import Runner
from graph.ids import rel_id
from graph.model import REL_KINDS
from graph.queries import render

PROVENANCE = ("sources", "first_seen", "last_seen")


def _q(
    tx: Runner, backend: str, name: str, params: dict[str, Any], **slots: Any
) -> list[dict[str, Any]]:
    text, _ = render(name, backend, **slots)
    return tx(text, params)


def node_props(tx: Runner, backend: str, node_id: str) -> dict[str, Any] | None:
    rows = _q(tx, backend, "node.by_id", {"id": node_id})
    return dict(rows[0]["props"]) if rows else None


def merge_nodes(tx: Runner, backend: str, winner_id: str, loser_id: str) -> dict[str, Any]:
    winner = node_props(tx, backend, winner_id)
    loser = node_props(tx, backend, loser_id)
    if winner is None or loser is None:
        missing = winner_id if winner is None else loser_id
        raise LookupError(f"noden {missing} finnes ikke")
    if winner.get("label") != loser.get("label"):
        raise ValueError(f"kan ikke slå sammen {winner.get('label')} og {loser.get('label')}")
    rels = _q(tx, backend, "resolve.node_rels", {"id": loser_id})
    snapshot: dict[str, Any] = {
        "winner": winner_id,
        "loser": loser_id,
        "loser_props": loser,
        "loser_rels": rels,
        "rels_created": [],
        "rels_before": {},
        "winner_added": {},
    }
    # --- relationships ------------------------------------------------------------------------
    for r in rels:
        a = winner_id if r["a"] == loser_id else r["a"]
        b = winner_id if r["b"] == loser_id else r["b"]
        if a == b:
            continue  # a relationship between the two merged nodes: kept in the snapshot only
        spec = REL_KINDS[r["type"]]
        props = dict(r["props"])
        key = props.get(spec.key_prop) if spec.key_prop else None
        new_id = rel_id(a, r["type"], b, key)
        existing = _q(tx, backend, "resolve.rel_by_id", {"id": new_id}, type=r["type"])
        if existing:
            before = dict(existing[0]["props"])
            snapshot["rels_before"][new_id] = before
            merged = dict(before)
            for k, v in props.items():
                if k in ("id", *PROVENANCE):
                    continue
                merged.setdefault(k, v)
            merged["sources"] = _union(before.get("sources"), props.get("sources"))
            merged["first_seen"] = _min(before.get("first_seen"), props.get("first_seen"))
            merged["last_seen"] = _max(before.get("last_seen"), props.get("last_seen"))
            _q(tx, backend, "resolve.set_rel", {"id": new_id, "props": merged}, type=r["type"])
        else:
            props["id"] = new_id
            _q(tx, backend, "resolve.create_rel", {"a": a, "b": b, "props": props}, type=r["type"])
            snapshot["rels_created"].append([r["type"], new_id])
    # --- the winner -----------------------------------------------------------------------------
    added: dict[str, Any] = {}
    new = dict(winner)
    names = [loser.get("name"), *(loser.get("aliases") or [])]
    aliases = list(winner.get("aliases") or [])
    extra_aliases = [n for n in names if n and n != winner.get("name") and n not in aliases]
    if extra_aliases:
        new["aliases"] = aliases + extra_aliases
        added["aliases"] = extra_aliases
    extra_sources = [
        s for s in loser.get("sources") or [] if s not in (winner.get("sources") or [])
    ]
    if extra_sources:
        new["sources"] = list(winner.get("sources") or []) + extra_sources
        added["sources"] = extra_sources
    for k, v in loser.items():
        if k in ("id", "label", "name", "aliases", "merged_from", *PROVENANCE):
            continue
        if k not in winner or winner[k] in (None, "", []):
            new[k] = v
            added.setdefault("props", {})[k] = v
    merged_from = list(winner.get("merged_from") or [])
    new["merged_from"] = [*merged_from, loser_id]
    new["first_seen"] = _min(winner.get("first_seen"), loser.get("first_seen"))
    snapshot["winner_added"] = added
    snapshot["winner_first_seen"] = winner.get("first_seen")
    _q(tx, backend, "resolve.set_node", {"id": winner_id, "props": new})
    _q(tx, backend, "resolve.delete_node", {"id": loser_id})
    return snapshot


def unmerge(tx: Runner, backend: str, snap: dict[str, Any]) -> list[str]:
    """Restore the loser with its relationships; take back from the winner what the merge
    added. Returns warnings (e.g. a neighbour deleted since)."""
    warnings: list[str] = []
    winner_id, loser = snap["winner"], dict(snap["loser_props"])
    kind = str(loser.get("label"))
    _q(tx, backend, "resolve.restore_node", {"id": loser["id"], "props": loser}, label=kind)
    for rtype, rid in snap["rels_created"]:
        _q(tx, backend, "resolve.delete_rel", {"id": rid}, type=rtype)
    for rid, before in snap["rels_before"].items():
        rtype = rid.split("|")[1]
        _q(tx, backend, "resolve.set_rel", {"id": rid, "props": before}, type=rtype)
    for r in snap["loser_rels"]:
        found = _q(
            tx,
            backend,
            "resolve.create_rel",
            {"a": r["a"], "b": r["b"], "props": r["props"]},
            type=r["type"],
        )
        if not found or not int(found[0].get("n", 0)):
            warnings.append(
                f"relasjonen {r['props'].get('id')} kunne ikke gjenopprettes "
                "(en av nodene finnes ikke lenger)"
            )
    winner = node_props(tx, backend, winner_id)
    if winner is not None:
        added = snap.get("winner_added") or {}
        new = dict(winner)
        if added.get("aliases"):
            new["aliases"] = [a for a in winner.get("aliases") or [] if a not in added["aliases"]]
            if not new["aliases"]:
                new.pop("aliases")
        if added.get("sources"):
            new["sources"] = [s for s in winner.get("sources") or [] if s not in added["sources"]]
        for k, v in (added.get("props") or {}).items():
            if new.get(k) == v:
                new.pop(k, None)
        mf = [m for m in winner.get("merged_from") or [] if m != loser["id"]]
        if mf:
            new["merged_from"] = mf
        else:
            new.pop("merged_from", None)
        if snap.get("winner_first_seen"):
            new["first_seen"] = snap["winner_first_seen"]
        _q(tx, backend, "resolve.replace_node", {"id": winner_id, "props": new})
    return warnings


def _union(a: Any, b: Any) -> list[str]:
    out = list(a or [])
    for s in b or []:
        if s not in out:
            out.append(s)
    return out


def _min(a: Any, b: Any) -> Any:
    vals = [v for v in (a, b) if v]
    return min(vals) if vals else None


def _max(a: Any, b: Any) -> Any:
    vals = [v for v in (a, b) if v]
    return max(vals) if vals else None
