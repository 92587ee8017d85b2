"""Tables from files: the common shape every format reader produces.

A `Table` is one sheet (XLSX) or the whole file (CSV, JSON): its header, the row number the
header is on, and an iterator over `(row number, {header: value})` that reads the file as it
goes (nothing holds the whole file). `open_tables(path, score)` picks the reader by extension;
`score(cells)` says how many cells of a candidate row are columns the mapping knows, which
is how the header row is found when it is not row 1.

Every reader checks the limits in `importers.limits` while it reads (rows, columns, line and
cell length, merged ranges, the unpacked size of an .xlsx, the time spent) and refuses a file
over one with an `ImportDataError` naming the file and the limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importers.errors import ImportDataError, Location

HeaderScore = Callable[[list[Any]], int]
#: rows searched for the header
HEADER_SEARCH = 30


@dataclass
class Table:
    file: str
    sheet: str | None
    header: list[str]
    header_row: int
    rows: Iterator[tuple[int, dict[str, Any]]]
    #: "utf-8", "utf-8-sig" (BOM), "cp1252" … (CSV only)
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    #: row numbers are physical lines (CSV, NDJSON), not rows (XLSX, JSON array positions)
    lines: bool = False

    def loc(self, row: int | None = None, field: str | None = None) -> Location:
        if self.lines:
            return Location(self.file, line=row, field=field)
        return Location(self.file, sheet=self.sheet, row=row, field=field)

    def provenance(self, row: int) -> str:
        return f"{self.file}:{self.sheet}:{row}" if self.sheet else f"{self.file}:{row}"


def find_header(
    rows: list[tuple[int, list[Any]]], score: HeaderScore, file: str, sheet: str | None
) -> int:
    """Index into `rows` of the header: the first row with the best score (at least 1)."""
    best, best_i = 0, -1
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH]):
        s = score(cells)
        if s > best:
            best, best_i = s, i
    if best_i < 0:
        where = f" (ark {sheet})" if sheet else ""
        raise ImportDataError(
            Location(file, sheet=sheet),
            f"fant ingen overskriftsrad med kjente kolonner i de første {HEADER_SEARCH} "
            f"radene{where}",
        )
    return best_i


def header_names(cells: list[Any]) -> list[str]:
    out = []
    for i, c in enumerate(cells):
        text = " ".join(str(c).split()) if c is not None else ""
        out.append(text or f"kolonne {i + 1}")
    return out


def open_tables(
    path: Path, score: HeaderScore, display: str | None = None, sheets: list[str] | None = None
) -> list[Table]:
    name = display or path.name
    if not path.exists():
        raise ImportDataError(Location(name), "filen finnes ikke")
    if path.stat().st_size == 0:
        raise ImportDataError(Location(name), "filen er tom")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from importers.xlsx_reader import read_xlsx

        return read_xlsx(path, score, name, sheets)
    if suffix in (".json", ".ndjson", ".jsonl"):
        from importers.json_reader import read_json

        return [read_json(path, name)]
    if suffix in (".csv", ".txt", ".tsv", ""):
        from importers.csv_reader import read_csv

        return [read_csv(path, score, name)]
    raise ImportDataError(
        Location(name), f"ukjent filtype {suffix!r}; bruk .csv, .xlsx, .json eller .ndjson"
    )
