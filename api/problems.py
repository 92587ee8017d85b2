"""Errors as application/problem+json (RFC 9457) with a Norwegian `detail`; no stack traces."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.dialect import QueryTimeout, StoreError
from graph.limits import QueryLimitError, RequestError

log = logging.getLogger("samgraf.api")
PROBLEM = "application/problem+json"
TITLES = {
    400: "Ugyldig forespørsel",
    401: "Mangler tilgang",
    403: "Ingen tilgang",
    404: "Finnes ikke",
    405: "Metoden er ikke tillatt",
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


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route offers for this path (Starlette names only the first route's)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        route_methods = getattr(route, "methods", None)
        if match != Match.NONE and route_methods:
            methods |= set(route_methods)
    return sorted(methods)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "feil"
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"finner ikke {request.url.path}"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allowed = _allowed_methods(request)
            headers["Allow"] = ", ".join(allowed)
            detail = (
                f"{request.method} er ikke tillatt for {request.url.path}; "
                f"tillatt: {headers['Allow']}"
            )
        response = problem(exc.status_code, detail)
        for name, value in headers.items():
            response.headers[name] = value  # e.g. WWW-Authenticate on 401
        return response

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

    @app.exception_handler(QueryLimitError)
    async def over_limit(request: Request, exc: QueryLimitError) -> JSONResponse:
        return problem(
            400,
            str(exc),
            limit=exc.limit,
            maximum=exc.maximum,
            errors=[{"field": exc.field, "message": str(exc)}],
        )

    @app.exception_handler(RequestError)
    async def bad_request(request: Request, exc: RequestError) -> JSONResponse:
        detail = (
            f"{exc} (parameter {exc.field})"
            if exc.status == 404
            else f"ugyldig verdi i {exc.field}: {exc}"
        )
        return problem(exc.status, detail, errors=[{"field": exc.field, "message": str(exc)}])

    @app.exception_handler(QueryTimeout)
    async def timeout(request: Request, exc: QueryTimeout) -> JSONResponse:
        # a limit like max hops: the request asked for too much, the worker is free again
        settings = getattr(request.app.state, "settings", None)
        seconds = getattr(settings, "query_timeout", None)
        return problem(
            400,
            f"spørringen gikk over grensen query_timeout={seconds} s ({exc}); "
            "be om færre steg, færre stier eller et mindre utvalg",
            limit="query_timeout",
            maximum=seconds,
        )

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> JSONResponse:
        # the database did not answer (it is restarted by the next request where it can be)
        log.error("databasefeil i %s: %s", request.url.path, exc)
        response = problem(503, f"databasen svarte ikke: {exc}")
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("uventet feil i %s", request.url.path)
        return problem(500, "en uventet feil oppstod; se serverloggen")
