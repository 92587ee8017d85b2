"""Document import: pages per second for text, Word and PDF, with mention extraction against a
gazetteer of 10,000 names.

The document is the steering document (data/seeds/) repeated until it is about 50 PDF pages,
rendered as .txt, .docx and .pdf (importers.documents.samples). The gazetteer holds the bundled
dataset's names and aliases, the municipalities, and generated people and organisations up to
10,000 names.

Baseline, per format, in the same run: reading the document to text (the reader alone, no
tables, no patterns, no mention matching). Measured: the whole extraction (reader, tables,
patterns, mentions against the 10,000 names). A "page" is a page of the PDF of the same
content, so the three formats are compared on the same text.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import report, timed
from graph.settings import REPO_ROOT
from importers.dataset import plan_dataset
from importers.documents.extract import Extractor
from importers.documents.readers import read_document
from importers.documents.samples import text_to_docx, text_to_pdf
from importers.reference import load_reference

DATA = REPO_ROOT / "data"
N_NAMES = 10_000
REPEAT = 3
ROUNDS = 3

FIRST = (
    "Kari",
    "Ola",
    "Ingrid",
    "Per",
    "Anne",
    "Lars",
    "Marit",
    "Nils",
    "Hilde",
    "Knut",
    "Sigrid",
    "Arne",
    "Tone",
    "Bjørn",
    "Liv",
    "Erik",
    "Randi",
    "Geir",
    "Solveig",
    "Terje",
    "Astrid",
    "Odd",
    "Berit",
    "Svein",
    "Turid",
    "Jan",
    "Gunn",
    "Rune",
    "Ragnhild",
    "Trond",
)
LAST = (
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Jørgensen",
    "Halvorsen",
    "Henriksen",
    "Lund",
    "Sørensen",
    "Jakobsen",
    "Moen",
    "Gundersen",
    "Iversen",
    "Strand",
)
ORG = (
    "Bygg",
    "Rør",
    "Elektro",
    "Transport",
    "Regnskap",
    "Eiendom",
    "Helse",
    "Omsorg",
    "Data",
    "Maskin",
    "Trafikk",
    "Skog",
    "Fisk",
    "Havbruk",
    "Energi",
    "Kraft",
    "Reiseliv",
    "Kultur",
    "Idrett",
    "Media",
)


def gazetteer_rows(n: int = N_NAMES, seed: int = 11) -> list[dict[str, Any]]:
    plan = plan_dataset(DATA / "kristiansand", DATA / "reference", DATA / "seeds")
    rows = [
        {
            "id": node.id,
            "kind": node.kind,
            "name": node.props["name"],
            "aliases": node.props.get("aliases", []),
        }
        for node in plan.batch.nodes.values()
        if node.kind in ("Organisation", "Unit", "Person", "Initiative", "FundingSource")
    ]
    rng = random.Random(seed)
    seen = {r["name"] for r in rows}
    while len(rows) < n:
        if rng.random() < 0.6:
            name = f"{rng.choice(FIRST)} {rng.choice(FIRST)} {rng.choice(LAST)}"
            kind = "Person"
        else:
            name = f"{rng.choice(LAST)} {rng.choice(ORG)} AS"
            kind = "Organisation"
        if name in seen:
            continue
        seen.add(name)
        rows.append(
            {"id": f"{kind.lower()}:{len(rows)}", "kind": kind, "name": name, "aliases": []}
        )
    return rows


def run() -> dict[str, Any]:
    reference = load_reference(DATA / "reference")
    known = gazetteer_rows()
    text = (DATA / "seeds" / "styringsdokument-samhandlingskommunen.txt").read_text()
    text = "\n".join([text] * REPEAT)
    figures: dict[str, Any] = {"gazetteer_names": len(known)}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = {
            "txt": folder / "styringsdokument.txt",
            "docx": text_to_docx(text, folder / "styringsdokument.docx"),
            "pdf": text_to_pdf(text, folder / "styringsdokument.pdf"),
        }
        paths["txt"].write_text(text, encoding="utf-8")
        pages = read_document(paths["pdf"], max_pages=10_000).pages
        figures["pages"] = pages
        for fmt, path in paths.items():
            read_s = min(
                timed(lambda p=path: read_document(p, max_pages=10_000))[0] for _ in range(ROUNDS)
            )

            def full(p: Path = path) -> int:
                doc = read_document(p, max_pages=10_000)
                ex = Extractor(doc, reference, known).run()
                return len(ex.facts.of_kind("mention"))

            runs = [timed(full) for _ in range(ROUNDS)]
            full_s = min(s for s, _ in runs)
            figures[f"{fmt}_read_only_pages_per_s"] = round(pages / read_s, 1)
            figures[f"{fmt}_with_mentions_pages_per_s"] = round(pages / full_s, 1)
            figures[f"{fmt}_with_mentions_vs_read_only"] = round(read_s / full_s, 3)
            figures[f"{fmt}_mentions_found"] = runs[0][1]
    report("documents", figures)
    return figures


if __name__ == "__main__":
    run()
