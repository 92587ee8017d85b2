"""/api/v1/review: the entity-resolution review queue (list, one item, judge, undo).

Reading the queue needs read access; judging needs a write key (`WriteAccess`). Merge
proposals show both nodes side by side without people's e-mail or phone.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from api.security import ReadAccess, WriteAccess, settings_of
from api.v1_common import PREFIX, READ_ERRORS, WRITE_ERRORS, StoreDep
from graph.model import personal_properties
from graph.resolve.review import ReviewError, open_queue

router = APIRouter(prefix=PREFIX, tags=["v1: gjennomgang"])
ItemId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{12}$", description="Forslagets id")]


class Judgement(BaseModel):
    verdict: Literal["accept", "reject", "unsure", "undo"] = Field(
        description="accept = slå sammen / skriv faktumet, reject = aldri foreslå igjen, "
        "unsure = behold hver for seg inntil videre, undo = angre siste avgjørelse"
    )
    who: str = Field(min_length=1, max_length=200, description="Hvem som avgjør")


class ReviewItem(BaseModel):
    id: str
    kind: str = Field(description="merge (mulig duplikat) eller fact (foreslått faktum)")
    status: str = Field(description="open, accepted, rejected eller unsure")
    confidence: float
    payload: dict[str, Any]
    evidence: list[dict[str, Any]]
    judgements: list[dict[str, Any]]
    nodes: dict[str, Any] | None = Field(
        None, description="For merge: begge nodene side om side (uten e-post/telefon)"
    )


def _public(props: dict[str, Any] | None) -> dict[str, Any] | None:
    if props is None:
        return None
    hidden = personal_properties()
    return {k: v for k, v in props.items() if k not in hidden}


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: "+47 …" or Norwegian groups (99 99 99 99, 999 99 999); not case numbers or orgnr
_PHONE = re.compile(r"\+\d[\d ]{6,}\d|\b\d{2}(?: \d{2}){3}\b|\b\d{3} \d{2} \d{3}\b")


def _scrub(value: Any) -> Any:
    """Personal data out of review payloads and evidence (public scope): personal properties
    dropped, e-mail addresses and phone numbers in texts hidden (older queue items were
    written before evidence stopped naming addresses)."""
    if isinstance(value, dict):
        hidden = personal_properties()
        return {k: _scrub(v) for k, v in value.items() if k not in hidden}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, str):
        return _PHONE.sub("[skjult]", _EMAIL.sub("[skjult]", value))
    return value


def _item(item: Any, store: Any = None, scope: str = "public") -> ReviewItem:
    d = item.as_dict()
    if scope == "public":
        d = {**d, "payload": _scrub(d["payload"]), "evidence": _scrub(d["evidence"])}
    nodes = None
    if store is not None and item.kind == "merge":
        nodes = {
            side: _public(store.node(item.payload[side]["id"])) for side in ("winner", "loser")
        }
    return ReviewItem(
        id=d["id"],
        kind=d["kind"],
        status=d["status"],
        confidence=d["confidence"],
        payload=d["payload"],
        evidence=d["evidence"],
        judgements=d["judgements"],
        nodes=nodes,
    )


@router.get(
    "/review",
    response_model=list[ReviewItem],
    responses=READ_ERRORS,
    summary="Forslagene i gjennomgangskøen",
)
def list_review(
    request: Request,
    principal: ReadAccess,
    status: Annotated[Literal["open", "accepted", "rejected", "unsure", "all"], Query()] = "open",
    kind: Annotated[Literal["merge", "fact"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ReviewItem]:
    queue = open_queue(settings_of(request))
    items = queue.list(status=status, kind=kind, limit=limit)
    return [_item(i, scope=principal.scope) for i in items]


@router.get(
    "/review/{item_id}",
    response_model=ReviewItem,
    responses=READ_ERRORS,
    summary="Ett forslag med bevisene og begge nodene side om side",
)
def get_review(
    request: Request, item_id: ItemId, store: StoreDep, principal: ReadAccess
) -> ReviewItem:
    try:
        item = open_queue(settings_of(request)).get(item_id)
    except ReviewError as exc:
        raise HTTPException(404, str(exc)) from None
    return _item(item, store, principal.scope)


@router.post(
    "/review/{item_id}/judgement",
    response_model=ReviewItem,
    responses=WRITE_ERRORS,
    summary="Avgjør et forslag (godta, avvis, usikker) eller angre",
)
def judge_review(
    request: Request, item_id: ItemId, body: Judgement, store: StoreDep, principal: WriteAccess
) -> ReviewItem:
    queue = open_queue(settings_of(request))
    try:
        queue.get(item_id)
    except ReviewError as exc:
        raise HTTPException(404, str(exc)) from None
    try:
        if body.verdict == "undo":
            item = queue.undo(item_id, body.who, store)
        else:
            item = queue.judge(item_id, body.verdict, body.who, store)
    except (ReviewError, LookupError, ValueError) as exc:
        raise HTTPException(409, str(exc)) from None
    return _item(item, store)
