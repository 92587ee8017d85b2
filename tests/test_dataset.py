"""The bundled Kristiansand dataset: real facts from the seed documents, on every backend.

Each expected answer cites where the seed document says it (data/seeds/, line numbers).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.store import GraphStore
from importers.bundled import load_dataset
from importers.dataset import plan_dataset
from importers.errors import ImportDataError
from tests.conftest import DATA, make_settings

# Flere i arbeid's id comes from its saksnummer (referat line 57), see graph/ids.py
FIA = "initiative:sak:2021019954-3"


def _one(store: GraphStore, cypher: str, **params: object) -> list[dict[str, object]]:
    return store.run_text(cypher, params)


def project_id(store: GraphStore) -> str:
    rows = _one(store, "MATCH (i:Initiative {saksnummer: $s}) RETURN i.id AS id", s="2020105285-1")
    assert len(rows) == 1
    return str(rows[0]["id"])


def test_the_project_and_its_owner(loaded: GraphStore) -> None:
    # styringsdokument line 11: "Saksnummer: 2020105285-1"; the role table (line ~307-319)
    # names Camilla Jarlsby, direktør for Kultur og innbyggerdialog, as prosjekteier.
    pid = project_id(loaded)
    node = loaded.node(pid)
    assert node is not None
    assert node["name"].startswith("Samhandlingskommunen Kristiansand")
    owners = _one(
        loaded,
        "MATCH (p:Person)-[r:HAS_ROLE]->(i:Initiative {id: $id}) WHERE r.role = 'Prosjekteier' "
        "RETURN p.name AS name",
        id=pid,
    )
    assert [r["name"] for r in owners] == ["Camilla Jarlsby"]


def test_the_five_dependencies_of_section_8(loaded: GraphStore) -> None:
    # styringsdokument lines 480-485: the dependency table, copied verbatim
    rows = _one(
        loaded,
        "MATCH (a:Initiative)-[d:DEPENDS_ON]->(b:Initiative) "
        "RETURN b.name AS to, d.owner AS owner, d.handling AS handling, "
        "d.description AS description",
    )
    by_target = {r["to"]: r for r in rows}
    assert set(by_target) == {
        "Flere i arbeid",
        "Lederutvikling",
        "Soslokal",
        "Dialogmøter",
        "Nye mønstre",
    }
    assert by_target["Flere i arbeid"]["owner"] == "KDL, programleder, prosjektledere"
    assert (
        by_target["Flere i arbeid"]["handling"]
        == "Gjensidig informasjonsutveksling og prosjektutvikling"
    )
    assert by_target["Nye mønstre"]["owner"] == "NAV"
    assert by_target["Soslokal"]["handling"] == "Kultur og innbyggerdialog deltar i styringsgruppe"
    assert all(r["description"] for r in rows)


def test_flere_i_arbeid_partners_and_projects(loaded: GraphStore) -> None:
    # referat lines ~100-110: the programme's partners; lines ~114-140: its seven projects
    partners = {
        r["name"]
        for r in _one(
            loaded,
            "MATCH (o)-[r:PARTNER_IN]->(i:Initiative {id: $id}) WHERE r.role = 'samarbeidspartner' "
            "RETURN o.name AS name",
            id=FIA,
        )
    }
    assert {"Agder fylkeskommune", "NAV Agder", "Universitetet i Agder"} <= partners
    assert any(p.startswith("Næringsforeningen") for p in partners)
    projects = _one(
        loaded,
        "MATCH (p:Initiative)-[:PART_OF]->(i:Initiative {id: $id}) WHERE p.kind = 'project' "
        "RETURN p.name AS name",
        id=FIA,
    )
    assert len(projects) == 7


def test_funding_amounts_with_their_funders(loaded: GraphStore) -> None:
    # referat line 280: bystyret 5 mill a year; line 296: reduced to 4 mill in 2022 and 2023;
    # StimuLab 3.1 mill; Storbyforskningsprogrammet 2 mill; kompetansefondet/KS 400 000
    rows = _one(
        loaded,
        "MATCH (f)-[r:FUNDS]->(i:Initiative {id: $id}) WHERE r.amount_nok IS NOT NULL "
        "RETURN f.name AS funder, r.amount_nok AS amount, r.year AS year",
        id=FIA,
    )
    got = {(r["funder"], r["amount"], r["year"]) for r in rows}
    assert ("Kristiansand", 5_000_000, 2021) in got
    assert ("Kristiansand", 4_000_000, 2022) in got
    assert ("StimuLab", 3_100_000, 2021) in got
    assert any(a == 2_000_000 and f.startswith("Storbyforskning") for f, a, _ in got)


def test_municipalities_have_their_right_numbers(loaded: GraphStore) -> None:
    # Hægebostad (pulje 2, Vest-Agder, line 146) was 1034 in 2013 and became 4226 in 2020;
    # Kristiansand is 4204 since 2020.
    h = loaded.node("municipality:1034")
    assert h is not None and h["name"] == "Hægebostad" and h["county"] == "Vest-Agder"
    k = loaded.node("municipality:4204")
    assert k is not None and k["name"] == "Kristiansand" and k["county"] == "Agder"
    succ = _one(
        loaded,
        "MATCH (:Municipality {id: 'municipality:1034'})-[:SUCCEEDED_BY]->(m) RETURN m.id AS id",
    )
    assert [r["id"] for r in succ] == ["municipality:4226"]
    # Rissa merged into Indre Fosen (2018); the historic node links to its successor
    rissa = _one(
        loaded,
        "MATCH (:Municipality {name: 'Rissa'})-[:SUCCEEDED_BY]->(m) RETURN m.name AS name",
    )
    assert [r["name"] for r in rissa] == ["Indre Fosen"]


def test_round_2_participants_and_regional_collaborations(loaded: GraphStore) -> None:
    # presentation lines 132-148: 60 municipalities listed (the slide says 59)
    rows = _one(
        loaded,
        "MATCH (m:Municipality)-[:PARTICIPATES_IN]->(i:Initiative) WHERE i.name CONTAINS 'pulje 2' "
        "RETURN count(DISTINCT m) AS n",
    )
    assert rows[0]["n"] == 60
    members = _one(
        loaded,
        "MATCH (m:Municipality)-[:MEMBER_OF]->(o:Organisation {name: 'Listerregionen'}) "
        "RETURN m.name AS name ORDER BY name",
    )
    assert [r["name"] for r in members] == [
        "Flekkefjord",
        "Hægebostad",
        "Kvinesdal",
        "Lyngdal",
        "Sirdal",
    ]


def test_the_59_claim_is_reported_as_a_data_quality_warning() -> None:
    plan = plan_dataset(DATA / "kristiansand", DATA / "reference", DATA / "seeds")
    assert any("59 kommuner" in w and "har 60" in w for w in plan.warnings), plan.warnings


def test_every_node_and_relationship_has_a_source(loaded: GraphStore) -> None:
    for node in loaded.all_nodes():
        assert node.get("sources"), node
        assert node.get("first_seen") and node.get("last_seen")
    for rel in loaded.all_rels():
        assert rel["props"].get("sources"), rel
    # sources point at a real line of a real file
    src = loaded.node(FIA)["sources"][0]  # type: ignore[index]
    file, _, line = src.rpartition(":")
    assert (DATA / "seeds" / file).exists()
    assert (
        "Flere i arbeid"
        in (DATA / "seeds" / file).read_text().splitlines()[int(line.split("-")[0]) - 1]
    )


def test_loading_twice_changes_no_counts(store: GraphStore, settings) -> None:  # type: ignore[no-untyped-def]
    first = load_dataset(store, settings)
    second = load_dataset(store, settings)
    assert first.after == second.before == second.after
    assert sum(first.after["nodes"].values()) > 250


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "kristiansand"
    shutil.copytree(DATA / "kristiansand", folder)
    target = folder / "flere-i-arbeid.yaml"
    text = target.read_text()
    assert old in text
    target.write_text(text.replace(old, new, 1))
    return folder


def test_malformed_file_names_file_and_line_and_leaves_store_unchanged(
    store: GraphStore,
    settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    load_dataset(store, settings)
    before = store.stats()
    folder = _broken_copy(tmp_path, 'name: "Flere i arbeid"', 'name: "Flere i arbeid\n  - : ]')
    with pytest.raises(ImportDataError) as err:
        load_dataset(store, settings, [folder])
    assert "flere-i-arbeid.yaml" in str(err.value) and "linje" in str(err.value)
    assert store.stats() == before


def test_unknown_reference_and_forbidden_edge_are_refused(tmp_path: Path) -> None:
    folder = _broken_copy(tmp_path, "to: flere-i-arbeid", "to: finnes-ikke")
    with pytest.raises(
        ImportDataError, match=r"flere-i-arbeid\.yaml, linje \d+, felt 'to'.*finnes-ikke"
    ):
        plan_dataset(folder, DATA / "reference")
    folder2 = _broken_copy(
        tmp_path / "b",
        "type: PART_OF, from: arbeidsutvalg",
        "type: DEPENDS_ON, from: arbeidsutvalg",
    )
    with pytest.raises(ImportDataError, match="DEPENDS_ON er ikke tillatt fra"):
        plan_dataset(folder2, DATA / "reference")


def test_store_unchanged_when_a_late_fact_is_bad(
    store: GraphStore, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    before = store.stats()
    folder = _broken_copy(tmp_path, "amount_nok: 4000000", "amount_nok: -4")
    with pytest.raises(ImportDataError, match="amount_nok"):
        load_dataset(store, settings, [folder])
    assert store.stats() == before


def test_neo4j_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.settings import Settings

    monkeypatch.setenv("SAMGRAF_STORE", "neo4j")
    monkeypatch.setenv("NEO4J_URI", "bolt://db.example:7687")
    monkeypatch.setenv("NEO4J_DATABASE", "samgraf")
    s = Settings()
    assert (s.store, s.neo4j_uri, s.neo4j_database) == (
        "neo4j",
        "bolt://db.example:7687",
        "samgraf",
    )
    assert make_settings  # the fixture helper builds the same settings for the tests
