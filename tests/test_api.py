"""The first-cut API, end to end with httpx against the app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.store import GraphStore


@pytest.fixture
def client(loaded: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(loaded)) as c:
        yield c


def test_health(client: TestClient, loaded: GraphStore) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["nodes"] > 250


def test_fuzzy_search_finds_flere_i_arbeid(client: TestClient) -> None:
    r = client.get("/nodes", params={"q": "flere i arbeidd"})
    assert r.status_code == 200
    assert r.json()[0]["name"] == "Flere i arbeid"
    r = client.get("/nodes", params={"q": "UiA", "kind": "Organisation"})
    assert r.json()[0]["name"] == "Universitetet i Agder"


def test_node_detail_groups_neighbours_and_explains(client: TestClient) -> None:
    hit = client.get("/nodes", params={"q": "Camilla Jarlsby"}).json()[0]
    r = client.get(f"/nodes/{hit['id']}")
    assert r.status_code == 200
    body = r.json()
    assert body["kind"] == "Person" and body["provenance"]["sources"]
    roles = body["neighbours"]["HAS_ROLE"]
    assert any(
        n["explanation"].startswith("Camilla Jarlsby er prosjekteier i Samhandlingskommunen")
        for n in roles
    )


def test_unknown_id_is_a_problem_json_404(client: TestClient) -> None:
    r = client.get("/nodes/person:finnes-ikke")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "finner ingen node" in r.json()["detail"]


def test_bad_parameter_is_422_naming_the_field(client: TestClient) -> None:
    r = client.get("/nodes", params={"q": "x", "kind": "Dragon"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "kind"


def test_view_of_a_node_is_offline_html(client: TestClient) -> None:
    hit = client.get("/nodes", params={"q": "Flere i arbeid"}).json()[0]
    r = client.get(f"/views/{hit['id']}.html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "vis.Network" in r.text and "https://cdn" not in r.text


def test_public_responses_never_contain_email_or_phone(loaded: GraphStore) -> None:
    from graph.records import GraphBatch, make_node, make_rel

    b = GraphBatch()
    p = b.add_node(
        make_node(
            "Person",
            "Test Testesen",
            {"email": "test@kristiansand.kommune.no", "phone": "+47 99 99 99 99"},
            ["test.csv:2"],
        )
    )
    i = b.add_node(
        make_node("Initiative", "Flere i arbeid test", {"kind": "project"}, ["test.csv:2"])
    )
    b.add_rel(make_rel("HAS_ROLE", p, i, {"role": "prosjektleder"}, ["test.csv:2"]))
    loaded.upsert(b)
    try:
        with TestClient(create_app(loaded)) as c:
            for path in (f"/nodes/{p.id}", f"/views/{p.id}.html", f"/nodes/{i.id}"):
                text = c.get(path).text
                assert "kristiansand.kommune.no" not in text and "99 99 99 99" not in text, path
    finally:
        loaded.run_text(
            "MATCH (n:Node) WHERE n.id IN $ids DETACH DELETE n", {"ids": [p.id, i.id]}, write=True
        )
