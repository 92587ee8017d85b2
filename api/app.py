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


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    store = GraphStore.open(get_settings())
    set_store(store)
    try:
        yield
    finally:
        set_store(None)
        store.close()


def create_app() -> FastAPI:
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
