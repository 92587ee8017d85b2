"""Hostile but small files (issue 19, item 7): each is refused while it is read, with a clear
Norwegian error naming the file and the limit (`importers/limits.py`), in a dry run and in
the real import alike, within bounded memory and time, and nothing is written.

The three files of the report are built here, by code, in a few seconds:

- a 5 KB workbook with one merged range A2:XFD1048576 (17 billion cells);
- a ~2.4 MB Word file whose document.xml inflates to 2 GB (the compressed block is made once
  and repeated, so building it costs a CRC over 2 GB, not 2 GB of deflating);
- a 2 KB one-page PDF whose content stream is deflated twice and inflates to 256 MB of text
  operators.

Before the limits they took 2.9 GB / 97 s, 2.1 GB / 22 s and 3.1 GB / 79 s under a 3 GB cap
(the PDF killed the interpreter). Here each must be refused in a subprocess capped at 1.5 GB
of address space, under 400 MB and 30 s.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph.settings import REPO_ROOT, Settings
from graph.store import GraphStore
from importers.errors import ImportDataError
from importers.limits import Limits
from tests.import_helpers import imp, isettings, snapshot

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CAP = int(1.5 * 2**30)  # RLIMIT_AS of the subprocesses
PEAK_MB = 400
SECONDS = 30


# ---- building the files -------------------------------------------------------------------


def _rewrite_zip(data: bytes, path: Path, edits: dict[str, Callable[[bytes], bytes]]) -> Path:
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename in edits:
                body = edits[info.filename](body)
            dst.writestr(info.filename, body)
    return path


def xlsx_bytes(rows: list[list[object]] | None = None) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Prosjekter"
    for row in rows or [
        ["Tittel", "Prosjekteier", "Fase"],
        ["Fra stønad til arbeid", "Anne Aunevik", "Planlegging"],
    ]:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def hostile_xlsx(path: Path, ref: str = "A2:XFD1048576") -> Path:
    """A workbook with one merged range `ref`, written into the sheet's XML (openpyxl itself
    would build every cell of the range)."""
    merge = f'<mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'.encode()
    return _rewrite_zip(
        xlsx_bytes(),
        path,
        {
            "xl/worksheets/sheet1.xml": lambda xml: xml.replace(
                b"</sheetData>", b"</sheetData>" + merge, 1
            )
        },
    )


def _deflate_repeated(head: bytes, chunk: bytes, n: int, tail: bytes) -> bytes:
    """Raw deflate of head + chunk * n + tail, deflating `chunk` once: after a full flush the
    compressor's history is empty, so the deflated chunk is a self-contained run of
    byte-aligned blocks that can be repeated."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    last = c.compress(tail) + c.flush(zlib.Z_FINISH)
    return first + block * n + last


def _checksum(
    fn: Callable[[bytes, int], int], start: int, head: bytes, chunk: bytes, n: int, tail: bytes
) -> int:
    value = fn(head, start)
    for _ in range(n):
        value = fn(chunk, value)
    return fn(tail, value)


def _write_zip(
    path: Path, members: list[tuple[str, bytes]], raw: tuple[str, bytes, int, int]
) -> Path:
    """A zip of `members` (deflated) and one member given already deflated:
    (name, raw deflate data, crc32, uncompressed size < 4 GiB)."""
    entries = [
        (name, zlib.compress(body, 9)[2:-4], zlib.crc32(body), len(body)) for name, body in members
    ]
    entries.insert(1, raw)
    out = io.BytesIO()
    central = []
    for name, comp, crc, size in entries:
        offset = out.tell()
        fname = name.encode()
        local = (0x04034B50, 20, 0, 8, 0, 0x21, crc, len(comp), size, len(fname), 0)
        out.write(struct.pack("<IHHHHHIIIHH", *local))
        out.write(fname + comp)
        entry = (0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(comp), size, len(fname), 0, 0, 0, 0)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", *entry, 0, offset) + fname)
    cd_offset = out.tell()
    out.write(b"".join(central))
    cd_size = out.tell() - cd_offset
    end = (0x06054B50, 0, 0, len(central), len(central), cd_size, cd_offset, 0)
    out.write(struct.pack("<IHHHHIIH", *end))
    path.write_bytes(out.getvalue())
    return path


def docx_members() -> list[tuple[str, bytes]]:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    with zipfile.ZipFile(buf) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def docx_with_body(path: Path, body: bytes) -> Path:
    """A .docx (python-docx's template) whose document.xml has `body` as its body."""
    xml = (
        (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:document xmlns:w="{W_NS}"><w:body>'
        ).encode()
        + body
        + b"</w:body></w:document>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in docx_members():
            z.writestr(name, xml if name == "word/document.xml" else data)
    return path


def hostile_docx(path: Path, gib: float = 2.0) -> Path:
    """A Word file whose word/document.xml inflates to `gib` GiB: paragraphs with 16 KB of
    blank space between them (~900 times smaller deflated)."""
    head = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W_NS}"><w:body>'
    ).encode()
    unit = b"<w:p><w:r><w:t>bombe</w:t></w:r></w:p>"
    unit += b" " * (16384 - len(unit))
    chunk = unit * (16 * 2**20 // len(unit))
    n = int(gib * 2**30) // len(chunk)
    tail = b"</w:body></w:document>"
    crc = _checksum(zlib.crc32, 0, head, chunk, n, tail)
    size = len(head) + len(chunk) * n + len(tail)
    members = [(m, b) for m, b in docx_members() if m != "word/document.xml"]
    raw = _deflate_repeated(head, chunk, n, tail)
    return _write_zip(path, members, ("word/document.xml", raw, crc, size))


def pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF of `objects` (numbered from 1; 1 is the catalog) with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def pdf_stream(data: bytes, extra: str = "") -> bytes:
    return f"<< /Length {len(data)} {extra}>>\nstream\n".encode() + data + b"\nendstream"


def one_page_pdf(
    content: bytes,
    filters: str = "",
    *,
    xobjects: str = "",
    font: str = "",
    extra: list[bytes] | None = None,
    mediabox: str = "0 0 595 842",
) -> bytes:
    """Objects: 1 catalog, 2 pages, 3 the page, 4 font F1 (Helvetica), 5 the page's content,
    6… `extra`."""
    xobj = f" /XObject << {xobjects} >>" if xobjects else ""
    return pdf_bytes(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            f"<< /Type /Page /Parent 2 0 R /MediaBox [{mediabox}] "
            f"/Resources << /Font << /F1 4 0 R >>{xobj} >> /Contents 5 0 R >>".encode(),
            f"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica {font}>>".encode(),
            pdf_stream(content, f"/Filter {filters} " if filters else ""),
            *(extra or []),
        ]
    )


TEXT = b"BT /F1 12 Tf 72 760 Td (Kristiansand kommune og NAV samarbeider) Tj ET\n"


def hostile_pdf(path: Path, mib: int = 256) -> Path:
    """One page whose content is deflated twice: 2 KB that inflate to `mib` MB of text
    operators (pdfplumber would build a dictionary for each of 250 million characters)."""
    head = b"BT /F1 1 Tf 10 10 Td\n"
    unit = b"(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa) Tj\n"
    chunk = unit * (16 * 2**20 // len(unit))
    n = mib // 16
    tail = b"ET\n"
    adler = _checksum(zlib.adler32, 1, head, chunk, n, tail)
    inner = b"\x78\xda" + _deflate_repeated(head, chunk, n, tail) + struct.pack(">I", adler)
    path.write_bytes(one_page_pdf(zlib.compress(inner, 9), "[/FlateDecode /FlateDecode]"))
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("hostile")
    return {
        "xlsx": hostile_xlsx(d / "prosjekter.xlsx"),
        "docx": hostile_docx(d / "styringsdokument.docx"),
        "pdf": hostile_pdf(d / "referat.pdf"),
    }


# the reason each of the three is refused: what was found and the limit, with its variable
EXPECTED = {
    "xlsx": [
        "ark Prosjekter",
        "A2:XFD1048576 dekker 17 179 852 800 celler",
        "grensen er 100 000 celler per sammenslått område (SAMGRAF_LIMIT_MERGED_MAX_CELLS)",
    ],
    "docx": [
        "word/document.xml pakkes ut til 2,0 GB",
        "grensen er 200 MB utpakket (SAMGRAF_LIMIT_ZIP_MAX_BYTES)",
    ],
    "pdf": [
        "side 1: en strøm i PDF-en pakkes ut til mer enn 10 MB",
        "grensen er 10 MB per strøm (SAMGRAF_LIMIT_PDF_MAX_STREAM_BYTES)",
    ],
}


def read(kind: str, path: Path, limits: Limits | None = None) -> object:
    """Read `path` the way the import does, to the end; returns what was read."""
    if kind == "xlsx":
        from importers.mapping import load_mapping
        from importers.readers import open_tables

        tables = open_tables(path, load_mapping("prosjektportalen").header_score)
        return [row for t in tables for row in t.rows]
    from importers.documents.readers import read_document

    return read_document(path, limits=limits)


def refused(kind: str, path: Path, limits: Limits | None = None) -> str:
    with pytest.raises(ImportDataError) as info:
        read(kind, path, limits)
    return str(info.value)


# ---- the three files: the readers -----------------------------------------------------------


def test_the_files_are_small(hostile: dict[str, Path]) -> None:
    assert hostile["xlsx"].stat().st_size < 10_000
    assert hostile["docx"].stat().st_size < 3_000_000
    assert hostile["pdf"].stat().st_size < 20_000
    with zipfile.ZipFile(hostile["docx"]) as z:
        assert z.getinfo("word/document.xml").file_size > 2 * 10**9


@pytest.mark.parametrize("kind", ["xlsx", "docx", "pdf"])
def test_refused_with_file_and_limit(hostile: dict[str, Path], kind: str) -> None:
    start = time.monotonic()
    message = refused(kind, hostile[kind])
    assert time.monotonic() - start < 5
    assert hostile[kind].name in message
    for part in EXPECTED[kind]:
        assert part in message, message


CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
from pathlib import Path
from tests.test_hostile_files import read
from importers.errors import ImportDataError
start = time.monotonic()
try:
    read(sys.argv[1], Path(sys.argv[2]))
    result = "lest uten feil"
except ImportDataError as exc:
    result = str(exc)
# VmHWM: this process's own peak (ru_maxrss would carry the forking test process's over exec)
peak = int(next(x for x in open("/proc/self/status") if x.startswith("VmHWM")).split()[1]) / 1024
print(json.dumps({{"result": result, "seconds": time.monotonic() - start, "peak_mb": peak}}))
"""


@pytest.mark.parametrize("kind", ["xlsx", "docx", "pdf"])
def test_bounded_memory_and_time(hostile: dict[str, Path], kind: str) -> None:
    """In a process that may not map more than 1.5 GB: refused, under 400 MB and 30 s."""
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.format(cap=CAP), kind, str(hostile[kind])],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "Traceback" not in proc.stderr
    for part in EXPECTED[kind]:
        assert part in out["result"], out
    assert out["peak_mb"] < PEAK_MB, out
    assert out["seconds"] < SECONDS, out


# ---- the three files: the import, dry run and real, on both stores ---------------------------


@pytest.mark.parametrize("kind", ["xlsx", "docx", "pdf"])
def test_import_refused_and_nothing_written(
    store: GraphStore, settings: Settings, tmp_path: Path, hostile: dict[str, Path], kind: str
) -> None:
    from importers.documents.pipeline import DocumentsError, import_documents

    s = isettings(settings, tmp_path)
    imp(store, s, REPO_ROOT / "data" / "examples" / "partnere.csv")
    before = snapshot(store)
    messages = []
    for dry_run in (True, False):
        if kind == "xlsx":
            with pytest.raises(ImportDataError) as info:
                imp(store, s, hostile[kind], mapping="prosjektportalen", dry_run=dry_run)
        else:
            with pytest.raises(DocumentsError) as info:
                import_documents([hostile[kind]], store, s, dry_run=dry_run)
        messages.append(str(info.value))
        assert snapshot(store) == before
    assert messages[0] == messages[1]  # the same decision in the dry run and the import
    for part in EXPECTED[kind]:
        assert part in messages[0], messages[0]


# ---- the CLI: no traceback, capped memory, the graph unchanged ------------------------------

WRAPPER = """
import atexit, resource, runpy, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
def _peak_mb():  # this process's own peak (ru_maxrss carries the parent's over exec)
    with open("/proc/self/status") as fh:
        return int(next(x for x in fh if x.startswith("VmHWM")).split()[1]) // 1024
atexit.register(lambda: print("PEAK_MB=%d" % _peak_mb(), file=sys.stderr))
sys.argv = ["samgraf", *sys.argv[1:]]
runpy.run_module("samgraf.cli", run_name="__main__")
"""


def test_cli_refuses_without_traceback(tmp_path: Path, hostile: dict[str, Path]) -> None:
    from tests.conftest import cli_env, run_samgraf

    db = tmp_path / "db"
    with cli_env(db, "hostile", SAMGRAF_REVIEW_DB=str(db / "review.sqlite")) as env:
        run_samgraf(env, "import", str(REPO_ROOT / "data" / "examples" / "partnere.csv"))
        before = json.loads(run_samgraf(env, "stats", "--json").stdout)
        runs = []
        for kind, path in hostile.items():
            verb = (
                ["import", "--mapping", "prosjektportalen"] if kind == "xlsx" else ["import-docs"]
            )
            for dry in (["--dry-run"], []):
                proc = subprocess.run(
                    [sys.executable, "-c", WRAPPER.format(cap=CAP), *verb, str(path), *dry],
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=REPO_ROOT,
                    timeout=120,
                )
                runs.append((kind, dry, proc))
        after = json.loads(run_samgraf(env, "stats", "--json").stdout)
    for kind, _dry, proc in runs:
        err = " ".join(proc.stderr.split())  # rich wraps long lines
        assert proc.returncode == 1, (kind, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert "Feil:" in err and hostile[kind].name in err
        for part in EXPECTED[kind]:
            assert part in err, (part, err)
        assert "Ingenting er skrevet" in err
        peak = int(err.rsplit("PEAK_MB=", 1)[1].split()[0])
        assert peak < PEAK_MB + 100, (kind, peak)  # the CLI's own imports (rich, typer, store)
    assert after == before


# ---- variants: spreadsheets ----------------------------------------------------------------


def test_merged_ranges_within_limits_still_fill(tmp_path: Path) -> None:
    path = hostile_xlsx(tmp_path / "prosjekter.xlsx", ref="B2:B40")
    rows = read("xlsx", path)
    assert isinstance(rows, list)
    # the merged owner fills every row the range covers, also those below the last row
    assert [r for r, _ in rows] == list(range(2, 41))
    assert {row["Prosjekteier"] for _, row in rows} == {"Anne Aunevik"}


def test_many_merged_ranges_are_refused_by_their_total(tmp_path: Path) -> None:
    merges = "".join(f'<mergeCell ref="A{r}:J{r + 9_999}"/>' for r in range(2, 200_000, 10_000))
    path = _rewrite_zip(
        xlsx_bytes(),
        tmp_path / "prosjekter.xlsx",
        {
            "xl/worksheets/sheet1.xml": lambda xml: xml.replace(
                b"</sheetData>", b"</sheetData><mergeCells>" + merges.encode() + b"</mergeCells>"
            )
        },
    )
    message = refused("xlsx", path)
    assert "grensen er 1 000 000 sammenslåtte celler per ark" in message
    assert "SAMGRAF_LIMIT_MERGED_MAX_TOTAL" in message


def test_row_number_beyond_excel_is_refused(tmp_path: Path) -> None:
    path = _rewrite_zip(
        xlsx_bytes(),
        tmp_path / "prosjekter.xlsx",
        {
            "xl/worksheets/sheet1.xml": lambda xml: xml.replace(
                b"</sheetData>",
                b'<row r="5000000"><c r="A5000000" t="inlineStr"><is><t>x</t></is></c></row>'
                b"</sheetData>",
            )
        },
    )
    message = refused("xlsx", path)
    assert "rad 5000000" in message and "grensen er 1 048 576 rader" in message


def test_row_of_too_many_cells_is_refused_before_openpyxl(tmp_path: Path) -> None:
    row = b'<row r="3">' + b"<c/>" * 20_000 + b"</row>"
    path = _rewrite_zip(
        xlsx_bytes(),
        tmp_path / "prosjekter.xlsx",
        {
            "xl/worksheets/sheet1.xml": lambda xml: xml.replace(
                b"</sheetData>", row + b"</sheetData>"
            )
        },
    )
    message = refused("xlsx", path)
    assert "raden har over 16 384 celler; grensen er 16 384 kolonner" in message


def test_shared_strings_bomb_refused_by_ratio(tmp_path: Path) -> None:
    members = []
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    chunk = b"<si><t>x</t></si>" * 60_000
    n, tail = 30, b"</sst>"
    crc = _checksum(zlib.crc32, 0, head, chunk, n, tail)
    raw = _deflate_repeated(head, chunk, n, tail)
    size = len(head) + len(chunk) * n + len(tail)
    path = _write_zip(
        tmp_path / "prosjekter.xlsx", members, ("xl/sharedStrings.xml", raw, crc, size)
    )
    message = refused("xlsx", path)
    assert "xl/sharedStrings.xml pakkes ut til 29 MB" in message
    assert "(SAMGRAF_LIMIT_ZIP_MAX_RATIO)" in message


def test_long_cell_and_doctype_are_refused(tmp_path: Path) -> None:
    # openpyxl cuts a cell at Excel's 32 767 characters when it writes; other programs do not
    path = _rewrite_zip(
        xlsx_bytes(),
        tmp_path / "prosjekter.xlsx",
        {
            "xl/worksheets/sheet1.xml": lambda xml: xml.replace(
                b"<t>Fra st", b"<t>" + b"x" * 40_000 + b"Fra st", 1
            )
        },
    )
    message = refused("xlsx", path)
    assert "ark Prosjekter, rad 2: en celle har 40 0" in message
    assert "grensen er 32 767 tegn per celle (SAMGRAF_LIMIT_MAX_CELL_CHARS)" in message
    doctype = _rewrite_zip(
        xlsx_bytes(),
        tmp_path / "doctype.xlsx",
        {
            "xl/worksheets/sheet1.xml": lambda xml: (
                b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>' + xml
            )
        },
    )
    assert "DOCTYPE" in refused("xlsx", doctype)


def test_csv_line_and_json_nesting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    csv = tmp_path / "prosjekter.csv"
    csv.write_text("Tittel;Fase\n" + ";" * 1_500_000 + "\n", encoding="utf-8")
    message = refused("xlsx", csv)  # `read` goes through open_tables for any spreadsheet
    assert "prosjekter.csv, linje 2" in message
    assert "grensen er 1 000 000 tegn per linje (SAMGRAF_LIMIT_MAX_LINE_CHARS)" in message
    deep = tmp_path / "prosjekter.json"
    deep.write_text("[" * 100_000, encoding="utf-8")
    assert "nøstet for dypt" in refused("xlsx", deep)
    big = tmp_path / "finansiering.json"
    big.write_text('[{"Tittel": "P1"}]', encoding="utf-8")
    monkeypatch.setenv("SAMGRAF_LIMIT_JSON_MAX_BYTES", "10")
    assert "(SAMGRAF_LIMIT_JSON_MAX_BYTES)" in refused("xlsx", big)


# ---- variants: Word -------------------------------------------------------------------------


def test_docx_elements_limit_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = docx_with_body(tmp_path / "notat.docx", b"<w:p><w:r><w:t>NAV Agder</w:t></w:r></w:p>")
    monkeypatch.setenv("SAMGRAF_LIMIT_XML_MAX_ELEMENTS", "500")
    message = refused("docx", path)
    assert "grensen er 500 elementer (SAMGRAF_LIMIT_XML_MAX_ELEMENTS)" in message
    monkeypatch.setenv("SAMGRAF_LIMIT_XML_MAX_ELEMENTS", "mange")
    assert "ugyldig grense 'mange'" in refused("docx", path)


def test_docx_cell_merged_over_many_rows_is_read_in_linear_time(tmp_path: Path) -> None:
    """python-docx finds a vertically merged cell's text recursively, one row up at a time:
    a RecursionError (a traceback) for a cell merged over 2 000 rows, and quadratic below."""

    def row(i: int) -> bytes:
        merge = b'<w:vMerge w:val="restart"/>' if i == 0 else b"<w:vMerge/>"
        first = (
            b"<w:p><w:r><w:t>Samhandling og innovasjon</w:t></w:r></w:p>" if i == 0 else b"<w:p/>"
        )
        return (
            b"<w:tr><w:tc><w:tcPr>" + merge + b"</w:tcPr>" + first + b"</w:tc>"
            b"<w:tc><w:p><w:r><w:t>rad %d</w:t></w:r></w:p></w:tc></w:tr>" % i
        )

    body = b"<w:tbl>" + b"".join(row(i) for i in range(2_000)) + b"</w:tbl>"
    start = time.monotonic()
    doc = read("docx", docx_with_body(tmp_path / "roller.docx", body))
    assert time.monotonic() - start < 5
    lines = doc.lines  # type: ignore[attr-defined]
    assert lines[0].cells == ["Samhandling og innovasjon", "rad 0"]
    assert lines[-1].cells == ["Samhandling og innovasjon", "rad 1999"]


def test_docx_doctype_is_refused(tmp_path: Path) -> None:
    path = docx_with_body(tmp_path / "notat.docx", b"<w:p><w:r><w:t>NAV</w:t></w:r></w:p>")
    data = path.read_bytes()
    path = _rewrite_zip(
        data,
        tmp_path / "entiteter.docx",
        {"word/document.xml": lambda x: x.replace(b"?>", b"?><!DOCTYPE d [<!ENTITY a 'b'>]>", 1)},
    )
    assert "DOCTYPE" in refused("docx", path)


# ---- variants: PDF --------------------------------------------------------------------------


def _pdf(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_pdf_page_of_many_tiny_operators(tmp_path: Path) -> None:
    content = TEXT + b"BT /F1 1 Tf " + b"(a)Tj " * 3_000 + b"ET"
    path = _pdf(tmp_path, "mange.pdf", one_page_pdf(zlib.compress(content), "/FlateDecode"))
    message = refused("pdf", path, Limits(pdf_max_page_objects=2_000))
    assert "side 1: siden tegner over 2 000 tegn, linjer og figurer" in message
    assert "(SAMGRAF_LIMIT_PDF_MAX_PAGE_OBJECTS)" in message


def test_pdf_forms_drawing_forms(tmp_path: Path) -> None:
    """Nine levels of forms, each drawing the one below ten times: a billion characters."""
    extra = [pdf_stream(b"BT /F1 1 Tf (a) Tj ET", "/Type /XObject /Subtype /Form /BBox [0 0 9 9] ")]
    for level in range(1, 9):
        below = 5 + level  # object number of the form one level down
        extra.append(
            pdf_stream(
                b"/X Do " * 10,
                "/Type /XObject /Subtype /Form /BBox [0 0 9 9] "
                f"/Resources << /XObject << /X {below} 0 R >> /Font << /F1 4 0 R >> >> ",
            )
        )
    path = _pdf(
        tmp_path,
        "skjema.pdf",
        one_page_pdf(TEXT + b"/X Do", xobjects=f"/X {5 + len(extra)} 0 R", extra=extra),
    )
    start = time.monotonic()
    message = refused("pdf", path)
    assert time.monotonic() - start < 10
    assert "siden tegner over 10 000 skjemaer (XObject)" in message
    assert "(SAMGRAF_LIMIT_PDF_MAX_PAGE_FORMS)" in message


def test_pdf_saved_states_and_operands(tmp_path: Path) -> None:
    path = _pdf(
        tmp_path, "q.pdf", one_page_pdf(zlib.compress(TEXT + b"q " * 20_000), "/FlateDecode")
    )
    assert "(SAMGRAF_LIMIT_PDF_MAX_SAVED_STATES)" in refused("pdf", path)
    path = _pdf(
        tmp_path, "tall.pdf", one_page_pdf(zlib.compress(TEXT + b"1 " * 20_000), "/FlateDecode")
    )
    assert "(SAMGRAF_LIMIT_PDF_MAX_OPERANDS)" in refused("pdf", path)


def test_pdf_cmap_of_four_billion_codes(tmp_path: Path) -> None:
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
        b"1 begincodespacerange <00000000> <FFFFFFFF> endcodespacerange "
        b"1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange endcmap end end"
    )
    path = _pdf(
        tmp_path,
        "cmap.pdf",
        one_page_pdf(TEXT, font="/ToUnicode 6 0 R ", extra=[pdf_stream(cmap)]),
    )
    message = refused("pdf", path)
    assert "tegnkoder" in message and "(SAMGRAF_LIMIT_PDF_MAX_CMAP_ENTRIES)" in message


def test_pdf_page_size_and_time(tmp_path: Path) -> None:
    huge = _pdf(tmp_path, "plakat.pdf", one_page_pdf(TEXT, mediabox="0 0 100000 100000"))
    assert "grensen er 14 400 punkter (SAMGRAF_LIMIT_PDF_MAX_PAGE_SIDE)" in refused("pdf", huge)
    fine = _pdf(tmp_path, "notat.pdf", one_page_pdf(TEXT))
    message = refused("pdf", fine, Limits(read_seconds=1e-9))
    assert "lesingen av filen tok mer enn" in message and "SAMGRAF_LIMIT_READ_SECONDS" in message


def test_pdf_many_lines_skip_ruled_tables_but_read_the_text(tmp_path: Path) -> None:
    grid = b"".join(
        b"%d 100 m %d 700 l S 100 %d m 500 %d l S\n" % (x, x, x, x) for x in range(100, 500, 10)
    )
    path = _pdf(tmp_path, "kart.pdf", one_page_pdf(TEXT + grid))
    doc = read("pdf", path, Limits(pdf_max_table_edges=50))
    assert "Kristiansand kommune og NAV samarbeider" in doc.lines[0].text  # type: ignore[attr-defined]
    assert "linjerte tabeller er ikke lett etter" in doc.warnings[0]  # type: ignore[attr-defined]


def test_guarded_decoding_gives_pdfminers_bytes(tmp_path: Path) -> None:
    """Inside the guard, streams decode to exactly what pdfminer's own decoding gives."""
    from pdfminer.pdftypes import PDFStream
    from pdfminer.psparser import LIT

    from importers.documents.pdf_guard import guarded, install
    from importers.errors import Location
    from importers.limits import Clock

    install()
    text = b"BT /F1 12 Tf (Kristiansand) Tj ET\n" * 50
    flate = zlib.compress(text)
    cases = {
        "flate": (flate, LIT("FlateDecode")),
        "flate twice": (zlib.compress(flate), [LIT("FlateDecode"), LIT("FlateDecode")]),
        "hex": (text.hex().encode() + b">", LIT("ASCIIHexDecode")),
        "runlength": (b"\x02abc\xfdz\x80", LIT("RunLengthDecode")),
        "lzw": (b"\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01", LIT("LZWDecode")),
        "bad checksum": (flate[:-4] + b"\x00\x00\x00\x00", LIT("FlateDecode")),
        "truncated": (flate[: len(flate) // 2], LIT("FlateDecode")),
        "broken": (flate[:10] + b"\xff" * 20 + flate[30:], LIT("FlateDecode")),
    }
    limits = Limits()
    for name, (raw, filters) in cases.items():
        plain = PDFStream({"Filter": filters}, raw)
        expected = plain.get_data()
        with guarded(limits, Location("x.pdf"), Clock(limits, Location("x.pdf"))):
            got = PDFStream({"Filter": filters}, raw).get_data()
        assert got == expected, name


@pytest.fixture(autouse=True)
def _no_limit_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith("SAMGRAF_LIMIT_"):
            monkeypatch.delenv(key)
    yield


def test_every_limit_can_be_set_from_the_environment() -> None:
    import dataclasses

    for f in dataclasses.fields(Limits):
        limits = Limits.from_env({f"SAMGRAF_LIMIT_{f.name.upper()}": "7"})
        assert getattr(limits, f.name) == 7
        assert getattr(Limits.from_env({}), f.name) == getattr(Limits(), f.name)
