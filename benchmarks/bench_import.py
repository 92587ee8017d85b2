"""Import of a 100,000-row project list (CSV, Prosjektportalen mapping), on both stores.

Baseline, per store (same run, same rows): a bare `csv.reader` pass over the file plus the bare
batched UNWIND-MERGE loop (`bench.bare_nodes` / `bench.bare_rels`, each batch its own
transaction) of the same nodes and relationships, prepared in advance. Measured: `samgraf
import` end to end (`importers.run.run_import`): encoding and delimiter detection, header
matching, row-by-row validation against the model, entity resolution against the graph and
within the file, the diff, and one atomic write with provenance. Each runs in a child process
of its own, so the peak resident memory (ru_maxrss) of each is measured too, beside the
database server's (FalkorDB's redis-server, started fresh by each child; the local Neo4j's
JVM, whose peak is since it started). The import streams (validated facts on disk in sorted
runs, diff counted chunk by chunk, records streamed into one transaction), so its peak memory
does not grow with the rows the way the baseline's (which holds every row) does.

Large first loads (opt-in, not in `make bench`):

    python -m benchmarks.bench_import --rows 1000000 --stores neo4j \
        --batches 1000,5000,20000 --imports 20000/batch,5000/one

`--batches` sets the rows per UNWIND statement of the bare loop; `--imports` lists the import
runs as ROWS/COMMIT (or `--commit one,batch`: those at every --batches), ROWS being the rows per
UNWIND statement of the import (`graph.store.BATCH_SIZE`, patched in the child). COMMIT `one`
is `samgraf import` as it is; `batch` runs the same import with every UNWIND statement
committed on its own (`store.dialect.transaction()` replaced by auto-commit statements in the
child: not atomic, not what `samgraf import` does; it shows what the one transaction costs).
`SAMGRAF_BENCH_IMPORT_ROWS` sets the rows of a `make bench` run. Results of a run with other
rows go to results/import-<rows>.json (or `--name`) and their own section of the side-by-side
table.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    STORE_NAMES,
    Neo4jTxMemory,
    backends,
    neo4j_server,
    process_memory_mb,
    ratio,
    report,
    row,
    server_pid,
    store_settings,
)
from graph.store import BATCH_SIZE

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


BATCH = 5000


def bare_import(path: str, db: str, backend: str, batch: int = BATCH) -> dict[str, Any]:
    """csv.reader over the file, then the bare UNWIND-MERGE loop of the same graph."""
    from graph.ids import slug
    from graph.queries import render
    from graph.store import GraphStore

    store = GraphStore.open(store_settings("bench_bare_import", backend, Path(db)))
    store.clear()
    t0 = time.perf_counter()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))[1:]
    csv_s = time.perf_counter() - t0
    nodes: dict[str, dict[str, dict[str, Any]]] = {"Initiative": {}, "Person": {}, "Unit": {}}
    rels: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in rows:
        ini = "initiative:" + slug(r[0])
        nodes["Initiative"][ini] = {"name": r[0], "kind": "project", "phase": r[5]}
        parent = "initiative:" + slug(r[9])
        nodes["Initiative"][parent] = {"name": r[9], "kind": "programme"}
        for who, role in ((r[1], "prosjekteier"), (r[2], "prosjektleder")):
            pid = "person:" + slug(who)
            nodes["Person"][pid] = {"name": who}
            rels.setdefault(("HAS_ROLE", "Person", "Initiative"), []).append(
                {"a": pid, "b": ini, "id": f"{pid}|HAS_ROLE|{ini}|{role}", "props": {"role": role}}
            )
        uid = "unit:" + slug(r[3])
        nodes["Unit"][uid] = {"name": r[3]}
        rels.setdefault(("PARTICIPATES_IN", "Unit", "Initiative"), []).append(
            {"a": uid, "b": ini, "id": f"{uid}|PARTICIPATES_IN|{ini}", "props": {}}
        )
        rels.setdefault(("PART_OF", "Initiative", "Initiative"), []).append(
            {"a": ini, "b": parent, "id": f"{ini}|PART_OF|{parent}", "props": {}}
        )
    prep_s = time.perf_counter() - t0 - csv_s
    t1 = time.perf_counter()
    written = 0
    with store.dialect.write_lock():  # held once for the loop, as an import holds it
        for label, items in nodes.items():
            text, _ = render("bench.bare_nodes", store.backend, label=label)
            node_batch = [{"id": k, "props": v} for k, v in items.items()]
            for i in range(0, len(node_batch), batch):
                store.dialect.run(
                    text, {"rows": node_batch[i : i + batch]}, write=True, timeout=3600
                )
            written += len(node_batch)
        for (t, fk, tk), rel_batch in rels.items():
            text, _ = render("bench.bare_rels", store.backend, type=t, from_label=fk, to_label=tk)
            for i in range(0, len(rel_batch), batch):
                store.dialect.run(
                    text, {"rows": rel_batch[i : i + batch]}, write=True, timeout=3600
                )
            written += len(rel_batch)
    merge_s = time.perf_counter() - t1
    server = process_memory_mb(server_pid(backend, Path(db)))
    store.dialect.drop_all()
    store.close()
    return {
        "csv_s": csv_s,
        "prepare_s": prep_s,
        "merge_s": merge_s,
        "written": written,
        "server": server,
    }


def product_import(
    path: str, db: str, backend: str, batch: int | None = None, commit: str = "one"
) -> dict[str, Any]:
    """`samgraf import` end to end (`run_import`), as the CLI runs it."""
    import graph.store
    from importers.run import run_import

    if batch:
        graph.store.BATCH_SIZE = batch  # read by the chunk writer at every record
    dbp = Path(db)
    s = store_settings(
        "bench_import",
        backend,
        dbp,
        review_db=dbp / "bench-review.sqlite",
        data_dir=Path("data").resolve(),
    )
    (dbp / "bench-review.sqlite").unlink(missing_ok=True)
    store = graph.store.GraphStore.open(s)
    store.clear()
    if commit == "batch":  # every statement its own transaction (see the module docstring)
        # The import holds the write lock in its own thread; the chunk writer's thread runs
        # the statements, so they go past `run` (which would wait for the lock) to the
        # dialect's unlocked runner: what `run` does once it holds the lock.
        d: Any = store.dialect
        if backend == "neo4j":

            def statement(text: str, params: dict[str, Any]) -> Any:
                return d._run(text, params, write=True, timeout=3600)
        else:

            def statement(text: str, params: dict[str, Any]) -> Any:
                return d._query(d.graph_name, text, params, 3600, True)

        @contextlib.contextmanager
        def per_statement() -> Any:
            with d.write_lock():
                yield statement

        store.dialect.transaction = per_statement  # type: ignore[method-assign]
    t0 = time.perf_counter()
    try:
        r = run_import(store, s, Path(path), "prosjektportalen")
    except Exception as exc:  # e.g. Neo4j's transaction memory limit: reported, not fatal
        out: dict[str, Any] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
        out["seconds"] = time.perf_counter() - t0
        out["server"] = process_memory_mb(server_pid(backend, dbp))
        with contextlib.suppress(Exception):
            store.dialect.drop_all()
        store.close()
        return out
    dt = time.perf_counter() - t0
    stats = store.stats()
    server = process_memory_mb(server_pid(backend, dbp))
    store.dialect.drop_all()
    store.close()
    return {
        "seconds": dt,
        "rows": r.plan.rows,
        "nodes": sum(stats["nodes"].values()),
        "relationships": sum(stats["relationships"].values()),
        "merges": len(r.resolution.auto),
        "review": len(r.resolution.review),
        "batch_rows": graph.store.BATCH_SIZE,
        "server": server,
    }


def _child(kind: str, **kwargs: Any) -> dict[str, Any]:
    """Run `bare_import` or `product_import` in a child process of its own."""
    root = Path(__file__).resolve().parent.parent
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_import", "--child", json.dumps([kind, kwargs])],
        cwd=root,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["child_wall_s"] = round(time.perf_counter() - t0, 1)
    return result


def _child_main(spec: str) -> None:
    kind, kwargs = json.loads(spec)
    fn = bare_import if kind == "bare" else product_import
    result = fn(**kwargs)
    result["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


def _baseline(bare: dict[int, Any], batch: int) -> dict[str, Any] | None:
    """The bare loop at the same rows per statement, or the only one measured."""
    if batch in bare:
        return bare[batch]
    return next(iter(bare.values())) if len(bare) == 1 else None


def measure(
    backend: str, path: Path, n_rows: int, batches: list[int], imports: list[tuple[int, str]]
) -> dict[str, Any]:
    if backend == "neo4j":
        neo4j_server()  # started here if need be; the children find it through the env
    db = Path(tempfile.gettempdir()) / "samgraf-bench-import"  # a FalkorDB per child
    db.mkdir(exist_ok=True)
    out: dict[str, Any] = {"bare": {}, "import": {}}
    for batch in batches:
        bare = _child("bare", path=str(path), db=str(db), backend=backend, batch=batch)
        baseline_s = bare["csv_s"] + bare["merge_s"]
        out["bare"][batch] = {
            "csv_reader_s": round(bare["csv_s"], 2),
            "unwind_merge_s": round(bare["merge_s"], 2),
            "s": round(baseline_s, 2),
            "rows_per_s": round(n_rows / baseline_s),
            "graph_rows_per_s": round(bare["written"] / bare["merge_s"]),
            "peak_rss_mb": round(bare["maxrss_kb"] / 1024),
            "server": bare["server"],
        }
    for batch, commit in imports:
        with Neo4jTxMemory() if backend == "neo4j" else contextlib.nullcontext() as txm:
            res = _child(
                "import",
                path=str(path),
                db=str(db),
                backend=backend,
                batch=None if batch == BATCH_SIZE else batch,  # patched only if it differs
                commit=commit,
            )
        tx_mb = {"neo4j_tx_memory_peak_mb": txm.peak_mb} if txm is not None else {}
        key = f"{batch}/{commit}"
        if "error" in res:
            out["import"][key] = {
                "error": res["error"],
                "failed_after_s": round(res["seconds"], 1),
                "peak_rss_mb": round(res["maxrss_kb"] / 1024),
                "server": res["server"],
                **tx_mb,
            }
            continue
        base = _baseline(out["bare"], batch)
        out["import"][key] = {
            "s": round(res["seconds"], 2),
            "rows_per_s": round(n_rows / res["seconds"]),
            "graph_rows_per_s": round((res["nodes"] + res["relationships"]) / res["seconds"]),
            "peak_rss_mb": round(res["maxrss_kb"] / 1024),
            "vs_baseline_throughput": round(base["s"] / res["seconds"], 3) if base else None,
            "nodes": res["nodes"],
            "relationships": res["relationships"],
            "automatic_merges": res["merges"],
            "review_proposals": res["review"],
            "batch_rows": res["batch_rows"],
            "server": res["server"],
            **tx_mb,
            "child_wall_s": res["child_wall_s"],
        }
    return out


def run(
    n_rows: int | None = None,
    stores: list[str] | None = None,
    batches: list[int] | None = None,
    imports: list[tuple[int, str]] | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """`batches`: rows per statement of the bare loop; `imports`: (rows per statement,
    "one" | "batch") of each import run. Default: what `make bench` measures."""
    n_rows = n_rows or int(os.environ.get("SAMGRAF_BENCH_IMPORT_ROWS", N_ROWS))
    stores = stores or backends()
    batches = batches if batches is not None else [BATCH]
    imports = imports if imports is not None else [(BATCH_SIZE, "one")]
    tmp = Path(tempfile.mkdtemp(prefix="samgraf-bench-import-"))
    path = tmp / f"prosjektportalen-{n_rows}.csv"
    generate(path, n_rows)
    file_mb = round(path.stat().st_size / 2**20, 1)
    try:
        per_store = {b: measure(b, path, n_rows, batches, imports) for b in stores}
    finally:
        path.unlink()
        tmp.rmdir()
    name = name or ("import" if n_rows == N_ROWS else f"import-{n_rows}")
    label = f"{n_rows // 1000}k" if n_rows < 1_000_000 else f"{n_rows / 1e6:g}M"
    default = batches == [BATCH] and imports == [(BATCH_SIZE, "one")] and n_rows == N_ROWS

    def sfx(batch: int) -> str:
        return "" if default else f", {batch} rows/UNWIND"

    rows = [
        row(
            f"import {label} rows: csv.reader + bare UNWIND-MERGE (baseline{sfx(batch)})",
            "rows/s",
            {b: (f["bare"][batch]["rows_per_s"], 1.0) for b, f in per_store.items()},
        )
        for batch in batches
    ]
    for batch, commit in imports:
        key = f"{batch}/{commit}"
        how = ("one transaction" if commit == "one" else "each UNWIND committed alone") + sfx(batch)
        cells: dict[str, tuple[Any, Any]] = {}
        mem: dict[str, tuple[Any, Any]] = {}
        srv: dict[str, tuple[Any, Any]] = {}
        txm: dict[str, tuple[Any, Any]] = {}
        for b, f in per_store.items():
            imp, base = f["import"][key], _baseline(f["bare"], batch)
            if "neo4j_tx_memory_peak_mb" in imp:
                txm[b] = (imp["neo4j_tx_memory_peak_mb"], None)
            if imp.get("server"):
                before = (base or {}).get("server")
                srv[b] = (
                    imp["server"]["peak_rss_mb"],
                    ratio(imp["server"]["peak_rss_mb"], before["peak_rss_mb"]) if before else None,
                )
            mem[b] = (
                imp["peak_rss_mb"],
                ratio(imp["peak_rss_mb"], base["peak_rss_mb"]) if base else None,
            )
            if "error" in imp:
                cells[b] = (f"failed after {imp['failed_after_s']} s", None)
            else:
                vs = imp["vs_baseline_throughput"]
                cells[b] = (imp["rows_per_s"], round(vs, 2) if vs is not None else None)
        rows.append(row(f"import: samgraf import end to end ({how})", "rows/s", cells))
        rows.append(row(f"import: peak RSS of the import process ({how})", "MB", mem))
        rows.append(row(f"import: database server peak RSS ({how})", "MB", srv))
        if txm:
            rows.append(row(f"import: Neo4j transaction memory peak ({how})", "MB", txm))
    figures: dict[str, Any] = {
        "rows": n_rows,
        "file_mb": file_mb,
        "bare_batches": batches,
        "imports": [f"{b}/{c}" for b, c in imports],
        **{STORE_NAMES[b]: f for b, f in per_store.items()},
        "note": "baseline = bare csv.reader + bare UNWIND-MERGE of prepared rows (no "
        "validation, provenance, resolution, diff or atomic swap), each batch its own "
        "transaction; its peak memory includes holding every row. Server peak RSS: "
        "FalkorDB's redis-server started by each child (ratio: import's vs the bare "
        "loop's); Neo4j's JVM since the server started (so the ratio is at least 1).",
        "side_by_side": rows,
    }
    report(name, figures)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--stores", default=None, help="embedded,neo4j (default: both)")
    parser.add_argument(
        "--batches", default=None, help="rows per UNWIND, e.g. 1000,5000,20000 (bare loop)"
    )
    parser.add_argument(
        "--commit", default="one", help="one, batch or one,batch: imports at every --batches"
    )
    parser.add_argument(
        "--imports",
        default=None,
        help="instead of --commit: the import runs as ROWS/COMMIT, e.g. 20000/batch,5000/one "
        "('none': bare loop only)",
    )
    parser.add_argument("--name", default=None, help="results/<name>.json (default by rows)")
    args = parser.parse_args(argv)
    if args.child:
        _child_main(args.child)
        return
    from benchmarks import summary
    from benchmarks.common import stop_neo4j

    batches = [int(b) for b in args.batches.split(",")] if args.batches else [BATCH]
    if args.imports == "none":
        imports: list[tuple[int, str]] = []
    elif args.imports:
        imports = [(int(b), c) for b, c in (x.split("/") for x in args.imports.split(","))]
    else:
        imports = [(b, c) for b in batches for c in args.commit.split(",")]
    try:
        figures = run(
            args.rows,
            args.stores.split(",") if args.stores else None,
            batches,
            imports,
            args.name,
        )
    finally:
        stop_neo4j()
    rows = figures["rows"]
    summary.write({args.name or ("import" if rows == N_ROWS else f"import_{rows}"): figures})


if __name__ == "__main__":
    main()
