"""The HTTP API (FastAPI): thin routes over named queries; OpenAPI at /docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.deps import set_store
from api.problems import install_problem_handlers
from api.routes import nodes, pages
from graph.settings import get_settings
from graph.store import GraphStore


def create_app(store: GraphStore | None = None) -> FastAPI:
    """The app; with `store` given (tests, embedding) it uses that store and leaves it open."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = store is None
        s = GraphStore.open(get_settings()) if own else store
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
    )
    install_problem_handlers(app)
    app.include_router(pages.router)
    app.include_router(nodes.router)
    return app


app = create_app()
