"""Write the example files in data/examples/ from the seed documents' facts.

    .venv/bin/python data/examples/make_examples.py

Each file exercises one mapping (importers/mappings/) and one thing Norwegian offices do:

- prosjektportalen.xlsx: title rows, the header on row 4, merged cells (the parent programme
  and the service area merged down over its projects), Excel dates and text dates, an info
  sheet without a header, and empty formatted rows at the end.
- partnere.csv: Excel's "CSV UTF-8" (byte-order mark, `;`), several kinds of partner.
- personer-roller.csv: plain UTF-8 with `,`.
- finansiering.json: amounts as people write them ("2 mill", "400 000 kr", "3,1 mill").
- avhengigheter.csv: cp1252 ("ANSI") with tab delimiter: chapter 8 of the styringsdokument.

Facts cite the seed documents in data/seeds/ (line numbers in the comments).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMHANDLING = "Samhandlingskommunen Kristiansand – Innbyggerdialog og sammenhengende tjenester"

# (Tittel, Prosjekteier, Prosjektleder, Tjenesteområde, Prosjekttype, Fase, Status, Startdato,
#  Sluttdato, Overordnet prosjekt, Saksnummer)
PROJECTS: list[tuple[object, ...]] = [
    # styringsdokument: saksnr. 2020105285-1, behandlet 7/2-2022, prosjekteier (line 327)
    (
        SAMHANDLING,
        "Camilla Jarlsby",
        None,
        "Kultur og innbyggerdialog",
        "Prosjekt",
        "Gjennomføring",
        "Aktiv",
        dt.date(2022, 2, 7),
        None,
        None,
        "2020105285-1",
    ),
    # 9.1: Februar til desember 2022
    (
        "Leveranseprosjekt - Utvikling av tjenestene",
        None,
        None,
        "Kultur og innbyggerdialog",
        "Leveranse",
        "Gjennomføring",
        "Aktiv",
        "1.2.2022",
        "31.12.2022",
        SAMHANDLING,
        None,
    ),
    (
        "Leveranseprosjekt - Utvikling av innbyggerdialog",
        None,
        None,
        "Kultur og innbyggerdialog",
        "Leveranse",
        "Gjennomføring",
        "Aktiv",
        "01.02.22",
        "30.11.2022",
        SAMHANDLING,
        None,
    ),
    # referat: saksnr. 2021019954-3; 5-årig program vedtatt 14.4.2021, fram til 2025
    (
        "Flere i arbeid",
        None,
        None,
        "Samhandling og innovasjon",
        "Program",
        "Gjennomføring",
        "Aktiv",
        "2021-04-14",
        "2025",
        None,
        "2021019954-3",
    ),
]
FIA_PROJECTS = [  # referat lines 156-192: Prosjekt 1-7, overordnet: Flere i arbeid
    "Yrkesrettede utdanningsvalg",
    "Gjennomføre videregående skole",
    "Fra stønad til arbeid",
    "Kommunen som arbeidsgiver",
    "Inkludering og kvalifisering i bedrifter",
    "Nye og flere arbeidsplasser",
    "Mer treffsikker innsats for arbeidsinkludering",
]
HEADER = [
    "Tittel",
    "Prosjekteier",
    "Prosjektleder",
    "Tjenesteområde",
    "Prosjekttype",
    "Fase",
    "Status",
    "Startdato",
    "Sluttdato",
    "Overordnet prosjekt",
    "Saksnummer",
]


def prosjektportalen(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Prosjekter"
    ws["A1"] = "Prosjektportalen – porteføljeoversikt"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:K1")
    ws["A2"] = "Kristiansand kommune · eksportert 9.2.2022"
    ws.merge_cells("A2:K2")
    for col, name in enumerate(HEADER, start=1):  # header on row 4 (row 3 empty)
        ws.cell(4, col, name).font = Font(bold=True)
    r = 5
    for row in PROJECTS:
        for col, value in enumerate(row, start=1):
            ws.cell(r, col, value)
        r += 1
    first = r
    for name in FIA_PROJECTS:  # referat: "vinteren 2022 fra planleggingsfase til gjennomføring"
        ws.cell(r, 1, name)
        ws.cell(r, 5, "Prosjekt")
        ws.cell(r, 6, "Planlegging")
        ws.cell(r, 7, "Aktiv")
        r += 1
    last = r - 1
    # merged down over the seven projects: service area and parent programme
    ws.cell(first, 4, "Samhandling og innovasjon")
    ws.merge_cells(start_row=first, start_column=4, end_row=last, end_column=4)
    ws.cell(first, 10, "Flere i arbeid")
    ws.merge_cells(start_row=first, start_column=10, end_row=last, end_column=10)
    # styringsdokument 9.1: JegEr Ung, Februar 2022 til juni 2023 (arbeidspakke 4)
    ws.cell(r, 1, "JegEr Ung")
    ws.cell(r, 4, "Oppvekst")
    ws.cell(r, 5, "Prosjekt")
    ws.cell(r, 7, "Aktiv")
    ws.cell(r, 8, dt.datetime(2022, 2, 1))
    ws.cell(r, 9, "30.06.2023")
    ws.cell(r, 10, SAMHANDLING)
    fill = PatternFill("solid", fgColor="EEEEEE")
    for rr in range(r + 1, r + 6):  # empty, formatted trailing rows
        for col in range(1, 12):
            ws.cell(rr, col).fill = fill
    info = wb.create_sheet("Om eksporten")
    info["A1"] = "Eksporten er laget fra Prosjektportalen. Ikke endre kolonneoverskriftene."
    wb.save(path)


PARTNERS = [  # (Partner, Partnertype, Satsing, Rolle, Orgnr, Kommunenummer, Merknad)
    # referat line 122: partnere i ledelsen av programmet
    ("Agder fylkeskommune", "Fylkeskommune", "Flere i arbeid", "samarbeidspartner", "", "", ""),
    (
        "Næringsforeningen i Kristiansandsregionen",
        "Organisasjon",
        "Flere i arbeid",
        "samarbeidspartner",
        "",
        "",
        "",
    ),
    ("NAV Agder", "Statlig etat", "Flere i arbeid", "samarbeidspartner", "", "", ""),
    ("Universitetet i Agder", "Organisasjon", "Flere i arbeid", "samarbeidspartner", "", "", ""),
    # lines 132-137: andre aktører
    (
        "KS",
        "Organisasjon",
        "Flere i arbeid",
        "kompetanse og nettverk",
        "",
        "",
        "blant annet i det nasjonale prosjektet «Inn i jobb»",
    ),
    (
        "Sørlandets kompetansefond",
        "Organisasjon",
        "Flere i arbeid",
        "kompetanse og nettverk",
        "",
        "",
        "",
    ),
    ("Varodd", "Bedrift", "Flere i arbeid", "arbeidsmarkedsbedrift", "", "", ""),
    ("Larvik", "Kommune", "Flere i arbeid", "kommune med lignende satsing", "", "", ""),
    ("Lindesnes", "Kommune", "Flere i arbeid", "kommune med lignende satsing", "", "4205", ""),
    # line 150: konsulentbyrået Comte (StimuLab)
    (
        "Comte",
        "Bedrift",
        "Mer treffsikker innsats for arbeidsinkludering",
        "prosessledelse",
        "",
        "",
        "StimuLab",
    ),
    # styringsdokument line 169: prosessledelse
    ("Joint Action Analytics", "", SAMHANDLING, "prosessledelse", "", "", ""),
]


def partnere(path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(
            ["Partner", "Partnertype", "Satsing", "Rolle", "Orgnr", "Kommunenummer", "Merknad"]
        )
        w.writerows(PARTNERS)


PEOPLE = [  # (Navn, Rolle, Satsing, Stilling, Enhet, Organisasjon)
    ("Anne Aunevik", "Saksbehandler", "Flere i arbeid", "", "", ""),  # referat 57-58
    ("Bernt Jørgen Stray", "Godkjent av", "Flere i arbeid", "", "", ""),  # referat 57, 59
    (
        "Camilla Jarlsby",
        "Prosjekteier",
        SAMHANDLING,
        "Direktør for kultur og innbyggerdialog",
        "Kultur og innbyggerdialog",
        "",
    ),  # styringsdokument 327
    ("Elisabeth Engemyr", "arbeidsgruppe", SAMHANDLING, "", "Kultur og innbyggerdialog", ""),
    ("Svein Ove Ueland", "arbeidsgruppe", SAMHANDLING, "", "Oppvekst", ""),  # line 165
    ("Stine Busborg Sagen", "arbeidsgruppe", SAMHANDLING, "", "Samhandling og innovasjon", ""),
    ("Bibbi Sørensen", "arbeidsgruppe", SAMHANDLING, "", "Samhandling og innovasjon", ""),
    ("Kristin Skjeldbred", "arbeidsgruppe", SAMHANDLING, "", "Økonomi", ""),
    ("Bente Woldstad", "arbeidsgruppe", SAMHANDLING, "", "Helse- og mestring", ""),
    # krd-lysbilder line 12: Mette Mannsåker, seniorrådgiver, KRD
    (
        "Mette Mannsåker",
        "Presentasjon pulje 2",
        "Saman om ein betre kommune",
        "seniorrådgiver",
        "",
        "Kommunal- og regionaldepartementet",
    ),
]


def personer(path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Navn", "Rolle", "Satsing", "Stilling", "Enhet", "Organisasjon"])
        w.writerows(PEOPLE)


FUNDING = [  # referat lines 280-290 (3.6 Budsjett), styringsdokument 9.2
    {
        "Finansieringskilde": "Bystyret i Kristiansand",
        "Mottaker": "Flere i arbeid",
        "Beløp": "5 mill",
        "År": 2021,
        "Merknad": "bevilget i desember 2020, kr 5 mill i 3 år",
    },
    {
        "Finansieringskilde": "Bystyret i Kristiansand",
        "Mottaker": "Flere i arbeid",
        "Beløp": "4 mill",
        "År": 2022,
        "Merknad": "redusert til 4 mill i desember 2021",
    },
    {
        "Finansieringskilde": "Bystyret i Kristiansand",
        "Mottaker": "Flere i arbeid",
        "Beløp": "4 mill",
        "År": 2023,
        "Merknad": "redusert til 4 mill i desember 2021",
    },
    {
        "Finansieringskilde": "Storbyforskningsprogrammet",
        "Mottaker": "Flere i arbeid",
        "Beløp": "kr 2 mill",
        "År": 2022,
        "Merknad": "utredning om arbeidsmarkedsbedrifter",
    },
    {
        "Finansieringskilde": "Sørlandets kompetansefond",
        "Mottaker": "Inn i jobb",
        "Beløp": "400 000 kr",
        "År": 2022,
        "Merknad": "Kristiansands andel av kr 2 mill fra KS",
    },
    {
        "Finansieringskilde": "StimuLab",
        "Mottaker": "Flere i arbeid",
        "Beløp": "3,1 mill",
        "År": 2021,
        "Merknad": "konsulentkjøp av prosesskompetanse",
    },
    {
        "Finansieringskilde": "Statsforvalteren",
        "Mottaker": "Flere i arbeid",
        "Beløp": "450 000",
        "År": 2022,
        "Merknad": "utrede mulighetsrommet",
    },
    {
        "Finansieringskilde": "Statsforvalteren",
        "Mottaker": "JegEr Ung",
        "Beløp": "100.000 kr",
        "År": 2022,
        "Merknad": "skjønnsmidler; avsatt til samhandlingsprosjektet",
    },
]


def finansiering(path: Path) -> None:
    path.write_text(
        json.dumps({"tildelinger": FUNDING}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


DEPENDENCIES = [  # styringsdokument kapittel 8 (lines 480-486)
    (
        SAMHANDLING,
        "Flere i arbeid",
        "Tjenesteutvikling som forutsetter samhandling mellom ulike aktører",
        "KDL, programleder, prosjektledere",
        "Gjensidig informasjonsutveksling og prosjektutvikling",
    ),
    (
        SAMHANDLING,
        "Lederutvikling",
        "Ledere som har fokus på ledere som fokuserer samhandling.",
        "Personaltjenesten",
        "Tett samarbeid om hvordan samhandling fokuseres i lederutvikling, 10-faktor med mer.",
    ),
    (
        SAMHANDLING,
        "Soslokal",
        "Stedsutvikling i samspill med innbyggere",
        "Samhandling og innovasjon",
        "Kultur og innbyggerdialog deltar i styringsgruppe",
    ),
    (
        SAMHANDLING,
        "Dialogmøter",
        "Formannskapetets møter med innbyggerne",
        "Innbyggerdialog",
        "Erfaringsutveksling",
    ),
    (
        SAMHANDLING,
        "Nye mønstre",
        "Prosjekterfaring og metodikk som er utviklet i nye mønstre.",
        "NAV",
        "Samarbeid",
    ),
]


def avhengigheter(path: Path) -> None:
    with open(path, "w", encoding="cp1252", newline="") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(
            [
                "Fra",
                "Avhengighet",
                "Kort beskrivelse av avhengighet",
                "Prosjekteier/ systemeier",
                "Håndtering av avhengighet",
            ]
        )
        w.writerows(DEPENDENCIES)


def main(folder: Path = HERE) -> list[Path]:
    out = [
        folder / n
        for n in (
            "prosjektportalen.xlsx",
            "partnere.csv",
            "personer-roller.csv",
            "finansiering.json",
            "avhengigheter.csv",
        )
    ]
    prosjektportalen(out[0])
    partnere(out[1])
    personer(out[2])
    finansiering(out[3])
    avhengigheter(out[4])
    return out


if __name__ == "__main__":
    for p in main():
        print(p)
