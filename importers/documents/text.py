"""The common shape every reader produces: numbered logical lines, table rows with their cells.

Every format is reduced to the same thing so that one set of rules reads them all: a `DocText`
is a list of `DocLine`s, one per logical line (a paragraph of a Word document, a line of a
text export, a line of a PDF page with wrapped lines joined again). A table row is one line
whose `cells` are set. Line numbers are what provenance ("file:line") points at.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

#: roughly one printed page of running text; used to count "pages" of text and Word files
CHARS_PER_PAGE = 3000

_TAG = re.compile(r"<[^>]+>")
_BLOCK_TAG = re.compile(r"</?(p|br|li|ul|ol|div|tr)\b[^>]*>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


@dataclass
class DocLine:
    no: int
    text: str
    cells: list[str] | None = None
    page: int | None = None

    @property
    def is_row(self) -> bool:
        return self.cells is not None


@dataclass
class DocText:
    path: Path
    format: str
    lines: list[DocLine]
    pages: int
    sha256: str
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def line(self, no: int) -> DocLine:
        return self.lines[no - 1]


def clean_cell(raw: str) -> str:
    """A table cell as plain text: HTML fragments (`<p>`, `<ul>`) from Word exports removed."""
    text = _BLOCK_TAG.sub(" ", raw)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


def split_cells(line: str) -> list[str] | None:
    """The cells of a tab-separated line, or None if the line is running text."""
    if "\t" not in line:
        return None
    cells = [clean_cell(c) for c in line.split("\t")]
    while cells and not cells[-1]:
        cells.pop()  # trailing tabs of empty cells
    return cells or None


_MD_ROW = re.compile(r"^\s*\|(.+)\|\s*$")
_MD_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")


def split_markdown_row(line: str) -> list[str] | None:
    m = _MD_ROW.match(line)
    if not m:
        return None
    return [clean_cell(c) for c in m.group(1).split("|")]


def lines_from_text(text: str, markdown: bool = False) -> list[DocLine]:
    out: list[DocLine] = []
    page = 1
    for i, raw in enumerate(text.splitlines(), start=1):
        if "\f" in raw:
            page += raw.count("\f")
            raw = raw.replace("\f", "")
        cells = split_cells(raw)
        if cells is None and markdown:
            if "|" in raw and _MD_RULE.match(raw) and "-" in raw:
                out.append(DocLine(i, "", None, page))  # the |---| rule under a header row
                continue
            cells = split_markdown_row(raw)
        text_line = "\t".join(cells) if cells is not None else raw.rstrip()
        out.append(DocLine(i, text_line, cells, page))
    return out


def page_count(text: str) -> int:
    if "\f" in text:
        return text.count("\f") + 1
    return max(1, -(-len(text) // CHARS_PER_PAGE))
