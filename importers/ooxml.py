"""Checks of .xlsx and .docx files (zip containers of XML) before openpyxl or python-docx
reads them: a zip bomb or a pathological XML part is refused while it streams, before
the memory grows (see `importers.limits`).

1. `open_zip`: the zip's own directory — number of members, each member's declared
   uncompressed size and its ratio to the compressed size, and the declared total. Nothing
   is unpacked yet.
2. `XmlScan.parts`: every XML part is streamed through lxml's `iterparse` from a reader that
   counts the bytes actually unpacked (Python's `zipfile` never unpacks more than the
   declared size; the count holds the total to the limit even if it did) and checks the
   clock. Elements are counted and cleared as they go, and a DOCTYPE (never used by Office,
   the vehicle of entity bombs) is refused.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from importers.errors import ImportDataError, Location
from importers.limits import Clock, Limits, fmt_bytes, fmt_int, refuse

CHUNK = 1 << 16
XML_SUFFIXES = (".xml", ".rels")
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN_XLSX = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def open_zip(path: Path, loc: Location, limits: Limits, what: str) -> zipfile.ZipFile:
    """The zip, its directory checked against the limits. `what` names the file in messages
    ("arbeidsboken", "Word-filen")."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportDataError(loc, f"{what} er skadet eller ikke en zip-fil ({exc})") from None
    try:
        check_directory(zf, loc, limits)
    except BaseException:
        zf.close()
        raise
    return zf


def check_directory(zf: zipfile.ZipFile, loc: Location, limits: Limits) -> None:
    infos = zf.infolist()
    if len(infos) > limits.zip_max_members:
        raise refuse(
            loc,
            f"zip-filen har {fmt_int(len(infos))} deler",
            f"{fmt_int(limits.zip_max_members)} deler",
            "zip_max_members",
        )
    total = 0
    for info in infos:
        size = info.file_size
        if size > limits.zip_max_bytes:
            raise refuse(
                loc,
                f"{info.filename} pakkes ut til {fmt_bytes(size)} "
                f"(fra {fmt_bytes(info.compress_size)} i zip-filen)",
                f"{fmt_bytes(limits.zip_max_bytes)} utpakket",
                "zip_max_bytes",
            )
        ratio = size / max(info.compress_size, 1)
        if size > limits.zip_ratio_from and ratio > limits.zip_max_ratio:
            raise refuse(
                loc,
                f"{info.filename} pakkes ut til {fmt_bytes(size)}, {fmt_int(ratio)} ganger "
                "størrelsen i zip-filen (en zip-bombe?)",
                f"{fmt_int(limits.zip_max_ratio)} ganger for deler over "
                f"{fmt_bytes(limits.zip_ratio_from)}",
                "zip_max_ratio",
            )
        total += size
        if total > limits.zip_max_bytes:
            raise refuse(
                loc,
                f"delene i zip-filen pakkes ut til over {fmt_bytes(total)} til sammen",
                f"{fmt_bytes(limits.zip_max_bytes)} utpakket",
                "zip_max_bytes",
            )


class _Counted:
    """A zip member's stream that counts what it unpacks, against the member's declared size
    and the file's total, and checks the clock."""

    def __init__(self, scan: XmlScan, info: zipfile.ZipInfo):
        self.scan = scan
        self.info = info
        self.raw = scan.zf.open(info)
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(CHUNK if n is None or n < 0 else min(n, CHUNK))
        self.count += len(data)
        self.scan.unpacked += len(data)
        limits = self.scan.limits
        if self.count > self.info.file_size:
            raise ImportDataError(
                self.scan.loc,
                f"zip-filen er skadet: {self.info.filename} pakkes ut til mer enn de "
                f"{fmt_bytes(self.info.file_size)} den oppgir",
            )
        if self.scan.unpacked > limits.zip_max_bytes:
            raise refuse(
                self.scan.loc,
                f"delene pakkes ut til over {fmt_bytes(self.scan.unpacked)} til sammen",
                f"{fmt_bytes(limits.zip_max_bytes)} utpakket",
                "zip_max_bytes",
            )
        self.scan.clock.check()
        return data

    def close(self) -> None:
        self.raw.close()


class XmlScan:
    """Streams the XML parts of one zip through lxml, with the limits applied."""

    def __init__(self, zf: zipfile.ZipFile, loc: Location, limits: Limits, clock: Clock):
        self.zf = zf
        self.loc = loc
        self.limits = limits
        self.clock = clock
        self.unpacked = 0
        #: elements counted so far in the parts parsed whole (`count=True`)
        self.elements = 0

    def members(self) -> list[zipfile.ZipInfo]:
        return [
            i
            for i in self.zf.infolist()
            if i.filename.lower().endswith(XML_SUFFIXES) and i.file_size
        ]

    def read_small(self, name: str) -> Any:
        """A small XML part (relationships, workbook) parsed whole, after the same checks."""
        from lxml import etree

        root = None
        for _, elem in self.iter(name, count=True, keep=True):
            root = elem
        if root is None:
            return None
        return root.getroottree().getroot() if isinstance(root, etree._Element) else None

    def iter(
        self,
        name: str,
        *,
        count: bool = True,
        tags: list[str] | None = None,
        keep: bool = False,
    ) -> Iterator[tuple[str, Any]]:
        """(tag, element) at the end of each element of part `name` (only `tags` if given;
        counting needs every element, so `tags` without `count` is the fast path). The
        elements are cleared after the caller has seen them unless `keep`."""
        from lxml import etree

        try:
            info = self.zf.getinfo(name)
        except KeyError:
            return
        src = _Counted(self, info)
        it = etree.iterparse(
            src,
            events=("end",),
            tag=None if count else tags,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        first = True
        try:
            for _, elem in it:
                if first:
                    self._no_doctype(elem, name)
                    first = False
                if count:
                    self.elements += 1
                    if self.elements > self.limits.xml_max_elements:
                        raise refuse(
                            self.loc,
                            f"XML-delene har over {fmt_int(self.limits.xml_max_elements)} "
                            f"elementer (sist lest: {name})",
                            f"{fmt_int(self.limits.xml_max_elements)} elementer",
                            "xml_max_elements",
                        )
                    if self.elements % 10_000 == 0:
                        self.clock.check()
                if not count:  # lxml has filtered the tags
                    yield elem.tag, elem
                else:
                    tag = elem.tag if isinstance(elem.tag, str) else ""
                    if tags is None or tag in tags:
                        yield tag, elem
                if not keep:
                    elem.clear(keep_tail=False)
                    while elem.getprevious() is not None:
                        del elem.getparent()[0]
            if first and it.root is not None:
                self._no_doctype(it.root, name)
        except etree.XMLSyntaxError as exc:
            if "Resource limit exceeded" in str(exc) or "Excessive depth" in str(exc):
                raise ImportDataError(
                    self.loc,
                    f"XML-delen {name} går over XML-leserens egne grenser (en tekst over 10 MB "
                    f"eller elementer nøstet over 256 nivåer): {exc}",
                ) from None
            raise ImportDataError(self.loc, f"XML-delen {name} er skadet ({exc})") from None
        finally:
            src.close()

    def _no_doctype(self, elem: Any, name: str) -> None:
        if elem.getroottree().docinfo.doctype:
            raise ImportDataError(
                self.loc,
                f"XML-delen {name} har en DOCTYPE-erklæring; Office-filer har aldri det, og den "
                "kan brukes til å blåse opp innholdet",
            )


def part_targets(scan: XmlScan, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, part name) of `part`'s relationships ('' = the package)."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels") if part else "_rels/.rels"
    root = scan.read_small(rels_name)
    out: dict[str, tuple[str, str]] = {}
    if root is None:
        return out
    for rel in root.iter(f"{{{REL_NS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        full = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out[rel.get("Id") or ""] = (
            (rel.get("Type") or "").rsplit("/", 1)[-1],
            posixpath.normpath(full),
        )
    return out


def main_part(scan: XmlScan) -> str | None:
    for kind, target in part_targets(scan, "").values():
        if kind == "officeDocument":
            return target
    return None


def scan_all(
    scan: XmlScan,
    special: Mapping[str, Callable[[XmlScan, str], None]],
    *,
    skip: Callable[[str], bool] = lambda name: False,
) -> None:
    """Every XML part: `special[name](scan, name)` for the named ones, otherwise counted
    (elements, DOCTYPE, bytes) — unless `skip(name)`, which the reader does not parse."""
    for info in scan.members():
        name = info.filename
        if name in special:
            special[name](scan, name)
        elif not skip(name):
            for _ in scan.iter(name, count=True, tags=[]):
                pass
