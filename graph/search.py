"""Fuzzy name search across kinds, with aliases (rapidfuzz)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process, utils

from graph.ids import normalise_name
from graph.store import GraphStore


@dataclass
class Hit:
    id: str
    kind: str
    name: str
    score: float
    matched: str


def _processor(text: str) -> str:
    return utils.default_process(normalise_name(text))


def search(
    store: GraphStore, q: str, kind: str | None = None, limit: int = 10, cutoff: float = 60
) -> list[Hit]:
    """Nodes whose name or alias matches `q`, best first (WRatio, exact matches first)."""
    index: list[dict[str, Any]] = store.run("node.index")
    choices: list[str] = []
    owners: list[dict[str, Any]] = []
    for row in index:
        if kind and row["kind"] != kind:
            continue
        for name in [row["name"], *(row.get("aliases") or [])]:
            if name:
                choices.append(str(name))
                owners.append(row)
    best: dict[str, Hit] = {}
    query = _processor(q)
    for choice, score, i in process.extract(
        query,
        choices,
        scorer=fuzz.WRatio,
        processor=_processor,
        limit=limit * 5,
        score_cutoff=cutoff,
    ):
        row = owners[i]
        if _processor(choice) == query:
            score = 101.0  # exact (normalised) name or alias beats any partial match
        hit = best.get(row["id"])
        if hit is None or score > hit.score:
            best[row["id"]] = Hit(row["id"], row["kind"], row["name"], float(score), choice)
    hits = sorted(best.values(), key=lambda h: (-h.score, len(h.name), h.name))
    return hits[:limit]


def resolve_one(store: GraphStore, q: str, kind: str | None = None) -> Hit | None:
    """The node `q` names: its id, or the best fuzzy match of its name."""
    if ":" in q and store.node(q) is not None:
        node = store.node(q) or {}
        return Hit(q, node.get("label", ""), node.get("name", q), 101.0, q)
    hits = search(store, q, kind=kind, limit=1, cutoff=70)
    return hits[0] if hits else None
