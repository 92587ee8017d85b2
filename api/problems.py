"""Errors as application/problem+json (RFC 9457) with a Norwegian `detail`; no stack traces."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.dialect import QueryTimeout

log = logging.getLogger("samgraf.api")
PROBLEM = "application/problem+json"
TITLES = {
    400: "Ugyldig forespørsel",
    401: "Mangler tilgang",
    403: "Ingen tilgang",
    404: "Finnes ikke",
    422: "Ugyldige parametere",
    500: "Intern feil",
    503: "Tjenesten er ikke tilgjengelig",
    504: "Tidsavbrudd",
}


def problem(status: int, detail: str, **extra: object) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Feil"),
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "feil"
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"finner ikke {request.url.path}"
        return problem(exc.status_code, detail)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]),
                "message": e["msg"],
            }
            for e in exc.errors()
        ]
        fields = ", ".join(e["field"] for e in errors)
        return problem(422, f"ugyldig verdi i {fields}", errors=errors)

    @app.exception_handler(QueryTimeout)
    async def timeout(request: Request, exc: QueryTimeout) -> JSONResponse:
        return problem(504, f"spørringen tok for lang tid: {exc}")

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("uventet feil i %s", request.url.path)
        return problem(500, "en uventet feil oppstod; se serverloggen")
