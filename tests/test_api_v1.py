"""/api/v1 end to end with httpx (TestClient) against the app, on every available backend."""

from __future__ import annotations

import gzip
import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import hash_key
from graph.records import GraphBatch, make_node, make_rel
from graph.settings import REPO_ROOT, Settings
from graph.store import GraphStore

WRITE_KEY = "skrive-nokkel-for-test"
READ_KEY = "lese-nokkel-for-test"
BENTE = "person:bente-woldstad"
SAMHANDLINGSKOMMUNEN = "initiative:sak:2020105285-1"
FLERE_I_ARBEID = "initiative:sak:2021019954-3"
V1 = "/api/v1"


def app_settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        db_path=tmp_path,
        data_dir=REPO_ROOT / "data",
        api_key_hash=hash_key(WRITE_KEY),
        read_key_hash=hash_key(READ_KEY),
        cors_origins="https://intranett.kristiansand.example",
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def client(loaded: GraphStore, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(loaded, app_settings(tmp_path))) as c:
        yield c


def assert_problem(r: object, status: int, field: str | None = None) -> dict[str, object]:
    from httpx import Response

    assert isinstance(r, Response)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in r.text and 'File "' not in r.text
    if field is not None:
        fields = [e["field"] for e in body["errors"]]  # type: ignore[attr-defined]
        assert any(f == field or f.startswith(f"{field}.") for f in fields), body
        assert field in body["detail"]
    return body  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- real answers


def test_paths_endpoint_explains_every_hop(client: TestClient) -> None:
    # styringsdokument line 165 (Bente Woldstad in the working group) and line 481 (the
    # project depends on Flere i arbeid): see tests/test_paths.py
    r = client.get(f"{V1}/paths", params={"from": BENTE, "to": FLERE_I_ARBEID, "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["from"]["name"] == "Bente Woldstad" and body["to"]["name"] == "Flere i arbeid"
    best = body["paths"][0]
    assert best["length"] == 2
    assert [h["type"] for h in best["hops"]] == ["HAS_ROLE", "DEPENDS_ON"]
    assert all(h["explanation"] and h["sources"] for p in body["paths"] for h in p["hops"])
    assert best["hops"][0]["from"]["kind_label"] == "Person"
    # only through people: there is no such path within 4 hops
    r = client.get(
        f"{V1}/paths",
        params={"from": BENTE, "to": FLERE_I_ARBEID, "via_kinds": "Person", "max_hops": 3},
    )
    assert r.status_code == 200 and r.json()["paths"] == []
    # repeated and comma-separated lists both work
    r = client.get(
        f"{V1}/paths?from={BENTE}&to={FLERE_I_ARBEID}&rel_types=HAS_ROLE,PART_OF"
        "&rel_types=MEMBER_OF&rel_types=PARTNER_IN"
    )
    assert r.status_code == 200
    assert {h["type"] for p in r.json()["paths"] for h in p["hops"]} <= {
        "HAS_ROLE",
        "PART_OF",
        "MEMBER_OF",
        "PARTNER_IN",
    }


def test_overlaps_matrix_missing_links_and_measures(client: TestClient) -> None:
    r = client.get(f"{V1}/initiatives/{SAMHANDLINGSKOMMUNEN}/overlaps")
    assert r.status_code == 200
    first = r.json()["overlaps"][0]
    assert first["initiative"]["name"] == "Flere i arbeid" and first["has_dependency"]
    assert "Kommunedirektørens ledergruppe" in first["explanation"]

    r = client.get(f"{V1}/overlaps/matrix", params={"programme": FLERE_I_ARBEID})
    assert r.status_code == 200
    # the programme and its seven projects (referat lines 156-192)
    assert len(r.json()["initiatives"]) == 8 and len(r.json()["matrix"]) == 8
    r = client.get(
        f"{V1}/overlaps/matrix", params={"ids": f"{FLERE_I_ARBEID},{SAMHANDLINGSKOMMUNEN}"}
    )
    assert r.json()["pairs"][0]["has_dependency"] is True
    r = client.get(f"{V1}/overlaps/matrix", params={"unit": "unit:samhandling-og-innovasjon"})
    # Samhandling og innovasjon is programme owner of Flere i arbeid (referat line 74) and
    # owner of Soslokal (styringsdokument line 483)
    assert {i["name"] for i in r.json()["initiatives"]} == {"Flere i arbeid", "Soslokal"}

    r = client.get(f"{V1}/missing-links", params={"limit": 50})
    assert r.status_code == 200
    assert any(
        {m["a"]["name"], m["b"]["name"]} >= {"Flere i arbeid"}
        and m["shared"][0]["node"]["name"] == "Agder fylkeskommune"
        for m in r.json()
    )

    r = client.get(f"{V1}/measures", params={"projection": "organisation", "scope": FLERE_I_ARBEID})
    assert r.status_code == 200
    assert r.json()["brokers"][0]["name"] == "Statsforvalteren"


def test_nodes_listing_filtering_sorting_and_pages(client: TestClient) -> None:
    r = client.get(f"{V1}/nodes", params={"kind": "Initiative", "limit": 10, "sort": "name"})
    body = r.json()
    assert body["total"] == 34 and len(body["items"]) == 10 and body["next_offset"] == 10
    names = [i["name"].lower() for i in body["items"]]
    assert names == sorted(names)
    page2 = client.get(f"{V1}/nodes", params={"kind": "Initiative", "limit": 10, "offset": 10})
    assert {i["id"] for i in page2.json()["items"]}.isdisjoint(i["id"] for i in body["items"])
    # Skolematprosjektet is the one initiative recorded as ended (referat line 300)
    r = client.get(f"{V1}/nodes", params={"prop": "status", "value": "avsluttet"})
    assert [i["name"] for i in r.json()["items"]] == ["Skolematprosjektet"]
    r = client.get(f"{V1}/nodes", params={"q": "ARBEID", "kind": "Initiative"})
    assert "Flere i arbeid" in [i["name"] for i in r.json()["items"]]


def test_node_relationships_ego_search_provenance(client: TestClient) -> None:
    r = client.get(f"{V1}/nodes/{BENTE}")
    assert r.json()["relationship_counts"] == {"HAS_ROLE": 1, "MEMBER_OF": 1}
    r = client.get(f"{V1}/nodes/{BENTE}/relationships", params={"type": "MEMBER_OF"})
    item = r.json()["items"][0]
    assert item["explanation"] == "Bente Woldstad er medlem av Helse- og mestring"
    assert item["sources"] == ["styringsdokument-samhandlingskommunen.txt:165"]
    r = client.get(f"{V1}/nodes/{FLERE_I_ARBEID}/ego", params={"hops": 2, "limit": 10})
    assert len(r.json()["nodes"]) == 10 and r.json()["cut"]["nodes"] > 0
    r = client.get(f"{V1}/search", params={"q": "Flere i arbeid"})
    assert r.json()[0]["id"] == FLERE_I_ARBEID
    # by alias: the minutes call project 7 "«StimuLab»-prosjektet" (referat lines 189, 196)
    hit = client.get(f"{V1}/search", params={"q": "StimuLab-prosjektet"}).json()[0]
    assert hit["name"] == "Mer treffsikker innsats for arbeidsinkludering"
    assert hit["matched"] != hit["name"]
    rel = f"{SAMHANDLINGSKOMMUNEN}|DEPENDS_ON|{FLERE_I_ARBEID}"
    r = client.get(f"{V1}/relationships/{quote(rel, safe='')}/provenance")
    assert r.status_code == 200
    body = r.json()
    assert body["explanation"].startswith("Samhandlingskommunen Kristiansand")
    texts = {s["source"]: s["text"] for s in body["sources"]}
    # the quoted line is the row of the dependency table in chapter 8
    assert texts["styringsdokument-samhandlingskommunen.txt:481"].startswith("Flere i arbeid\t")


@pytest.mark.parametrize("fmt", ["json", "graphml", "gexf", "xlsx"])
def test_export_formats(client: TestClient, fmt: str) -> None:
    r = client.get(f"{V1}/export", params={"format": fmt})
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    if fmt == "json":
        assert len(r.json()["nodes"]) > 250
    elif fmt == "xlsx":
        sheets = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
        assert "xl/worksheets/sheet2.xml" in sheets
    else:
        import networkx as nx

        reader = nx.read_graphml if fmt == "graphml" else nx.read_gexf
        g = reader(io.BytesIO(r.content))
        assert g.number_of_nodes() > 250 and g.has_edge(SAMHANDLINGSKOMMUNEN, FLERE_I_ARBEID)


# --------------------------------------------------------------------------- error classes


def test_unknown_ids_are_404(client: TestClient) -> None:
    for url in (
        f"{V1}/nodes/person:finnes-ikke",
        f"{V1}/nodes/person:finnes-ikke/relationships",
        f"{V1}/nodes/person:finnes-ikke/ego",
        f"{V1}/initiatives/initiative:finnes-ikke/overlaps",
        f"{V1}/initiatives/{BENTE}/overlaps",  # a person is not an initiative
        f"{V1}/relationships/x%7CKNOWS%7Cy/provenance",
        f"{V1}/measures/snapshots/compare?from=2020-01-01&to=2020-04-01",
    ):
        body = assert_problem(client.get(url), 404)
        assert "finner ingen" in str(body["detail"]) or "ingen øyeblikksbilde" in str(
            body["detail"]
        )
    body = assert_problem(
        client.get(f"{V1}/paths", params={"from": BENTE, "to": "person:finnes-ikke"}), 404, "to"
    )


def test_nul_characters_never_reach_the_database(client: TestClient) -> None:
    # found by schemathesis: FalkorDB reads query parameters as a C string
    assert_problem(client.get(f"{V1}/measures?projection=person&scope=%00"), 404, "scope")
    assert_problem(client.get(f"{V1}/nodes/person:bente%00-woldstad-x"), 404)
    r = client.get(f"{V1}/nodes?kind=Initiative&q=arb%00eid")
    assert r.status_code == 200 and "Flere i arbeid" in [i["name"] for i in r.json()["items"]]
    assert client.get("/nodes/person:x%00y").status_code == 404


def test_bad_parameters_are_422_naming_the_field(client: TestClient) -> None:
    assert_problem(client.get(f"{V1}/nodes", params={"kind": "Drage"}), 422, "kind")
    assert_problem(client.get(f"{V1}/nodes", params={"limit": "mange"}), 422, "limit")
    assert_problem(client.get(f"{V1}/nodes", params={"prop": "farge", "value": "blå"}), 422, "prop")
    assert_problem(client.get(f"{V1}/nodes/{BENTE}/ego", params={"hops": 0}), 422, "hops")
    assert_problem(client.get(f"{V1}/paths", params={"from": BENTE}), 422, "to")
    assert_problem(
        client.get(
            f"{V1}/paths", params={"from": BENTE, "to": FLERE_I_ARBEID, "via_kinds": "Drage"}
        ),
        422,
        "via_kinds",
    )
    assert_problem(
        client.get(f"{V1}/measures", params={"projection": "kommuner"}), 422, "projection"
    )
    assert_problem(client.get(f"{V1}/export", params={"format": "pdf"}), 422, "format")
    assert_problem(client.get(f"{V1}/overlaps/matrix"), 422, "programme")


def test_depth_and_size_beyond_limits_are_400_naming_the_limit(client: TestClient) -> None:
    cases = [
        (f"{V1}/paths", {"from": BENTE, "to": FLERE_I_ARBEID, "max_hops": 7}, "max_hops", 6),
        (f"{V1}/paths", {"from": BENTE, "to": FLERE_I_ARBEID, "k": 6}, "k", 5),
        (f"{V1}/nodes/{BENTE}/ego", {"hops": 4}, "ego_hops", 3),
        (f"{V1}/nodes/{BENTE}/ego", {"limit": 5000}, "ego_limit", 2000),
        (f"{V1}/nodes", {"limit": 501}, "results", 500),
        (f"{V1}/missing-links", {"limit": 1000}, "results", 500),
        (
            f"{V1}/overlaps/matrix",
            {"ids": ",".join(f"initiative:{i}" for i in range(101))},
            "matrix",
            100,
        ),
    ]
    for url, params, limit, maximum in cases:
        body = assert_problem(client.get(url, params=params), 400)
        assert body["limit"] == limit and body["maximum"] == maximum, body
        assert f"over grensen {limit}={maximum}" in str(body["detail"])


def test_a_query_over_the_time_limit_is_400_naming_it(loaded: GraphStore, tmp_path: Path) -> None:
    # the same graph, opened with a 1 ms server-side timeout per query (passed to the backend)
    strict = loaded.dialect.settings.model_copy(update={"query_timeout": 0.001})  # type: ignore[attr-defined]
    store = GraphStore.open(strict)
    try:
        settings = app_settings(tmp_path, query_timeout=0.001)
        with TestClient(create_app(store, settings)) as c:
            # the five shortest paths of up to six hops between two municipalities (0.1 s on
            # FalkorDB; 0.04-0.3 s on Neo4j, whose test server checks its limit every 10 ms)
            params = {"from": "municipality:4204", "to": "municipality:3911", "k": 5, "max_hops": 6}
            body = assert_problem(c.get(f"{V1}/paths", params=params), 400)
            assert body["limit"] == "query_timeout" and body["maximum"] == 0.001
            assert "query_timeout" in str(body["detail"])
            # the worker is free: the next request is answered at once. Neo4j samples its
            # limit every 10 ms, so at 1 ms even a short look-up may be stopped there: then
            # the answer is the same clear problem, not a hang or a 500
            t0 = time.perf_counter()
            nxt = c.get(f"{V1}/nodes/{BENTE}")
            assert time.perf_counter() - t0 < 5
            if store.backend == "embedded" or nxt.status_code != 400:
                assert nxt.status_code == 200, nxt.text
            else:
                assert nxt.json()["limit"] == "query_timeout"
    finally:
        store.close()


def test_writes_need_a_write_key(client: TestClient) -> None:
    url = f"{V1}/measures/snapshots"
    r = client.post(url)
    assert_problem(r, 401)
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert_problem(client.post(url, headers={"X-API-Key": "gjettet"}), 401)
    assert_problem(client.post(url, headers={"X-API-Key": READ_KEY}), 403)
    before = client.get(url).json()["dates"]
    r = client.post(url, headers={"Authorization": f"Bearer {WRITE_KEY}"})
    assert r.status_code == 201 and r.json()["node_count"] > 0
    # the write emptied the response cache: the new snapshot shows at once
    after = client.get(url).json()["dates"]
    assert after == sorted({*before, r.json()["date"]})


def test_reads_can_require_a_key(loaded: GraphStore, tmp_path: Path) -> None:
    settings = app_settings(tmp_path, read_key_required=True)
    with TestClient(create_app(loaded, settings)) as c:
        assert_problem(c.get(f"{V1}/nodes/{BENTE}"), 401)
        assert_problem(c.get(f"{V1}/nodes/{BENTE}", headers={"X-API-Key": "feil"}), 401)
        r = c.get(f"{V1}/nodes/{BENTE}", headers={"X-API-Key": READ_KEY})
        assert r.status_code == 200 and r.headers["cache-control"].startswith("private")


# --------------------------------------------------------------------------- HTTP behaviour


def test_etag_cache_control_gzip_and_cors(client: TestClient) -> None:
    url = f"{V1}/nodes?kind=Initiative&limit=50"
    r = client.get(url, headers={"Origin": "https://intranett.kristiansand.example"})
    assert r.status_code == 200
    etag = r.headers["etag"]
    assert etag.startswith('W/"')
    assert r.headers["cache-control"] == "public, max-age=30"
    assert r.headers["access-control-allow-origin"] == "https://intranett.kristiansand.example"
    r2 = client.get(url, headers={"If-None-Match": etag})
    assert r2.status_code == 304 and r2.content == b"" and r2.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": 'W/"annet"'}).status_code == 200
    other = client.get(url, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    # gzip on the wire (httpx decodes it; read the raw stream to see it)
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as s:
        assert s.headers["content-encoding"] == "gzip"
        raw = b"".join(s.iter_raw())
    assert gzip.decompress(raw).startswith(b'{"total":34')
    # a keyed read is private
    r = client.get(url, headers={"X-API-Key": WRITE_KEY})
    assert r.headers["cache-control"].startswith("private")


# --------------------------------------------------------------------------- GDPR


def test_public_scope_never_leaks_email_or_phone(store: GraphStore, tmp_path: Path) -> None:
    email, phone = "kari.nordmann@kristiansand.kommune.no", "+47 38 07 50 00"
    b = GraphBatch()
    kari = b.add_node(
        make_node("Person", "Kari Nordmann", {"email": email, "phone": phone}, ["test.csv:2"])
    )
    ola = b.add_node(
        make_node("Person", "Ola Nordmann", {"email": "ola@example.no"}, ["test.csv:3"])
    )
    proj = b.add_node(make_node("Initiative", "Testprosjekt", {"kind": "project"}, ["test.csv:4"]))
    b.add_rel(make_rel("HAS_ROLE", kari, proj, {"role": "prosjektleder"}, ["test.csv:2"]))
    b.add_rel(make_rel("HAS_ROLE", ola, proj, {"role": "deltaker"}, ["test.csv:3"]))
    store.upsert(b)
    secrets = (email, phone, "38 07 50 00", "ola@example.no")
    with TestClient(create_app(store, app_settings(tmp_path))) as c:
        urls = [
            f"{V1}/nodes?kind=Person",
            f"{V1}/nodes/{kari.id}",
            f"{V1}/nodes/{kari.id}/relationships",
            f"{V1}/nodes/{proj.id}/ego?hops=2",
            f"{V1}/paths?from={kari.id}&to={ola.id}",
            f"{V1}/search?q=Kari",
            f"{V1}/measures?projection=person",
            *(f"{V1}/export?format={f}" for f in ("json", "graphml", "gexf")),
            f"/nodes/{kari.id}",
        ]
        for url in urls:
            for headers in ({}, {"X-API-Key": READ_KEY}):
                r = c.get(url, headers=headers)
                assert r.status_code == 200, (url, r.text)
                assert not any(s in r.text for s in secrets), url
        xlsx = c.get(f"{V1}/export?format=xlsx").content
        with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
            text = "".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist())
        assert "Kari Nordmann" in text and not any(s in text for s in secrets)
        # nobody may filter on a personal property without the internal scope
        assert_problem(c.get(f"{V1}/nodes", params={"prop": "email", "value": email}), 422, "prop")
        # the internal scope (a configured write key) may see them
        internal = {"X-API-Key": WRITE_KEY}
        assert (
            c.get(f"{V1}/nodes/{kari.id}", headers=internal).json()["properties"]["email"] == email
        )
        r = c.get(f"{V1}/nodes", params={"prop": "email", "value": email}, headers=internal)
        assert [i["name"] for i in r.json()["items"]] == ["Kari Nordmann"]
