"""The reference tables of Norwegian municipalities and counties (data/reference/).

`ReferenceTables` answers "which municipality had number N (or name X) on date D", and turns a
municipality into graph facts: its Municipality node, the County it was in, and the chain of
SUCCEEDED_BY relationships to today's municipality.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from graph.ids import normalise_name
from graph.records import GraphBatch, NodeRecord, make_node, make_rel

FAR_FUTURE = "9999-12-31"


@dataclass(frozen=True)
class MunicipalityRow:
    kommunenummer: str
    name: str
    county_number: str
    valid_from: str
    valid_to: str
    successor: tuple[str, ...]
    note: str
    line: int

    def valid_on(self, date: str) -> bool:
        return self.valid_from <= date <= (self.valid_to or FAR_FUTURE)


@dataclass(frozen=True)
class CountyRow:
    fylkesnummer: str
    name: str
    valid_from: str
    valid_to: str
    line: int


class ReferenceTables:
    def __init__(self, folder: Path):
        self.folder = folder
        self.municipality_file = folder / "municipalities.csv"
        self.county_file = folder / "counties.csv"
        self.municipalities: list[MunicipalityRow] = []
        self.counties: dict[str, CountyRow] = {}
        with open(self.municipality_file, encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh), start=2):
                self.municipalities.append(
                    MunicipalityRow(
                        row["kommunenummer"].strip(),
                        row["name"].strip(),
                        row["county_number"].strip(),
                        row["valid_from"].strip(),
                        (row.get("valid_to") or "").strip(),
                        tuple(s for s in (row.get("successor") or "").split("|") if s.strip()),
                        (row.get("note") or "").strip(),
                        i,
                    )
                )
        with open(self.county_file, encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh), start=2):
                nr = row["fylkesnummer"].strip()
                self.counties[nr] = CountyRow(
                    nr,
                    row["name"].strip(),
                    row["valid_from"].strip(),
                    (row.get("valid_to") or "").strip(),
                    i,
                )
        self._by_number: dict[str, list[MunicipalityRow]] = {}
        for m in self.municipalities:
            self._by_number.setdefault(m.kommunenummer, []).append(m)
        for rows in self._by_number.values():
            rows.sort(key=lambda r: r.valid_from)

    # ---- look-ups ---------------------------------------------------------------------------

    def by_number(self, kommunenummer: str, on: str | None = None) -> MunicipalityRow | None:
        rows = self._by_number.get(kommunenummer, [])
        if on:
            for r in rows:
                if r.valid_on(on):
                    return r
            return None
        return rows[-1] if rows else None

    def by_name(self, name: str, on: str | None = None) -> list[MunicipalityRow]:
        key = normalise_name(name).removesuffix(" kommune")
        out = [m for m in self.municipalities if normalise_name(m.name) == key]
        if on:
            out = [m for m in out if m.valid_on(on)]
        return out

    def successors(self, row: MunicipalityRow) -> list[MunicipalityRow]:
        if not row.valid_to:
            return []
        next_day = (dt.date.fromisoformat(row.valid_to) + dt.timedelta(days=1)).isoformat()
        out = []
        for nr in row.successor:
            succ = self.by_number(nr, next_day)
            if succ is not None:
                out.append(succ)
        return out

    def current(self, row: MunicipalityRow) -> list[MunicipalityRow]:
        """Today's municipality (or municipalities) a historic one became."""
        frontier, seen, out = [row], set(), []
        while frontier:
            r = frontier.pop()
            if (r.kommunenummer, r.valid_from) in seen:
                continue
            seen.add((r.kommunenummer, r.valid_from))
            nxt = self.successors(r)
            if not nxt and not r.valid_to:
                out.append(r)
            frontier.extend(nxt)
        return out

    # ---- graph facts ------------------------------------------------------------------------

    def node_id(self, row: MunicipalityRow) -> str:
        """`municipality:<nr>`; a number SSB reused for another name gets `@<year>` on the older."""
        rows = self._by_number[row.kommunenummer]
        latest = rows[-1]
        if row is latest or normalise_name(row.name) == normalise_name(latest.name):
            return f"municipality:{row.kommunenummer}"
        return f"municipality:{row.kommunenummer}@{row.valid_from[:4]}"

    def _source(self, path: Path, line: int) -> str:
        return f"reference/{path.name}:{line}"

    def add_municipality(self, batch: GraphBatch, row: MunicipalityRow) -> NodeRecord:
        """Add a municipality, its county and its successor chain to a batch."""
        node_id = self.node_id(row)
        same = [r for r in self._by_number[row.kommunenummer] if self.node_id(r) == node_id]
        valid_to = "" if any(not r.valid_to for r in same) else max(r.valid_to for r in same)
        node = batch.add_node(
            make_node(
                "Municipality",
                row.name,
                {
                    "id": node_id,
                    "kommunenummer": row.kommunenummer,
                    "county": self.counties[row.county_number].name
                    if row.county_number in self.counties
                    else None,
                    "valid_from": min(r.valid_from for r in same),
                    "valid_to": valid_to or None,
                },
                [self._source(self.municipality_file, r.line) for r in same],
            )
        )
        for r in same:
            county = self.counties.get(r.county_number)
            if county is not None:
                c = batch.add_node(
                    make_node(
                        "County",
                        county.name,
                        {
                            "fylkesnummer": county.fylkesnummer,
                            "valid_from": county.valid_from,
                            "valid_to": county.valid_to or None,
                        },
                        [self._source(self.county_file, county.line)],
                    )
                )
                batch.add_rel(
                    make_rel(
                        "IN_COUNTY",
                        node,
                        c,
                        {},
                        [self._source(self.municipality_file, r.line)],
                    )
                )
            for succ in self.successors(r):
                if self.node_id(succ) == node_id:
                    continue  # renumbering into itself cannot happen; renaming keeps the node
                s = self.add_municipality(batch, succ)
                batch.add_rel(
                    make_rel(
                        "SUCCEEDED_BY",
                        node,
                        s,
                        {"year": int(succ.valid_from[:4])},
                        [self._source(self.municipality_file, r.line)],
                    )
                )
        return node


@lru_cache(maxsize=4)
def load_reference(folder: Path) -> ReferenceTables:
    return ReferenceTables(folder)
