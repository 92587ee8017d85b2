"""The explorer's own JSON: graph pieces ready for vis-network (built by `viz.render`).

Thin routes: the store's named queries fetch, `viz.render.vis_data` shapes (escaping, colours,
Norwegian labels and explanations, no personal data), `viz.views.cap_by_degree` caps.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, Field

from api.deps import get_store
from api.security import read_access
from graph.store import GraphStore
from viz.render import PHYSICS_LIMIT, measures, public, vis_data
from viz.views import cap_by_degree

# the explorer's data obey the read policy (SAMGRAF_READ_KEY_REQUIRED) like /api/v1
router = APIRouter(prefix="/explorer", tags=["utforsker"], dependencies=[Depends(read_access)])
StoreDep = Annotated[GraphStore, Depends(get_store)]
#: the most nodes one answer carries; more comes with "vis flere"
MAX_LIMIT = 2000


class VisGraph(BaseModel):
    nodes: list[dict[str, Any]] = Field(description="vis-network-noder (id, label, kind, …)")
    edges: list[dict[str, Any]] = Field(description="vis-network-kanter (from, to, relType, …)")
    options: dict[str, Any] = Field(description="vis-network-innstillinger (fysikk av/på)")
    total: int = Field(description="Hvor mange noder (eller naboer) det finnes i alt")
    shown: int = Field(description="Hvor mange av dem som er med så langt")
    focus: str | None = None


class IdList(BaseModel):
    ids: list[str] = Field(max_length=MAX_LIMIT)


def _graph(
    nodes: list[dict[str, Any]],
    rels: list[dict[str, Any]],
    *,
    total: int,
    shown: int,
    focus: str | None = None,
    physics: bool | None = None,
) -> VisGraph:
    data = vis_data([public(n) for n in nodes], rels, focus=focus, physics=physics)
    return VisGraph(**data, total=total, shown=shown, focus=focus)


@router.get(
    "/graph", response_model=VisGraph, summary="Startbildet: hele grafen eller en nodes nabolag"
)
def graph_view(
    store: StoreDep,
    focus: Annotated[str | None, Query(max_length=300, description="Node-id i sentrum")] = None,
    hops: Annotated[int, Query(ge=1, le=3)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 300,
) -> VisGraph:
    if focus:
        if store.node(focus) is None:
            raise HTTPException(404, f"finner ingen node med id {focus!r}")
        nodes, rels = store.subgraph(focus, hops, limit=MAX_LIMIT)
    else:
        nodes, rels = store.all_nodes(), store.all_rels()
    total = len(nodes)
    nodes, rels = cap_by_degree(nodes, rels, limit, {focus} if focus else set())
    return _graph(nodes, rels, total=total, shown=len(nodes), focus=focus)


@router.get(
    "/expand/{node_id}",
    response_model=VisGraph,
    summary="Utvid en node: naboene (side for side) og relasjonene mellom dem",
)
def expand(
    store: StoreDep,
    node_id: Annotated[str, Path(max_length=300)],
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> VisGraph:
    if store.node(node_id) is None:
        raise HTTPException(404, f"finner ingen node med id {node_id!r}")
    neighbours = sorted(
        {(r["kind"] or "", r["name"] or "", r["id"]) for r in store.neighbours(node_id)}
    )
    page = [i for _, _, i in neighbours[offset : offset + limit]]
    ids = [node_id, *page]
    nodes = [r["props"] for r in store.run("graph.nodes_by_ids", {"ids": ids})]
    rels = store.run("graph.rels_among", {"ids": ids})
    return _graph(
        nodes,
        rels,
        total=len(neighbours),
        shown=min(offset + limit, len(neighbours)),
        focus=node_id,
        physics=True,
    )


@router.post(
    "/subgraph",
    response_model=VisGraph,
    summary="Nodene med de gitte id-ene og relasjonene mellom dem (f.eks. en sti)",
)
def subgraph(store: StoreDep, body: IdList) -> VisGraph:
    nodes = [r["props"] for r in store.run("graph.nodes_by_ids", {"ids": body.ids})]
    rels = store.run("graph.rels_among", {"ids": body.ids})
    return _graph(nodes, rels, total=len(nodes), shown=len(nodes), physics=True)


@router.post(
    "/measures",
    response_model=dict[str, dict[str, float]],
    summary="Grad og mellomhet (0–1) for nodene som vises, innenfor det viste utsnittet",
)
def shown_measures(store: StoreDep, body: IdList) -> dict[str, dict[str, float]]:
    rels = store.run("graph.rels_among", {"ids": body.ids})
    return measures([{"id": i} for i in body.ids], rels)


__all__ = ["PHYSICS_LIMIT", "router"]
