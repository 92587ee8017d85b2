"""The seed documents as Word and PDF (generated here from the text) give the same facts;
bad input (encrypted, corrupt, empty, too long, another language) gets a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from importers.documents.extract import Extraction, Extractor
from importers.documents.facts import Fact
from importers.documents.pipeline import DocumentsError, check_language, read_all
from importers.documents.readers import read_document
from importers.documents.samples import text_to_docx, text_to_pdf
from importers.errors import ImportDataError
from importers.reference import load_reference
from tests.conftest import DATA, SEEDS

SEED_FILES = sorted(SEEDS.glob("*.txt"))


def extract(path: Path) -> Extraction:
    return Extractor(read_document(path), load_reference(DATA / "reference")).run()


def fact_key(f: Fact) -> tuple[object, ...]:
    """A fact without its line numbers (a PDF has other line numbers than the text)."""
    if f.kind == "mention":
        assert f.rel is not None
        return ("mention", f.rel.from_id)
    if f.rel is not None:
        return (f.id, tuple(sorted((k, str(v)) for k, v in f.rel.props.items())))
    assert f.node is not None
    return (f.id, tuple(sorted((k, str(v)) for k, v in f.node.props.items())))


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("docs")
    out: dict[str, dict[str, Path]] = {}
    for src in SEED_FILES:
        text = src.read_text(encoding="utf-8")
        out[src.name] = {
            "txt": src,
            "docx": text_to_docx(text, folder / f"{src.stem}.docx"),
            "pdf": text_to_pdf(text, folder / f"{src.stem}.pdf"),
            # tables without ruling: columns separated by space, cells wrapped, header row
            "pdf-uten-linjer": text_to_pdf(text, folder / f"{src.stem}-u.pdf", ruled=False),
        }
    return out


@pytest.mark.parametrize("fmt", ["docx", "pdf", "pdf-uten-linjer"])
@pytest.mark.parametrize("seed", [p.name for p in SEED_FILES])
def test_same_facts_from_docx_and_pdf(
    converted: dict[str, dict[str, Path]], seed: str, fmt: str
) -> None:
    text = extract(converted[seed]["txt"])
    other = extract(converted[seed][fmt])
    a = {fact_key(f) for f in text.facts.items.values()}
    b = {fact_key(f) for f in other.facts.items.values()}
    assert sorted(map(str, a - b)) == [] and sorted(map(str, b - a)) == []
    assert other.document_date == text.document_date
    assert other.main == text.main
    with_facts = {
        "skjema",
        "endringslogg",
        "roller",
        "interessenter",
        "kompetanse",
        "avhengigheter",
    }
    if fmt == "pdf-uten-linjer":  # one-row tables without ruling are read as text
        assert [t.type for t in other.tables if t.type in with_facts] == [
            t.type for t in text.tables if t.type in with_facts
        ]
    else:
        assert [t.type for t in other.tables] == [t.type for t in text.tables]
    assert other.doc.format == fmt.split("-")[0]


def test_docx_keeps_the_line_numbers_of_the_text(converted: dict[str, dict[str, Path]]) -> None:
    # one paragraph per line and one line per table row: provenance points at the same line
    seed = "styringsdokument-samhandlingskommunen.txt"
    text = extract(converted[seed]["txt"])
    docx = extract(converted[seed]["docx"])
    deps = {f.id: f.lines for f in text.facts.rels("DEPENDS_ON")}
    assert deps == {f.id: f.lines for f in docx.facts.rels("DEPENDS_ON")}


def test_pdf_reads_wrapped_cells_and_pages(converted: dict[str, dict[str, Path]]) -> None:
    seed = "styringsdokument-samhandlingskommunen.txt"
    pdf = extract(converted[seed]["pdf"])
    assert pdf.doc.pages > 1
    (lederutvikling,) = [
        f for f in pdf.facts.rels("DEPENDS_ON") if f.to_ref and f.to_ref.name == "Lederutvikling"
    ]
    assert lederutvikling.rel is not None
    # a cell wrapped over two lines in the PDF comes out as one text, as written
    assert lederutvikling.rel.props["handling"] == (
        "Tett samarbeid om hvordan samhandling fokuseres i lederutvikling, 10-faktor med mer."
    )
    assert lederutvikling.page is not None and lederutvikling.page > 1


# ---- bad input ----------------------------------------------------------------------------


def _error(path: Path, **kw: int) -> str:
    with pytest.raises(ImportDataError) as info:
        doc = read_document(path, **kw)
        check_language(doc)
    assert str(path) in str(info.value)
    return info.value.reason


def test_encrypted_pdf(tmp_path: Path) -> None:
    text = (SEEDS / "krd-saman-om-ein-betre-kommune-pulje2.txt").read_text()
    path = text_to_pdf(text, tmp_path / "hemmelig.pdf", password="hemmelig")
    assert "kryptert" in _error(path)


def test_corrupt_pdf(tmp_path: Path) -> None:
    good = text_to_pdf("Kristiansand kommune\n", tmp_path / "god.pdf").read_bytes()
    cut = tmp_path / "avkuttet.pdf"
    cut.write_bytes(good[: len(good) // 3])
    assert "skadet" in _error(cut) or "kan ikke leses" in _error(cut)
    junk = tmp_path / "tull.pdf"
    junk.write_bytes(b"dette er ikke en pdf\n" * 20)
    assert "skadet" in _error(junk) or "ikke en PDF" in _error(junk)


def test_corrupt_docx(tmp_path: Path) -> None:
    junk = tmp_path / "tull.docx"
    junk.write_bytes(b"PK\x03\x04 ikke en ekte zip")
    assert "Word-filen" in _error(junk)


@pytest.mark.parametrize("suffix", ["txt", "docx", "pdf"])
def test_empty_document(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"tom.{suffix}"
    if suffix == "txt":
        path.write_text("\n\n   \n", encoding="utf-8")
    elif suffix == "docx":
        text_to_docx("\n\n", path)
    else:
        text_to_pdf("\n\n", path)
    assert "tomt" in _error(path)


def test_500_page_pdf_is_refused_before_reading_it(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    for n in range(1, 501):
        pdf.add_page()
        pdf.cell(text=f"Side {n} av rapporten om samarbeid i Kristiansand kommune")
    path = tmp_path / "lang.pdf"
    pdf.output(str(path))
    reason = _error(path)
    assert "500 sider" in reason and "grensen er 300" in reason and "--max-pages" in reason
    # with a higher limit the same document is read, in bounded time (about 13 pages a second)
    doc = read_document(path, max_pages=500)
    assert doc.pages == 500 and "Side 500" in doc.lines[-1].text


def test_long_text_document_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "lang.txt"
    path.write_text((SEEDS / "styringsdokument-samhandlingskommunen.txt").read_text() * 30)
    reason = _error(path, max_pages=300)
    assert "sider" in reason and "grensen er 300" in reason


def test_document_in_another_language(tmp_path: Path) -> None:
    path = tmp_path / "english.txt"
    path.write_text(
        "Steering document\n\nThe project owner is the director of culture and citizen "
        "dialogue. The project depends on the programme More people in work, which is owned "
        "by the municipal management group. The working group has met every second week "
        "and has written this document together with the steering group and the partners.\n",
        encoding="utf-8",
    )
    reason = _error(path)
    assert "engelsk" in reason and "bare norske" in reason


def test_nynorsk_and_bokmal_are_accepted() -> None:
    for src in SEED_FILES:
        check_language(read_document(src))  # the KRD slides are partly nynorsk


def test_one_bad_document_stops_all_unless_skipped(tmp_path: Path) -> None:
    bad = tmp_path / "tom.txt"
    bad.write_text("", encoding="utf-8")
    good = SEEDS / "krd-saman-om-ein-betre-kommune-pulje2.txt"
    with pytest.raises(DocumentsError) as info:
        read_all([good, bad], 300, skip_bad=False)
    assert "tom.txt" in str(info.value)
    docs, skipped = read_all([good, bad], 300, skip_bad=True)
    assert [d.name for d in docs] == [good.name] and "tom.txt" in skipped[0]


def test_a_frame_around_the_text_is_not_a_table(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.rect(15, 15, 180, 60)  # a box with a heading bar around a paragraph, as on a slide
    pdf.line(15, 30, 195, 30)
    pdf.set_xy(20, 20)
    pdf.cell(text="Om prosjektet")
    pdf.set_xy(20, 35)
    pdf.multi_cell(w=170, h=6, text="Prosjekteier Camilla Jarlsby rapporterer til KDL.")
    path = tmp_path / "ramme.pdf"
    pdf.output(str(path))
    doc = read_document(path)
    assert [ln.text for ln in doc.lines if ln.text] == [
        "Om prosjektet",
        "Prosjekteier Camilla Jarlsby rapporterer til KDL.",
    ]
    assert not any(ln.is_row for ln in doc.lines)
