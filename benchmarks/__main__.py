"""Run the benchmarks (benchmarks/bench_*.py): `python -m benchmarks [name …]`.

`make bench` runs them all (about 15 minutes on a 2-core machine). One benchmark:
`python -m benchmarks bench_queries` (or `python -m benchmarks.bench_queries`). One store:
`SAMGRAF_BENCH_STORES=neo4j python -m benchmarks bench_load`. The Neo4j is the one NEO4J_URI
names, else a local one the run starts and stops (see benchmarks/common.py). At the end the
side-by-side table of load, import, queries and api is printed and written to
benchmarks/results/side_by_side.{json,md}. The million-row Neo4j load is opt-in:
`python -m benchmarks.bench_import --rows 1000000 --stores neo4j --batches 1000,5000,20000`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from benchmarks import summary
from benchmarks.common import stop_neo4j


def discover() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def main(names: list[str]) -> None:
    results: dict[str, dict[str, Any]] = {}
    failed: list[str] = []
    t0 = time.perf_counter()
    try:
        for name in names or discover():
            name = name if name.startswith("bench_") else f"bench_{name}"
            module = importlib.import_module(f"benchmarks.{name}")
            t = time.perf_counter()
            try:
                results[name.removeprefix("bench_")] = module.run() or {}
            except Exception:  # one broken benchmark does not cost the others' figures
                traceback.print_exc()
                failed.append(name)
            print(f"  ({name}: {time.perf_counter() - t:.0f} s)", flush=True)
    finally:
        stop_neo4j()
    summary.write(results)
    print(f"\n(total {time.perf_counter() - t0:.0f} s)")
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])
