"""Where initiatives overlap: scored, explained item by item, with sources.

Two initiatives overlap when they share neighbours through the relationship types listed in
the weights file (partners, people, units, target groups, themes, funders, municipalities).
The score is a weighted Adamic–Adar index (see data/overlap-weights.yaml): each shared item
counts its category's weight divided by the log of how many initiatives it connects.

`missing_links` lists pairs with a high overlap and no recorded coordination: no DEPENDS_ON
between them, neither is part of the other, and they are not parts of the same programme or
project (a common parent coordinates its parts), where "part of" follows PART_OF upwards and
a DEPENDS_ON of an ancestor counts for its parts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from graph.limits import LIMITS, QueryLimitError, check
from graph.refs import node_ref, nodes_by_id
from graph.settings import get_settings

CATEGORIES = ("person", "unit", "partner", "target_group", "funder", "theme", "municipality")
#: Norwegian (singular, plural) per category, for the explanations
CATEGORY_NO: dict[str, tuple[str, str]] = {
    "partner": ("partner", "partnere"),
    "person": ("person", "personer"),
    "unit": ("enhet", "enheter"),
    "target_group": ("målgruppe", "målgrupper"),
    "funder": ("finansiør", "finansiører"),
    "theme": ("tema", "temaer"),
    "municipality": ("kommune", "kommuner"),
}
KIND_CATEGORY = {
    "Person": "person",
    "Unit": "unit",
    "Organisation": "partner",
    "TargetGroup": "target_group",
    "Theme": "theme",
    "FundingSource": "funder",
    "Municipality": "municipality",
}
ROW_LIMIT = LIMITS["overlap_rows"]


@dataclass(frozen=True)
class OverlapConfig:
    weights: dict[str, float]
    relationships: tuple[str, ...]


def _default_path() -> Path:
    settings = get_settings()
    return settings.overlap_weights or settings.data_dir / "overlap-weights.yaml"


@lru_cache(maxsize=8)
def _load(path: Path) -> OverlapConfig:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    weights = {c: float(data.get("weights", {}).get(c, 1.0)) for c in CATEGORIES}
    unknown = set(data.get("weights", {})) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"{path}: ukjente kategorier {sorted(unknown)}; tillatte: {CATEGORIES}")
    rels = tuple(data.get("relationships") or ())
    if not rels:
        raise ValueError(f"{path}: 'relationships' mangler")
    return OverlapConfig(weights, rels)


def load_config(path: Path | None = None) -> OverlapConfig:
    return _load(Path(path or _default_path()).resolve())


def category(kind: str, type_pairs: set[tuple[str, str]]) -> str:
    """The category of a shared neighbour: funder if it funds both, else by its kind."""
    if any(a == "FUNDS" and b == "FUNDS" for a, b in type_pairs):
        return "funder"
    return KIND_CATEGORY.get(kind, "partner")


@dataclass
class OverlapResult:
    initiative: dict[str, str]
    score: float
    shared: list[dict[str, Any]] = field(default_factory=list)
    has_dependency: bool = False
    other: dict[str, str] | None = None  # the initiative compared with (matrix, missing links)

    @property
    def explanation(self) -> str:
        return explain_shared(self.shared, self.has_dependency)

    def as_dict(self) -> dict[str, Any]:
        return {
            "initiative": self.initiative,
            "score": self.score,
            "shared": self.shared,
            "explanation": self.explanation,
            "has_dependency": self.has_dependency,
        }


def explain_shared(shared: list[dict[str, Any]], has_dependency: bool = False) -> str:
    groups: dict[str, list[str]] = defaultdict(list)
    for item in shared:
        groups[item["category"]].append(item["node"]["name"])
    parts = []
    for cat in CATEGORIES:
        names = groups.get(cat)
        if not names:
            continue
        singular, plural = CATEGORY_NO[cat]
        listed = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
        parts.append(f"{len(names)} {singular if len(names) == 1 else plural} ({listed})")
    if not parts:
        text = "Deler ingenting"
    elif len(parts) == 1:
        text = f"Deler {parts[0]}"
    else:
        text = f"Deler {', '.join(parts[:-1])} og {parts[-1]}"
    if has_dependency:
        text += "; avhengighet er registrert"
    return text


# ---------------------------------------------------------------------------------------------


def _complete(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows, unless the query was cut at ROW_LIMIT: a partial answer would mislead."""
    if len(rows) >= ROW_LIMIT:
        raise QueryLimitError("overlap_rows", f"≥{len(rows)}", "limit")
    return rows


def _row_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["i"],
        row["j"],
        row["n"],
        row["t1"],
        row["t2"],
        row.get("s1") or [],
        row.get("s2") or [],
    )


def _score_rows(
    store: Any, rows: list[dict[str, Any]], config: OverlapConfig
) -> dict[tuple[str, str], tuple[float, list[dict[str, Any]]]]:
    """Group (i, j, n, types) rows into scored pairs with their shared items."""
    per_pair: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    # in a canonical order, not the engine's: the row order decides the order of an item's
    # sources, of the pairs and of the float sums (the two backends return rows differently)
    for row in sorted(rows, key=_row_key):
        items = per_pair[(row["i"], row["j"])]
        item = items.setdefault(
            row["n"],
            {"n": row["n"], "kind": row["kind"], "pairs": set(), "sources": []},
        )
        item["pairs"].add((row["t1"], row["t2"]))
        for src in [*(row.get("s1") or []), *(row.get("s2") or [])]:
            if src not in item["sources"]:
                item["sources"].append(src)
    shared_ids = {n for items in per_pair.values() for n in items}
    degree = (
        {
            r["id"]: int(r["degree"])
            for r in store.run(
                "overlap.initiative_degree",
                {"ids": sorted(shared_ids), "types": list(config.relationships)},
            )
        }
        if shared_ids
        else {}
    )
    nodes = nodes_by_id(store, shared_ids)
    out: dict[tuple[str, str], tuple[float, list[dict[str, Any]]]] = {}
    for pair, items in per_pair.items():
        score = 0.0
        shared = []
        for n, item in items.items():
            cat = category(item["kind"], item["pairs"])
            deg = max(degree.get(n, 2), 2)
            score += config.weights[cat] / math.log(deg)
            t1, t2 = sorted(item["pairs"])[0]
            shared.append(
                {
                    "node": node_ref(nodes[n]),
                    "category": cat,
                    "via": [t1, t2],
                    "sources": item["sources"],
                }
            )
        shared.sort(key=lambda s: (CATEGORIES.index(s["category"]), s["node"]["name"]))
        out[pair] = (round(score, 3), shared)
    return out


def _coordination(store: Any) -> tuple[set[frozenset[str]], dict[str, set[str]]]:
    """DEPENDS_ON pairs and each initiative's ancestors (PART_OF upwards)."""
    depends: set[frozenset[str]] = set()
    parents: dict[str, set[str]] = defaultdict(set)
    for r in store.run("overlap.coordination"):
        if r["type"] == "DEPENDS_ON":
            depends.add(frozenset((r["a"], r["b"])))
        else:
            parents[r["a"]].add(r["b"])

    def ancestors(x: str, seen: set[str]) -> set[str]:
        for p in parents.get(x, ()):
            if p not in seen:
                seen.add(p)
                ancestors(p, seen)
        return seen

    return depends, {x: ancestors(x, set()) for x in list(parents)}


def _dependencies_of(store: Any, ids: list[str]) -> set[frozenset[str]]:
    """DEPENDS_ON pairs touching the given initiatives (an index look-up, not a scan)."""
    rows = store.run("overlap.dependencies_of", {"ids": ids})
    return {frozenset((r["a"], r["b"])) for r in rows}


def _dependency(a: str, b: str, depends: set[frozenset[str]]) -> bool:
    return frozenset((a, b)) in depends


def _coordinated(a: str, b: str, depends: set[frozenset[str]], anc: dict[str, set[str]]) -> bool:
    """A recorded DEPENDS_ON (also through an ancestor), a PART_OF line, or a common parent."""
    line_a = {a, *anc.get(a, set())}
    line_b = {b, *anc.get(b, set())}
    if a in line_b or b in line_a or (anc.get(a, set()) & anc.get(b, set())):
        return True
    return any(frozenset((x, y)) in depends for x in line_a for y in line_b)


def overlaps(
    store: Any, initiative_id: str, limit: int = 20, config: OverlapConfig | None = None
) -> list[OverlapResult]:
    """The initiatives that overlap with `initiative_id`, highest score first."""
    check("results", limit, "limit")
    config = config or load_config()
    rows = store.run(
        "overlap.shared",
        {"ids": [initiative_id], "types": list(config.relationships), "limit": ROW_LIMIT},
    )
    scored = _score_rows(store, _complete(rows), config)
    depends = _dependencies_of(store, [initiative_id])
    others = nodes_by_id(store, {j for _, j in scored})
    results = [
        OverlapResult(
            initiative=node_ref(others[j]),
            score=score,
            shared=shared,
            has_dependency=_dependency(initiative_id, j, depends),
        )
        for (_, j), (score, shared) in scored.items()
    ]
    results.sort(key=lambda r: (-r.score, r.initiative["name"]))
    return results[:limit]


def overlap_matrix(
    store: Any, initiative_ids: list[str], config: OverlapConfig | None = None
) -> dict[str, Any]:
    """Pairwise overlap scores of a set of initiatives, with what each pair shares."""
    ids = list(dict.fromkeys(initiative_ids))
    check("matrix", len(ids), "ids")
    config = config or load_config()
    nodes = nodes_by_id(store, set(ids))
    rows = store.run(
        "overlap.shared", {"ids": ids, "types": list(config.relationships), "limit": ROW_LIMIT}
    )
    chosen = set(ids)
    rows = [r for r in _complete(rows) if r["j"] in chosen]
    scored = _score_rows(store, rows, config)
    depends = _dependencies_of(store, ids)
    index = {i: n for n, i in enumerate(ids)}
    matrix = [[0.0] * len(ids) for _ in ids]
    pairs: list[dict[str, Any]] = []
    for (a, b), (score, shared) in scored.items():
        matrix[index[a]][index[b]] = score
        if a < b:
            pairs.append(
                {
                    "a": node_ref(nodes[a]),
                    "b": node_ref(nodes[b]),
                    "score": score,
                    "shared": shared,
                    "explanation": explain_shared(shared, _dependency(a, b, depends)),
                    "has_dependency": _dependency(a, b, depends),
                }
            )
    pairs.sort(key=lambda p: (-p["score"], p["a"]["name"], p["b"]["name"]))
    return {
        "initiatives": [node_ref(nodes[i]) for i in ids if i in nodes],
        "matrix": matrix,
        "pairs": pairs,
    }


def missing_links(
    store: Any, limit: int = 20, config: OverlapConfig | None = None
) -> list[dict[str, Any]]:
    """Pairs of initiatives that overlap but have no recorded coordination, ranked."""
    check("results", limit, "limit")
    config = config or load_config()
    rows = store.run("overlap.all_pairs", {"types": list(config.relationships), "limit": ROW_LIMIT})
    scored = _score_rows(store, _complete(rows), config)
    depends, anc = _coordination(store)
    nodes = nodes_by_id(store, {x for pair in scored for x in pair})
    out: list[dict[str, Any]] = []
    for (a, b), (score, shared) in scored.items():
        if _coordinated(a, b, depends, anc):
            continue
        out.append(
            {
                "a": node_ref(nodes[a]),
                "b": node_ref(nodes[b]),
                "initiative": node_ref(nodes[b]),
                "score": score,
                "shared": shared,
                "explanation": explain_shared(shared)
                + ". Ingen avhengighet eller felles koordinering er registrert: "
                "sjekk om de kjenner til hverandre",
                "has_dependency": False,
            }
        )
    out.sort(key=lambda p: (-p["score"], p["a"]["name"], p["b"]["name"]))
    return out[:limit]


def initiatives_of(store: Any, node_id: str) -> list[str]:
    """Initiatives of a programme/project (itself and all its parts) or of an actor."""
    node = store.node(node_id)
    if node is None:
        return []
    if node.get("label") == "Initiative":
        _, anc = _coordination(store)
        return [node_id, *sorted(x for x, a in anc.items() if node_id in a)]
    return [r["id"] for r in store.run("overlap.initiatives_of", {"id": node_id})]
