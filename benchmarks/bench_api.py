"""The API under load on 127.0.0.1: requests/s and p99 for a cached and an uncached read, with
each store behind it.

Server: `uvicorn api.app:app` (one worker) in a subprocess over the bundled Kristiansand
dataset, first in the embedded FalkorDB, then in Neo4j. Load generator: an async httpx client
with a fixed number of concurrent connections to 127.0.0.1 only, bounded in time (20 s for the
cached read, 15 s for the uncached one) and in count. Reads:

- cached: GET /api/v1/initiatives/<Flere i arbeid>/overlaps, answered from the in-process
  response cache after the first request;
- uncached: the same URL with `Cache-Control: no-cache`, which bypasses the cache, so every
  request runs the overlap queries in the database.

Baseline, per store, in the same run just before that store's reads: a bare ASGI app under the
same uvicorn and the same load generator (the ceiling of HTTP + client on this machine: on 2
CPUs the client and the server share them, so a cached read cannot be measured faster than
this; measured per store because the database server idles beside it). Targets, per store:
cached p99 < 100 ms at ≥ 500 req/s.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import (
    STORE_NAMES,
    backends,
    bench_store,
    ratio,
    report,
    row,
    store_env,
    store_settings,
)
from graph.embedded import EmbeddedServer
from graph.settings import REPO_ROOT

DURATION_S = 20.0
UNCACHED_S = 15.0
BASELINE_S = 10.0
TARGET_P99_MS = 100.0
TARGET_RPS = 500
CONCURRENCY = 8
MAX_REQUESTS = 300_000
FLERE_I_ARBEID = "initiative:sak:2021019954-3"
URL = f"/api/v1/initiatives/{FLERE_I_ARBEID}/overlaps"

BARE_APP = textwrap.dedent(
    """
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        body = b'{"ok": true}'
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(app: str, env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/", timeout=1).status_code < 500:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{app} did not start: {proc.stderr.read().decode() if proc.stderr else ''}")


async def load(base: str, path: str, headers: dict[str, str], seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        await client.get(path, headers=headers)  # warm-up (fills the cache)
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline and len(latencies) < MAX_REQUESTS:
                t0 = time.perf_counter()
                r = await client.get(path, headers=headers)
                latencies.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 1),
        "req_per_s": round(len(latencies) / elapsed),
        "p50_ms": round(q[49] * 1000, 2),
        "p99_ms": round(q[98] * 1000, 2),
    }


def measure(backend: str) -> dict[str, Any]:
    from importers.bundled import load_dataset

    db = Path(tempfile.gettempdir()) / "samgraf-bench-api"
    settings = store_settings("bench_api", backend, db, data_dir=REPO_ROOT / "data")
    store = bench_store("bench_api", db, backend=backend, data_dir=REPO_ROOT / "data")
    load_dataset(store, settings)
    env = {
        **store_env("bench_api", backend, db),
        "SAMGRAF_KEEP_SERVER": "1",
        "SAMGRAF_API_CACHE_SECONDS": "120",
        "PYTHONPATH": str(REPO_ROOT),
    }
    try:
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "bare_app.py").write_text(BARE_APP)
            proc, base = start("bare_app:app", env, Path(tmp))
            try:
                bare = asyncio.run(load(base, "/", {}, BASELINE_S))
            finally:
                proc.terminate()
                proc.wait(10)

        proc, base = start("api.app:app", env, REPO_ROOT)
        try:
            cached = asyncio.run(load(base, URL, {}, DURATION_S))
            uncached = asyncio.run(load(base, URL, {"Cache-Control": "no-cache"}, UNCACHED_S))
        finally:
            proc.terminate()
            proc.wait(10)
    finally:
        store.dialect.drop_all()
        store.close()
        if backend == "embedded":
            EmbeddedServer(db).stop()
    return {
        "baseline_bare_asgi": bare,
        "cached": cached,
        "uncached": uncached,
        "cached_vs_bare_throughput": round(cached["req_per_s"] / bare["req_per_s"], 3),
        "cached_vs_uncached_throughput": round(cached["req_per_s"] / uncached["req_per_s"], 1),
        "target_met": cached["p99_ms"] < TARGET_P99_MS and cached["req_per_s"] >= TARGET_RPS,
    }


def run() -> dict[str, Any]:
    per_store = {b: measure(b) for b in backends()}

    def cell(read: str, key: str) -> dict[str, tuple[float, float | None]]:
        return {
            b: (f[read][key], ratio(f[read][key], f["baseline_bare_asgi"][key]))
            for b, f in per_store.items()
        }

    target = f"cached p99 < {TARGET_P99_MS:g} ms at ≥ {TARGET_RPS} req/s"
    met = {b: f["target_met"] for b, f in per_store.items()}
    figures: dict[str, Any] = {
        "url": URL,
        "concurrency": CONCURRENCY,
        "server": "uvicorn, 1 worker",
        "seconds": {"baseline": BASELINE_S, "cached": DURATION_S, "uncached": UNCACHED_S},
        **{STORE_NAMES[b]: f for b, f in per_store.items()},
        "target": target + " (each store)",
        "side_by_side": [
            row(
                "API: bare ASGI app, same uvicorn and client (baseline)",
                "req/s",
                {b: (f["baseline_bare_asgi"]["req_per_s"], 1.0) for b, f in per_store.items()},
            ),
            row("API: cached overlaps read, throughput", "req/s", cell("cached", "req_per_s")),
            row("API: cached overlaps read, p99", "ms", cell("cached", "p99_ms"), target, met),
            row("API: uncached overlaps read, throughput", "req/s", cell("uncached", "req_per_s")),
            row("API: uncached overlaps read, p99", "ms", cell("uncached", "p99_ms")),
        ],
    }
    report("api", figures)
    return figures


if __name__ == "__main__":
    run()
