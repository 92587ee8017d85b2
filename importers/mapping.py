"""Spreadsheet mappings (YAML): which columns become which nodes, properties and relationships.

The mapping is data, like followthemoney's: `importers/mappings/<name>.yaml`. Format (see the
README for the full reference and the five shipped mappings):

```yaml
name: prosjektportalen
title: Prosjektliste fra Prosjektportalen
columns:                       # logical columns; headers are matched case- and
  tittel: {required: true}     # accent-insensitively against the name, `aliases`, and the
  prosjekteier: {}             # built-in Norwegian synonyms (SYNONYMS)
entities:
  prosjekt:                    # the first entity is authoritative: its properties are
    kind: Initiative           # updated from the file; the others only add provenance to
    name: tittel               # nodes that exist already (set `authoritative: true` to change)
    properties:
      kind: {column: prosjekttype, map: {program: programme}, default: project}
      start: {column: startdato, type: date}
  eier: {kind: Person, name: prosjekteier, split: true}
relationships:
  - {type: HAS_ROLE, from: eier, to: prosjekt, properties: {role: {value: prosjekteier}}}
```

A property is `{column: c}`, `{value: constant}`, with optional `type` (text, date, amount,
decimal, int, year, list), `map` (cell value → stored value, case-insensitive), `default`,
and `required`. An entity's `kind` is a node kind or `{column: c, map: {...}}`; the Norwegian
names of the kinds (Organisasjon, Kommune, Enhet …) are understood without a map.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.model import NODE_KINDS, REL_KINDS, ModelError
from importers.errors import ImportDataError, Location
from importers.values import (
    clean_text,
    header_key,
    parse_amount,
    parse_date,
    parse_decimal,
    split_list,
)

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"

#: built-in Norwegian header synonyms per logical column (matched with `header_key`)
SYNONYMS: dict[str, list[str]] = {
    "tittel": [
        "Tittel",
        "Prosjektnavn",
        "Prosjekttittel",
        "Navn på prosjekt",
        "Prosjekt",
        "Navn",
        "Title",
        "Name",
    ],
    "prosjekteier": ["Prosjekteier", "Eier", "Prosjektansvarlig", "Oppdragsgiver", "Owner"],
    "prosjektleder": ["Prosjektleder", "PL", "Leder", "Project manager"],
    "tjenesteomrade": ["Tjenesteområde", "Kommunalområde", "Område", "Sektor", "Virksomhet"],
    "prosjekttype": ["Prosjekttype", "Type", "Kategori"],
    "fase": ["Fase", "Prosjektfase", "Phase"],
    "status": ["Status", "Tilstand"],
    "startdato": ["Startdato", "Start", "Oppstart", "Fra", "Fra dato", "Startet"],
    "sluttdato": ["Sluttdato", "Slutt", "Avslutning", "Til", "Til dato", "Ferdig"],
    "overordnet": ["Overordnet prosjekt", "Overordnet", "Program", "Del av", "Hovedprosjekt"],
    "saksnummer": ["Saksnummer", "Saksnr", "Saksnr.", "Sak", "Arkivsak"],
    "beskrivelse": [
        "Beskrivelse",
        "Kort beskrivelse",
        "Kort beskrivelse av avhengighet",
        "Formål",
        "Description",
    ],
    "samarbeidspartnere": [
        "Samarbeidspartnere",
        "Samarbeidspartner",
        "Partnere",
        "Partner",
        "Partnerorganisasjoner",
    ],
    "partner": ["Partner", "Samarbeidspartner", "Organisasjon", "Aktør", "Navn"],
    "partnertype": ["Partnertype", "Type", "Aktørtype", "Nodetype"],
    "orgnr": ["Orgnr", "Org.nr.", "Organisasjonsnummer", "Org nr"],
    "kommunenummer": ["Kommunenummer", "Kommunenr", "Knr"],
    "satsing": ["Satsing", "Prosjekt", "Program", "Initiativ", "Tiltak"],
    "rolle": ["Rolle", "Funksjon", "Rolle i prosjektet"],
    "navn": ["Navn", "Person", "Fullt navn", "Deltaker"],
    "stilling": ["Stilling", "Tittel", "Stillingstittel"],
    "enhet": ["Enhet", "Avdeling", "Seksjon", "Tjenesteområde", "Kommunalområde"],
    "organisasjon": ["Organisasjon", "Virksomhet", "Arbeidsgiver", "Kommune"],
    "epost": ["E-post", "Epost", "E-postadresse", "Email", "Mail"],
    "telefon": ["Telefon", "Tlf", "Mobil", "Telefonnummer"],
    "kilde": ["Finansieringskilde", "Kilde", "Tilskuddsgiver", "Bevilget av", "Giver"],
    "belop": ["Beløp", "Beløp (kr)", "Sum", "Tilskudd", "Bevilgning", "Beløp NOK"],
    "ar": ["År", "Budsjettår", "Tildelingsår", "Year"],
    "mottaker": ["Mottaker", "Prosjekt", "Satsing", "Til"],
    "fra": ["Fra", "Prosjekt", "Avhengig prosjekt"],
    "til": ["Til", "Avhengig av", "Avhengighet", "Avhengigheter", "Avhenger av"],
    "eier": [
        "Eier",
        "Prosjekteier/ systemeier",
        "Prosjekteier/systemeier",
        "Systemeier",
        "Prosjekteier",
    ],
    "handtering": ["Håndtering", "Håndtering av avhengighet", "Tiltak"],
    "merknad": ["Merknad", "Kommentar", "Notat", "Note"],
}

#: "Organisasjon" → "Organisation" etc., from the model
KIND_WORDS: dict[str, str] = {
    **{header_key(cls.label_no): k for k, cls in NODE_KINDS.items()},
    **{header_key(cls.label_no_plural): k for k, cls in NODE_KINDS.items()},
    **{header_key(k): k for k in NODE_KINDS},
}
TYPES = ("text", "date", "amount", "decimal", "int", "year", "list")


@dataclass
class PropSpec:
    name: str
    column: str | None = None
    value: Any = None
    type: str = "text"
    map: dict[str, Any] = field(default_factory=dict)
    default: Any = None
    required: bool = False


@dataclass
class EntitySpec:
    key: str
    kind: str | None
    kind_column: str | None
    kind_map: dict[str, str]
    name_column: str
    split: bool
    required: bool
    authoritative: bool
    properties: list[PropSpec]
    #: for municipalities: the column whose date picks the municipality valid then
    date_column: str | None = None
    #: kind used when the kind column is empty
    kind_default: str | None = None


@dataclass
class RelSpecMap:
    type: str
    from_: str
    to: str
    properties: list[PropSpec]


@dataclass
class Mapping:
    name: str
    title: str
    path: Path
    columns: dict[str, dict[str, Any]]
    entities: dict[str, EntitySpec]
    relationships: list[RelSpecMap]
    sheets: list[str] | None = None
    description: str = ""

    def required_columns(self) -> list[str]:
        return [c for c, spec in self.columns.items() if spec.get("required")]

    def header_variants(self, column: str) -> list[tuple[int, str]]:
        """(priority, header_key) pairs: the column's own name, its aliases, the synonyms."""
        spec = self.columns.get(column, {})
        out = [(0, header_key(column))]
        out += [(1, header_key(a)) for a in spec.get("aliases", [])]
        out += [(2, header_key(s)) for s in SYNONYMS.get(column, [])]
        return out

    def match_headers(self, header: list[str]) -> dict[str, str]:
        """Logical column → the header it is read from. Each header serves one column; a
        column's own name beats its aliases, which beat the built-in synonyms."""
        keys = {h: header_key(h) for h in header}
        options: list[tuple[int, int, str, str]] = []
        for ci, col in enumerate(self.columns):
            for prio, variant in self.header_variants(col):
                for h, k in keys.items():
                    if k == variant:
                        options.append((prio, ci, col, h))
        out: dict[str, str] = {}
        used: set[str] = set()
        for _prio, _ci, col, h in sorted(options):
            if col in out or h in used:
                continue
            out[col] = h
            used.add(h)
        return out

    def header_score(self, cells: list[Any]) -> int:
        header = [str(c) for c in cells if c is not None and str(c).strip()]
        return len(self.match_headers(header))


# ---------------------------------------------------------------------------------------------
# loading


class _MappingError(Exception):
    pass


def list_mappings() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml"))


def load_mapping(name_or_path: str | Path) -> Mapping:
    path = Path(name_or_path)
    if not path.suffix:
        path = MAPPINGS_DIR / f"{name_or_path}.yaml"
    if not path.exists():
        raise ImportDataError(
            Location(str(name_or_path)),
            f"ukjent mapping; tilgjengelige: {', '.join(list_mappings())}",
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return _parse(data, path)
    except yaml.YAMLError as exc:
        raise ImportDataError(Location(str(path)), f"ugyldig YAML: {exc}") from None
    except _MappingError as exc:
        raise ImportDataError(Location(str(path)), str(exc)) from None


def _prop(name: str, raw: Any, columns: dict[str, Any]) -> PropSpec:
    if not isinstance(raw, dict):
        raw = {"column": raw} if isinstance(raw, str) else {"value": raw}
    unknown = set(raw) - {"column", "value", "type", "map", "default", "required"}
    if unknown:
        raise _MappingError(f"egenskap {name}: ukjente nøkler {sorted(unknown)}")
    typ = raw.get("type", "text")
    if typ not in TYPES:
        raise _MappingError(f"egenskap {name}: ukjent type {typ!r}; bruk {', '.join(TYPES)}")
    col = raw.get("column")
    if col is not None and col not in columns:
        raise _MappingError(f"egenskap {name}: kolonnen {col!r} er ikke deklarert i columns")
    if col is None and "value" not in raw:
        raise _MappingError(f"egenskap {name}: trenger column eller value")
    return PropSpec(
        name,
        col,
        raw.get("value"),
        typ,
        {header_key(k): v for k, v in (raw.get("map") or {}).items()},
        raw.get("default"),
        bool(raw.get("required")),
    )


def _parse(data: Any, path: Path) -> Mapping:
    if not isinstance(data, dict):
        raise _MappingError("mappingen må være en YAML-mapping")
    columns = {str(k): (v or {}) for k, v in (data.get("columns") or {}).items()}
    if not columns:
        raise _MappingError("mangler columns")
    entities: dict[str, EntitySpec] = {}
    for i, (key, raw) in enumerate((data.get("entities") or {}).items()):
        if not isinstance(raw, dict):
            raise _MappingError(f"entitet {key}: må være en mapping")
        kind_raw = raw.get("kind")
        kind, kind_col, kind_map, kind_default = None, None, {}, None
        if isinstance(kind_raw, dict):
            kind_col = kind_raw.get("column")
            kind_default = kind_raw.get("default")
            if kind_default is not None and kind_default not in NODE_KINDS:
                raise _MappingError(f"entitet {key}: ukjent nodetype {kind_default!r}")
            if kind_col not in columns:
                raise _MappingError(f"entitet {key}: kind-kolonnen {kind_col!r} er ikke deklarert")
            kind_map = {header_key(k): str(v) for k, v in (kind_raw.get("map") or {}).items()}
            for v in kind_map.values():
                if v not in NODE_KINDS:
                    raise _MappingError(
                        f"entitet {key}: ukjent nodetype {v!r}; tillatte: {', '.join(NODE_KINDS)}"
                    )
        else:
            kind = str(kind_raw)
            if kind not in NODE_KINDS:
                raise _MappingError(
                    f"entitet {key}: ukjent nodetype {kind!r}; tillatte: {', '.join(NODE_KINDS)}"
                )
        name_col = raw.get("name")
        if name_col not in columns:
            raise _MappingError(f"entitet {key}: navnekolonnen {name_col!r} er ikke deklarert")
        props = [_prop(p, v, columns) for p, v in (raw.get("properties") or {}).items()]
        date_col = raw.get("date")
        if date_col is not None and date_col not in columns:
            raise _MappingError(f"entitet {key}: datokolonnen {date_col!r} er ikke deklarert")
        entities[str(key)] = EntitySpec(
            str(key),
            kind,
            kind_col,
            kind_map,
            str(name_col),
            bool(raw.get("split")),
            bool(raw.get("required")),
            bool(raw.get("authoritative", i == 0)),
            props,
            date_col,
            kind_default,
        )
    if not entities:
        raise _MappingError("mangler entities")
    rels = []
    for raw in data.get("relationships") or []:
        rtype = str(raw.get("type"))
        if rtype not in REL_KINDS:
            raise _MappingError(f"ukjent relasjonstype {rtype!r}; tillatte: {', '.join(REL_KINDS)}")
        for end in ("from", "to"):
            if raw.get(end) not in entities:
                raise _MappingError(f"relasjon {rtype}: {end} {raw.get(end)!r} er ingen entitet")
        props = [_prop(p, v, columns) for p, v in (raw.get("properties") or {}).items()]
        rels.append(RelSpecMap(rtype, str(raw["from"]), str(raw["to"]), props))
    sheets = data.get("sheets")
    return Mapping(
        str(data.get("name") or path.stem),
        str(data.get("title") or path.stem),
        path,
        columns,
        entities,
        rels,
        [str(s) for s in sheets] if sheets else None,
        str(data.get("description") or ""),
    )


# ---------------------------------------------------------------------------------------------
# rows → values


class CellError(ValueError):
    def __init__(self, column: str | None, reason: str):
        self.column = column
        super().__init__(reason)


def convert(spec: PropSpec, raw: Any) -> Any:
    if spec.column is None:
        return spec.value
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if spec.required:
            raise CellError(spec.column, "mangler verdi")
        return spec.default
    if spec.map:
        key = header_key(raw)
        if key in spec.map:
            return spec.map[key]
    try:
        if spec.type == "date":
            return parse_date(raw)
        if spec.type == "amount":
            return parse_amount(raw)
        if spec.type == "decimal":
            return parse_decimal(raw)
        if spec.type in ("int", "year"):
            number = parse_decimal(raw)
            if number is None or not float(number).is_integer():
                raise ValueError(f"ugyldig heltall {raw!r}")
            return int(number)
        if spec.type == "list":
            return split_list(raw)
    except ValueError as exc:
        raise CellError(spec.column, str(exc)) from None
    return clean_text(raw)


def kind_of(entity: EntitySpec, raw: Any) -> str | None:
    if entity.kind:
        return entity.kind
    text = clean_text(raw)
    if text is None:
        return entity.kind_default
    key = header_key(text)
    kind = entity.kind_map.get(key) or KIND_WORDS.get(key)
    if kind is None:
        allowed = sorted({*entity.kind_map, *(cls.label_no for cls in NODE_KINDS.values())})
        raise CellError(
            entity.kind_column, f"ukjent nodetype {text!r}; tillatte: {', '.join(allowed)}"
        )
    return kind


Converter = Callable[[PropSpec, Any], Any]
__all__ = [
    "CellError",
    "EntitySpec",
    "Mapping",
    "ModelError",
    "PropSpec",
    "RelSpecMap",
    "convert",
    "kind_of",
    "list_mappings",
    "load_mapping",
]
