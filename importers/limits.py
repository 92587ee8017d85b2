"""Limits for reading files from outside: spreadsheets and documents.

A small file can ask for a lot: a 5 KB workbook with one merged range over the whole sheet
(17 billion cells), a 2 MB Word file whose XML inflates to gigabytes, a 2 KB PDF whose page
content is deflated twice. Every reader checks these limits *while* it reads — the zip's
declared sizes before anything is unpacked, the XML while it streams, the PDF page before
pdfplumber builds its objects — and refuses a file over a limit with an `ImportDataError`
that names the file and the limit. The same check runs in a dry run and in the real import,
and nothing is written.

The defaults are generous for real spreadsheets and documents (Excel's own limits where
there is one) and keep the memory of one import to a few hundred MB. Each can be set with an
environment variable `SAMGRAF_LIMIT_<NAME>` (the field name in capitals), e.g.
`SAMGRAF_LIMIT_READ_SECONDS=300` or `SAMGRAF_LIMIT_ZIP_MAX_BYTES=500000000`.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from importers.errors import ImportDataError, Location

KB = 1024
MB = 1024 * KB
ENV_PREFIX = "SAMGRAF_LIMIT_"


@dataclass(frozen=True)
class Limits:
    # ---- zip containers (.xlsx, .docx) ----------------------------------------------------
    #: uncompressed size of all members together: declared in the zip's directory, and counted
    #: while the XML parts are streamed
    zip_max_bytes: int = 200 * MB
    #: uncompressed/compressed ratio allowed for a member larger than `zip_ratio_from`
    #: (XML compresses 5–30 times; deflate's maximum is ~1 000)
    zip_max_ratio: int = 100
    zip_ratio_from: int = 10 * MB
    zip_max_members: int = 10_000
    #: elements in the XML parts of one file that are parsed whole (every part of a .docx;
    #: styles, workbook and the like in a .xlsx — its worksheets and strings are streamed).
    #: A million elements in python-docx is ~350 MB
    xml_max_elements: int = 1_000_000

    # ---- spreadsheets (.xlsx, .csv, .json) ------------------------------------------------
    #: rows and columns of a sheet (Excel's own limits)
    max_rows: int = 1_048_576
    max_columns: int = 16_384
    #: characters in one cell (Excel's limit)
    max_cell_chars: int = 32_767
    #: cells covered by one merged range, and by all merged ranges of a sheet
    merged_max_cells: int = 100_000
    merged_max_total: int = 1_000_000
    #: distinct strings in an .xlsx (openpyxl holds them all)
    xlsx_max_shared_strings: int = 2_000_000
    #: characters in one physical line of a CSV or NDJSON file
    max_line_chars: int = 1_000_000
    #: size of a .json file (parsed whole; NDJSON is streamed and has no size limit)
    json_max_bytes: int = 50 * MB

    # ---- documents (.txt, .md, .docx, .pdf) -----------------------------------------------
    #: pages per document (`samgraf import-docs --max-pages` overrides it)
    max_pages: int = 300
    #: size of a .txt or .md document (read whole)
    text_max_bytes: int = 50 * MB
    #: width and height of a PDF page, points (200 inches: the PDF format's own limit)
    pdf_max_page_side: float = 14_400.0
    #: decoded size of one PDF stream (page content, form, font, CMap, object stream);
    #: pdfminer's parser holds ~110 bytes per token, so 10 MB of numbers is ~550 MB
    pdf_max_stream_bytes: int = 10 * MB
    #: decoded content drawn on one page (its content streams and forms, each use counted)
    pdf_max_page_bytes: int = 4 * MB
    #: decoded streams of one PDF together (pdfminer keeps them while the document is open)
    pdf_max_total_bytes: int = 200 * MB
    #: characters, lines, rectangles, curves and images drawn on one page
    pdf_max_page_objects: int = 100_000
    #: forms and images (XObjects) drawn on one page, each use counted (each costs pdfminer a
    #: new interpreter: ~0.2 ms)
    pdf_max_page_forms: int = 10_000
    #: line segments on a page above which ruled tables are not looked for on it (pdfplumber's
    #: table finder is quadratic in them); its text is still read
    pdf_max_table_edges: int = 3_000
    #: forms (XObjects) drawn inside each other
    pdf_max_nesting: int = 64
    #: graphics states saved (q) and not yet restored
    pdf_max_saved_states: int = 10_000
    #: operands waiting on the interpreter's stack
    pdf_max_operands: int = 10_000
    #: character codes mapped by one CMap (ToUnicode or embedded encoding)
    pdf_max_cmap_entries: int = 1_000_000

    # ---- time -----------------------------------------------------------------------------
    #: seconds the reader itself may spend on one file (checked while reading; for a
    #: spreadsheet the validation of its rows is not counted)
    read_seconds: float = 120.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        """The defaults, with `SAMGRAF_LIMIT_<NAME>` from the environment applied."""
        source: Mapping[str, str] = os.environ if env is None else env
        changes: dict[str, Any] = {}
        for f in fields(cls):
            raw = source.get(ENV_PREFIX + f.name.upper())
            if raw is None or not raw.strip():
                continue
            try:
                value = float(raw) if f.type == "float" else int(raw.replace("_", ""))
            except ValueError:
                value = -1
            if value <= 0:
                raise ImportDataError(
                    Location(ENV_PREFIX + f.name.upper()),
                    f"ugyldig grense {raw!r}: må være et positivt tall",
                )
            changes[f.name] = value
        return dataclasses.replace(cls(), **changes) if changes else cls()


def current() -> Limits:
    return Limits.from_env()


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def fmt_int(n: float) -> str:
    """12 345 678 (Norwegian: space between thousands)."""
    return f"{int(n):,}".replace(",", " ")


def fmt_bytes(n: float) -> str:
    """200 MB, 2,0 GB, 512 KB."""
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB".replace(".", ",")
    if n >= MB:
        v = n / MB
        return (f"{v:.0f}" if v >= 10 or v == int(v) else f"{v:.1f}".replace(".", ",")) + " MB"
    if n >= KB:
        return f"{n / KB:.0f} KB"
    return f"{int(n)} byte"


def refuse(location: Location, what: str, limit: str, field: str) -> ImportDataError:
    """The error for a file over a limit: what was found, the limit, and how to change it."""
    return ImportDataError(location, f"{what}; grensen er {limit} ({env_name(field)})")


class Clock:
    """Time a reader spends on one file. `check()` refuses the file when it is over
    `read_seconds`; `pause()` stops the clock while someone else (the validation of the rows
    a spreadsheet reader yields) works."""

    def __init__(self, limits: Limits, location: Location):
        self.limits = limits
        self.location = location
        self.spent = 0.0
        self.since: float | None = time.monotonic()

    def elapsed(self) -> float:
        return self.spent + (time.monotonic() - self.since if self.since is not None else 0.0)

    def pause(self) -> None:
        if self.since is not None:
            self.spent += time.monotonic() - self.since
            self.since = None

    def resume(self) -> None:
        if self.since is None:
            self.since = time.monotonic()

    def check(self) -> None:
        if self.elapsed() > self.limits.read_seconds:
            raise refuse(
                self.location,
                f"lesingen av filen tok mer enn {self.limits.read_seconds:g} s "
                "(er den laget for å belaste importen?)",
                f"{self.limits.read_seconds:g} s per fil",
                "read_seconds",
            )
