"""Shared helpers for the import tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph.settings import Settings
from graph.store import GraphStore
from importers.run import ImportReport, run_import


def isettings(settings: Settings, tmp_path: Path) -> Settings:
    """The test store's settings with a review queue of its own."""
    return settings.model_copy(update={"review_db": tmp_path / "review.sqlite"})


def snapshot(store: GraphStore) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every node and relationship with its properties, `last_seen` aside."""
    nodes = {n["id"]: {k: v for k, v in n.items() if k != "last_seen"} for n in store.all_nodes()}
    rels = {
        r["props"]["id"]: {
            **{k: v for k, v in r["props"].items() if k != "last_seen"},
            "a": r["a"],
            "b": r["b"],
            "type": r["type"],
        }
        for r in store.all_rels()
    }
    return nodes, rels


def imp(store: GraphStore, settings: Settings, path: Path, **kw: Any) -> ImportReport:
    return run_import(store, settings, path, kw.pop("mapping", None), **kw)
