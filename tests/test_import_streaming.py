"""The import streams: its memory does not grow with the number of rows.

A generated project list (one new project per row, as in an export from Prosjektportalen) is
imported with `tracemalloc` on. The old import kept every validated row and the whole diff in
memory: about 9 KB of Python objects per row of this file (181 MB at 20,000 rows), so at
`N_ROWS` it would peak far above `BOUND_MB`. Streaming keeps one window of rows, the names
entity resolution compares and a sample of the diff.
"""

from __future__ import annotations

import csv
import json
import random
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from graph.settings import Settings
from graph.store import GraphStore
from importers.run import SAMPLE, ImportReport
from tests.import_helpers import imp, isettings

N_ROWS = 24_000
#: rows held in memory at a time (the default is 10,000; smaller here to keep the test short)
WINDOW = 2_000
#: traced Python peak allowed for the import (keeping all rows: ~9 KB × N_ROWS ≈ 215 MB)
BOUND_MB = 80
#: … and for a dry run that writes its diff to a file (29 MB measured; when a dry run listed
#: all 96,014 changes in memory, it peaked at 77 MB, growing with the rows)
DRY_BOUND_MB = 45
PEOPLE = [f"{f} {ln}" for f in ("Anne", "Bente", "Ole", "Lars", "Tone") for ln in ("Berg", "Dahl")]
AREAS = ["Oppvekst", "Helse og mestring", "Teknisk", "Økonomi"]


def _generate(path: Path, n: int) -> None:
    rng = random.Random(7)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Tittel", "Prosjekteier", "Prosjektleder", "Tjenesteområde", "Fase"])
        for i in range(n):
            w.writerow(
                [
                    f"Prosjekt {i:06d}",
                    rng.choice(PEOPLE),
                    rng.choice(PEOPLE),
                    rng.choice(AREAS),
                    rng.choice(["Idé", "Planlegging", "Gjennomføring"]),
                ]
            )


def _traced_import(
    store: GraphStore,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: Path,
    **kw: Any,
) -> tuple[ImportReport, int]:
    """A generated file of N_ROWS imported with a small window: the report and the traced
    Python peak (bytes)."""
    _generate(path, N_ROWS)
    monkeypatch.setattr("importers.tabular.WINDOW_ROWS", WINDOW)
    s = isettings(settings, tmp_path)
    tracemalloc.start()
    try:
        report = imp(store, s, path, mapping="prosjektportalen", **kw)
        return report, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_import_memory_does_not_grow_with_the_rows(
    store: GraphStore, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "prosjektportalen-stor.csv"
    report, peak = _traced_import(store, settings, tmp_path, monkeypatch, path)
    stats = store.stats()
    assert report.plan.rows == N_ROWS
    assert stats["nodes"]["Initiative"] == N_ROWS
    assert sum(stats["relationships"].values()) == 3 * N_ROWS  # 2 roles + the unit
    # the diff counts everything and lists a bounded sample
    assert report.diff.n_nodes_new == N_ROWS + len(PEOPLE) + len(AREAS)
    assert report.diff.n_rels_new == 3 * N_ROWS
    assert len(report.diff.rels_new) < N_ROWS
    # every row is its node's provenance
    node = store.node("initiative:prosjekt-023999")
    assert node is not None and node["sources"] == [f"{path.name}:{N_ROWS + 1}"]
    assert peak / 2**20 < BOUND_MB, f"peak {peak / 2**20:.0f} MB"


def test_spill_compacts_many_times_and_loses_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # a million-row import compacts its runs more than once; the second compaction used to
    # write over the first one's output while reading it
    from graph.records import make_node, make_rel
    from importers.tabular import RecordSpill

    monkeypatch.setattr("importers.tabular.MAX_RUNS", 3)
    spill = RecordSpill(window=2)
    people = [make_node("Person", f"Person {k}") for k in range(7)]
    org = make_node("Organisation", "Kristiansand kommune")
    rows = 40  # 20 runs: compacted 9 times
    try:
        for i in range(rows):
            person = make_node("Person", f"Person {i % 7}", sources=[f"fil.csv:{i + 2}"])
            rel = make_rel("MEMBER_OF", person, org, sources=[f"fil.csv:{i + 2}"])
            spill.add([person, org, rel], set())
        spill.finish()
        assert len(spill.node_runs) < 3
        nodes = {m.node.id: m.node for m in spill.nodes()}
        rels = {r.id: r for r in spill.rels()}
    finally:
        spill.close()
    assert set(nodes) == {p.id for p in people} | {org.id}
    for k, p in enumerate(people):
        want = [f"fil.csv:{i + 2}" for i in range(rows) if i % 7 == k]
        assert nodes[p.id].sources == want  # every row, in row order
    assert len(rels) == 7
    assert sum(len(r.sources) for r in rels.values()) == rows


@pytest.mark.slow
def test_dry_run_with_a_diff_file_lists_every_change_on_disk_not_in_memory(
    store: GraphStore, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store.stats()
    out = tmp_path / "diff.ndjson"
    report, peak = _traced_import(
        store, settings, tmp_path, monkeypatch, tmp_path / "stor.csv", dry_run=True, diff_file=out
    )
    assert store.stats() == before  # a dry run writes nothing
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    kinds = Counter(line["change"] for line in lines)
    assert kinds == {"nodes_new": N_ROWS + len(PEOPLE) + len(AREAS), "rels_new": 3 * N_ROWS}
    assert report.diff.n_nodes_new == kinds["nodes_new"]
    assert len(report.diff.nodes_new) == len(report.diff.rels_new) == SAMPLE
    last = {"change": "nodes_new", "id": "initiative:prosjekt-023999", "kind": "Initiative"}
    assert any(line.items() >= last.items() for line in lines)
    assert not list(tmp_path.glob("*.part"))
    assert peak / 2**20 < DRY_BOUND_MB, f"peak {peak / 2**20:.0f} MB"
