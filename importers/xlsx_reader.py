"""XLSX workbooks (openpyxl): several sheets, a header that is not on row 1, merged cells,
empty trailing rows.

Merged cells: the value of a merged range (kept by Excel in its top-left cell) is copied to
every cell of the range, so a "Prosjekteier" merged down over three rows belongs to all
three. That needs openpyxl's normal (not read-only) mode, which holds one workbook in memory;
spreadsheets are bounded by Excel's own limits, and the CSV reader is the streaming path for
very large exports.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from importers.errors import ImportDataError, Location
from importers.readers import HEADER_SEARCH, HeaderScore, Table, find_header, header_names


def read_xlsx(
    path: Path, score: HeaderScore, name: str, sheets: list[str] | None = None
) -> list[Table]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportDataError(Location(name), f"kan ikke lese arbeidsboken: {exc}") from None
    wanted = sheets or wb.sheetnames
    missing = [s for s in wanted if s not in wb.sheetnames]
    if missing:
        raise ImportDataError(
            Location(name, sheet=missing[0]),
            f"arket finnes ikke; arkene er: {', '.join(wb.sheetnames)}",
        )
    tables: list[Table] = []
    skipped: list[str] = []
    for sheet_name in wanted:
        ws = wb[sheet_name]
        for rng in list(ws.merged_cells.ranges):
            value = ws.cell(rng.min_row, rng.min_col).value
            ws.unmerge_cells(str(rng))
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    ws.cell(r, c).value = value
        head: list[tuple[int, list[Any]]] = []
        for r, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            if any(_present(c) for c in cells):
                head.append((r, list(cells)))
            if len(head) >= HEADER_SEARCH:
                break
        if not head:
            skipped.append(f"{sheet_name} (tomt)")
            continue
        try:
            hi = find_header(head, score, name, sheet_name)
        except ImportDataError:
            if sheets:
                raise
            skipped.append(f"{sheet_name} (ingen kjente kolonner)")
            continue
        header_row, cells = head[hi]
        header = header_names(cells)
        tables.append(Table(name, sheet_name, header, header_row, _rows(ws, header, header_row)))
    if not tables:
        raise ImportDataError(
            Location(name),
            "fant ingen ark med en overskriftsrad med kjente kolonner"
            + (f" (hoppet over: {', '.join(skipped)})" if skipped else ""),
        )
    if skipped:
        tables[0].notes.append(f"hoppet over ark: {', '.join(skipped)}")
    return tables


def _present(c: Any) -> bool:
    return c is not None and str(c).strip() != ""


def _rows(ws: Any, header: list[str], header_row: int) -> Iterator[tuple[int, dict[str, Any]]]:
    for r, cells in enumerate(
        ws.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1
    ):
        if not any(_present(c) for c in cells):
            continue  # empty (e.g. trailing, formatted-only) rows
        yield r, {h: (cells[i] if i < len(cells) else None) for i, h in enumerate(header)}
