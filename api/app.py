"""The HTTP API (FastAPI): thin routes over named queries; OpenAPI at /docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.deps import set_store
from api.middleware import install_middleware
from api.problems import install_problem_handlers
from api.routes import nodes, pages
from api.v1_common import V1_TAGS
from graph.settings import Settings, get_settings
from graph.store import GraphStore


def create_app(store: GraphStore | None = None, settings: Settings | None = None) -> FastAPI:
    """The app; with `store` given (tests, embedding) it uses that store and leaves it open.

    `settings` (default: from the environment) configure keys, CORS and caching.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = store is None
        s = GraphStore.open(settings) if own else store
        assert s is not None
        set_store(s)
        try:
            yield
        finally:
            set_store(None)
            if own:
                s.close()

    app = FastAPI(
        title="Samhandlingsgraf",
        version="0.1.0",
        description=(
            "Hvem jobber med hvem i kommunal samhandling: prosjekter, programmer, partnere, "
            "personer, finansiering og kommuner i Kristiansand og nasjonale programmer."
        ),
        lifespan=lifespan,
        openapi_tags=V1_TAGS,
    )
    app.state.settings = settings
    install_problem_handlers(app)
    install_middleware(app, settings)
    app.include_router(pages.router)
    app.include_router(nodes.router)
    _include_v1(app)
    return app


def _include_v1(app: FastAPI) -> None:
    """Every api/routes/v1_*.py module's `router` (the versioned API under /api/v1)."""
    import importlib
    import pkgutil

    import api.routes as routes

    for mod in sorted(pkgutil.iter_modules(routes.__path__), key=lambda m: m.name):
        if mod.name.startswith("v1_"):
            app.include_router(importlib.import_module(f"api.routes.{mod.name}").router)


app = create_app()
