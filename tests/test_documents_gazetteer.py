"""The mention gazetteer over the bundled dataset's names: line breaks, hyphenation,
inflection, typos, acronyms."""

from __future__ import annotations

from pathlib import Path

import pytest

from importers.dataset import plan_dataset
from importers.documents.extract import Extractor, amounts, parse_date
from importers.documents.gazetteer import Gazetteer, words_of
from importers.documents.readers import read_document
from importers.reference import load_reference
from tests.conftest import DATA, SEEDS


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    plan = plan_dataset(DATA / "kristiansand", DATA / "reference", SEEDS)
    gaz = Gazetteer()
    for node in plan.batch.nodes.values():
        if node.kind in ("Organisation", "Unit", "Person", "Initiative", "FundingSource"):
            gaz.add(node.kind, node.id, node.props["name"], node.props.get("aliases", []))
    ref = load_reference(DATA / "reference")
    for row in ref.municipalities:
        if row.valid_on("2022-02-09"):
            gaz.add(
                "Municipality",
                ref.node_id(row),
                row.name,
                [f"{row.name} kommune"],
                strict=True,
                kommunenummer=row.kommunenummer,
            )
    return gaz


def found(gaz: Gazetteer, *lines: str) -> dict[str, tuple[str, int]]:
    """name -> (how, line) for a paragraph given as its lines (joined like the extractor)."""
    text, line_of = "", []
    for no, line in enumerate(lines, start=1):
        sep = "" if not text or text.endswith("-") else " "
        text += sep + line
        line_of += [no] * (len(sep) + len(line))
    line_of.append(len(lines))
    return {
        m.entry.name: (m.how, words_of(text, line_of)[m.start].line)
        for m in gaz.find(words_of(text, line_of))
    }


def test_names_across_a_line_break(gazetteer: Gazetteer) -> None:
    hits = found(
        gazetteer,
        "Prosessen ble ledet av Joint Action",
        "Analytics og Camilla",
        "Jarlsby i fellesskap.",
    )
    assert hits["Joint Action Analytics"] == ("exact", 1)
    assert hits["Camilla Jarlsby"] == ("exact", 2)


def test_hyphenation_at_a_line_end(gazetteer: Gazetteer) -> None:
    hits = found(gazetteer, "Samarbeidet med Universitetet i Ag-", "der er viktig.")
    assert hits["Universitetet i Agder"][1] == 1


def test_inflection(gazetteer: Gazetteer) -> None:
    hits = found(gazetteer, "NAVs rolle, Kristiansands innbyggere og Lindesnes kommunens planer.")
    assert hits["NAV"] == ("inflected", 1)
    assert hits["Kristiansand"] == ("inflected", 1)
    assert hits["Lindesnes"][0] == "inflected"
    # the real document: "Næringsforeningens bidrag" (referat line 288)
    line = (
        (SEEDS / "referat-arbeidsutvalg-flere-i-arbeid-2022-02-09.txt")
        .read_text()
        .splitlines()[287]
    )
    assert found(gazetteer, line)["Næringsforeningen i Kristiansands regionen"][0] == "inflected"


def test_typos_and_words_split_by_the_conversion(gazetteer: Gazetteer) -> None:
    hits = found(gazetteer, "Vi snakket med Universitetet i Agdre og Sørlandets kompetansfond.")
    assert hits["Universitetet i Agder"][0] == "fuzzy"
    assert hits["Sørlandets kompetansefond"][0] == "fuzzy"
    # "Personvernom budet" (styringsdokument line 268) is "Personvernombudet" split in two
    hits = found(gazetteer, "Personvernom budet deltar.")
    assert hits["Personvernombudet"][0] in ("exact", "split")


def test_acronyms_and_municipalities_need_their_capitals(gazetteer: Gazetteer) -> None:
    hits = found(gazetteer, "Vi brukte en time på navet i saken; Time kommune og NAV var der.")
    assert "Time" in hits and hits["NAV"] == ("exact", 1)
    hits = found(gazetteer, "vi brukte en time på navet")
    assert "Time" not in hits and "NAV" not in hits


def test_amounts_and_dates_as_written() -> None:
    assert [a for a, _, _ in amounts("kr 2 mill, 3,1 mill, kr 400 000 for 2022, 100.000 kr.")] == [
        2_000_000,
        3_100_000,
        400_000,
        100_000,
    ]
    assert amounts("i 2022 og 3 år") == []
    assert parse_date("Behandlet dato: 7/2 - 2022") == "2022-02-07"
    assert parse_date("Møtedato Onsdag d. 09. februar 2022") == "2022-02-09"
    assert parse_date("REFERAT Arbeidsutvalg Flere i arbeid d. 09-02-2022") == "2022-02-09"


def test_unknown_tables_are_reported_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "notat.txt"
    path.write_text(
        "Notat om samarbeid i Kristiansand kommune\n\n"
        "Aktør\tBidrag\tKontakt\nNAV Agder\tArbeidstrening\tCamilla Jarlsby\n",
        encoding="utf-8",
    )
    ex = Extractor(
        read_document(path),
        load_reference(DATA / "reference"),
        known=[{"id": "person:camilla-jarlsby", "kind": "Person", "name": "Camilla Jarlsby"}],
    ).run()
    assert [t.type for t in ex.tables] == ["unknown"]
    assert any("notat.txt:3" in w and "ikke gjenkjent" in w for w in ex.warnings)
    mentioned = {f.from_ref.name for f in ex.facts.of_kind("mention") if f.from_ref}
    assert "Camilla Jarlsby" in mentioned  # the cells are still read for mentions


def test_historic_municipality_names_point_to_the_municipality_of_the_time(
    tmp_path: Path,
) -> None:
    # Songdalen and Søgne were merged into Kristiansand (4204) on 2020-01-01
    path = tmp_path / "notat.txt"
    path.write_text(
        "Notat 3.3.2022\n\nSamarbeidet mellom Songdalen og Søgne før 2020 og Kristiansand "
        "kommune i dag er godt.\n",
        encoding="utf-8",
    )
    ex = Extractor(read_document(path), load_reference(DATA / "reference")).run()
    assert ex.document_date == "2022-03-03" and ex.main is None  # a note, not an initiative
    found = {
        f.from_ref.name: f.from_ref.kommunenummer for f in ex.facts.of_kind("mention") if f.from_ref
    }
    ref = load_reference(DATA / "reference")
    for name in ("Songdalen", "Søgne"):
        (row,) = [r for r in ref.by_name(name) if r.valid_to and r.valid_to < "2022-03-03"]
        assert found[name] == row.kommunenummer
    assert found["Kristiansand"] == "4204"


def test_nynorsk_patterns_and_table_headers(tmp_path: Path) -> None:
    path = tmp_path / "styringsdokument-nynorsk.txt"
    path.write_text(
        "Styringsdokument\n\nSAMAN OM BETRE TENESTER I VOLDA\n\nSaksnummer: 2023001-1\n\n"
        "Rolle\tNamn\tTittel\tStillingsstorleik\n"
        "Prosjekteigar\tKari Nordmann\tKommunalsjef for helse\t\n\n"
        "Arbeidsgruppa har vore Ola Nordmann (avløyst av Per Hansen) (helse og omsorg) og "
        "ordførar Jenny Folkestad. Prosjektet har fått 2 mill i tilskot frå Statsforvaltaren.\n",
        encoding="utf-8",
    )
    ex = Extractor(read_document(path), load_reference(DATA / "reference")).run()
    assert [t.type for t in ex.tables] == ["roller"]
    assert ex.main is not None and ex.main.id == "initiative:sak:2023001-1"
    assert ex.main.name == "Saman om betre tenester i Volda"
    roles = {
        (f.from_ref.name, f.rel.props["role"])
        for f in ex.facts.rels("HAS_ROLE")
        if f.from_ref and f.rel
    }
    assert ("Kari Nordmann", "Prosjekteigar") in roles
    people = {f.node.name for f in ex.facts.of_kind("node") if f.node and f.node.kind == "Person"}
    assert {"Kari Nordmann", "Ola Nordmann", "Per Hansen", "Jenny Folkestad"} <= people
    members = {
        f.from_ref.name: f.to_ref.name
        for f in ex.facts.rels("MEMBER_OF")
        if f.from_ref and f.to_ref
    }
    assert members == {"Ola Nordmann": "Helse og omsorg", "Per Hansen": "Helse og omsorg"}
