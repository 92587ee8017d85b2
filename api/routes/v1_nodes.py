"""/api/v1: nodes (list, one, relationships, ego network), search and provenance of a fact."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam

from api.schemas_v1 import (
    EgoNetwork,
    NodeDetail,
    NodePage,
    NodeSummary,
    Provenance,
    RelationshipItem,
    RelationshipPage,
    SearchHit,
    SourceLine,
)
from api.security import ReadAccess, settings_of
from api.v1_common import PREFIX, READ_ERRORS, StoreDep, limited, require_node, visible
from graph.ego import DEFAULT_LIMIT, ego_network
from graph.limits import RequestError, check
from graph.model import NODE_KINDS, REL_KINDS, explain, personal_properties
from graph.refs import PROVENANCE, node_ref
from graph.search import search as fuzzy_search

router = APIRouter(prefix=PREFIX, tags=["v1: noder"], responses=READ_ERRORS)

KindName = Annotated[
    str | None,
    Query(
        description="Bare noder av denne typen",
        examples=["Initiative"],
        pattern="^(" + "|".join(NODE_KINDS) + ")$",
    ),
]
#: properties a list can be filtered on: the scalar fields of the model (not lists such as
#: aliases: `toString` of a list fails on Neo4j)
PROPERTIES = sorted(
    {
        name
        for cls in NODE_KINDS.values()
        for name, f in cls.model_fields.items()
        if "list" not in str(f.annotation)
    }
    - set(PROVENANCE)
)
NodeId = Annotated[
    str,
    PathParam(max_length=300, description="Nodens id", examples=["initiative:sak:2021019954-3"]),
]


@router.get(
    "/nodes",
    response_model=NodePage,
    summary="List og filtrer noder",
    description=(
        "Noder filtrert på type, én egenskap (`prop`=`value`) og del av navnet (`q`), sortert "
        "og sidevis (`limit` ≤ 500, `offset`). Svarer på: hvilke satsinger er avsluttet? "
        "hvilke organisasjoner finnes?"
    ),
)
def list_nodes(
    store: StoreDep,
    principal: ReadAccess,
    kind: KindName = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Del av navnet", examples=["arbeid"])
    ] = None,
    prop: Annotated[
        str | None,
        Query(
            description="Egenskap å filtrere på (e-post og telefon bare med intern tilgang)",
            examples=["status"],
            pattern="^(" + "|".join(PROPERTIES) + ")$",
        ),
    ] = None,
    value: Annotated[
        str | None,
        Query(max_length=200, description="Verdien egenskapen må ha", examples=["avsluttet"]),
    ] = None,
    sort: Annotated[str, Query(pattern="^(name|id|kind)$", description="Sortering")] = "name",
    limit: Annotated[int, limited("results", "Maks antall")] = 50,
    offset: Annotated[int, limited("offset", "Hopp over så mange", 0)] = 0,
) -> NodePage:
    check("results", limit, "limit")
    check("offset", offset, "offset")
    if prop is not None and prop not in PROPERTIES:
        raise RequestError(f"ukjent egenskap {prop!r}", "prop")
    if prop in personal_properties() and principal.scope != "internal":
        raise RequestError(f"{prop!r} er ikke offentlig", "prop")
    if (prop is None) != (value is None):
        raise RequestError("oppgi både prop og value, eller ingen av dem", "prop")
    params = {
        "kind": kind,
        "prop": prop,
        "value": value,
        "q": q.lower() if q else None,
        "sort": sort,
    }
    total = int(store.run("nodes.count", params)[0]["n"])
    rows = store.run("nodes.page", {**params, "limit": limit, "offset": offset})
    items = [
        NodeSummary(**node_ref(r["props"]), properties=visible(r["props"], principal)) for r in rows
    ]
    nxt = offset + limit if offset + limit < total else None
    return NodePage(total=total, limit=limit, offset=offset, next_offset=nxt, items=items)


@router.get(
    "/nodes/{node_id}",
    response_model=NodeDetail,
    summary="Én node",
    description="Egenskaper, kilder og antall relasjoner per type for én node.",
)
def get_node(store: StoreDep, principal: ReadAccess, node_id: NodeId) -> NodeDetail:
    props = require_node(store, node_id, field="node_id")
    counts = Counter(r["type"] for r in store.neighbours(node_id))
    return NodeDetail(
        **node_ref(props),
        properties=visible(props, principal),
        provenance={k: props.get(k) for k in PROVENANCE},
        relationship_counts=dict(sorted(counts.items())),
    )


@router.get(
    "/nodes/{node_id}/relationships",
    response_model=RelationshipPage,
    summary="Relasjonene til en node, forklart",
    description="Hver relasjon med retning, noden i andre enden, norsk forklaring og kilder.",
)
def node_relationships(
    store: StoreDep,
    principal: ReadAccess,
    node_id: NodeId,
    type: Annotated[
        str | None,
        Query(pattern="^(" + "|".join(REL_KINDS) + ")$", description="Bare denne relasjonstypen"),
    ] = None,
    direction: Annotated[str | None, Query(pattern="^(in|out)$")] = None,
    limit: Annotated[int, limited("results", "Maks antall")] = 100,
    offset: Annotated[int, limited("offset", "Hopp over så mange", 0)] = 0,
) -> RelationshipPage:
    check("results", limit, "limit")
    check("offset", offset, "offset")
    props = require_node(store, node_id, field="node_id")
    rows = [
        r
        for r in store.neighbours(node_id)
        if (type is None or r["type"] == type)
        and (direction is None or r["direction"] == direction)
    ]
    rows.sort(key=lambda r: (r["type"], r["name"] or "", r["rel"].get("id", "")))
    items = []
    for r in rows[offset : offset + limit]:
        rel = dict(r["rel"])
        a, b = (props["name"], r["name"]) if r["direction"] == "out" else (r["name"], props["name"])
        sources = list(rel.pop("sources", None) or [])
        rel_id = str(rel.pop("id", ""))
        plain = {k: v for k, v in rel.items() if k not in PROVENANCE}
        items.append(
            RelationshipItem(
                id=rel_id,
                type=r["type"],
                direction=r["direction"],
                other=node_ref({"id": r["id"], "label": r["kind"], "name": r["name"]}),
                explanation=explain(r["type"], a, b, plain),
                properties=plain,
                sources=sources,
            )
        )
    return RelationshipPage(
        node=node_ref(props), total=len(rows), limit=limit, offset=offset, items=items
    )


@router.get(
    "/nodes/{node_id}/ego",
    response_model=EgoNetwork,
    summary="Egonettverk: alt innen N steg",
    description=(
        "Alle noder innen `hops` steg (≤ 3) av noden. Er nettverket større enn `limit`, "
        "beholdes de nærmeste og best koblede, og det som ble kuttet telles opp."
    ),
)
def node_ego(
    store: StoreDep,
    principal: ReadAccess,
    node_id: NodeId,
    hops: Annotated[int, limited("ego_hops", "Antall steg")] = 1,
    limit: Annotated[int, limited("ego_limit", "Maks antall noder")] = DEFAULT_LIMIT,
) -> EgoNetwork:
    return EgoNetwork(**ego_network(store, node_id, hops=hops, limit=limit))


@router.get(
    "/search",
    response_model=list[SearchHit],
    summary="Uskarpt navnesøk",
    description="Søk på navn og alias på tvers av typer (rapidfuzz); eksakte navn først.",
)
def search(
    store: StoreDep,
    principal: ReadAccess,
    q: Annotated[str, Query(min_length=1, max_length=200, examples=["flere i arbeid"])],
    kind: KindName = None,
    limit: Annotated[int, limited("results", "Maks antall")] = 20,
) -> list[SearchHit]:
    check("results", limit, "limit")
    hits = fuzzy_search(store, q, kind=kind, limit=limit)
    return [
        SearchHit(
            id=h.id,
            kind=h.kind,
            kind_label=NODE_KINDS[h.kind].label_no,
            name=h.name,
            score=round(h.score, 1),
            matched=h.matched,
        )
        for h in hits
    ]


_LINES = re.compile(r"^(?P<file>[^:]+\.txt):(?P<a>\d+)(?:-(?P<b>\d+))?$")


@lru_cache(maxsize=32)
def _document_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _quote(seeds: Path, source: str) -> str | None:
    m = _LINES.match(source)
    if not m:
        return None
    path = seeds / m["file"]
    if not path.is_file() or path.resolve().parent != seeds.resolve():
        return None
    lines = _document_lines(path)
    a = int(m["a"])
    b = int(m["b"] or a)
    if not 1 <= a <= b <= len(lines) or b - a > 20:
        return None
    return "\n".join(lines[a - 1 : b]).strip()


@router.get(
    "/relationships/{rel_id}/provenance",
    response_model=Provenance,
    tags=["v1: proveniens"],
    summary="Hvor et faktum kommer fra",
    description=(
        "Én relasjon med forklaring, kildene (fil:linje) og, når kildedokumentet finnes, "
        "linjene som sier det."
    ),
)
def provenance(
    request: Request,
    store: StoreDep,
    principal: ReadAccess,
    rel_id: Annotated[
        str,
        PathParam(
            max_length=600,
            examples=["initiative:sak:2020105285-1|DEPENDS_ON|initiative:sak:2021019954-3"],
        ),
    ],
) -> Provenance:
    rows = store.run("rel.provenance", {"id": rel_id})
    if not rows:
        raise RequestError(f"finner ingen relasjon med id {rel_id!r}", "rel_id", status=404)
    r = rows[0]
    props = dict(r["props"])
    seeds = settings_of(request).data_dir / "seeds"
    plain = {k: v for k, v in props.items() if k not in (*PROVENANCE, "id")}
    return Provenance(
        id=rel_id,
        type=r["type"],
        **{"from": node_ref({"id": r["a"], "label": r["a_kind"], "name": r["a_name"]})},
        to=node_ref({"id": r["b"], "label": r["b_kind"], "name": r["b_name"]}),
        explanation=explain(r["type"], r["a_name"], r["b_name"], plain),
        properties=plain,
        sources=[SourceLine(source=s, text=_quote(seeds, s)) for s in props.get("sources") or []],
        first_seen=props.get("first_seen"),
        last_seen=props.get("last_seen"),
    )
