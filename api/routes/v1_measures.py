"""/api/v1/measures: brokers and structure on a projection, and dated snapshots of them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from api.schemas_v1 import Comparison, Measures, SnapshotList, SnapshotSaved
from api.security import ReadAccess, WriteAccess, settings_of
from api.v1_common import PREFIX, READ_ERRORS, WRITE_ERRORS, StoreDep, require_node
from graph import snapshots
from graph.analysis import brokers, measures
from graph.overlap import initiatives_of

router = APIRouter(prefix=PREFIX, tags=["v1: nettverksmål"], responses=READ_ERRORS)

ProjectionName = Annotated[
    Literal["person", "organisation", "initiative"],
    Query(
        description=(
            "person: personer gjennom felles satsinger/enheter; organisation: organisasjoner, "
            "enheter, kommuner og finansiører gjennom felles satsinger; initiative: satsinger "
            "gjennom felles medlemmer"
        )
    ),
]
ScopeId = Annotated[
    str | None,
    Query(
        max_length=300,
        description="Bare nettverket rundt denne satsingen (med delprosjekter)",
        examples=["initiative:sak:2021019954-3"],
    ),
]


def _scope(store: StoreDep, scope: str | None) -> list[str] | None:
    if scope is None:
        return None
    require_node(store, scope, kind="Initiative", field="scope")
    return initiatives_of(store, scope)


@router.get(
    "/measures",
    response_model=Measures,
    summary="Meglere og struktur",
    description=(
        "Hvem binder sammen grupper som ellers er adskilt? Degree, betweenness, PageRank, "
        "Burts constraint og Louvain-fellesskap på projeksjonen du velger, eventuelt rundt "
        "én satsing (`scope`)."
    ),
)
def get_measures(
    store: StoreDep,
    principal: ReadAccess,
    projection: ProjectionName = "organisation",
    scope: ScopeId = None,
) -> Measures:
    result = measures(store, projection, scope=_scope(store, scope))
    return Measures.model_validate({**result, "brokers": brokers(result)})


@router.get(
    "/measures/snapshots",
    response_model=SnapshotList,
    summary="Lagrede øyeblikksbilder",
    description="Datoene det finnes lagrede nettverksmål for (projeksjon og eventuelt scope).",
)
def list_snapshots(
    request: Request,
    principal: ReadAccess,
    projection: ProjectionName = "organisation",
    scope: ScopeId = None,
) -> SnapshotList:
    dates = snapshots.list_dates(settings_of(request), projection, scope)
    return SnapshotList(projection=projection, scope=scope, dates=dates)


@router.post(
    "/measures/snapshots",
    response_model=SnapshotSaved,
    status_code=201,
    responses=WRITE_ERRORS,
    summary="Lagre dagens nettverksmål (krever API-nøkkel)",
    description="Regner ut målene nå og lagrer dem som dagens øyeblikksbilde.",
)
def save_snapshot(
    request: Request,
    store: StoreDep,
    principal: WriteAccess,
    projection: ProjectionName = "organisation",
    scope: ScopeId = None,
) -> SnapshotSaved:
    result = measures(store, projection, scope=_scope(store, scope))
    path = snapshots.save(settings_of(request), result, scope_key=scope)
    return SnapshotSaved(
        projection=projection, scope=scope, date=path.stem, node_count=result["node_count"]
    )


@router.get(
    "/measures/snapshots/compare",
    response_model=Comparison,
    summary="Sammenlign to øyeblikksbilder",
    description="Endring i målene per node mellom to datoer (f.eks. dette kvartalet og forrige).",
)
def compare_snapshots(
    request: Request,
    principal: ReadAccess,
    from_date: Annotated[
        str, Query(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-01-01"])
    ],
    to_date: Annotated[
        str, Query(alias="to", pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-04-01"])
    ],
    projection: ProjectionName = "organisation",
    scope: ScopeId = None,
) -> Comparison:
    settings = settings_of(request)
    old = snapshots.load(settings, projection, from_date, scope)
    new = snapshots.load(settings, projection, to_date, scope)
    return Comparison.model_validate(snapshots.compare(old, new))
