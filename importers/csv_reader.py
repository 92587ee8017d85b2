"""CSV as Norwegian offices export it.

- Encoding: a UTF-8 byte-order mark means UTF-8; otherwise the whole file is checked as UTF-8
  (streamed in 1 MB chunks, nothing kept); if that fails, cp1252 (Excel's "ANSI" on Norwegian
  Windows), and latin-1 if cp1252 cannot decode it either. The encoding used, and why, is
  reported (`Table.encoding`, `Table.notes`): it is never guessed silently.
- Delimiter: `;` (Excel with a Norwegian locale), `,`, tab or `|`, sniffed from the first
  64 KB (`csv.Sniffer`), with a count-based fallback.
- The header is the first row (of the first 30) with the most known column names, so title
  lines above it are skipped. Rows are read one at a time.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from importers.errors import ImportDataError, Location
from importers.limits import Limits, current, fmt_int, refuse
from importers.readers import HEADER_SEARCH, HeaderScore, Table, find_header, header_names

CHUNK = 1 << 20
DELIMITERS = ";,\t|"


def detect_encoding(path: Path) -> tuple[str, str]:
    """(encoding, why)."""
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig", "UTF-8 med byte-order-merke (BOM)"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", "UTF-16 med byte-order-merke"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0
        try:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
                offset += len(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            byte = offset + exc.start
            fh.seek(0)
            cp_ok = True
            cp = codecs.getincrementaldecoder("cp1252")()
            try:
                while chunk := fh.read(CHUNK):
                    cp.decode(chunk)
            except UnicodeDecodeError:
                cp_ok = False
            if cp_ok:
                return "cp1252", f"ikke gyldig UTF-8 (byte {byte}); lest som cp1252 (Windows)"
            return "latin-1", f"verken UTF-8 eller cp1252 (byte {byte}); lest som latin-1"
    return "utf-8", "UTF-8"


def sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines() if ln.strip()][:50]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sum(ln.count(d) for ln in lines) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_csv(path: Path, score: HeaderScore, name: str, limits: Limits | None = None) -> Table:
    limits = limits or current()
    encoding, why = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as fh:
        sample = fh.read(1 << 16)
    if not sample.strip():
        raise ImportDataError(Location(name), "filen er tom (bare blanke linjer)")
    delimiter = sniff_delimiter(sample)
    fh = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by the generator
    reader = csv.reader(limited_lines(fh, name, limits), delimiter=delimiter)
    head: list[tuple[int, list[Any]]] = []
    start = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                head.append((start, cells))
            start = reader.line_num + 1
            if len(head) >= HEADER_SEARCH:
                break
    except csv.Error as exc:
        fh.close()
        raise _csv_error(exc, name, reader.line_num) from None
    except ImportDataError:
        fh.close()
        raise
    if not head:
        fh.close()
        raise ImportDataError(Location(name), "filen er tom")
    try:
        hi = find_header(head, score, name, None)
    except ImportDataError:
        fh.close()
        raise
    header_line, header_cells = head[hi]
    if len(header_cells) > limits.max_columns:
        fh.close()
        raise refuse(
            Location(name, line=header_line),
            f"overskriften har {fmt_int(len(header_cells))} kolonner",
            f"{fmt_int(limits.max_columns)} kolonner",
            "max_columns",
        )
    header = header_names(header_cells)
    buffered = head[hi + 1 :]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        nonlocal start
        try:
            for line, cells in buffered:
                yield line, _row(header, cells, name, line)
            for cells in reader:
                line = start
                start = reader.line_num + 1
                if not any(c.strip() for c in cells):
                    continue
                yield line, _row(header, cells, name, line)
        except csv.Error as exc:
            raise _csv_error(exc, name, reader.line_num) from None
        finally:
            fh.close()

    label = {";": "semikolon", ",": "komma", "\t": "tabulator", "|": "loddrett strek"}
    return Table(
        name,
        None,
        header,
        header_line,
        rows(),
        encoding,
        delimiter,
        [f"tegnsett: {why}", f"skilletegn: {label.get(delimiter, delimiter)}"],
        lines=True,
    )


def limited_lines(fh: Any, name: str, limits: Limits) -> Iterator[str]:
    """The file's physical lines, each refused if longer than `limits.max_line_chars` before it
    is held whole (a "line" of a billion delimiters would otherwise become a billion cells)."""
    no = 0
    while True:
        line = fh.readline(limits.max_line_chars + 1)
        if not line:
            return
        no += 1
        if len(line) > limits.max_line_chars:
            raise refuse(
                Location(name, line=no),
                f"linjen er lengre enn {fmt_int(limits.max_line_chars)} tegn",
                f"{fmt_int(limits.max_line_chars)} tegn per linje",
                "max_line_chars",
            )
        yield line


def _csv_error(exc: csv.Error, name: str, line: int) -> ImportDataError:
    if "field larger than field limit" in str(exc):
        return ImportDataError(
            Location(name, line=line),
            f"en celle er lengre enn {fmt_int(csv.field_size_limit())} tegn "
            "(mangler et avsluttende anførselstegn?)",
        )
    return ImportDataError(Location(name, line=line), f"ugyldig CSV: {exc}")


def _row(header: list[str], cells: list[str], name: str, line: int) -> dict[str, Any]:
    if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
        raise ImportDataError(
            Location(name, line=line),
            f"raden har {len(cells)} felt, men overskriften har {len(header)}",
        )
    return {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}
