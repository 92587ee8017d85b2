"""Render a text export (like data/seeds/*.txt) as a Word or PDF document.

Used by the tests and the benchmark to get the same document in every format: one paragraph
per line, and every run of tab-separated lines as a real table (Word) or a ruled table (PDF).
python-docx is a runtime dependency; fpdf2 is a test extra, imported only here.
"""

from __future__ import annotations

from pathlib import Path

from importers.documents.text import clean_cell, split_cells

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _blocks(text: str) -> list[tuple[str, list[str] | list[list[str]]]]:
    """[("line", [text]) | ("table", [[cells], …])] in order."""
    out: list[tuple[str, list[str] | list[list[str]]]] = []
    rows: list[list[str]] = []
    for raw in text.splitlines():
        cells = split_cells(raw)
        if cells is not None:
            rows.append(cells)
            continue
        if rows:
            out.append(("table", rows))
            rows = []
        out.append(("line", [raw.rstrip()]))
    if rows:
        out.append(("table", rows))
    return out


def text_to_docx(text: str, path: Path) -> Path:
    import docx

    document = docx.Document()
    for kind, payload in _blocks(text):
        if kind == "line":
            document.add_paragraph(str(payload[0]))
            continue
        rows = [list(r) for r in payload]
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for i, cells in enumerate(rows):
            for j in range(width):
                table.cell(i, j).text = cells[j] if j < len(cells) else ""
    document.save(str(path))
    return path


def text_to_pdf(
    text: str, path: Path, *, password: str | None = None, repeat: int = 1, ruled: bool = True
) -> Path:
    """A PDF of the text; `repeat` concatenates the text n times (long test documents);
    `ruled=False` draws tables without lines: columns separated by space only."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    if DEJAVU.exists():
        pdf.add_font("DejaVu", "", str(DEJAVU))
        pdf.add_font("DejaVu", "B", str(DEJAVU.with_name("DejaVuSans-Bold.ttf")))
        pdf.set_font("DejaVu", size=9)
    else:  # core fonts are latin-1: æøå are fine, typographic quotes are not
        pdf.set_font("Helvetica", size=9)

    def fix(s: str) -> str:
        return s if DEJAVU.exists() else s.encode("latin-1", "replace").decode("latin-1")

    if password:
        pdf.set_encryption(owner_password=password + "-owner", user_password=password)
    pdf.add_page()
    lh = 4.5
    blocks = _blocks(text)
    for _ in range(repeat):
        for kind, payload in blocks:
            if kind == "line":
                line = str(payload[0])
                if line.strip():
                    pdf.multi_cell(
                        w=0, h=lh, text=fix(line), align="L", new_x="LMARGIN", new_y="NEXT"
                    )
                else:
                    pdf.ln(lh)
                continue
            rows = [list(r) for r in payload]
            width = max(len(r) for r in rows)
            with pdf.table(
                first_row_as_headings=True,
                repeat_headings=1,
                line_height=lh,
                text_align="LEFT",
                borders_layout="ALL" if ruled else "NONE",
                padding=1.5,
            ) as table:
                for cells in rows:
                    row = table.row()
                    for j in range(width):
                        row.cell(fix(clean_cell(cells[j])) if j < len(cells) else "")
    pdf.output(str(path))
    return path
