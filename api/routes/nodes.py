"""Node look-up: search, one node with its neighbours, and a graph view centred on a node."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import HTMLResponse

from api.deps import get_store
from api.schemas import Health, Neighbour, NodeDetail, NodeHit, NodeKindName
from api.security import read_access
from graph.model import NODE_KINDS, explain, personal_properties
from graph.search import search
from graph.store import GraphStore
from viz.views import view_html

router = APIRouter()
#: every route here that reads the graph obeys the read policy (SAMGRAF_READ_KEY_REQUIRED);
#: /health stays open for load balancers and container health checks (status and a count)
READ = [Depends(read_access)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
PROVENANCE = ("sources", "first_seen", "last_seen")


@router.get("/health", response_model=Health, tags=["drift"], summary="Er tjenesten oppe?")
def health(store: StoreDep) -> Health:
    n = store.run("graph.count")[0]["n"]
    return Health(status="ok", backend=store.backend, nodes=int(n))


@router.get(
    "/nodes",
    dependencies=READ,
    response_model=list[NodeHit],
    tags=["noder"],
    summary="Søk etter noder på navn (uskarpt søk, med alias)",
)
def list_nodes(
    store: StoreDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="Navn eller del av navn",
            examples=["Flere i arbeid"],
        ),
    ],
    kind: Annotated[NodeKindName | None, Query(description="Bare denne nodetypen")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[NodeHit]:
    hits = search(store, q, kind=kind.value if kind else None, limit=limit)
    return [
        NodeHit(
            id=h.id,
            kind=h.kind,
            kind_label=NODE_KINDS[h.kind].label_no,
            name=h.name,
            score=round(h.score, 1),
        )
        for h in hits
    ]


def _public(props: dict[str, object]) -> dict[str, object]:
    hidden = personal_properties()
    return {k: v for k, v in props.items() if k not in hidden}


@router.get(
    "/nodes/{node_id}",
    dependencies=READ,
    response_model=NodeDetail,
    tags=["noder"],
    summary="Én node: egenskaper, kilder og naboer gruppert per relasjonstype",
)
def get_node(
    store: StoreDep,
    node_id: Annotated[str, Path(max_length=300, examples=["initiative:flere-i-arbeid"])],
) -> NodeDetail:
    props = store.node(node_id)
    if props is None:
        raise HTTPException(404, f"finner ingen node med id {node_id!r}")
    neighbours: dict[str, list[Neighbour]] = {}
    for row in store.neighbours(node_id):
        a, b = (
            (props["name"], row["name"])
            if row["direction"] == "out"
            else (row["name"], props["name"])
        )
        neighbours.setdefault(row["type"], []).append(
            Neighbour(
                id=row["id"],
                kind=row["kind"],
                name=row["name"],
                direction=row["direction"],
                relationship=row["rel"],
                explanation=explain(row["type"], a, b, row["rel"]),
            )
        )
    kind = str(props["label"])
    return NodeDetail(
        id=node_id,
        kind=kind,
        kind_label=NODE_KINDS[kind].label_no,
        name=str(props["name"]),
        properties={k: v for k, v in _public(props).items() if k not in PROVENANCE},
        provenance={k: props.get(k) for k in PROVENANCE},
        neighbours=neighbours,
    )


@router.get(
    "/views/{node_id}.html",
    dependencies=READ,
    response_class=HTMLResponse,
    tags=["visninger"],
    summary="Interaktiv graf (pyvis) sentrert på en node",
)
def node_view(
    store: StoreDep,
    node_id: Annotated[str, Path(max_length=300)],
    hops: Annotated[int, Query(ge=1, le=3)] = 2,
) -> HTMLResponse:
    if store.node(node_id) is None:
        raise HTTPException(404, f"finner ingen node med id {node_id!r}")
    return HTMLResponse(view_html(store, focus=node_id, hops=hops))
