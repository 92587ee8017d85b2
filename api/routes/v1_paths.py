"""/api/v1/paths: how two nodes are connected, hop by hop, explained."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import StringConstraints

from api.schemas_v1 import PathsResponse
from api.security import ReadAccess
from api.v1_common import PREFIX, READ_ERRORS, StoreDep, limited, require_node, split
from graph.model import NODE_KINDS, REL_KINDS
from graph.paths import DEFAULT_MAX_HOPS, find_paths
from graph.refs import node_ref


def _csv_of(names: list[str]) -> str:
    one = "(" + "|".join(names) + ")"
    return f"^{one}(,{one})*$"


RelTypeList = Annotated[str, StringConstraints(pattern=_csv_of(list(REL_KINDS)))]
NodeKindList = Annotated[str, StringConstraints(pattern=_csv_of(list(NODE_KINDS)))]

router = APIRouter(prefix=PREFIX, tags=["v1: stier"], responses=READ_ERRORS)


@router.get(
    "/paths",
    response_model=PathsResponse,
    summary="Korteste stier mellom to noder, forklart",
    description=(
        "Hvordan henger to personer, enheter eller satsinger sammen, og gjennom hvem? "
        "Gir de `k` korteste stiene (k ≤ 5) med høyst `max_hops` steg (standard 4, grense 6), "
        "eventuelt bare gjennom visse relasjonstyper (`rel_types`) eller nodetyper "
        "(`via_kinds`, f.eks. `Person` for «bare gjennom folk»). Hvert steg forklares på norsk "
        "og har kildene sine."
    ),
)
def paths(
    store: StoreDep,
    principal: ReadAccess,
    from_id: Annotated[
        str,
        Query(
            alias="from",
            max_length=300,
            description="Id for startnoden",
            examples=["person:bente-woldstad"],
        ),
    ],
    to_id: Annotated[
        str,
        Query(
            alias="to",
            max_length=300,
            description="Id for målnoden",
            examples=["initiative:sak:2021019954-3"],
        ),
    ],
    k: Annotated[int, limited("k", "Antall stier")] = 1,
    max_hops: Annotated[int, limited("max_hops", "Maks antall steg")] = DEFAULT_MAX_HOPS,
    rel_types: Annotated[
        list[RelTypeList] | None,
        Query(
            description="Bare disse relasjonstypene (gjentatt eller kommaseparert)",
            examples=[["HAS_ROLE", "DEPENDS_ON"]],
        ),
    ] = None,
    via_kinds: Annotated[
        list[NodeKindList] | None,
        Query(
            description="Bare gjennom disse nodetypene (endepunktene unntatt)",
            examples=[["Person", "Initiative"]],
        ),
    ] = None,
) -> PathsResponse:
    found = find_paths(
        store,
        from_id,
        to_id,
        k=k,
        max_hops=max_hops,
        rel_types=split(rel_types, "rel_types"),
        via_kinds=split(via_kinds, "via_kinds"),
    )
    a = require_node(store, from_id, field="from")
    b = require_node(store, to_id, field="to")
    return PathsResponse.model_validate(
        {"from": node_ref(a), "to": node_ref(b), "paths": [p.as_dict() for p in found]}
    )
