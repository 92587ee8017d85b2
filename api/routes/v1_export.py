"""/api/v1/export: the whole graph as JSON, GraphML, GEXF (Gephi) or XLSX."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.security import ReadAccess
from api.v1_common import PREFIX, READ_ERRORS, StoreDep
from graph.export import FORMATS, export

router = APIRouter(prefix=PREFIX, tags=["v1: eksport"], responses=READ_ERRORS)


@router.get(
    "/export",
    summary="Eksport av hele grafen",
    description=(
        "Hele grafen som JSON, GraphML, GEXF (for Gephi) eller XLSX (ark «Noder» og "
        "«Relasjoner»). Med offentlig tilgang er e-post og telefon utelatt."
    ),
    response_class=Response,
    responses={200: {"description": "Filen", "content": {m: {} for m, _ in FORMATS.values()}}},
)
def export_graph(
    store: StoreDep,
    principal: ReadAccess,
    format: Annotated[
        Literal["json", "graphml", "gexf", "xlsx"], Query(description="Filformat")
    ] = "json",
) -> Response:
    media, ext = FORMATS[format]
    body = export(store, format, public=principal.scope != "internal")
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="samhandlingsgraf.{ext}"'},
    )
