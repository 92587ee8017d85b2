"""Limits for reading a PDF with pdfminer/pdfplumber (see `importers.limits`).

A PDF of a few KB can make pdfminer build gigabytes: a content stream deflated twice (each
pass multiplies by up to ~1 000), a CMap that maps four billion codes in one line, a page of
a million tiny text operators, `q` nested a million deep, a form drawing a form drawing a
form. The guard stops each of these while it happens:

- **Decoding** (`guarded()`): inside the block, every stream pdfminer decodes — page content,
  forms, fonts, CMaps, object and cross-reference streams — goes through `_decode`, which
  inflates in bounded steps and stops at `pdf_max_stream_bytes` (and the document's total at
  `pdf_max_total_bytes`) instead of inflating first and counting after. It gives the same
  bytes as pdfminer's own decoding. A CMap's ranges are counted before pdfminer expands
  them. Outside the block pdfminer is unchanged (the hook is installed once per process,
  and a context variable scopes it to the reading thread).
- **Each page** (`check_page`), before pdfplumber builds its objects: the page's size, then
  one pass of pdfminer's interpreter with a device that only counts — characters, lines,
  rectangles, curves and images (`pdf_max_page_objects`), forms and images drawn
  (`pdf_max_page_forms`), content drawn with each use of a form (`pdf_max_page_bytes`),
  operands waiting on the stack (`pdf_max_operands`), graphics states saved
  (`pdf_max_saved_states`) and forms nested (`pdf_max_nesting`) — and checks the clock as
  it goes. It returns the number of line segments, above which pdfplumber's table finder
  (quadratic in them) is not run on the page.
"""

from __future__ import annotations

import contextlib
import re
import zlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from importers.errors import ImportDataError, Location
from importers.limits import Clock, Limits, fmt_bytes, fmt_int, refuse

_GUARD: ContextVar[DocGuard | None] = ContextVar("samgraf_pdf_guard", default=None)
_ORIGINAL_DECODE: Any = None
IN_CHUNK = 1 << 16
OUT_CHUNK = 1 << 20


class DocGuard:
    """The limits, the clock and the running counts of one PDF being read."""

    def __init__(self, limits: Limits, loc: Location, clock: Clock):
        self.limits = limits
        self.loc = loc
        self.clock = clock
        self.total = 0
        self.page_no: int | None = None
        #: the first limit broken, kept in case pdfminer or pdfplumber wraps or swallows it
        self.violation: ImportDataError | None = None

    def where(self) -> str:
        return f"side {self.page_no}: " if self.page_no else ""

    def fail(self, what: str, limit: str, field: str) -> ImportDataError:
        err = refuse(self.loc, self.where() + what, limit, field)
        if self.violation is None:
            self.violation = err
        return err

    def decoded(self, size: int) -> None:
        self.total += size
        if self.total > self.limits.pdf_max_total_bytes:
            raise self.fail(
                f"strømmene i PDF-en pakkes ut til over {fmt_bytes(self.total)} til sammen",
                f"{fmt_bytes(self.limits.pdf_max_total_bytes)} per dokument",
                "pdf_max_total_bytes",
            )


def install() -> None:
    """Route pdfminer's stream decoding through `_decode` (once per process). Outside a
    `guarded()` block the original decoding runs unchanged."""
    global _ORIGINAL_DECODE
    if _ORIGINAL_DECODE is not None:
        return
    from pdfminer.pdftypes import PDFStream

    _ORIGINAL_DECODE = PDFStream.decode
    PDFStream.decode = _decode  # type: ignore[method-assign]


@contextlib.contextmanager
def guarded(limits: Limits, loc: Location, clock: Clock) -> Iterator[DocGuard]:
    install()
    guard = DocGuard(limits, loc, clock)
    token = _GUARD.set(guard)
    try:
        yield guard
    finally:
        _GUARD.reset(token)


def limit_error(exc: BaseException, guard: DocGuard | None) -> ImportDataError | None:
    """The limit behind `exc`, if one was broken (pdfplumber wraps pdfminer's errors)."""
    seen: set[int] = set()
    todo: list[Any] = [exc]
    while todo:
        e = todo.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, ImportDataError):
            return e
        todo += [e.__cause__, e.__context__, *e.args]
    return guard.violation if guard is not None else None


# ---- decoding -----------------------------------------------------------------------------


def _decode(self: Any) -> None:
    """pdfminer's `PDFStream.decode`, with the output bounded while it is produced."""
    guard = _GUARD.get()
    if guard is None:
        _ORIGINAL_DECODE(self)
        return
    from pdfminer.ascii85 import ascii85decode, asciihexdecode
    from pdfminer.ccitt import ccittfaxdecode
    from pdfminer.pdfexceptions import PDFNotImplementedError
    from pdfminer.pdftypes import (
        LITERAL_CRYPT,
        LITERALS_ASCII85_DECODE,
        LITERALS_ASCIIHEX_DECODE,
        LITERALS_CCITTFAX_DECODE,
        LITERALS_DCT_DECODE,
        LITERALS_FLATE_DECODE,
        LITERALS_JBIG2_DECODE,
        LITERALS_JPX_DECODE,
        LITERALS_LZW_DECODE,
        LITERALS_RUNLENGTH_DECODE,
        int_value,
    )
    from pdfminer.utils import apply_png_predictor, apply_tiff_predictor

    assert self.data is None and self.rawdata is not None
    limit = guard.limits.pdf_max_stream_bytes
    data = self.rawdata
    if self.decipher:
        assert self.objid is not None and self.genno is not None
        data = self.decipher(self.objid, self.genno, data, self.attrs)
    for f, params in self.get_filters():
        if f in LITERALS_FLATE_DECODE:
            data = _inflate(data, limit, guard)
        elif f in LITERALS_LZW_DECODE:
            data = _lzw(data, limit, guard)
        elif f in LITERALS_ASCII85_DECODE:
            data = ascii85decode(data)
        elif f in LITERALS_ASCIIHEX_DECODE:
            data = asciihexdecode(data)
        elif f in LITERALS_RUNLENGTH_DECODE:
            data = _runlength(data, limit, guard)
        elif f in LITERALS_CCITTFAX_DECODE:
            data = ccittfaxdecode(data, params)  # images only: never drawn as text
        elif f in LITERALS_DCT_DECODE or f in LITERALS_JBIG2_DECODE or f in LITERALS_JPX_DECODE:
            pass
        elif f == LITERAL_CRYPT:
            raise PDFNotImplementedError("/Crypt filter is unsupported")
        else:
            raise PDFNotImplementedError(f"Unsupported filter: {f!r}")
        _check_stream(len(data), limit, guard)
        if params and "Predictor" in params:
            pred = int_value(params["Predictor"])
            colors = int_value(params.get("Colors", 1))
            columns = int_value(params.get("Columns", 1))
            bits = int_value(params.get("BitsPerComponent", 8))
            if pred == 2:
                data = apply_tiff_predictor(colors, columns, bits, data)
            elif pred >= 10:
                data = apply_png_predictor(pred, colors, columns, bits, data)
            elif pred != 1:
                raise PDFNotImplementedError(f"Unsupported predictor: {pred!r}")
    if b"begincmap" in data:
        _check_cmap(data, guard)
    guard.decoded(len(data))
    self.data = data
    self.rawdata = None


def _check_stream(size: int, limit: int, guard: DocGuard) -> None:
    if size > limit:
        raise guard.fail(
            f"en strøm i PDF-en pakkes ut til mer enn {fmt_bytes(limit)} (en komprimeringsbombe?)",
            f"{fmt_bytes(limit)} per strøm",
            "pdf_max_stream_bytes",
        )


def _inflate(data: bytes, limit: int, guard: DocGuard) -> bytes:
    """zlib-inflate `data` in steps of at most 1 MB of output. Like pdfminer: a stream that
    breaks before its last four bytes (the checksum) gives nothing; one whose checksum is
    wrong or missing gives what was inflated."""
    d = zlib.decompressobj()
    out: list[bytes] = []
    size = 0

    def feed(buf: bytes) -> None:
        nonlocal size
        while buf:
            piece = d.decompress(buf, OUT_CHUNK)
            size += len(piece)
            out.append(piece)
            _check_stream(size, limit, guard)
            guard.clock.check()
            buf = d.unconsumed_tail
            if d.eof:
                return

    try:
        feed(data[:-4])
    except zlib.error:
        return b""
    try:
        if not d.eof:
            feed(data[-4:])
            if not d.eof:
                rest = d.flush()
                size += len(rest)
                out.append(rest)
                _check_stream(size, limit, guard)
    except zlib.error:
        pass
    return b"".join(out)


def _lzw(data: bytes, limit: int, guard: DocGuard) -> bytes:
    from pdfminer.lzw import LZWDecoder

    out = bytearray()
    for n, piece in enumerate(LZWDecoder(BytesIO(data)).run()):
        out += piece
        if len(out) > limit:
            _check_stream(len(out), limit, guard)
        if n % 65536 == 0:
            guard.clock.check()
    return bytes(out)


def _runlength(data: bytes, limit: int, guard: DocGuard) -> bytes:
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        length = data[i]
        i += 1
        if length == 128:
            break
        if length < 128:
            out += data[i : i + length + 1]
            i += length + 1
        elif i < n:
            out += bytes((data[i],)) * (257 - length)
            i += 1
        if len(out) > limit:
            _check_stream(len(out), limit, guard)
    return bytes(out)


_CMAP_SECTION = re.compile(rb"begin(?:bf|cid)range(.*?)end(?:bf|cid)range", re.S)
_CMAP_TOKEN = re.compile(rb"<([0-9A-Fa-f\s]*)>|\[[^\]]*\]|[0-9]+")


def _check_cmap(data: bytes, guard: DocGuard) -> None:
    """The codes a CMap's ranges map (pdfminer expands each range into one entry per code)."""
    limit = guard.limits.pdf_max_cmap_entries
    total = 0
    for section in _CMAP_SECTION.finditer(data):
        tokens = list(_CMAP_TOKEN.finditer(section.group(1)))
        for i in range(0, len(tokens) - 2, 3):
            start, end = tokens[i].group(1), tokens[i + 1].group(1)
            if start is None or end is None:
                continue
            a = int(b"".join(start.split()) or b"0", 16)
            b = int(b"".join(end.split()) or b"0", 16)
            total += max(0, b - a + 1)
            if total > limit:
                raise guard.fail(
                    f"en CMap i PDF-en definerer over {fmt_int(total)} tegnkoder",
                    f"{fmt_int(limit)} tegnkoder per CMap",
                    "pdf_max_cmap_entries",
                )


# ---- one page -----------------------------------------------------------------------------


@dataclass
class PageStats:
    objects: int = 0
    #: line segments (a rectangle is four): what pdfplumber's table finder works on
    edges: int = 0
    drawn: int = 0
    forms: int = 0


def check_page(pdf: Any, page: Any, page_no: int, guard: DocGuard) -> PageStats:
    """Check one pdfplumber page before its objects are built; refuses it over a limit."""
    from pdfminer.pdfdevice import PDFDevice
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.pdftypes import list_value, stream_value
    from pdfminer.utils import MATRIX_IDENTITY

    limits = guard.limits
    guard.page_no = page_no
    side = max(abs(float(page.width)), abs(float(page.height)))
    if side > limits.pdf_max_page_side:
        raise guard.fail(
            f"siden er {fmt_int(side)} punkter bred eller høy",
            f"{fmt_int(limits.pdf_max_page_side)} punkter",
            "pdf_max_page_side",
        )
    stats = PageStats()
    ticks = [0]

    def tick() -> None:
        ticks[0] += 1
        if ticks[0] % 4096 == 0:
            guard.clock.check()

    def objects(n: int) -> None:
        stats.objects += n
        if stats.objects > limits.pdf_max_page_objects:
            raise guard.fail(
                f"siden tegner over {fmt_int(limits.pdf_max_page_objects)} tegn, linjer og figurer",
                f"{fmt_int(limits.pdf_max_page_objects)} per side",
                "pdf_max_page_objects",
            )
        tick()

    class Counter(PDFDevice):
        def render_string(self, textstate: Any, seq: Any, ncs: Any, graphicstate: Any) -> None:
            font = textstate.font
            n = 0
            for obj in seq:
                if isinstance(obj, bytes):
                    try:
                        n += sum(1 for _ in font.decode(obj)) if font is not None else len(obj)
                    except Exception:
                        n += len(obj)
            objects(n)

        def paint_path(
            self, graphicstate: Any, stroke: bool, fill: bool, evenodd: bool, path: Sequence[Any]
        ) -> None:
            stats.edges += sum(4 if seg[0] == "re" else 1 for seg in path if seg[0] != "m")
            objects(max(1, sum(1 for seg in path if seg[0] == "m")))

        def render_image(self, name: str, stream: Any) -> None:
            objects(1)

    class Interpreter(PDFPageInterpreter):
        depth = 0

        def do_Do(self, xobjid_arg: Any) -> None:
            stats.forms += 1
            if stats.forms > limits.pdf_max_page_forms:
                raise guard.fail(
                    f"siden tegner over {fmt_int(limits.pdf_max_page_forms)} skjemaer (XObject)",
                    f"{fmt_int(limits.pdf_max_page_forms)} per side",
                    "pdf_max_page_forms",
                )
            tick()
            super().do_Do(xobjid_arg)

        def dup(self) -> PDFPageInterpreter:
            if self.depth >= limits.pdf_max_nesting:
                raise guard.fail(
                    "siden har skjemaer (XObject) nøstet i over "
                    f"{fmt_int(limits.pdf_max_nesting)} nivåer",
                    f"{fmt_int(limits.pdf_max_nesting)} nivåer",
                    "pdf_max_nesting",
                )
            other = Interpreter(self.rsrcmgr, self.device)
            other.depth = self.depth + 1
            return other

        def push(self, obj: Any) -> None:
            if len(self.argstack) >= limits.pdf_max_operands:
                raise guard.fail(
                    f"over {fmt_int(limits.pdf_max_operands)} operander venter på en "
                    "operator i sidens innhold",
                    f"{fmt_int(limits.pdf_max_operands)} operander",
                    "pdf_max_operands",
                )
            tick()
            super().push(obj)

        def do_q(self) -> None:
            if len(self.gstack) >= limits.pdf_max_saved_states:
                raise guard.fail(
                    "siden lagrer grafikktilstanden (q) over "
                    f"{fmt_int(limits.pdf_max_saved_states)} ganger uten å hente den fram igjen",
                    f"{fmt_int(limits.pdf_max_saved_states)} lagrede tilstander",
                    "pdf_max_saved_states",
                )
            tick()
            super().do_q()

        def render_contents(
            self, resources: Any, streams: Sequence[object], ctm: Any = MATRIX_IDENTITY
        ) -> None:
            for s in list_value(streams):
                stats.drawn += len(stream_value(s).get_data())
                if stats.drawn > limits.pdf_max_page_bytes:
                    raise guard.fail(
                        f"innholdet som tegnes på siden er over {fmt_bytes(stats.drawn)}",
                        f"{fmt_bytes(limits.pdf_max_page_bytes)} per side",
                        "pdf_max_page_bytes",
                    )
            super().render_contents(resources, streams, ctm)

    device = Counter(pdf.rsrcmgr)
    Interpreter(pdf.rsrcmgr, device).process_page(page.page_obj)
    guard.clock.check()
    return stats
