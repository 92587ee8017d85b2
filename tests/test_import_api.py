"""/api/v1/imports and /api/v1/review over HTTP (TestClient), with the write key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import hash_key
from graph.settings import REPO_ROOT, Settings
from graph.store import GraphStore
from importers.bundled import load_dataset

KEY = "skrivenokkel-import"
EXAMPLES = REPO_ROOT / "data" / "examples"
V1 = "/api/v1"


@pytest.fixture
def client(store: GraphStore, settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    s = settings.model_copy(
        update={
            "db_path": tmp_path,
            "api_key_hash": hash_key(KEY),
            "review_db": tmp_path / "review.sqlite",
        }
    )
    load_dataset(store, s)
    with TestClient(create_app(store, s)) as c:
        yield c


def upload(
    client: TestClient, path: Path, mapping: str, key: str | None = KEY, **form: str
) -> object:
    headers = {"X-API-Key": key} if key else {}
    with open(path, "rb") as fh:
        return client.post(
            f"{V1}/imports",
            files={"file": (path.name, fh)},
            data={"mapping": mapping, **form},
            headers=headers,
        )


def test_import_needs_the_write_key(client: TestClient) -> None:
    r = upload(client, EXAMPLES / "partnere.csv", "partners", key=None)
    assert r.status_code == 401  # type: ignore[attr-defined]
    r = upload(client, EXAMPLES / "partnere.csv", "partners", key="feil")
    assert r.status_code in (401, 403)  # type: ignore[attr-defined]


def test_dry_run_then_import_then_review(
    client: TestClient, store: GraphStore, tmp_path: Path
) -> None:
    before = store.stats()
    r = upload(client, EXAMPLES / "partnere.csv", "partners", dry_run="true")
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert body["dry_run"] and body["encoding"] == "utf-8-sig" and body["delimiter"] == ";"
    assert body["diff"]["relationships"]["create"]
    assert store.stats() == before

    r = upload(client, EXAMPLES / "partnere.csv", "partners")
    assert r.status_code == 200 and not r.json()["dry_run"]  # type: ignore[attr-defined]
    assert store.stats() != before

    partners = tmp_path / "nye-partnere.csv"
    partners.write_text(
        "Partner;Satsing\nStatsforvalteren i Agder;Flere i arbeid\n", encoding="utf-8"
    )
    r = upload(client, partners, "partners")
    assert r.json()["proposals"]  # type: ignore[attr-defined]
    items = client.get(f"{V1}/review").json()
    assert len(items) == 1 and items[0]["kind"] == "merge"
    one = client.get(f"{V1}/review/{items[0]['id']}").json()
    assert set(one["nodes"]) == {"winner", "loser"} and one["evidence"]
    url = f"{V1}/review/{items[0]['id']}/judgement"
    assert client.post(url, json={"verdict": "accept", "who": "x"}).status_code == 401
    r = client.post(
        url, json={"verdict": "accept", "who": "saksbehandler"}, headers={"X-API-Key": KEY}
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert store.node(items[0]["payload"]["loser"]["id"]) is None
    r = client.post(
        url, json={"verdict": "reject", "who": "saksbehandler"}, headers={"X-API-Key": KEY}
    )
    assert r.status_code == 409  # judged already: undo first
    r = client.post(
        url, json={"verdict": "undo", "who": "saksbehandler"}, headers={"X-API-Key": KEY}
    )
    assert r.status_code == 200 and r.json()["status"] == "open"
    assert store.node(items[0]["payload"]["loser"]["id"]) is not None
    assert client.get(f"{V1}/review/000000000000").status_code == 404


def test_bad_upload_is_a_problem_naming_the_cell(
    client: TestClient, store: GraphStore, tmp_path: Path
) -> None:
    before = store.stats()
    bad = tmp_path / "prosjekter.csv"
    bad.write_text(
        "Tittel;Startdato\nFlere i arbeid;7.2.2022\nNytt prosjekt;30.2.2022\n", encoding="utf-8"
    )
    r = upload(client, bad, "prosjektportalen")
    assert r.status_code == 422  # type: ignore[attr-defined]
    problem = r.json()  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    assert "prosjekter.csv, linje 3, felt 'Startdato'" in problem["detail"]
    assert store.stats() == before
    r = upload(client, bad, "finnes-ikke")
    assert r.status_code == 422  # type: ignore[attr-defined]
