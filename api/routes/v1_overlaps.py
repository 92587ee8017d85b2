"""/api/v1: where initiatives overlap, the overlap matrix, and missing links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.schemas_v1 import MissingLink, OverlapMatrix, OverlapsResponse
from api.security import ReadAccess
from api.v1_common import PREFIX, READ_ERRORS, StoreDep, limited, require_node, split
from graph.limits import RequestError, check
from graph.overlap import initiatives_of, missing_links, overlap_matrix, overlaps
from graph.refs import node_ref

router = APIRouter(prefix=PREFIX, tags=["v1: overlapp"], responses=READ_ERRORS)


@router.get(
    "/initiatives/{initiative_id}/overlaps",
    response_model=OverlapsResponse,
    summary="Satsinger som overlapper med en satsing",
    description=(
        "Hvilke satsinger overlapper med denne, og i hva? De andre satsingene som deler "
        "partnere, personer, enheter, målgrupper, temaer, finansiører eller kommuner, rangert "
        "etter vektet Adamic–Adar, med hva de deler, punkt for punkt, og kildene."
    ),
)
def initiative_overlaps(
    store: StoreDep,
    principal: ReadAccess,
    initiative_id: Annotated[str, Path(max_length=300, examples=["initiative:sak:2020105285-1"])],
    limit: Annotated[int, limited("results", "Maks antall")] = 20,
) -> OverlapsResponse:
    check("results", limit, "limit")
    props = require_node(store, initiative_id, kind="Initiative", field="initiative_id")
    found = overlaps(store, initiative_id, limit=limit)
    return OverlapsResponse.model_validate(
        {"initiative": node_ref(props), "overlaps": [o.as_dict() for o in found]}
    )


@router.get(
    "/overlaps/matrix",
    response_model=OverlapMatrix,
    summary="Overlappmatrise for et sett satsinger",
    description=(
        "Parvis overlapp mellom satsinger: gitt som `ids`, alle satsinger i et program eller "
        "prosjekt (`programme`, med alle underprosjekter) eller alle satsinger en enhet "
        "deltar i (`unit`). Høyst 100 satsinger."
    ),
)
def matrix(
    store: StoreDep,
    principal: ReadAccess,
    ids: Annotated[
        list[str] | None,
        Query(description="Satsingenes id-er", examples=[["initiative:sak:2021019954-3"]]),
    ] = None,
    programme: Annotated[
        str | None,
        Query(
            max_length=300,
            description="Et program/prosjekt",
            examples=["initiative:sak:2021019954-3"],
        ),
    ] = None,
    unit: Annotated[
        str | None,
        Query(
            max_length=300,
            description="En enhet eller organisasjon",
            examples=["unit:samhandling-og-innovasjon"],
        ),
    ] = None,
) -> OverlapMatrix:
    given = [x for x in (split(ids, "ids"), programme, unit) if x]
    if len(given) != 1:
        raise RequestError("oppgi nøyaktig én av ids, programme og unit", "programme")
    if programme:
        require_node(store, programme, kind="Initiative", field="programme")
        chosen = initiatives_of(store, programme)
    elif unit:
        require_node(store, unit, field="unit")
        chosen = initiatives_of(store, unit)
    else:
        chosen = split(ids, "ids") or []
        check("matrix", len(set(chosen)), "ids")
        for i in chosen:
            require_node(store, i, kind="Initiative", field="ids")
    return OverlapMatrix.model_validate(overlap_matrix(store, chosen))


@router.get(
    "/missing-links",
    response_model=list[MissingLink],
    summary="Manglende koblinger",
    description=(
        "Par av satsinger som overlapper mye, men uten registrert avhengighet (DEPENDS_ON) "
        "eller felles koordinering (den ene del av den andre, eller deler av samme program): "
        "her bør den faglige huben sjekke om de kjenner til hverandre."
    ),
)
def missing(
    store: StoreDep,
    principal: ReadAccess,
    limit: Annotated[int, limited("results", "Maks antall")] = 20,
) -> list[MissingLink]:
    return [MissingLink.model_validate(m) for m in missing_links(store, limit=limit)]
