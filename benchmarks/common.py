"""Shared helpers for the benchmarks: a throw-away embedded store and result reporting."""

from __future__ import annotations

import json
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.settings import Settings
from graph.store import GraphStore

RESULTS = Path(__file__).resolve().parent / "results"


def bench_store(graph: str, db_path: Path | None = None) -> GraphStore:
    path = db_path or Path(tempfile.gettempdir()) / "samgraf-bench"
    store = GraphStore.open(Settings(store="embedded", db_path=path, graph_name=graph))
    store.clear()  # drops the graph and re-creates its indexes
    return store


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def report(name: str, figures: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    figures = {
        "benchmark": name,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        **figures,
    }
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print(f"\n== {name} ==")
    for key, value in figures.items():
        if key != "benchmark":
            print(f"  {key}: {value}")
