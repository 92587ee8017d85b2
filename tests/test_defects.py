"""Regression tests for the defects of issue 19: each failed before its fix."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from graph.resolve.blocking import _unique, scored_pairs
from graph.settings import Settings
from graph.store import GraphStore
from tests.import_helpers import imp, isettings

HEADER = ["Nr", "Tittel", "Prosjektleder", "Tjenesteområde", "Startdato", "Saksnummer"]


def _project_list(path: Path, n: int, *, case_numbers: bool) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(HEADER)
        for i in range(1, n + 1):
            sak = f"2022{i:06d}-1" if case_numbers else ""
            w.writerow([i, f"Prosjekt {i}", f"Person {i % 50}", f"Område {i % 7}", "1.2.2022", sak])
    return path


def test_unique_of_no_pairs_is_empty() -> None:
    """Item 9's cause: `_unique` of an empty array indexed it with a mask of length 1."""
    assert _unique(np.zeros(0, dtype=np.int64)).tolist() == []
    assert _unique(np.array([3, 1, 3], dtype=np.int64)).tolist() == [1, 3]
    # a list with itself where the only pairs blocking finds are each name with itself
    names = [f"prosjekt {i}" for i in range(1, 1200)]
    assert scored_pairs(names, None, 99.5) == []


def test_second_numbered_project_list_imports(
    store: GraphStore, settings: Settings, tmp_path: Path
) -> None:
    """Item 9: a valid second project list, 1,000+ numbered rows whose names match projects
    already in the graph, crashed the import with an IndexError."""
    s = isettings(settings, tmp_path)
    first = imp(
        store,
        s,
        _project_list(tmp_path / "liste-1.csv", 1100, case_numbers=True),
        mapping="prosjektportalen",
    )
    assert first.plan.rows == 1100
    second = imp(
        store,
        s,
        _project_list(tmp_path / "liste-2.csv", 1100, case_numbers=False),
        mapping="prosjektportalen",
    )
    assert second.plan.rows == 1100 and not second.plan.rejected
    # the same names, now without case numbers: the same projects, each row's provenance added
    assert store.stats()["nodes"]["Initiative"] == 1100
    node = store.node("initiative:sak:2022000007-1")
    assert node is not None and node["name"] == "Prosjekt 7"
    assert sorted(node["sources"]) == ["liste-1.csv:8", "liste-2.csv:8"]
