"""Dependencies injected into routes."""

from __future__ import annotations

from graph.store import GraphStore

_store: GraphStore | None = None


def set_store(store: GraphStore | None) -> None:
    global _store
    _store = store


def get_store() -> GraphStore:
    if _store is None:  # pragma: no cover - only outside the app's lifespan
        raise RuntimeError("grafen er ikke åpnet")
    return _store
