"""Import documents: read, check, extract, route each proposed fact, write.

1. Every document is read and checked first (format, encryption, empty, page limit, language);
   a bad document stops the import before anything is written (unless `skip_bad`).
2. Facts are extracted against the graph's known entities (`node.index`) and the municipality
   reference table at the document's date.
3. Routing: a fact already in the graph (same id, same properties) is `known` and proposes
   nothing. New facts with confidence ≥ `DIRECT` from a recognised table or structured list,
   and exact mentions, go straight into the graph (provenance "file:line"), in one atomic
   upsert for all documents; the rest go to the review queue (`graph.resolve.review`).
4. The Document node records the version: sha256, date, and earlier versions' sha256 in `note`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.records import GraphBatch, make_node
from graph.settings import Settings
from graph.store import GraphStore
from importers.documents.extract import Extraction, Extractor
from importers.documents.facts import Fact
from importers.documents.readers import SUPPORTED, read_document
from importers.documents.text import DocText
from importers.errors import ImportDataError, Location
from importers.reference import load_reference

#: facts at or above this confidence from a recognised table go straight into the graph
DIRECT = 0.9
#: exact and inflected mentions go straight into the graph
DIRECT_MENTION = 0.95
#: languages accepted (langdetect codes); Danish is too close to bokmål to tell apart reliably
ACCEPTED_LANGUAGES = {"no", "nb", "nn", "da"}
LANGUAGE_NAMES = {
    "en": "engelsk",
    "sv": "svensk",
    "de": "tysk",
    "fr": "fransk",
    "es": "spansk",
    "fi": "finsk",
    "nl": "nederlandsk",
    "it": "italiensk",
    "pl": "polsk",
    "pt": "portugisisk",
}


class DocumentsError(ImportDataError):
    """One or more documents could not be imported; nothing was written."""

    def __init__(self, errors: list[ImportDataError]):
        self.errors = errors
        first = errors[0]
        super().__init__(first.location, first.reason)

    def __str__(self) -> str:
        return "\n".join(str(e.location) + ": " + e.reason for e in self.errors)


@dataclass
class DocumentResult:
    extraction: Extraction
    document_fact: Fact
    previous_sha256: str | None = None

    @property
    def doc(self) -> DocText:
        return self.extraction.doc

    def as_dict(self) -> dict[str, Any]:
        ex = self.extraction
        return {
            "name": ex.doc.name,
            "path": str(ex.doc.path),
            "format": ex.doc.format,
            "pages": ex.doc.pages,
            "sha256": ex.doc.sha256,
            "previous_sha256": self.previous_sha256,
            "document_date": ex.document_date,
            "municipality_date": ex.municipality_date,
            "version": ex.version,
            "main": ex.main.as_dict() if ex.main else None,
            "tables": [{"line": t.line, "type": t.type, "header": t.header} for t in ex.tables],
            "warnings": ex.warnings,
        }


@dataclass
class ImportReport:
    documents: list[DocumentResult]
    facts: list[Fact]
    skipped: list[str] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=lambda: {"nodes": 0, "relationships": 0})
    review_sent: int = 0
    review_available: bool = False
    review_note: str = ""
    dry_run: bool = False

    def count(self, route: str, kind: str | None = None) -> int:
        return sum(1 for f in self.facts if f.route == route and (kind is None or f.kind == kind))

    def summary(self) -> dict[str, Any]:
        return {
            "documents": [d.as_dict() for d in self.documents],
            "skipped": self.skipped,
            "facts": len(self.facts),
            "graph": {k: self.count("graph", k) for k in ("node", "relationship", "mention")},
            "review": {k: self.count("review", k) for k in ("node", "relationship", "mention")},
            "known": self.count("known"),
            "written": self.written,
            "review_sent": self.review_sent,
            "review_available": self.review_available,
            "review_note": self.review_note,
            "dry_run": self.dry_run,
        }


def collect_paths(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in SUPPORTED
                and not f.name.startswith((".", "~$"))
            )
        else:
            out.append(p)
    return out


def check_language(doc: DocText) -> None:
    """A document in another language than Norwegian is refused with a clear message."""
    from langdetect import DetectorFactory, LangDetectException, detect_langs

    DetectorFactory.seed = 0
    text = " ".join(ln.text for ln in doc.lines if not ln.is_row)[:20000]
    if len(text.split()) < 30:
        return
    try:
        langs = detect_langs(text)
    except LangDetectException:
        return
    top = langs[0]
    if top.lang not in ACCEPTED_LANGUAGES and top.prob >= 0.8:
        name = LANGUAGE_NAMES.get(top.lang, top.lang)
        raise ImportDataError(
            Location(str(doc.path)),
            f"dokumentet ser ut til å være på {name} ({top.lang}, sannsynlighet {top.prob:.2f}); "
            "bare norske dokumenter (bokmål og nynorsk) kan importeres",
        )


def read_all(
    paths: list[Path], max_pages: int | None, skip_bad: bool
) -> tuple[list[DocText], list[str]]:
    docs: list[DocText] = []
    errors: list[ImportDataError] = []
    if not paths:
        raise DocumentsError(
            [ImportDataError(Location("(ingen filer)"), "ingen dokumenter å importere")]
        )
    for path in paths:
        try:
            if not path.exists():
                raise ImportDataError(Location(str(path)), "filen finnes ikke")
            doc = read_document(path, max_pages=max_pages)
            check_language(doc)
            docs.append(doc)
        except ImportDataError as exc:
            errors.append(exc)
    names = [d.name for d in docs]
    dupes = {n for n in names if names.count(n) > 1}
    for d in docs:
        if d.name in dupes:
            errors.append(
                ImportDataError(
                    Location(str(d.path)),
                    "to dokumenter har samme filnavn; et dokument identifiseres av navnet sitt",
                )
            )
    if errors and not skip_bad:
        raise DocumentsError(errors)
    bad = {e.location.file for e in errors}
    return [d for d in docs if str(d.path) not in bad], [
        f"{e.location}: {e.reason}" for e in errors
    ]


def extract_all(
    docs: list[DocText], settings: Settings, known: list[dict[str, Any]], date: str | None
) -> list[Extraction]:
    reference = load_reference(settings.data_dir / "reference")
    out = []
    seen = list(known)
    known_ids = {str(k["id"]) for k in known}
    for doc in docs:
        ex = Extractor(doc, reference, seen, date, known_ids=known_ids).run()
        out.append(ex)
        for f in ex.facts.of_kind("node"):
            assert f.node is not None
            seen.append(
                {
                    "id": f.node.id,
                    "kind": f.node.kind,
                    "name": f.node.name,
                    "aliases": f.node.props.get("aliases", []),
                }
            )
    return out


def _document_fact(ex: Extraction, previous: dict[str, Any] | None) -> tuple[Fact, str | None]:
    doc = ex.doc
    props: dict[str, Any] = {
        "path": str(doc.path),
        "sha256": doc.sha256,
        "document_date": ex.document_date,
        "description": f"Importert fra {doc.format.upper()}, {doc.pages} side(r)"
        + (f", versjon {ex.version}" if ex.version else ""),
    }
    prev_sha = None
    if previous and previous.get("sha256") and previous["sha256"] != doc.sha256:
        prev_sha = str(previous["sha256"])
        when = str(previous.get("last_seen") or "")[:10]
        history = str(previous.get("note") or "")
        entry = f"{prev_sha} ({when})"
        props["note"] = f"{history}; {entry}" if history else f"tidligere versjoner: {entry}"
    elif previous and previous.get("note"):
        props["note"] = previous["note"]
    node = make_node("Document", doc.name, {k: v for k, v in props.items() if v is not None})
    fact = Fact("node", 1.0, "dokument", doc.name, [1], doc.name, node=node)
    return fact, prev_sha


def route(results: list[DocumentResult], store: GraphStore) -> list[Fact]:
    facts = [f for r in results for f in r.extraction.facts.items.values()]
    rel_ids = [f.id for f in facts if f.rel is not None]
    existing: dict[str, dict[str, Any]] = {}
    for i in range(0, len(rel_ids), 2000):
        for row in store.run("documents.rels_by_ids", {"ids": rel_ids[i : i + 2000]}):
            existing[str(row["id"])] = row["props"] or {}
    node_ids = [f.id for f in facts if f.rel is None] + [r.document_fact.id for r in results]
    present = {
        str(row["props"]["id"])
        for i in range(0, len(node_ids), 2000)
        for row in store.run("graph.nodes_by_ids", {"ids": node_ids[i : i + 2000]})
    }
    by_id = {f.id: f for f in facts if f.kind == "node"}
    for f in facts:
        if f.rel is not None:
            old = existing.get(f.id)
            same = old is not None and all(
                old.get(k) == v for k, v in f.rel.props.items() if k not in ("id", "note")
            )
            f.status = "known" if same else "new"
        else:
            f.status = "known" if f.id in present else "new"
        if f.status == "known":
            f.route = "known"
        elif f.kind != "mention" and f.confidence >= DIRECT and f.from_table:
            f.route = "graph"
        else:
            f.route = "review"
    # a relationship written to the graph needs its endpoints there
    for f in facts:
        if f.route == "graph" and f.rel is not None:
            for end in (f.rel.from_id, f.rel.to_id):
                node = by_id.get(end)
                if node is not None and node.route == "review":
                    node.route = "graph"
    # exact mentions go in directly, of entities that are (or are now going) in the graph
    for f in facts:
        if f.kind == "mention" and f.status == "new" and f.rel is not None:
            node = by_id.get(f.rel.from_id)
            ready = (
                (f.from_ref is not None and f.from_ref.known)
                or f.rel.from_id in present
                or (node is not None and node.route == "graph")
            )
            if f.confidence >= DIRECT_MENTION and ready:
                f.route = "graph"
    for r in results:
        doc_fact = r.document_fact
        doc_fact.status = "known" if (doc_fact.id in present and not r.previous_sha256) else "new"
        doc_fact.route = "known" if doc_fact.status == "known" else "graph"
    return [r.document_fact for r in results] + facts


def _graph_batch(
    results: list[DocumentResult], facts: list[Fact], settings: Settings
) -> GraphBatch:
    reference = load_reference(settings.data_dir / "reference")
    batch = GraphBatch()
    rows = {k: v for r in results for k, v in r.extraction.municipality_rows.items()}
    needs_document = {f.document for f in facts if f.route == "graph" and f.kind != "node"}
    for r in results:
        if r.document_fact.route == "graph" or r.doc.name in needs_document:
            assert r.document_fact.node is not None
            node = r.document_fact.node
            node.sources = [f"{r.doc.name}:1"]
            batch.add_node(node)
    for f in facts:
        if f.route != "graph" or f.node is None or f.rule == "dokument":
            continue
        if f.node.kind == "Municipality" and f.node.id in rows:
            muni = reference.add_municipality(batch, rows[f.node.id])
            muni.sources = list(dict.fromkeys([*muni.sources, *f.sources]))
            continue
        f.node.sources = f.sources
        batch.add_node(f.node)
    for f in facts:
        if f.route != "graph" or f.rel is None:
            continue
        f.rel.sources = f.sources
        for end, kind in ((f.rel.from_id, f.rel.from_kind), (f.rel.to_id, f.rel.to_kind)):
            if kind == "Municipality" and end in rows and end not in batch.nodes:
                reference.add_municipality(batch, rows[end])
        batch.add_rel(f.rel)
    return batch


def review_payloads(facts: list[Fact]) -> list[tuple[Fact, dict[str, Any], list[dict[str, Any]]]]:
    """(fact, payload, evidence) for every fact bound for the review queue."""
    nodes = {f.id: f for f in facts if f.kind == "node"}
    embedded: set[str] = set()
    out = []

    def node_payload(n: Fact) -> dict[str, Any]:
        assert n.node is not None
        props = {k: v for k, v in n.node.props.items() if k not in ("label", "name")}
        return {"kind": n.node.kind, "name": n.node.name, "props": props, "sources": n.sources}

    for f in facts:
        if f.route != "review" or f.rel is None:
            continue
        ends = [
            nodes[e]
            for e in (f.rel.from_id, f.rel.to_id)
            if e in nodes and nodes[e].route == "review"
        ]
        embedded.update(e.id for e in ends)
        payload = {
            "nodes": [node_payload(n) for n in ends],
            "relationships": [
                {
                    "type": f.rel.type,
                    "from": [f.rel.from_kind, f.rel.from_id],
                    "to": [f.rel.to_kind, f.rel.to_id],
                    "props": {k: v for k, v in f.rel.props.items() if k != "id"},
                    "sources": f.sources,
                }
            ],
        }
        out.append((f, payload, _evidence(f)))
    for f in facts:
        if f.route == "review" and f.kind == "node" and f.id not in embedded:
            out.append((f, {"nodes": [node_payload(f)], "relationships": []}, _evidence(f)))
    return out


def _evidence(f: Fact) -> list[dict[str, Any]]:
    return [{"file": f.document, "line": n, "snippet": f.snippet, "rule": f.rule} for n in f.lines]


def _review_queue(settings: Settings, create: bool) -> Any:
    """The review queue (graph/resolve/review.py), or None if it cannot be used."""
    try:
        from graph.resolve.review import open_queue
    except ImportError:  # pragma: no cover - the module is part of the project
        return None
    path = getattr(settings, "review_db", None) or Path(settings.db_path) / "review.sqlite"
    if not create and not Path(path).exists():
        return None  # a dry run does not create the queue's database
    return open_queue(settings)


def mark_already_proposed(
    facts: list[Fact],
    proposals: list[tuple[Fact, dict[str, Any], list[dict[str, Any]]]],
    queue: Any,
) -> list[tuple[Fact, dict[str, Any], list[dict[str, Any]]]]:
    """Facts whose proposal is already in the queue (open or judged) are known: not proposed
    again. Returns the proposals that are new."""
    new = []
    still_needed: set[str] = set()
    for f, payload, evidence in proposals:
        if queue is not None and queue.get_by_key(f.review_key()) is not None:
            f.route, f.status = "known", "known"
            continue
        new.append((f, payload, evidence))
        still_needed.update(str(n["props"]["id"]) for n in payload.get("nodes", []))
    for f in facts:
        if f.kind == "node" and f.route == "review" and f.id not in still_needed:
            f.route, f.status = "known", "known"
    return new


def import_documents(
    paths: list[Path],
    store: GraphStore,
    settings: Settings,
    *,
    dry_run: bool = False,
    date: str | None = None,
    max_pages: int | None = None,
    skip_bad: bool = False,
) -> ImportReport:
    if date is not None:
        try:
            date = dt.date.fromisoformat(date).isoformat()
        except ValueError:
            raise ImportDataError(
                Location("--date"), f"ugyldig dato {date!r} (bruk ÅÅÅÅ-MM-DD)"
            ) from None
    docs, skipped = read_all(collect_paths(paths), max_pages, skip_bad)
    # a write holds the graph's lock from its first read of the graph to its commit
    with contextlib.nullcontext() if dry_run else store.dialect.write_lock():
        known = store.run("node.index")
        extractions = extract_all(docs, settings, known, date)
        results = []
        for ex in extractions:
            previous = store.node(make_node("Document", ex.doc.name).id)
            fact, prev_sha = _document_fact(ex, previous)
            results.append(DocumentResult(ex, fact, prev_sha))
        facts = route(results, store)
        report = ImportReport(results, facts, skipped, dry_run=dry_run)
        queue = _review_queue(settings, create=not dry_run)
        report.review_available = queue is not None
        proposals = mark_already_proposed(facts, review_payloads(facts), queue)
        if dry_run:
            return report
        batch = _graph_batch(results, facts, settings)
        if batch.nodes or batch.rels:
            written = store.upsert(batch)
            report.written = {"nodes": written.nodes, "relationships": written.relationships}
        if queue is not None:
            for f, payload, evidence in proposals:
                queue.propose(
                    kind="fact",
                    key=f.review_key(),
                    payload=payload,
                    confidence=round(f.confidence, 3),
                    evidence=evidence,
                )
                report.review_sent += 1
        return report
