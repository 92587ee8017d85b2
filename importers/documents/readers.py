"""Readers: .txt/.md (Word and PDF exports as text), .docx (python-docx), .pdf (pdfplumber).

Each returns a `DocText` (see `importers.documents.text`) or raises `ImportDataError` with a
Norwegian message naming the file: unreadable, encrypted, corrupt, empty, too many pages, or
over one of the limits in `importers.limits` — checked while the file is read, before the
memory grows: the zip and XML of a .docx before python-docx parses it (`importers.ooxml`),
every PDF stream as it is decoded and every page before pdfplumber builds its objects
(`importers.documents.pdf_guard`), and the time the reader has spent.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from importers.documents.text import (
    DocLine,
    DocText,
    clean_cell,
    lines_from_text,
    page_count,
)
from importers.errors import ImportDataError, Location
from importers.limits import Clock, Limits, current, fmt_bytes, fmt_int, refuse

SUPPORTED = {".txt": "txt", ".md": "md", ".docx": "docx", ".pdf": "pdf"}
DEFAULT_MAX_PAGES = Limits().max_pages


def document_format(path: Path) -> str | None:
    return SUPPORTED.get(path.suffix.lower())


def _too_many_pages(path: Path, pages: int, max_pages: int) -> ImportDataError:
    return ImportDataError(
        Location(str(path)),
        f"dokumentet har {pages} sider; grensen er {max_pages} sider per dokument. "
        "Del det opp, eller øk grensen med --max-pages (importen tar omtrent ett sekund "
        "per 20 PDF-sider).",
    )


def read_document(
    path: Path, max_pages: int | None = None, limits: Limits | None = None
) -> DocText:
    limits = limits or current()
    max_pages = max_pages or limits.max_pages
    loc = Location(str(path))
    fmt = document_format(path)
    if fmt is None:
        raise ImportDataError(
            loc,
            f"ukjent filtype {path.suffix or '(ingen)'}; støttet: " + ", ".join(sorted(SUPPORTED)),
        )
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            sha = hashlib.file_digest(fh, "sha256").hexdigest()
            fh.seek(0)
            head = fh.read(4096)
    except OSError as exc:
        raise ImportDataError(loc, f"kan ikke lese filen: {exc}") from None
    if size == 0 or (size <= len(head) and not head.strip()):
        raise ImportDataError(loc, "dokumentet er tomt (0 tegn tekst)")
    clock = Clock(limits, loc)
    if fmt in ("txt", "md"):
        if size > limits.text_max_bytes:
            raise refuse(
                loc,
                f"tekstfilen er {fmt_bytes(size)}",
                f"{fmt_bytes(limits.text_max_bytes)}",
                "text_max_bytes",
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImportDataError(loc, f"kan ikke lese filen: {exc}") from None
        if not data.strip():
            raise ImportDataError(loc, "dokumentet er tomt (0 tegn tekst)")
        doc = _read_text(path, data, fmt, sha)
    elif fmt == "docx":
        doc = _read_docx(path, sha, limits, clock)
    else:
        doc = _read_pdf(path, sha, max_pages, limits, clock)
    if doc.pages > max_pages:
        raise _too_many_pages(path, doc.pages, max_pages)
    if not any(line.text.strip() for line in doc.lines):
        raise ImportDataError(
            loc,
            "dokumentet er tomt: ingen tekst å lese"
            + (" (en skannet PDF uten tekstlag? Kjør OCR først)" if fmt == "pdf" else ""),
        )
    return doc


# ---- text --------------------------------------------------------------------------------


def _read_text(path: Path, data: bytes, fmt: str, sha: str) -> DocText:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportDataError(
                Location(str(path)), "teksten er verken UTF-8 eller Windows-1252"
            ) from None
    if "\x00" in text:
        raise ImportDataError(Location(str(path)), "filen er binær, ikke tekst")
    return DocText(path, fmt, lines_from_text(text, markdown=fmt == "md"), page_count(text), sha)


# ---- Word -------------------------------------------------------------------------------


def _read_docx(path: Path, sha: str, limits: Limits, clock: Clock) -> DocText:
    import docx
    from docx.text.paragraph import Paragraph

    loc = Location(str(path))
    check_docx(path, loc, limits, clock)
    try:
        document = docx.Document(str(path))
    except ImportDataError:
        raise
    except Exception as exc:  # zip, lxml and package errors of python-docx
        raise ImportDataError(
            loc, f"Word-filen er skadet eller kan ikke leses ({type(exc).__name__}: {exc})"
        ) from None
    lines: list[DocLine] = []
    chars = 0
    body = document.element.body
    for n, child in enumerate(body.iterchildren()):
        if n % 256 == 0:
            clock.check()
        tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if tag == "p":
            text = Paragraph(child, document).text
            for part in text.split("\n"):
                lines.append(DocLine(len(lines) + 1, part.rstrip()))
                chars += len(part)
        elif tag == "tbl":
            for cells in _docx_table_rows(child, document):
                if len(lines) % 256 == 0:
                    clock.check()
                while cells and not cells[-1]:
                    cells.pop()
                text = "\t".join(cells)
                lines.append(DocLine(len(lines) + 1, text, cells or None))
                chars += len(text)
    pages = max(1, -(-chars // 3000))
    return DocText(path, "docx", lines, pages, sha)


def _docx_table_rows(tbl: Any, parent: Any) -> list[list[str]]:
    """The rows of a Word table, one cell per `w:tc`: a cell spanning several grid columns
    once, a vertically merged cell with its first row's text in every row it spans.

    (python-docx's `row.cells` finds a merged cell's text by walking up one row at a time,
    recursively: quadratic, and a RecursionError for a cell merged over a thousand rows.)
    """
    from docx.text.paragraph import Paragraph

    rows: list[list[str]] = []
    above: dict[int, str] = {}  # grid column → text of the vertically merged cell starting there
    for tr in tbl.tr_lst:
        offset = tr.grid_before
        cells: list[str] = []
        for tc in tr.tc_lst:
            merge = tc.vMerge
            if merge == "continue":
                text = above.get(offset, "")
            else:
                text = clean_cell(
                    " ".join(t for t in (Paragraph(p, parent).text for p in tc.p_lst) if t.strip())
                )
                if merge == "restart":
                    above[offset] = text
                else:
                    above.pop(offset, None)
            cells.append(text)
            offset += tc.grid_span
        rows.append(cells)
    return rows


def check_docx(path: Path, loc: Location, limits: Limits, clock: Clock) -> None:
    """The zip and every XML part of a .docx against the limits, streaming, before
    python-docx unpacks and parses them all."""
    import zipfile

    from importers.ooxml import XmlScan, open_zip, scan_all

    with open_zip(path, loc, limits, "Word-filen") as zf:
        try:
            scan_all(XmlScan(zf, loc, limits, clock), {})
        except zipfile.BadZipFile as exc:
            raise ImportDataError(loc, f"Word-filen er skadet ({exc})") from None


# ---- PDF --------------------------------------------------------------------------------

_CONJ = {"og", "eller", "til", "and", "or", "samt"}
_BULLET = re.compile(r"^\s*(?:[-•*–]|\d+[.)])\s+")


def _read_pdf(path: Path, sha: str, max_pages: int, limits: Limits, clock: Clock) -> DocText:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    from importers.documents.pdf_guard import check_page, guarded, limit_error

    loc = Location(str(path))
    with guarded(limits, loc, clock) as guard:
        try:
            pdf = pdfplumber.open(str(path))
        except Exception as exc:
            if (err := limit_error(exc, guard)) is not None:
                raise err from None
            # pdfplumber wraps pdfminer's errors in PdfminerException; look at the cause
            causes = [exc, exc.__cause__, exc.__context__, *(exc.args or ())]
            if any(isinstance(c, PDFPasswordIncorrect) for c in causes):
                raise ImportDataError(
                    loc,
                    "PDF-en er kryptert med passord; lagre en kopi uten passord og importer den",
                ) from None
            if any(isinstance(c, PDFEncryptionError) for c in causes):
                raise ImportDataError(
                    loc, "PDF-en er kryptert på en måte som ikke støttes"
                ) from None
            detail = next((str(c) for c in causes if c and str(c)), type(exc).__name__)
            if any(isinstance(c, PDFSyntaxError | PSException) for c in causes) or "Root" in detail:
                raise ImportDataError(
                    loc, f"PDF-en er skadet eller ikke en PDF ({detail})"
                ) from None
            raise ImportDataError(loc, f"PDF-en er skadet og kan ikke leses ({detail})") from None
        with pdf:
            try:
                n_pages = len(pdf.pages)
            except Exception as exc:
                if (err := limit_error(exc, guard)) is not None:
                    raise err from None
                raise ImportDataError(
                    loc, f"PDF-en er skadet: sidene kan ikke leses ({exc})"
                ) from None
            if n_pages > max_pages:
                raise _too_many_pages(path, n_pages, max_pages)
            lines: list[DocLine] = []
            warnings: list[str] = []
            page_no = 0
            try:
                carry: dict[str, Any] = {}
                for page_no, page in enumerate(pdf.pages, start=1):
                    clock.check()
                    stats = check_page(pdf, page, page_no, guard)
                    ruled = stats.edges <= limits.pdf_max_table_edges
                    if not ruled:
                        warnings.append(
                            f"{path.name}: side {page_no} har {fmt_int(stats.edges)} linjestykker; "
                            "linjerte tabeller er ikke lett etter på den siden (grensen er "
                            f"{fmt_int(limits.pdf_max_table_edges)}, "
                            "SAMGRAF_LIMIT_PDF_MAX_TABLE_EDGES)"
                        )
                    _pdf_page(page, page_no, lines, carry, ruled=ruled)
                    page.close()  # pdfplumber's objects of the page are not needed again
            except ImportDataError:
                raise
            except Exception as exc:
                if (err := limit_error(exc, guard)) is not None:
                    raise err from None
                raise ImportDataError(
                    loc,
                    f"PDF-en er skadet: side {page_no} kan ikke leses ({type(exc).__name__})",
                ) from None
    return DocText(path, "pdf", lines, n_pages, sha, warnings)


def _pdf_page(
    page: Any, page_no: int, out: list[DocLine], carry: dict[str, Any], ruled: bool = True
) -> None:
    """Text lines and ruled tables (if `ruled`) of one page, in reading order, appended to
    `out`.

    `carry` holds the last text line of the previous page, so that a paragraph wrapped over
    a page break is joined again.
    """
    # a frame or a box around text is not a table: keep tables of two columns or more
    found = page.find_tables() if ruled else []
    tables = [t for t in found if max((len(r.cells) for r in t.rows), default=0) > 1]
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, Any]) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    text_page = page.filter(outside) if boxes else page
    items: list[tuple[float, float, str, Any]] = []  # (top, bottom, kind, payload)
    text_lines = text_page.extract_text_lines(return_chars=True, strip=True)
    text_lines, layout_rows = layout_tables(text_lines)
    for tl in text_lines:
        items.append((tl["top"], tl["bottom"], "text", tl))
    items += layout_rows
    for t in tables:
        rows = t.extract()
        for row, cells in zip(t.rows, rows, strict=False):
            top, bottom = row.bbox[1], row.bbox[3]
            items.append((top, bottom, "row", [_pdf_cell(c) for c in cells]))
    items.sort(key=lambda it: it[0])
    if not items:
        return
    texts = [it[3] for it in items if it[2] == "text"]
    # the right edge of the text block, assuming margins of equal width on both sides
    left = min((tl["x0"] for tl in texts), default=0.0)
    right = page.width - left
    heights = sorted(it[1] - it[0] for it in items if it[2] == "text")
    lh = heights[len(heights) // 2] if heights else 12.0
    prev: tuple[float, float, str, Any] | None = None
    for it in items:
        top, bottom, kind, payload = it
        if kind == "row":
            cells = [c for c in payload if c is not None]
            while cells and not cells[-1]:
                cells.pop()
            header = _header_of_table(out)
            if prev is None and header is not None and cells == header:
                prev = it  # heading row repeated at the top of a new page
                continue
            if prev is not None and prev[2] == "text" and top - prev[1] > 0.6 * lh:
                out.append(DocLine(len(out) + 1, "", None, page_no))
            out.append(DocLine(len(out) + 1, "\t".join(cells), cells or None, page_no))
            prev = it
            continue
        tl = payload
        text = tl["text"]
        if prev is not None:
            gap = top - prev[1]
            if prev[2] == "text" and gap <= 0.6 * lh and _wrapped(prev[3], tl, right):
                last = out[-1]
                last.text = _join_wrapped(last.text, text)
                prev = (prev[0], bottom, "text", tl)
                continue
            if gap > 0.6 * lh:
                for _ in range(max(1, round(gap / (lh * 1.15)))):
                    out.append(DocLine(len(out) + 1, "", None, page_no))
        elif (
            carry.get("line") is not None
            and out
            and not out[-1].is_row
            and _wrapped(carry["line"], tl, carry["right"])
        ):
            out[-1].text = _join_wrapped(out[-1].text, text)
            prev = it
            continue
        elif out and out[-1].text:
            out.append(DocLine(len(out) + 1, "", None, page_no))
        out.append(DocLine(len(out) + 1, text, None, page_no))
        prev = it
    final = items[-1]
    carry["line"] = final[3] if final[2] == "text" else None
    carry["right"] = right


def _header_of_table(out: list[DocLine]) -> list[str] | None:
    """The header row of the table that ends the lines read so far, if they end in one."""
    if not out or not out[-1].is_row:
        return None
    i = len(out) - 1
    while i > 0 and out[i - 1].is_row:
        i -= 1
    return out[i].cells


def _pdf_cell(value: str | None) -> str | None:
    if value is None:
        return None
    parts = [p.strip() for p in value.split("\n")]
    text = ""
    for p in parts:
        text = _join_wrapped(text, p) if text else p
    return clean_cell(text)


def _wrapped(prev_line: dict[str, Any], line: dict[str, Any], right: float) -> bool:
    """Was `line` wrapped from `prev_line`? Greedy wrapping: its first word did not fit."""
    if _BULLET.match(line["text"]):
        return False
    chars = line.get("chars") or []
    first_w = 0.0
    for ch in chars:
        if ch["text"].isspace():
            break
        first_w = ch["x1"] - line["x0"]
    space = 3.0
    return bool(prev_line["x1"] + space + first_w > right - 2.0)


_ENDS_HYPHEN = re.compile(r"\w-$")


def _join_wrapped(prev: str, nxt: str) -> str:
    if _ENDS_HYPHEN.search(prev):
        first = nxt.split(" ", 1)[0].lower()
        if first in _CONJ:
            return f"{prev} {nxt}"
        return prev + nxt  # "kompetanse-" + "rekruttering": the hyphen is kept
    return f"{prev} {nxt}"


# ---- tables without ruling: columns separated by space ------------------------------------


def _segments(line: dict[str, Any]) -> list[tuple[float, float, str]]:
    """The parts of a text line separated by a gap wider than a word space: (x0, x1, text)."""
    chars = sorted((c for c in line.get("chars") or [] if c["text"].strip()), key=lambda c: c["x0"])
    if not chars:
        return []
    size = sorted(c.get("size", 10.0) for c in chars)[len(chars) // 2]
    split = max(6.0, 0.75 * size)
    space = 0.15 * size
    out: list[tuple[float, float, str]] = []
    x0, x1, text = chars[0]["x0"], chars[0]["x1"], chars[0]["text"]
    for c in chars[1:]:
        gap = c["x0"] - x1
        if gap > split:
            out.append((x0, x1, text))
            x0, text = c["x0"], c["text"]
        else:
            text += (" " if gap > space else "") + c["text"]
        x1 = c["x1"]
    out.append((x0, x1, text))
    return out


def _column_of(seg: tuple[float, float, str], cols: list[float], tol: float = 4.0) -> int | None:
    for k, start in enumerate(cols):
        if abs(seg[0] - start) <= tol:
            end = cols[k + 1] if k + 1 < len(cols) else float("inf")
            return k if seg[1] < end - 1.0 else None
    return None


def layout_tables(
    lines: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[tuple[float, float, str, Any]]]:
    """Tables without ruling in a page's text lines: columns separated by wide gaps, cells
    wrapped over several lines, the first row as header. Returns the lines that are not in a
    table and the table rows as (top, bottom, "row", cells)."""
    segs = [_segments(tl) for tl in lines]
    heights = sorted(tl["bottom"] - tl["top"] for tl in lines) or [10.0]
    lh = heights[len(heights) // 2]
    used: set[int] = set()
    rows_out: list[tuple[float, float, str, Any]] = []
    i = 0
    while i < len(lines):
        if len(segs[i]) < 2:
            i += 1
            continue
        cols = sorted(x0 for x0, _, _ in segs[i])
        j = i + 1
        while j < len(lines) and lines[j]["top"] - lines[j - 1]["bottom"] <= 2.5 * lh:
            new_cols = sorted({*cols, *(x0 for x0, _, _ in segs[j])}) if len(segs[j]) >= 2 else cols
            new_cols = _merge_close(new_cols)
            if all(_column_of(sg, new_cols) is not None for sg in segs[j]):
                cols = new_cols
                j += 1
            else:
                break
        start = i
        while (
            start > 0
            and lines[start]["top"] - lines[start - 1]["bottom"] <= 0.6 * lh
            and all(_column_of(sg, cols) is not None for sg in segs[start - 1])
            and segs[start - 1]
            and segs[start - 1][0][0] > cols[0] + 4.0
        ):
            start -= 1
        region = list(range(start, j))
        rows = _layout_rows(region, lines, segs, cols, lh)
        while rows and _only_first_column(rows[-1], segs, cols):
            rows.pop()
        while rows and _only_first_column(rows[0], segs, cols):
            rows.pop(0)
        multi = sum(1 for r in rows for n in r if len(segs[n]) >= 2)
        if len(cols) >= 2 and len(rows) >= 2 and multi >= 2:
            for r in rows:
                cells = [""] * len(cols)
                for n in sorted(r, key=lambda n: lines[n]["top"]):
                    for sg in segs[n]:
                        k = _column_of(sg, cols)
                        assert k is not None
                        cells[k] = _join_wrapped(cells[k], sg[2]) if cells[k] else sg[2]
                        used.add(n)
                top = min(lines[n]["top"] for n in r)
                bottom = max(lines[n]["bottom"] for n in r)
                rows_out.append((top, bottom, "row", [clean_cell(c) for c in cells]))
            i = j
        else:
            i += 1
    return [tl for n, tl in enumerate(lines) if n not in used], rows_out


def _merge_close(cols: list[float], tol: float = 4.0) -> list[float]:
    out: list[float] = []
    for c in cols:
        if not out or c - out[-1] > tol:
            out.append(c)
    return out


def _layout_rows(
    region: list[int],
    lines: list[dict[str, Any]],
    segs: list[list[tuple[float, float, str]]],
    cols: list[float],
    lh: float,
) -> list[list[int]]:
    """Rows: lines whose vertical extents touch (gap ≤ 0.6 line height) belong together."""
    rows: list[list[int]] = []
    bottom = -1e9
    for n in sorted(region, key=lambda n: lines[n]["top"]):
        if rows and lines[n]["top"] - bottom <= 0.6 * lh:
            rows[-1].append(n)
            bottom = max(bottom, lines[n]["bottom"])
        else:
            rows.append([n])
            bottom = lines[n]["bottom"]
    return rows


def _only_first_column(
    row: list[int], segs: list[list[tuple[float, float, str]]], cols: list[float]
) -> bool:
    """A heading or paragraph line next to a table: one line, only in the first column."""
    return len(row) == 1 and all(_column_of(sg, cols) == 0 for sg in segs[row[0]])
