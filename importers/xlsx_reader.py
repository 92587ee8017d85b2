"""XLSX workbooks (openpyxl): several sheets, a header that is not on row 1, merged cells,
empty trailing rows.

The workbook is checked before openpyxl reads it (`check_workbook`, the limits in
`importers.limits`): the zip's declared sizes, then every XML part streamed — the merged
ranges and the row numbers of each sheet, the number and length of the shared strings, the
elements of the parts openpyxl parses whole. A 5 KB file with one merged range over the whole
sheet is refused there, before a cell exists.

The sheets are then streamed (openpyxl's read-only mode): one row at a time, its length, its
row number and the length of its cells checked as it comes, and the time the reader spends
counted. Merged cells: the value of a merged range (kept by Excel in its top-left cell) is
copied to every cell of the range as the rows go by, so a "Prosjekteier" merged down over
three rows belongs to all three; rows that only a merged range reaches are produced too.
"""

from __future__ import annotations

import zipfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from importers.errors import ImportDataError, Location
from importers.limits import Clock, Limits, current, fmt_int, refuse
from importers.ooxml import (
    DOC_REL,
    MAIN_XLSX,
    XmlScan,
    main_part,
    open_zip,
    part_targets,
    scan_all,
)
from importers.readers import HEADER_SEARCH, HeaderScore, Table, find_header, header_names

ROW = f"{{{MAIN_XLSX}}}row"
CELL = f"{{{MAIN_XLSX}}}c"
MERGE = f"{{{MAIN_XLSX}}}mergeCell"
SI = f"{{{MAIN_XLSX}}}si"
T = f"{{{MAIN_XLSX}}}t"


@dataclass(frozen=True)
class Merged:
    min_col: int
    min_row: int
    max_col: int
    max_row: int

    @property
    def cells(self) -> int:
        return (self.max_col - self.min_col + 1) * (self.max_row - self.min_row + 1)


def read_xlsx(
    path: Path,
    score: HeaderScore,
    name: str,
    sheets: list[str] | None = None,
    limits: Limits | None = None,
) -> list[Table]:
    import openpyxl

    limits = limits or current()
    clock = Clock(limits, Location(name))
    merges = check_workbook(path, name, limits, clock)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except ImportDataError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a workbook it cannot read
        raise ImportDataError(Location(name), f"kan ikke lese arbeidsboken: {exc}") from None
    try:
        tables = _tables(wb, name, score, sheets, merges, limits, clock)
    except BaseException:
        wb.close()
        raise
    # the sheets are read again as their rows are consumed; the last one closes the workbook
    left = [len(tables)]

    def done() -> None:
        left[0] -= 1
        if left[0] == 0:
            wb.close()

    for table in tables:
        table.rows = _closing(table.rows, done)
    clock.pause()  # validating the rows is not the reader's time
    return tables


def _closing(rows: Iterator[tuple[int, dict[str, Any]]], done: Any) -> Iterator[Any]:
    try:
        yield from rows
    finally:
        done()


def _tables(
    wb: Any,
    name: str,
    score: HeaderScore,
    sheets: list[str] | None,
    merges: dict[str, list[Merged]],
    limits: Limits,
    clock: Clock,
) -> list[Table]:
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
        if not hasattr(ws, "iter_rows"):
            skipped.append(f"{sheet_name} (diagramark)")
            continue
        ws.reset_dimensions()  # rows as long as they are, not as the sheet claims
        sheet = _Sheet(ws, name, sheet_name, merges.get(sheet_name, []), limits, clock)
        head: list[tuple[int, list[Any]]] = []
        for r, cells in sheet.rows(1, None):
            if any(_present(c) for c in cells):
                head.append((r, cells))
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
        while cells and not _present(cells[-1]):
            cells = cells[:-1]
        header = header_names(cells)
        tables.append(Table(name, sheet_name, header, header_row, _rows(sheet, header, header_row)))
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


def _rows(
    sheet: _Sheet, header: list[str], header_row: int
) -> Iterator[tuple[int, dict[str, Any]]]:
    for r, cells in sheet.rows(header_row + 1, len(header)):
        if not any(_present(c) for c in cells):
            continue  # empty (e.g. trailing, formatted-only) rows
        yield r, {h: (cells[i] if i < len(cells) else None) for i, h in enumerate(header)}


class _Sheet:
    """One sheet, streamed: rows with the merged values filled in, limits checked."""

    def __init__(
        self, ws: Any, file: str, title: str, merged: list[Merged], limits: Limits, clock: Clock
    ):
        self.ws = ws
        self.file = file
        self.title = title
        self.merged = sorted(merged, key=lambda m: (m.min_row, m.min_col))
        self.limits = limits
        self.clock = clock

    def loc(self, row: int | None = None) -> Location:
        return Location(self.file, sheet=self.title, row=row)

    def rows(self, start: int, width: int | None) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cells) from row `start`; `width` cuts every row to that many columns
        (None: as long as the row is). The sheet is read from row 1 each time, so that the
        value of a merged range that begins above `start` is known."""
        self.clock.resume()
        limits = self.limits
        pending = deque(self.merged)
        active: list[tuple[Merged, Any]] = []
        source = iter(self.ws.iter_rows(max_col=width, values_only=True))
        r = 0
        exhausted = False
        try:
            while True:
                if not exhausted:
                    try:
                        got = next(source, None)
                    except Exception as exc:  # openpyxl parses the sheet as it streams
                        raise ImportDataError(
                            self.loc(r + 1), f"kan ikke lese arket ({type(exc).__name__}: {exc})"
                        ) from None
                    if got is None:
                        exhausted = True
                if exhausted:
                    # rows below the last one in the file that a merged range reaches
                    active = [(m, v) for m, v in active if m.max_row > r]
                    if not active:
                        if not pending:
                            return
                        r = max(r, pending[0].min_row - 1)
                    cells: list[Any] = [None] * (width or 0)
                else:
                    cells = list(got or ())
                r += 1
                if r > limits.max_rows:
                    raise refuse(
                        self.loc(r),
                        "arket har flere rader enn Excel tillater",
                        f"{fmt_int(limits.max_rows)} rader",
                        "max_rows",
                    )
                if r % 1000 == 0:
                    self.clock.check()
                if width is None and len(cells) > limits.max_columns:
                    raise refuse(
                        self.loc(r),
                        f"raden har {fmt_int(len(cells))} kolonner",
                        f"{fmt_int(limits.max_columns)} kolonner",
                        "max_columns",
                    )
                for c in cells:
                    if isinstance(c, str) and len(c) > limits.max_cell_chars:
                        raise refuse(
                            self.loc(r),
                            f"en celle har {fmt_int(len(c))} tegn",
                            f"{fmt_int(limits.max_cell_chars)} tegn per celle",
                            "max_cell_chars",
                        )
                while pending and pending[0].min_row <= r:
                    m = pending.popleft()
                    top_left = m.min_row == r and m.min_col <= len(cells)
                    value = cells[m.min_col - 1] if top_left else None
                    active.append((m, value))
                if active:
                    active = [(m, v) for m, v in active if m.max_row >= r]
                    for m, value in active:
                        hi = m.max_col if width is None else min(m.max_col, width)
                        if hi > len(cells):
                            cells.extend([None] * (hi - len(cells)))
                        for c in range(m.min_col, hi + 1):
                            cells[c - 1] = value
                if r >= start:
                    self.clock.pause()
                    yield r, cells
                    self.clock.resume()
        finally:
            self.clock.pause()


# ---- the checks before openpyxl reads the workbook ----------------------------------------


def check_workbook(path: Path, name: str, limits: Limits, clock: Clock) -> dict[str, list[Merged]]:
    """Check the workbook against the limits, streaming; returns each sheet's merged ranges."""
    loc = Location(name)
    with open_zip(path, loc, limits, "arbeidsboken") as zf:
        scan = XmlScan(zf, loc, limits, clock)
        wb_part = main_part(scan) or "xl/workbook.xml"
        rels = part_targets(scan, wb_part)
        root = scan.read_small(wb_part)
        titles: dict[str, str] = {}
        for sheet in root.iter(f"{{{MAIN_XLSX}}}sheet") if root is not None else ():
            kind, target = rels.get(sheet.get(f"{{{DOC_REL}}}id") or "", ("", ""))
            if kind == "worksheet":
                titles[target] = sheet.get("name") or target
        merges: dict[str, list[Merged]] = {}

        def sheet_part(scan: XmlScan, part: str) -> None:
            title = titles[part]
            merges[title] = _scan_sheet(scan, part, name, title)

        special = {part: sheet_part for part in titles}
        for kind, target in rels.values():
            if kind == "sharedStrings":
                special[target] = _scan_strings
        done = {wb_part, "_rels/.rels", _rels_of(wb_part)}
        try:
            scan_all(
                scan,
                special,
                # parsed above; pivot cache records are not read by openpyxl's read-only mode
                skip=lambda n: n in done or n.startswith("xl/pivotCache/"),
            )
        except zipfile.BadZipFile as exc:
            raise ImportDataError(loc, f"arbeidsboken er skadet ({exc})") from None
    return merges


def _rels_of(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _scan_sheet(scan: XmlScan, part: str, file: str, title: str) -> list[Merged]:
    from openpyxl.utils.cell import range_boundaries

    limits = scan.limits
    out: list[Merged] = []
    total = 0
    row_no = 0
    cells = 0
    for tag, elem in scan.iter(part, count=False, tags=[CELL, ROW, MERGE]):
        if tag == CELL:
            # one event per cell, cleared as it ends: a row of millions of cells is refused
            # before openpyxl builds a list of it. (A text over 10 MB is refused by lxml
            # itself; the cell length is checked as the rows stream.)
            cells += 1
            if cells > limits.max_columns:
                raise refuse(
                    _cell_loc(file, title, elem),
                    f"raden har over {fmt_int(limits.max_columns)} celler",
                    f"{fmt_int(limits.max_columns)} kolonner",
                    "max_columns",
                )
            continue
        if tag == ROW:
            r = elem.get("r")
            row_no = int(r) if r is not None and r.isdigit() else row_no + 1
            cells = 0
            if row_no > limits.max_rows:
                raise refuse(
                    Location(file, sheet=title, row=row_no),
                    "arket har flere rader enn Excel tillater",
                    f"{fmt_int(limits.max_rows)} rader",
                    "max_rows",
                )
            if row_no % 10_000 == 0:
                scan.clock.check()
            continue
        ref = elem.get("ref") or ""
        try:
            b = range_boundaries(ref)
        except (ValueError, TypeError):
            raise ImportDataError(
                Location(file, sheet=title), f"ugyldig sammenslått område {ref!r}"
            ) from None
        min_col, min_row, max_col, max_row = (
            b[0] or 1,
            b[1] or 1,
            b[2] or limits.max_columns,
            b[3] or limits.max_rows,
        )
        m = Merged(
            min(min_col, max_col),
            min(min_row, max_row),
            max(min_col, max_col),
            max(min_row, max_row),
        )
        if m.cells > limits.merged_max_cells:
            raise refuse(
                Location(file, sheet=title),
                f"det sammenslåtte området {ref} dekker {fmt_int(m.cells)} celler",
                f"{fmt_int(limits.merged_max_cells)} celler per sammenslått område",
                "merged_max_cells",
            )
        if m.max_row > limits.max_rows or m.max_col > limits.max_columns:
            raise ImportDataError(
                Location(file, sheet=title), f"det sammenslåtte området {ref} går utenfor arket"
            )
        total += m.cells
        if total > limits.merged_max_total:
            raise refuse(
                Location(file, sheet=title),
                f"de sammenslåtte områdene dekker over {fmt_int(total)} celler til sammen",
                f"{fmt_int(limits.merged_max_total)} sammenslåtte celler per ark",
                "merged_max_total",
            )
        out.append(m)
    return out


def _cell_loc(file: str, title: str, cell: Any) -> Location:
    digits = (cell.get("r") or "").lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return Location(file, sheet=title, row=int(digits) if digits.isdigit() else None)


def _scan_strings(scan: XmlScan, part: str) -> None:
    limits = scan.limits
    for n, (_, si) in enumerate(scan.iter(part, count=False, tags=[SI]), start=1):
        if n > limits.xlsx_max_shared_strings:
            raise refuse(
                scan.loc,
                f"arbeidsboken har over {fmt_int(limits.xlsx_max_shared_strings)} ulike tekster",
                f"{fmt_int(limits.xlsx_max_shared_strings)} ulike tekster",
                "xlsx_max_shared_strings",
            )
        chars = sum(len(t.text or "") for t in si.iter(T))
        if chars > limits.max_cell_chars:
            raise refuse(
                scan.loc,
                f"tekst nr. {fmt_int(n)} i arbeidsboken har {fmt_int(chars)} tegn",
                f"{fmt_int(limits.max_cell_chars)} tegn per celle",
                "max_cell_chars",
            )
        if n % 10_000 == 0:
            scan.clock.check()
