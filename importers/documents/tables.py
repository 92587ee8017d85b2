"""Tables: consecutive rows of cells, recognised by their header as a Prosjektveiviseren type.

A table is a run of consecutive table rows (`DocLine.cells`); the first row is the header. The
known table types of the Prosjektveiviseren "Styringsdokument" template are recognised by the
words of their header (fuzzy, so "Prosjekteier/ systemeier" and small typos still match).
Tables of no known type are kept as `unknown` and reported, never dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from importers.documents.text import DocLine, DocText

#: table type -> (header keywords, how many must be present)
TABLE_TYPES: dict[str, tuple[tuple[str, ...], int]] = {
    # "a|b": bokmål and nynorsk words for the same column
    "avhengigheter": (("avhengighet", "beskrivelse|skildring", "eier|eigar", "håndtering"), 3),
    "roller": (("rolle", "navn|namn", "tittel", "stillingsstørrelse|stillingsstorleik"), 3),
    "interessenter": (
        ("interessent", "mål med kommunikasjonen", "budskap", "kommunikasjonsform", "ansvarlig"),
        3,
    ),
    "endringslogg": (("versjon", "dato", "endring", "produsent", "godkjent"), 4),
    "distribusjonslogg": (("versjon distribuert", "dato", "navn"), 3),
    "kompetanse": (("behov", "navn"), 2),
    "mål": (("nivå", "beskrivelse", "suksesskriterier"), 3),
    "milepæler": (("milepæler", "tid", "leveranser", "beskrivelse"), 3),
    "usikkerheter": (("mulig hendelse", "virkning", "tiltak"), 3),
}
#: recognised types that carry no facts for the graph (reported as recognised)
NO_FACTS = {"distribusjonslogg", "mål", "milepæler", "usikkerheter", "innhold"}

_FORM_CELL = re.compile(r"^[\wæøåÆØÅ /]{3,40}:\s*\S")


@dataclass
class Table:
    rows: list[DocLine]
    type: str = "unknown"
    heading: str = ""
    columns: dict[str, int] = field(default_factory=dict)

    @property
    def header(self) -> list[str]:
        return self.rows[0].cells or []

    @property
    def body(self) -> list[DocLine]:
        return self.rows[1:] if self.type != "skjema" else self.rows

    @property
    def line(self) -> int:
        return self.rows[0].no

    def cell(self, row: DocLine, column: str) -> str:
        i = self.columns.get(column)
        cells = row.cells or []
        if i is None or i >= len(cells):
            return ""
        return cells[i].strip()


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\wæøå ]+", " ", text.casefold()).split())


def _keyword_column(header: list[str], keyword: str, used: set[int]) -> int | None:
    best, best_i = 0.0, None
    for i, cell in enumerate(header):
        if i in used:
            continue
        c = _norm(cell)
        if not c:
            continue
        score = 0.0
        for kw in keyword.split("|"):
            if kw in c:
                score = max(score, 100.0)
            elif len(c) >= len(kw) - 1:
                score = max(score, fuzz.partial_ratio(kw, c))
        if score > best:
            best, best_i = score, i
    return best_i if best >= 88 else None


def classify(rows: list[DocLine], heading: str) -> Table:
    table = Table(rows, heading=heading)
    header = table.header
    cells = [c for r in rows for c in (r.cells or []) if c]
    forms = sum(1 for c in cells if _FORM_CELL.match(c) or c.endswith(":"))
    if forms >= 2 and forms * 2 >= len(cells):
        table.type = "skjema"
        return table
    if len(rows) >= 3 and sum(1 for r in rows if (r.cells or [""])[-1].strip().isdigit()) * 2 > len(
        rows
    ):
        table.type = "innhold"  # a table of contents: heading, page number
        return table
    best: tuple[float, str, dict[str, int]] = (0.0, "unknown", {})
    for name, (keywords, need) in TABLE_TYPES.items():
        cols: dict[str, int] = {}
        for kw in keywords:
            i = _keyword_column(header, kw, set(cols.values()))
            if i is not None:
                cols[kw.split("|")[0]] = i  # looked up by the bokmål word
        if len(cols) >= need:
            score = len(cols) / len(keywords)
            if score > best[0]:
                best = (score, name, cols)
    table.type, table.columns = best[1], best[2]
    return table


def find_tables(doc: DocText) -> list[Table]:
    tables: list[Table] = []
    run: list[DocLine] = []

    def close() -> None:
        if run:
            tables.append(classify(list(run), _heading_before(doc, run[0].no)))
            run.clear()

    for line in doc.lines:
        if line.is_row:
            run.append(line)
        else:
            close()
    close()
    return tables


def _heading_before(doc: DocText, no: int) -> str:
    """The nearest non-empty line of running text above a table (its caption or heading)."""
    for i in range(no - 2, max(-1, no - 8), -1):
        line = doc.lines[i]
        if line.is_row:
            break
        if line.text.strip():
            return line.text.strip()
    return ""
