"""Import of a 100,000-row project list (CSV, Prosjektportalen mapping) into the embedded store.

Baseline (same run, same rows): a bare `csv.reader` pass over the file plus the bare batched
UNWIND-MERGE loop (`bench.bare_nodes` / `bench.bare_rels`) of the same nodes and
relationships, prepared in advance. Measured: `samgraf import` end to end
(`importers.run.run_import`): encoding and delimiter detection, header matching, row-by-row
validation against the model, entity resolution against the graph and within the file, the
diff, and one atomic write with provenance. Both run in a child process of their own, so the
peak resident memory (ru_maxrss) of each is measured too. The import streams (validated facts
on disk in sorted runs, diff counted chunk by chunk, records streamed into one transaction), so
its peak memory does not grow with the rows the way the baseline's (which holds every row) does.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import report

N_ROWS = 100_000
HEADER = [
    "Tittel",
    "Prosjekteier",
    "Prosjektleder",
    "Tjenesteområde",
    "Prosjekttype",
    "Fase",
    "Status",
    "Startdato",
    "Sluttdato",
    "Overordnet prosjekt",
]
FIRST = [
    "Anne",
    "Bente",
    "Camilla",
    "Elisabeth",
    "Kristin",
    "Mette",
    "Stine",
    "Bibbi",
    "Ingrid",
    "Jan",
    "Bernt",
    "Svein",
    "Sverre",
    "Thomas",
    "Ole",
    "Lars",
    "Knut",
    "Hilde",
    "Tone",
]
LAST = [
    "Aunevik",
    "Woldstad",
    "Jarlsby",
    "Engemyr",
    "Skjeldbred",
    "Breland",
    "Sagen",
    "Sørensen",
    "Skisland",
    "Stray",
    "Ueland",
    "Mangrud",
    "Pedersen",
    "Hansen",
    "Olsen",
    "Johansen",
    "Larsen",
    "Andersen",
    "Nilsen",
    "Kristiansen",
    "Berg",
    "Haugen",
    "Dahl",
]
AREAS = [
    "Oppvekst",
    "Helse og mestring",
    "Kultur og innbyggerdialog",
    "Samhandling og innovasjon",
    "Økonomi",
    "Teknisk",
    "By- og stedsutvikling",
    "Arbeid og inkludering",
]


def generate(path: Path, n: int = N_ROWS, seed: int = 5) -> None:
    rng = random.Random(seed)
    people = [f"{f} {ln}" for f in FIRST for ln in LAST]
    # a few people are also written with a middle initial: candidates for review
    people += [f"{f} S. {ln}" for f in FIRST[:3] for ln in LAST[:5]]
    programmes = [f"Program {i}" for i in range(1, 201)]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(HEADER)
        for i in range(n):
            d = rng.randint(1, 28)
            m = rng.randint(1, 12)
            w.writerow(
                [
                    f"Prosjekt {i:06d}",
                    rng.choice(people),
                    rng.choice(people),
                    rng.choice(AREAS),
                    "Prosjekt",
                    rng.choice(["Idé", "Planlegging", "Gjennomføring", "Avsluttet"]),
                    "Aktiv",
                    f"{d}.{m}.2022",
                    f"{d:02d}.{m:02d}.24",
                    rng.choice(programmes),
                ]
            )


CHILD_LOADER = """
import json, resource, sys, time
from pathlib import Path
from graph.settings import Settings
from graph.store import GraphStore
from importers.run import run_import
path, db = Path(sys.argv[1]), Path(sys.argv[2])
s = Settings(store="embedded", db_path=db, graph_name="bench_import",
             review_db=db / "bench-review.sqlite", data_dir=Path("data").resolve())
(db / "bench-review.sqlite").unlink(missing_ok=True)
store = GraphStore.open(s)
store.clear()
t0 = time.perf_counter()
r = run_import(store, s, path, "prosjektportalen")
dt = time.perf_counter() - t0
stats = store.stats()
store.dialect.drop_all()
store.close()
print(json.dumps({"seconds": dt, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "rows": r.plan.rows, "nodes": sum(stats["nodes"].values()),
                  "relationships": sum(stats["relationships"].values()),
                  "merges": len(r.resolution.auto), "review": len(r.resolution.review)}))
"""

CHILD_BARE = """
import csv, json, resource, sys, time
from pathlib import Path
from graph.ids import slug
from graph.queries import render
from graph.settings import Settings
from graph.store import GraphStore
path, db = Path(sys.argv[1]), Path(sys.argv[2])
store = GraphStore.open(Settings(store="embedded", db_path=db, graph_name="bench_bare_import"))
store.clear()
t0 = time.perf_counter()
with open(path, encoding="utf-8-sig", newline="") as fh:
    rows = list(csv.reader(fh, delimiter=";"))[1:]
csv_s = time.perf_counter() - t0
nodes = {"Initiative": {}, "Person": {}, "Unit": {}}
rels = {}
for r in rows:
    ini = "initiative:" + slug(r[0])
    nodes["Initiative"][ini] = {"name": r[0], "kind": "project", "phase": r[5]}
    parent = "initiative:" + slug(r[9])
    nodes["Initiative"][parent] = {"name": r[9], "kind": "programme"}
    for who, role in ((r[1], "prosjekteier"), (r[2], "prosjektleder")):
        pid = "person:" + slug(who)
        nodes["Person"][pid] = {"name": who}
        rels.setdefault(("HAS_ROLE", "Person", "Initiative"), []).append(
            {"a": pid, "b": ini, "id": f"{pid}|HAS_ROLE|{ini}|{role}", "props": {"role": role}})
    uid = "unit:" + slug(r[3])
    nodes["Unit"][uid] = {"name": r[3]}
    rels.setdefault(("PARTICIPATES_IN", "Unit", "Initiative"), []).append(
        {"a": uid, "b": ini, "id": f"{uid}|PARTICIPATES_IN|{ini}", "props": {}})
    rels.setdefault(("PART_OF", "Initiative", "Initiative"), []).append(
        {"a": ini, "b": parent, "id": f"{ini}|PART_OF|{parent}", "props": {}})
prep_s = time.perf_counter() - t0 - csv_s
t1 = time.perf_counter()
for label, items in nodes.items():
    text, _ = render("bench.bare_nodes", "falkordb", label=label)
    batch = [{"id": k, "props": v} for k, v in items.items()]
    for i in range(0, len(batch), 5000):
        store.dialect.run(text, {"rows": batch[i:i + 5000]}, write=True, timeout=600)
for (t, fk, tk), batch in rels.items():
    text, _ = render("bench.bare_rels", "falkordb", type=t, from_label=fk, to_label=tk)
    for i in range(0, len(batch), 5000):
        store.dialect.run(text, {"rows": batch[i:i + 5000]}, write=True, timeout=600)
merge_s = time.perf_counter() - t1
store.dialect.drop_all()
store.close()
print(json.dumps({"csv_s": csv_s, "prepare_s": prep_s, "merge_s": merge_s,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _child(code: str, *args: str) -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=root, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run() -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="samgraf-bench-import-"))
    path = tmp / "prosjektportalen-100k.csv"
    generate(path)
    db = Path(tempfile.gettempdir()) / "samgraf-bench"
    db.mkdir(exist_ok=True)
    bare = _child(CHILD_BARE, str(path), str(db))
    t0 = time.perf_counter()
    loader = _child(CHILD_LOADER, str(path), str(db))
    wall = time.perf_counter() - t0
    baseline_s = bare["csv_s"] + bare["merge_s"]
    figures = {
        "rows": N_ROWS,
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "baseline_csv_reader_s": round(bare["csv_s"], 2),
        "baseline_unwind_merge_s": round(bare["merge_s"], 2),
        "baseline_s": round(baseline_s, 2),
        "baseline_rows_per_s": round(N_ROWS / baseline_s),
        "baseline_peak_rss_mb": round(bare["maxrss_kb"] / 1024),
        "import_s": round(loader["seconds"], 2),
        "import_rows_per_s": round(N_ROWS / loader["seconds"]),
        "import_peak_rss_mb": round(loader["maxrss_kb"] / 1024),
        "import_vs_baseline_throughput": round(baseline_s / loader["seconds"], 3),
        "nodes": loader["nodes"],
        "relationships": loader["relationships"],
        "automatic_merges": loader["merges"],
        "review_proposals": loader["review"],
        "child_wall_s": round(wall, 1),
        "note": "baseline = bare csv.reader + bare UNWIND-MERGE of prepared rows (no "
        "validation, provenance, resolution, diff or atomic swap); its peak memory "
        "includes holding every row",
    }
    path.unlink()
    report("import", figures)
    return figures


if __name__ == "__main__":
    run()
