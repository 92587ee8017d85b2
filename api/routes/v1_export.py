"""/api/v1/export: the whole graph as JSON, GraphML, GEXF (Gephi) or XLSX.

An export of a large graph costs a minute and gigabytes: answers are cached per format and
scope until the graph changes (`graph.version`: counts and the newest write) or for
CACHE_SECONDS; one export is computed at a time, and one client may ask for an uncached
export CLIENT_BUDGET times per CLIENT_SECONDS (429 with Retry-After otherwise).
The cache and the budgets belong to the app (one per API process)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from api.security import ReadAccess
from api.v1_common import PREFIX, READ_ERRORS, StoreDep
from graph.export import FORMATS, export

router = APIRouter(prefix=PREFIX, tags=["v1: eksport"], responses=READ_ERRORS)
CACHE_SECONDS = 600
CLIENT_SECONDS = 300
CLIENT_BUDGET = 10


class _ExportState:
    def __init__(self) -> None:
        self.cache: OrderedDict[tuple[Any, ...], tuple[float, bytes]] = OrderedDict()
        self.building = threading.Lock()
        self.by_client: dict[str, list[float]] = {}


def _state(request: Request) -> _ExportState:
    state = getattr(request.app.state, "exports", None)
    if not isinstance(state, _ExportState):
        state = request.app.state.exports = _ExportState()
    return state


def _client(request: Request) -> str:
    host = request.client.host if request.client else "?"
    key = request.headers.get("x-api-key") or request.headers.get("authorization") or ""
    return host + ":" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _busy(detail: str, seconds: int) -> HTTPException:
    return HTTPException(429, detail, headers={"Retry-After": str(seconds)})


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
    request: Request,
    store: StoreDep,
    principal: ReadAccess,
    format: Annotated[
        Literal["json", "graphml", "gexf", "xlsx"], Query(description="Filformat")
    ] = "json",
) -> Response:
    media, ext = FORMATS[format]
    public = principal.scope != "internal"
    version = tuple(sorted(store.run("graph.version")[0].items()))
    key = (store.backend, format, public, version)
    now = time.monotonic()
    st = _state(request)
    hit = st.cache.get(key)
    if hit is None or now - hit[0] > CACHE_SECONDS:
        client = _client(request)
        recent = [t for t in st.by_client.get(client, []) if now - t < CLIENT_SECONDS]
        if len(recent) >= CLIENT_BUDGET:
            wait = int(CLIENT_SECONDS - (now - recent[0])) + 1
            raise _busy(f"høyst {CLIENT_BUDGET} nye eksporter per {CLIENT_SECONDS} s", wait)
        if not st.building.acquire(blocking=False):
            raise _busy("en annen eksport lages nå; prøv igjen om litt", 10)
        try:
            st.by_client[client] = [*recent, now]
            hit = (time.monotonic(), export(store, format, public=public))
            st.cache[key] = hit
            while len(st.cache) > 8:
                st.cache.popitem(last=False)
        finally:
            st.building.release()
    body = hit[1]
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="samhandlingsgraf.{ext}"'},
    )
