"""Run a spreadsheet import: plan → resolve → diff → (unless dry run) one atomic write.

`run_import(store, settings, path, mapping=…, dry_run=…, skip_bad_rows=…, prune=…)`:

1. `importers.tabular.plan_file` reads and validates every row (nothing written).
2. Nodes the graph has already: a non-authoritative mention (e.g. a partner named in a project
   list) adds only provenance, never overwrites the node's properties; aliases are united.
3. `importers.resolution.resolve_batch` re-applies accepted merges, finds automatic merges and
   review proposals.
4. The diff against the graph: nodes and relationships to create, properties to change
   (old → new), merges, proposals, and rows that disappeared since the file was last imported
   (nodes/relationships whose provenance names this file but that are no longer in it).
5. Without `dry_run`, in ONE transaction (`store.dialect.transaction()`): the file's old row
   references are replaced by the new ones, the batch is upserted, automatic merges are
   folded in, and with `prune` the disappeared rows are removed (a node or relationship that
   other sources also support only loses this file's references). Then the review queue gets
   the proposals and the automatic merges (as accepted judgements), and the import log a line.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.records import GraphBatch, NodeRecord, RelRecord
from graph.resolve.aliases import load_aliases
from graph.resolve.merge import merge_nodes
from graph.resolve.review import ReviewQueue, merge_key, now, open_queue
from graph.resolve.scoring import Thresholds
from graph.settings import Settings
from graph.store import GraphStore, utc_now
from importers.mapping import Mapping, list_mappings, load_mapping
from importers.resolution import (
    AUTO_WHO,
    Resolution,
    historic_table,
    place_names,
    resolve_batch,
    rewrite,
)
from importers.tabular import ImportPlan, plan_file

PROVENANCE = ("sources", "first_seen", "last_seen")
CHUNK = 5000


@dataclass
class Diff:
    nodes_new: list[dict[str, Any]] = field(default_factory=list)
    nodes_changed: list[dict[str, Any]] = field(default_factory=list)
    nodes_unchanged: int = 0
    rels_new: list[dict[str, Any]] = field(default_factory=list)
    rels_changed: list[dict[str, Any]] = field(default_factory=list)
    rels_unchanged: int = 0
    #: nodes / relationships whose row references (provenance) from this file change
    provenance_changed: int = 0
    missing_nodes: list[dict[str, Any]] = field(default_factory=list)
    missing_rels: list[dict[str, Any]] = field(default_factory=list)
    #: ids of the batch's relationships that the graph has already (not reported)
    existing_rels: set[str] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return not (self.nodes_new or self.nodes_changed or self.rels_new or self.rels_changed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": {
                "create": self.nodes_new,
                "change": self.nodes_changed,
                "unchanged": self.nodes_unchanged,
            },
            "relationships": {
                "create": self.rels_new,
                "change": self.rels_changed,
                "unchanged": self.rels_unchanged,
            },
            "provenance_changed": self.provenance_changed,
            "missing": {"nodes": self.missing_nodes, "relationships": self.missing_rels},
        }


@dataclass
class ImportReport:
    file: str
    mapping: str
    dry_run: bool
    plan: ImportPlan
    diff: Diff
    resolution: Resolution
    before: dict[str, dict[str, int]]
    after: dict[str, dict[str, int]]
    written: dict[str, int] = field(default_factory=dict)
    pruned: dict[str, int] = field(default_factory=dict)
    proposals: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        p = self.plan
        return {
            "file": self.file,
            "mapping": self.mapping,
            "dry_run": self.dry_run,
            "encoding": p.encoding,
            "delimiter": p.delimiter,
            "sheets": [
                {
                    "sheet": t.sheet,
                    "header_row": t.header_row,
                    "rows": t.rows,
                    "columns": t.columns,
                    "notes": t.notes,
                }
                for t in p.tables
            ],
            "rows": {
                "read": p.rows + len(p.rejected),
                "imported": p.rows,
                "rejected": len(p.rejected),
            },
            "rejected": [{"location": str(r.location), "reason": r.reason} for r in p.rejected],
            "diff": self.diff.as_dict(),
            "merges": [m.as_dict() for m in self.resolution.auto],
            "reapplied": [m.as_dict() for m in self.resolution.reapplied],
            "review": [m.as_dict() for m in self.resolution.review],
            "proposals": self.proposals,
            "before": self.before,
            "after": self.after,
            "written": self.written,
            "pruned": self.pruned,
            "warnings": p.warnings,
        }


def run_import(
    store: GraphStore,
    settings: Settings,
    path: Path,
    mapping: str | Mapping | None = None,
    *,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    prune: bool = False,
    display: str | None = None,
    who: str = "samgraf import",
    progress: Callable[[int], None] | None = None,
    queue: ReviewQueue | None = None,
) -> ImportReport:
    from importers.reference import load_reference

    m = mapping if isinstance(mapping, Mapping) else load_mapping(mapping or guess_mapping(path))
    ref = load_reference(settings.data_dir / "reference")
    aliases = load_aliases(settings.data_dir, historic_table(ref), place_names(ref))
    keep_og = frozenset(
        " ".join(str(r["name"]).casefold().split())
        for r in store.run("node.index")
        if r.get("name") and " og " in str(r["name"]).casefold()
    ) | frozenset(
        " ".join(n.casefold().split())
        for g in aliases.groups
        for n in g.names
        if " og " in n.casefold()
    )
    plan = plan_file(
        path,
        m,
        ref,
        skip_bad_rows=skip_bad_rows,
        display=display,
        keep_og=keep_og,
        progress=progress,
    )
    queue = queue or open_queue(settings)
    th = Thresholds(auto=settings.er_auto, review=settings.er_review)
    before = store.stats()

    existing = _existing_nodes(store, list(plan.batch.nodes))
    batch = _mentions(plan.batch, existing, plan.authoritative)
    batch, res = resolve_batch(store, batch, existing, queue, aliases, th)
    targets = [t for t in set(res.redirects.values()) if t not in existing]
    existing.update(_existing_nodes(store, targets))
    view = rewrite(
        batch,
        {k: v for k, v in res.redirects.items() if k not in {p.loser.id for p in res.reapplied}},
        existing,
    )
    view = _mentions(view, existing, plan.authoritative)
    diff = compute_diff(store, view, existing, plan.source_prefix)
    report = ImportReport(plan.file, m.name, dry_run, plan, diff, res, before, before)
    if dry_run:
        return report

    with store.dialect.transaction() as tx:
        _strip_old_rows(tx, store.backend, batch, existing, diff.existing_rels, plan.source_prefix)
        written = store.upsert_in(tx, batch, utc_now())
        snapshots = {}
        for pr in res.auto:
            snapshots[pr.loser.id] = merge_nodes(tx, store.backend, pr.winner.id, pr.loser.id)
        if prune:
            report.pruned = _prune(tx, store.backend, diff, plan.source_prefix)
    report.written = {"nodes": written.nodes, "relationships": written.relationships}
    auto_ids = queue.propose_many(
        [
            (
                "merge",
                merge_key(pr.winner.id, pr.loser.id),
                pr.payload(),
                pr.decision.confidence,
                pr.decision.evidence,
            )
            for pr in res.auto
        ]
    )
    for item, pr in zip(auto_ids, res.auto, strict=True):
        queue.record(
            item,
            "accept",
            AUTO_WHO,
            pr.decision.evidence,
            {"kind": "merge", "snapshot": snapshots[pr.loser.id]},
        )
    report.proposals = queue.propose_many(
        [
            (
                "merge",
                merge_key(pr.winner.id, pr.loser.id),
                pr.payload(),
                pr.decision.confidence,
                pr.decision.evidence,
            )
            for pr in res.review
        ]
    )
    report.after = store.stats()
    ImportLog(queue.path).add(report, path, who)
    return report


def guess_mapping(path: Path) -> str:
    """The mapping named like the file ('prosjektportalen-2024.xlsx' → prosjektportalen)."""
    stem = path.stem.casefold()
    for name in sorted(list_mappings(), key=len, reverse=True):
        if stem.startswith(name) or name in stem:
            return name
    synonyms = {
        "partner": "partners",
        "person": "person-roles",
        "roller": "person-roles",
        "deltaker": "person-roles",
        "finansiering": "funding",
        "tilskudd": "funding",
        "avhengighet": "dependencies",
        "prosjekt": "prosjektportalen",
    }
    for word, name in synonyms.items():
        if word in stem:
            return name
    from importers.errors import ImportDataError, Location

    raise ImportDataError(
        Location(path.name),
        f"kan ikke gjette mapping; bruk --mapping ({', '.join(list_mappings())})",
    )


# ---------------------------------------------------------------------------------------------


def _existing_nodes(store: GraphStore, ids: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), CHUNK):
        for row in store.run("graph.nodes_by_ids", {"ids": ids[i : i + CHUNK]}):
            out[row["props"]["id"]] = row["props"]
    return out


def _mentions(
    batch: GraphBatch, existing: dict[str, dict[str, Any]], authoritative: set[str]
) -> GraphBatch:
    """Nodes that exist: mentions add provenance only; aliases are united, never replaced."""
    out = GraphBatch()
    for node in batch.nodes.values():
        old = existing.get(node.id)
        if old is None:
            out.add_node(node)
            continue
        if node.id in authoritative:
            props = dict(node.props)
        else:
            props = {"id": node.id, "label": node.kind}
            if "aliases" in node.props:
                props["aliases"] = node.props["aliases"]
        if "aliases" in props:
            merged = list(old.get("aliases") or [])
            merged += [a for a in props["aliases"] if a not in merged and a != old.get("name")]
            props["aliases"] = merged
            if not merged:
                props.pop("aliases")
        out.add_node(NodeRecord(node.kind, node.id, props, list(node.sources)))
    for rel in batch.rels.values():
        out.add_rel(rel)
    return out


def _rels_by_id(store: GraphStore, rels: list[RelRecord]) -> dict[str, dict[str, Any]]:
    by_type: dict[str, list[str]] = defaultdict(list)
    for r in rels:
        by_type[r.type].append(r.id)
    out: dict[str, dict[str, Any]] = {}
    for rtype, ids in by_type.items():
        for i in range(0, len(ids), CHUNK):
            for row in store.run("import.rels_by_ids", {"ids": ids[i : i + CHUNK]}, type=rtype):
                out[row["id"]] = row["props"]
    return out


def _changes(new: dict[str, Any], old: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        k: [old.get(k), v]
        for k, v in new.items()
        if k not in ("id", *PROVENANCE) and old.get(k) != v
    }


def compute_diff(
    store: GraphStore, batch: GraphBatch, existing: dict[str, dict[str, Any]], prefix: str
) -> Diff:
    diff = Diff()
    missing_existing = [i for i in batch.nodes if i not in existing]
    if missing_existing:  # redirect targets fetched late
        existing = {**existing, **_existing_nodes(store, missing_existing)}
    for node in batch.nodes.values():
        old = existing.get(node.id)
        if old is None:
            diff.nodes_new.append({"id": node.id, "kind": node.kind, "name": node.name})
            continue
        ch = _changes(node.props, old)
        if ch:
            diff.nodes_changed.append(
                {"id": node.id, "kind": node.kind, "name": old.get("name"), "changes": ch}
            )
        else:
            diff.nodes_unchanged += 1
        if _own(old.get("sources"), prefix) != _own(node.sources, prefix):
            diff.provenance_changed += 1
    old_rels = _rels_by_id(store, list(batch.rels.values()))
    diff.existing_rels = set(old_rels)
    names = {
        nid: n.props.get("name") or existing.get(nid, {}).get("name")
        for nid, n in batch.nodes.items()
    }
    for rel in batch.rels.values():
        old = old_rels.get(rel.id)
        label = {
            "id": rel.id,
            "type": rel.type,
            "from": names.get(rel.from_id) or rel.from_id,
            "to": names.get(rel.to_id) or rel.to_id,
        }
        if old is None:
            diff.rels_new.append(label)
            continue
        ch = _changes(rel.props, old)
        if ch:
            diff.rels_changed.append({**label, "changes": ch})
        else:
            diff.rels_unchanged += 1
        if _own(old.get("sources"), prefix) != _own(rel.sources, prefix):
            diff.provenance_changed += 1
    for row in store.run("import.nodes_by_source", {"prefix": prefix}):
        if row["id"] not in batch.nodes:
            diff.missing_nodes.append(
                {
                    "id": row["id"],
                    "kind": row["kind"],
                    "name": row["name"],
                    "sources": row["sources"],
                }
            )
    for row in store.run("import.rels_by_source", {"prefix": prefix}):
        if row["id"] not in batch.rels:
            diff.missing_rels.append(
                {
                    "id": row["id"],
                    "type": row["type"],
                    "from": row["a"],
                    "to": row["b"],
                    "sources": row["sources"],
                }
            )
    return diff


def _own(sources: Any, prefix: str) -> set[str]:
    return {s for s in sources or [] if str(s).startswith(prefix)}


def _run(tx: Any, backend: str, name: str, params: dict[str, Any], **slots: Any) -> Any:
    from graph.queries import render

    return tx(render(name, backend, **slots)[0], params)


def _strip_old_rows(
    tx: Any,
    backend: str,
    batch: GraphBatch,
    existing: dict[str, dict[str, Any]],
    existing_rels: set[str],
    prefix: str,
) -> None:
    """Replace this file's old row references by the new ones (rows may have moved)."""
    rows = [{"id": n.id, "keep": n.sources} for n in batch.nodes.values() if n.id in existing]
    for i in range(0, len(rows), CHUNK):
        _run(
            tx,
            backend,
            "import.strip_node_sources",
            {"rows": rows[i : i + CHUNK], "prefix": prefix},
        )
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in batch.rels.values():
        if r.id in existing_rels:
            by_type[r.type].append({"id": r.id, "keep": r.sources})
    for rtype, rrows in by_type.items():
        for i in range(0, len(rrows), CHUNK):
            _run(
                tx,
                backend,
                "import.strip_rel_sources",
                {"rows": rrows[i : i + CHUNK], "prefix": prefix},
                type=rtype,
            )


def _prune(tx: Any, backend: str, diff: Diff, prefix: str) -> dict[str, int]:
    """Remove this file's references from rows that disappeared; delete what is left bare."""
    deleted_rels: dict[str, list[str]] = defaultdict(list)
    n_rels = n_nodes = 0
    for r in diff.missing_rels:
        rest = [s for s in r["sources"] or [] if not str(s).startswith(prefix)]
        if rest:
            _run(
                tx,
                backend,
                "import.strip_rel_sources",
                {"rows": [{"id": r["id"], "keep": []}], "prefix": prefix},
                type=r["type"],
            )
        else:
            deleted_rels[r["type"]].append(r["id"])
    for rtype, ids in deleted_rels.items():
        _run(tx, backend, "import.delete_rels", {"ids": ids}, type=rtype)
        n_rels += len(ids)
    doomed = []
    for n in diff.missing_nodes:
        rest = [s for s in n["sources"] or [] if not str(s).startswith(prefix)]
        if rest:
            _run(
                tx,
                backend,
                "import.strip_node_sources",
                {"rows": [{"id": n["id"], "keep": []}], "prefix": prefix},
            )
        else:
            doomed.append(n["id"])
    if doomed:
        _run(tx, backend, "import.delete_nodes", {"ids": doomed})
        n_nodes = len(doomed)
    return {"nodes": n_nodes, "relationships": n_rels}


def write_rejected(report: ImportReport, out: Path) -> Path:
    """The rejected rows as CSV (UTF-8 with BOM, `;`, opens in Excel): the original columns plus
    `feil_plassering` and `feil`; fix and re-import."""
    rejected = report.plan.rejected
    columns: list[str] = []
    for r in rejected:
        for k in r.values:
            if k not in columns:
                columns.append(k)
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow([*columns, "feil_plassering", "feil"])
        for r in rejected:
            w.writerow(
                [
                    *("" if r.values.get(c) is None else r.values.get(c) for c in columns),
                    str(r.location),
                    r.reason,
                ]
            )
    return out


class ImportLog:
    """One line per import that wrote (`import_runs` in the review database)."""

    def __init__(self, path: Path):
        self.path = path
        with sqlite3.connect(path) as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS import_runs (seq INTEGER PRIMARY KEY "
                "AUTOINCREMENT, at TEXT, who TEXT, file TEXT, sha256 TEXT, mapping TEXT, "
                "summary TEXT)"
            )

    def add(self, report: ImportReport, path: Path, who: str) -> None:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        d = report.diff
        summary = {
            "rows": report.plan.rows,
            "rejected": len(report.plan.rejected),
            "nodes_created": len(d.nodes_new),
            "nodes_changed": len(d.nodes_changed),
            "rels_created": len(d.rels_new),
            "rels_changed": len(d.rels_changed),
            "changes": d.nodes_changed[:200] + d.rels_changed[:200],
            "missing": len(d.missing_nodes) + len(d.missing_rels),
            "pruned": report.pruned,
            "merges": len(report.resolution.auto),
            "proposals": len(report.proposals),
        }
        with sqlite3.connect(self.path) as db:
            db.execute(
                "INSERT INTO import_runs (at, who, file, sha256, mapping, summary) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    now(),
                    who,
                    report.file,
                    h.hexdigest(),
                    report.mapping,
                    json.dumps(summary, ensure_ascii=False, default=str),
                ),
            )

    def list(self, limit: int = 50) -> list[dict[str, Any]]:
        with sqlite3.connect(self.path) as db:
            db.row_factory = sqlite3.Row
            return [
                {**dict(r), "summary": json.loads(r["summary"])}
                for r in db.execute("SELECT * FROM import_runs ORDER BY seq DESC LIMIT ?", (limit,))
            ]
