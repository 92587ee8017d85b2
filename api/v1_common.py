"""Helpers shared by the /api/v1 routers: dependencies, documented errors, small shapers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query

from api.deps import get_store
from api.schemas_v1 import Problem
from api.security import Principal
from graph.limits import LIMIT_LABELS, LIMITS, RequestError
from graph.refs import PROVENANCE, public_props
from graph.store import GraphStore

PREFIX = "/api/v1"
StoreDep = Annotated[GraphStore, Depends(get_store)]

_PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
#: the error answers every read may give, documented in OpenAPI
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        **_PROBLEM,
        "description": "Over en grense (steg, resultater, tidsgrense …); grensen navngis",
    },
    401: {**_PROBLEM, "description": "Mangler eller ukjent API-nøkkel"},
    404: {**_PROBLEM, "description": "Ukjent id"},
    422: {**_PROBLEM, "description": "Ugyldig parameter; feltet navngis"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **READ_ERRORS,
    403: {**_PROBLEM, "description": "API-nøkkelen gir ikke skrivetilgang"},
}


#: the most distinct values one list parameter may carry (specific limits, such as the
#: matrix's 100 initiatives, are lower and named in their own errors)
MAX_LIST_VALUES = 1000


def split(values: list[str] | None, field: str = "liste") -> list[str] | None:
    """Repeated and/or comma-separated query values as one list, each value once (None when
    empty). 5,000 copies of one relationship type kept the store busy for a minute: values
    are de-duplicated, and more than MAX_LIST_VALUES distinct ones are refused."""
    out = list(
        dict.fromkeys(v.strip() for value in values or [] for v in value.split(",") if v.strip())
    )
    if len(out) > MAX_LIST_VALUES:
        raise RequestError(f"høyst {MAX_LIST_VALUES} ulike verdier", field)
    return out or None


def require_node(
    store: GraphStore, node_id: str, kind: str | None = None, field: str = "id"
) -> dict[str, Any]:
    props = store.node(node_id)
    if props is None or (kind and props.get("label") != kind):
        what = "satsing" if kind == "Initiative" else "node"
        raise RequestError(f"finner ingen {what} med id {node_id!r}", field, status=404)
    return props


def visible(props: dict[str, Any], principal: Principal) -> dict[str, Any]:
    """Properties the caller may see, without provenance: `public` never gets e-mail/phone."""
    shown = props if principal.scope == "internal" else public_props(props)
    return {k: v for k, v in shown.items() if k not in PROVENANCE}


def limited(limit: str, description: str, minimum: int = 1) -> Any:
    """A query parameter bounded by a named limit.

    The maximum is documented in OpenAPI but checked by the analytics, so a value over it is
    answered with 400 naming the limit (not FastAPI's 422).
    """
    return Query(
        ge=minimum,
        description=f"{description} (grense {LIMITS[limit]}: {LIMIT_LABELS[limit]})",
        json_schema_extra={"maximum": LIMITS[limit]},
    )


#: the /api/v1 groups in OpenAPI, described in Norwegian
V1_TAGS: list[dict[str, str]] = [
    {
        "name": "v1: noder",
        "description": "Noder: liste, filtre, én node, relasjoner, egonettverk, søk.",
    },
    {"name": "v1: stier", "description": "Hvordan henger to noder sammen, og gjennom hvem?"},
    {
        "name": "v1: overlapp",
        "description": "Hvilke satsinger overlapper, i hva, og hvem bør snakke sammen?",
    },
    {
        "name": "v1: nettverksmål",
        "description": "Meglere og struktur, og daterte øyeblikksbilder av dem.",
    },
    {"name": "v1: proveniens", "description": "Hvor et faktum kommer fra (fil og linje)."},
    {"name": "v1: eksport", "description": "Hele grafen som JSON, GraphML, GEXF eller XLSX."},
]
