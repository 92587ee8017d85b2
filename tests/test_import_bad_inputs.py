"""Bad and awkward inputs: each bad one gets a clear error (file, sheet/row or line, column,
reason) and leaves the store unchanged; awkward but valid ones (cp1252, BOM, `;`, header on
row 4) import and say how they were read."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from graph.settings import REPO_ROOT, Settings
from graph.store import GraphStore
from importers.errors import ImportDataError
from importers.run import write_rejected
from tests.import_helpers import imp, isettings, snapshot

EXAMPLES = REPO_ROOT / "data" / "examples"
HEADER = ["Tittel", "Prosjekteier", "Tjenesteområde", "Fase", "Startdato", "Sluttdato"]
ROWS = [
    [
        "Fra stønad til arbeid",
        "Anne Aunevik",
        "Samhandling og innovasjon",
        "Planlegging",
        "7.2.2022",
        "31.12.2025",
    ],
    ["Kommunen som arbeidsgiver", "", "Samhandling og innovasjon", "Planlegging", "07.02.22", ""],
    ["Nye og flere arbeidsplasser", "", "Næringsutvikling", "Idé", "2022-02-07", ""],
]


def write_csv(
    path: Path,
    rows: list[list[str]],
    header: list[str] = HEADER,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def base(store: GraphStore, settings: Settings, tmp_path: Path) -> tuple[GraphStore, Settings]:
    """A store with something in it, so "unchanged" means something."""
    s = isettings(settings, tmp_path)
    imp(store, s, EXAMPLES / "partnere.csv")
    return store, s


def assert_fails(
    store: GraphStore,
    s: Settings,
    path: Path,
    *,
    mapping: str,
    field: str | None,
    reason: str,
    line: int | None = None,
    row: int | None = None,
    sheet: str | None = None,
) -> ImportDataError:
    before = snapshot(store)
    with pytest.raises(ImportDataError) as info:
        imp(store, s, path, mapping=mapping)
    err = info.value
    assert err.location.file == path.name
    assert err.location.field == field, err
    assert reason in err.reason, err
    if line is not None:
        assert err.location.line == line, err
    if row is not None:
        assert err.location.row == row, err
    if sheet is not None:
        assert err.location.sheet == sheet, err
    assert snapshot(store) == before  # nothing written
    return err


def test_missing_required_column(base: tuple[GraphStore, Settings], tmp_path: Path) -> None:
    store, s = base
    path = write_csv(tmp_path / "uten-tittel.csv", [r[1:] for r in ROWS], HEADER[1:])
    err = assert_fails(
        store,
        s,
        path,
        mapping="prosjektportalen",
        field="Tittel",
        reason="mangler påkrevd kolonne",
        line=1,
    )
    assert "Prosjekteier" in err.reason  # it says which columns it found


def test_unknown_node_kind(base: tuple[GraphStore, Settings], tmp_path: Path) -> None:
    store, s = base
    rows = [
        ["NAV Agder", "Statlig etat", "Flere i arbeid", "partner"],
        ["Frivilligsentralen", "Foreningg", "Flere i arbeid", "partner"],
    ]
    path = write_csv(
        tmp_path / "partnere-feil.csv",
        rows,
        ["Partner", "Partnertype", "Satsing", "Rolle"],
        delimiter=";",
    )
    err = assert_fails(
        store,
        s,
        path,
        mapping="partners",
        field="Partnertype",
        reason="ukjent nodetype 'Foreningg'",
        line=3,
    )
    assert "Organisasjon" in err.reason  # lists what is allowed


def test_broken_date(base: tuple[GraphStore, Settings], tmp_path: Path) -> None:
    store, s = base
    rows = [*ROWS, ["Yrkesrettede utdanningsvalg", "", "", "", "31.02.2022", ""]]
    path = write_csv(tmp_path / "prosjekter.csv", rows)
    err = assert_fails(
        store, s, path, mapping="prosjektportalen", field="Startdato", reason="finnes ikke", line=5
    )
    assert "prosjekter.csv, linje 5, felt 'Startdato'" in str(err)


def test_invalid_orgnr(base: tuple[GraphStore, Settings], tmp_path: Path) -> None:
    store, s = base
    path = write_csv(
        tmp_path / "p.csv",
        [["Varodd", "Bedrift", "Flere i arbeid", "123456789"]],
        ["Partner", "Partnertype", "Satsing", "Orgnr"],
    )
    assert_fails(
        store, s, path, mapping="partners", field="Orgnr", reason="organisasjonsnummer", line=2
    )


def test_empty_file_and_header_only(base: tuple[GraphStore, Settings], tmp_path: Path) -> None:
    store, s = base
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"")
    assert_fails(store, s, empty, mapping="prosjektportalen", field=None, reason="tom")
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n  \n", encoding="utf-8")
    assert_fails(store, s, blank, mapping="prosjektportalen", field=None, reason="tom")
    header_only = write_csv(tmp_path / "bare-overskrift.csv", [])
    assert_fails(
        store, s, header_only, mapping="prosjektportalen", field=None, reason="ingen datarader"
    )


def test_cp1252_file_with_norwegian_letters(
    base: tuple[GraphStore, Settings], tmp_path: Path
) -> None:
    store, s = base
    path = write_csv(tmp_path / "ansi.csv", ROWS, encoding="cp1252", delimiter=";")
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")  # really not UTF-8
    r = imp(store, s, path, mapping="prosjektportalen")
    assert r.plan.encoding == "cp1252"
    assert any("cp1252" in n for n in r.as_dict()["sheets"][0]["notes"])
    node = store.node("initiative:fra-stønad-til-arbeid")
    assert node is not None and node["name"] == "Fra stønad til arbeid"
    assert store.node("unit:næringsutvikling") is not None


def test_bom_and_semicolon(base: tuple[GraphStore, Settings], tmp_path: Path) -> None:
    store, s = base
    path = write_csv(tmp_path / "excel.csv", ROWS, encoding="utf-8-sig", delimiter=";")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    r = imp(store, s, path, mapping="prosjektportalen")
    assert (r.plan.encoding, r.plan.delimiter) == ("utf-8-sig", ";")
    assert r.plan.tables[0].columns["tittel"] == "Tittel"  # the BOM is not part of the header
    assert r.plan.rows == 3
    start = store.node("initiative:fra-stønad-til-arbeid")
    assert start is not None and start["start"] == "2022-02-07" and start["end"] == "2025-12-31"
    other = store.node("initiative:kommunen-som-arbeidsgiver")
    assert other is not None and other["start"] == "2022-02-07"  # 07.02.22


def test_xlsx_header_on_row_4_and_bad_cell(
    base: tuple[GraphStore, Settings], tmp_path: Path
) -> None:
    from openpyxl import Workbook

    store, s = base
    wb = Workbook()
    ws = wb.active
    ws.title = "Portefølje"
    ws["A1"] = "Prosjektoversikt"
    ws["A2"] = "Eksportert fra Prosjektportalen"
    for c, h in enumerate(HEADER, start=1):
        ws.cell(4, c, h)
    for r, row in enumerate(ROWS, start=5):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    good = tmp_path / "portefolje.xlsx"
    wb.save(good)
    r = imp(store, s, good, mapping="prosjektportalen", dry_run=True)
    assert r.plan.tables[0].header_row == 4 and r.plan.rows == 3
    ws.cell(7, 5, "i fjor")
    bad = tmp_path / "portefolje-feil.xlsx"
    wb.save(bad)
    err = assert_fails(
        store,
        s,
        bad,
        mapping="prosjektportalen",
        field="Startdato",
        reason="ugyldig dato",
        row=7,
        sheet="Portefølje",
    )
    assert "ark Portefølje, rad 7, felt 'Startdato'" in str(err)


def test_skip_bad_rows_imports_the_good_and_reports_the_rest(
    base: tuple[GraphStore, Settings], tmp_path: Path
) -> None:
    store, s = base
    rows = [
        *ROWS,
        ["Yrkesrettede utdanningsvalg", "", "", "", "i fjor", ""],
        ["Gjennomføre videregående skole", "", "", "", "", "32.13.2022"],
    ]
    path = write_csv(tmp_path / "blandet.csv", rows)
    r = imp(store, s, path, mapping="prosjektportalen", skip_bad_rows=True)
    assert r.plan.rows == 3 and len(r.plan.rejected) == 2
    assert [x.location.line for x in r.plan.rejected] == [5, 6]
    assert store.node("initiative:yrkesrettede-utdanningsvalg") is None
    report = write_rejected(r, tmp_path / "blandet-avvist.csv")
    with open(report, encoding="utf-8-sig", newline="") as fh:
        got = list(csv.DictReader(fh, delimiter=";"))
    assert [g["Tittel"] for g in got] == [
        "Yrkesrettede utdanningsvalg",
        "Gjennomføre videregående skole",
    ]
    assert "Startdato" in got[0]["feil_plassering"] and got[0]["feil"]
    # fix the report in a spreadsheet, import it again
    fixed = tmp_path / "rettet.csv"
    with open(fixed, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(HEADER)
        w.writerow([got[0][h] if h != "Startdato" else "1.3.2022" for h in HEADER])
        w.writerow([got[1][h] if h != "Sluttdato" else "31.12.2022" for h in HEADER])
    again = imp(store, s, fixed, mapping="prosjektportalen")
    assert again.plan.rows == 2 and not again.plan.rejected
    assert store.node("initiative:yrkesrettede-utdanningsvalg") is not None


def test_ndjson_and_unknown_format(base: tuple[GraphStore, Settings], tmp_path: Path) -> None:
    store, s = base
    nd = tmp_path / "tildelinger.ndjson"
    nd.write_text(
        '{"Finansieringskilde": "StimuLab", "Mottaker": "Flere i arbeid", '
        '"Beløp": "3,1 mill", "År": 2021}\n\n{"Finansieringskilde": "KS", '
        '"Mottaker": "Inn i jobb", "Beløp": "mange penger"}\n',
        encoding="utf-8",
    )
    assert_fails(store, s, nd, mapping="funding", field="Beløp", reason="ugyldig beløp", line=3)
    odd = tmp_path / "liste.ods"
    odd.write_bytes(b"PK\x03\x04")
    assert_fails(store, s, odd, mapping="funding", field=None, reason="ukjent filtype")


@pytest.mark.slow
def test_100_mb_file_with_one_bad_row_at_the_end(
    base: tuple[GraphStore, Settings], tmp_path: Path
) -> None:
    """Streamed: the file is written and read row by row; the last row's date is broken."""
    store, s = base
    path = tmp_path / "stor-eksport.csv"
    description = (
        "Tjenesteutvikling som forutsetter samhandling mellom ulike aktører; "
        "gjensidig informasjonsutveksling og prosjektutvikling. "
    ) * 6
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow([*HEADER, "Beskrivelse"])
        while fh.tell() < 100 * 1024 * 1024:
            n += 1
            w.writerow(
                [
                    f"Prosjekt {n}",
                    f"Person {n % 500}",
                    f"Område {n % 40}",
                    "Gjennomføring",
                    f"{1 + n % 28}.{1 + n % 12}.2022",
                    "",
                    description,
                ]
            )
        w.writerow(["Prosjekt siste", "", "", "", "31.02.2022", "", ""])
    assert path.stat().st_size >= 100 * 1024 * 1024
    t0 = time.perf_counter()
    err = assert_fails(
        store,
        s,
        path,
        mapping="prosjektportalen",
        field="Startdato",
        reason="finnes ikke",
        line=n + 2,
    )
    print(
        f"\n100 MB ({n + 1} rows): bad row found at line {err.location.line} in "
        f"{time.perf_counter() - t0:.1f} s; nothing written"
    )
