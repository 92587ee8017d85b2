"""`import_documents` against a store: what goes in directly, idempotency, new versions,
nothing partial on bad input, and resolution against the bundled dataset."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graph.records import make_node
from graph.resolve.review import open_queue
from graph.settings import Settings
from graph.store import GraphStore
from importers.bundled import load_dataset
from importers.documents.pipeline import DocumentsError, import_documents
from tests.conftest import REPO_ROOT, SEEDS

STYRING = SEEDS / "styringsdokument-samhandlingskommunen.txt"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def doc_id(name: str) -> str:
    return make_node("Document", name).id


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The store's settings with a review queue of this test's own."""
    return settings.model_copy(update={"review_db": tmp_path / "review.sqlite"})


def test_import_writes_table_facts_with_provenance_and_is_idempotent(
    store: GraphStore, settings: Settings
) -> None:
    first = import_documents(SEED_FILES, store, settings)
    assert first.written["relationships"] > 0
    rows = store.run_text(
        "MATCH (a:Initiative)-[d:DEPENDS_ON]->(b:Initiative) "
        "RETURN b.name AS to, d.owner AS owner, d.sources AS sources"
    )
    assert len(rows) == 5
    by = {r["to"]: r for r in rows}
    assert by["Nye mønstre"]["owner"] == "NAV"
    assert f"{STYRING.name}:485" in by["Nye mønstre"]["sources"]
    owner = store.run_text(
        "MATCH (p:Person)-[r:HAS_ROLE {role: 'Prosjekteier'}]->(i:Initiative) "
        "RETURN p.name AS name, i.saksnummer AS sak"
    )
    assert owner == [{"name": "Camilla Jarlsby", "sak": "2020105285-1"}]
    document = store.node(doc_id(STYRING.name))
    assert document is not None and document["document_date"] == "2022-01-27"
    assert len(document["sha256"]) == 64
    # participants of round 2 with the municipality numbers of the time, in their counties
    os_hedmark = store.run_text(
        "MATCH (m:Municipality {kommunenummer: '0441'})-[:PARTICIPATES_IN]->(i:Initiative) "
        "MATCH (m)-[:IN_COUNTY]->(c:County) RETURN i.name AS i, c.name AS county"
    )
    assert os_hedmark == [{"i": "Saman om ein betre kommune – pulje 2", "county": "Hedmark"}]
    # everything written directly came from a recognised table or list, or is an exact mention
    graph_facts = [f for f in first.facts if f.route == "graph"]
    assert all(
        f.from_table or f.kind == "mention" or f.rule == "dokument" or f.kind == "node"
        for f in graph_facts
    )
    review = [f for f in first.facts if f.route == "review"]
    assert review and all(f.confidence < 0.9 or not f.from_table for f in review)
    stats = store.stats()

    assert first.review_sent == len(open_queue(settings).list(kind="fact"))

    again = import_documents(SEED_FILES, store, settings)
    assert again.written == {"nodes": 0, "relationships": 0}
    assert again.review_sent == 0
    assert [f for f in again.facts if f.status == "new"] == []
    # the entities are in the graph now: found, not proposed; their relationships are known
    assert [f for f in again.facts if f.status == "new" and f.route == "graph"] == []
    known = {f.id for f in again.facts if f.route == "known"}
    assert {f.id for f in graph_facts if f.kind != "node"} <= known
    assert store.stats() == stats


def test_a_new_version_updates_its_facts_and_records_the_version(
    store: GraphStore, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / STYRING.name
    shutil.copy(STYRING, path)
    import_documents([path], store, settings)
    before = store.node(doc_id(path.name))
    assert before is not None
    text = path.read_text(encoding="utf-8").replace(
        "nye mønstre.\tNAV\tSamarbeid", "nye mønstre.\tNAV\tSamarbeid om metodikk"
    )
    path.write_text(text, encoding="utf-8")
    report = import_documents([path], store, settings)
    assert report.documents[0].previous_sha256 == before["sha256"]
    after = store.node(doc_id(path.name))
    assert after is not None and after["sha256"] != before["sha256"]
    assert before["sha256"] in after["note"]
    handling = store.run_text(
        "MATCH (:Initiative)-[d:DEPENDS_ON]->(b:Initiative {name: 'Nye mønstre'}) "
        "RETURN d.handling AS h"
    )
    assert handling == [{"h": "Samarbeid om metodikk"}]
    new = [f for f in report.facts if f.status == "new" and f.route == "graph"]
    assert {f.rel.type for f in new if f.rel is not None} == {"DEPENDS_ON"}


def test_bad_input_writes_nothing(store: GraphStore, settings: Settings, tmp_path: Path) -> None:
    empty = tmp_path / "tom.docx"
    empty.write_bytes(b"")
    before = store.stats()
    with pytest.raises(DocumentsError) as info:
        import_documents([*SEED_FILES, empty], store, settings)
    assert "tom.docx" in str(info.value) and "tomt" in str(info.value)
    assert store.stats() == before


def test_dry_run_writes_nothing(store: GraphStore, settings: Settings) -> None:
    report = import_documents([STYRING], store, settings, dry_run=True)
    assert report.count("graph") > 0
    assert store.stats() == {"nodes": {}, "relationships": {}}


def test_known_entities_of_the_bundled_dataset_are_resolved(
    store: GraphStore, settings: Settings
) -> None:
    load_dataset(store, settings)
    report = import_documents([STYRING], store, settings)
    ex = report.documents[0].extraction
    assert ex.main is not None and ex.main.known
    deps = [f for f in report.facts if f.rel is not None and f.rel.type == "DEPENDS_ON"]
    # the hand-made dataset has the same five dependencies, word for word: nothing new
    assert len(deps) == 5 and all(f.status == "known" for f in deps)
    flere = next(f for f in deps if f.to_ref and f.to_ref.name == "Flere i arbeid")
    assert flere.to_ref is not None and flere.to_ref.id == "initiative:sak:2021019954-3"
    mentions = store.run("documents.mentions", {"id": doc_id(STYRING.name)})
    lines = {(m["name"], m["line"]) for m in mentions}
    assert ("Camilla Jarlsby", 327) in lines
    assert ("Joint Action Analytics", 169) in lines
    assert all(m["snippet"] for m in mentions)


def test_cli_json_lines(tmp_path: Path) -> None:
    env = {
        "SAMGRAF_DB_PATH": str(tmp_path / "db"),
        "SAMGRAF_GRAPH": "cli_docs",
        "PATH": "/usr/bin:/bin",
    }
    cmd = [sys.executable, "-m", "samgraf.cli", "import-docs", str(STYRING), "--dry-run", "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    facts = [json.loads(line) for line in out.stdout.splitlines()]
    deps = [f for f in facts if f.get("type") == "DEPENDS_ON"]
    assert len(deps) == 5
    dep = next(f for f in deps if f["to"]["name"] == "Soslokal")
    assert dep["props"]["owner"] == "Samhandling og innovasjon"
    # the row the fact is on; the header row is evidence too
    assert dep["source"] == f"{STYRING.name}:483" and dep["lines"] == [480, 483]
    assert dep["route"] == "graph" and dep["snippet"].startswith("Soslokal | ")
    assert 0 < dep["confidence"] <= 1 and dep["kind"] == "relationship"
    assert "tørrkjøring" in out.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "samgraf.cli", "import-docs", str(tmp_path / "finnes-ikke.pdf")],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert (
        bad.returncode == 1 and "finnes ikke" in bad.stderr and "Ingenting er skrevet" in bad.stderr
    )


def test_review_proposals_carry_evidence_and_can_be_accepted(
    store: GraphStore, settings: Settings
) -> None:
    report = import_documents([STYRING], store, settings)
    queue = open_queue(settings)
    items = queue.list(kind="fact")
    assert len(items) == report.review_sent > 0
    # the working group line: "Stine Busborg Sagen (avløst av Bibbi Sørensen)" -> two people
    stine = [
        i
        for i in items
        if any(
            r["type"] == "HAS_ROLE" and r["from"] == ["Person", "person:stine-busborg-sagen"]
            for r in i.payload["relationships"]
        )
    ]
    assert len(stine) == 1
    (item,) = stine
    assert item.evidence[0]["file"] == STYRING.name and item.evidence[0]["line"] == 165
    assert "avløst av Bibbi Sørensen" in item.evidence[0]["snippet"]
    assert item.payload["relationships"][0]["props"]["note"] == "avløst av Bibbi Sørensen"
    assert [n["name"] for n in item.payload["nodes"]] == ["Stine Busborg Sagen"]
    queue.judge(item.id, "accept", "test", store)
    rows = store.run_text(
        "MATCH (p:Person {name: 'Stine Busborg Sagen'})-[r:HAS_ROLE]->(i:Initiative) "
        "RETURN r.role AS role, r.sources AS sources"
    )
    assert rows == [{"role": "arbeidsgruppe", "sources": [f"{STYRING.name}:165"]}]
    again = import_documents([STYRING], store, settings)
    assert again.review_sent == 0
    accepted = [
        f
        for f in again.facts
        if f.rel is not None
        and f.id
        == item.payload["relationships"][0]["from"][1]
        + "|HAS_ROLE|initiative:sak:2020105285-1|arbeidsgruppe"
    ]
    assert accepted and accepted[0].status == "known"
