"""Run a spreadsheet import: plan → resolve → diff → (unless dry run) one atomic write.

`run_import(store, settings, path, mapping=…, dry_run=…, skip_bad_rows=…, prune=…)` streams:
nothing holds the file or all its facts, so memory does not grow with the number of rows
(beyond what is per entity and small: the new names entity resolution compares). The complete
diff goes to a file when asked (`diff_file`); the report lists the first `SAMPLE` items of each
kind, with complete counts.

1. `importers.tabular.plan_file` reads and validates every row (nothing written); accepted
   merges from the review queue are re-applied to each row's records as they come (a node the
   queue says is another node's duplicate is written as that node, its name kept as an alias).
   The facts are merged per id and kept on disk (`RecordSpill`), read back in id order.
2. Entity resolution (`importers.resolution.resolve_new`): the new nodes of resolvable kinds
   are compared with the graph's and with each other: automatic merges and review proposals.
3. The diff against the graph, chunk by chunk as the facts stream by: nodes and relationships
   to create, properties to change (old → new), merges, proposals, and rows that disappeared
   since the file was last imported (nodes/relationships whose provenance names this file but
   that are no longer in it; found by a merge join of id-ordered streams). Nodes the graph has
   already: a non-authoritative mention (e.g. a partner named in a project list) adds only
   provenance, never overwrites the node's properties; aliases are united. Counts are always
   complete; the first `SAMPLE` items of each kind are listed, and with `diff_file` all of them
   are written there.
4. Without `dry_run`, in ONE transaction (`store.dialect.transaction()`): the file's old row
   references are replaced by the new ones, the records stream into `store.upsert_in`,
   automatic merges are folded in, and with `prune` the disappeared rows are removed (a node
   or relationship that other sources also support only loses this file's references). A bad
   row anywhere fails before the transaction starts; a failure inside it drops the whole
   write. Then the review queue gets the proposals and the automatic merges (as accepted
   judgements), and the import log a line.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from graph.cells import safe_row
from graph.records import GraphBatch, NodeRecord, RelRecord
from graph.resolve.aliases import load_aliases
from graph.resolve.merge import merge_nodes
from graph.resolve.review import ReviewQueue, now, open_queue
from graph.resolve.scoring import Entity, Thresholds
from graph.settings import Settings
from graph.store import GraphStore, utc_now
from importers.mapping import Mapping, list_mappings, load_mapping
from importers.resolution import (
    AUTO_WHO,
    RESOLVE_KINDS,
    Resolution,
    entity,
    historic_table,
    place_names,
    reapplied_pair,
    redirect_node,
    redirect_rel,
    resolve_new,
    rewrite,
)
from importers.tabular import ImportPlan, MergedNode, plan_file

PROVENANCE = ("sources", "first_seen", "last_seen")
CHUNK = 5000
#: items of each kind listed in an import's diff (all are counted; `diff_file` gets them all)
SAMPLE = 1000
T = TypeVar("T")


@dataclass
class Diff:
    """What an import changes. The `*_new` / `*_changed` lists hold every item when `limit` is
    None and the first `limit` otherwise; the `n_*` counts are always complete."""

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
    n_nodes_new: int = 0
    n_nodes_changed: int = 0
    n_rels_new: int = 0
    n_rels_changed: int = 0
    limit: int | None = None
    #: where every item is written, one JSON object a line, when the lists are limited
    sink: IO[str] | None = field(default=None, repr=False)

    @property
    def empty(self) -> bool:
        return not (
            self.n_nodes_new or self.n_nodes_changed or self.n_rels_new or self.n_rels_changed
        )

    def add(self, what: str, item: dict[str, Any]) -> None:
        """Count an item of `what` (nodes_new, nodes_changed, rels_new, rels_changed), list it
        while the list is under `limit`, and write it to `sink`."""
        if self._listed(what):
            getattr(self, what).append(item)
        self.write(what, item)

    def add_rel(
        self,
        what: str,
        rel: RelRecord,
        changes: dict[str, list[Any]] | None,
        label: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> None:
        """`add` for a relationship, by its endpoints' ids; the listed ones go through `label`
        (a copy whose endpoint names are filled in once all nodes are read)."""
        line: dict[str, Any] = {"id": rel.id, "type": rel.type}
        line |= {"from": rel.from_id, "to": rel.to_id}
        if changes is not None:
            line["changes"] = changes
        if self._listed(what):
            getattr(self, what).append(label(line))
        self.write(what, line)

    def _listed(self, what: str) -> bool:
        """Count an item of `what`; whether it is listed (its list is under `limit`)."""
        setattr(self, "n_" + what, getattr(self, "n_" + what) + 1)
        return self.limit is None or len(getattr(self, what)) < self.limit

    def write(self, what: str, item: dict[str, Any]) -> None:
        """An item of `what` as a line of the sink, if there is one."""
        if self.sink is not None:
            self.sink.write(json.dumps({"change": what, **item}, ensure_ascii=False, default=str))
            self.sink.write("\n")

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": {
                "create": self.nodes_new,
                "change": self.nodes_changed,
                "unchanged": self.nodes_unchanged,
                "created": self.n_nodes_new,
                "changed": self.n_nodes_changed,
            },
            "relationships": {
                "create": self.rels_new,
                "change": self.rels_changed,
                "unchanged": self.rels_unchanged,
                "created": self.n_rels_new,
                "changed": self.n_rels_changed,
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
    diff_file: Path | None = None,
) -> ImportReport:
    """Import `path` (see the module's docstring). The report lists the first `SAMPLE` items
    of each kind of change (the counts are complete), so memory does not grow with the number
    of changes, in a dry run too; with `diff_file` every item is written there, one JSON
    object a line.

    An import that writes holds the graph's write lock from its first read (resolution
    against the graph) to its commit: two imports, or an import and another write, never
    interleave, so the result is that of running them one after the other."""
    lock = contextlib.nullcontext() if dry_run else store.dialect.write_lock()
    with lock:
        return _run_import(
            store,
            settings,
            path,
            mapping,
            dry_run=dry_run,
            skip_bad_rows=skip_bad_rows,
            prune=prune,
            display=display,
            who=who,
            progress=progress,
            queue=queue,
            diff_file=diff_file,
        )


def _run_import(
    store: GraphStore,
    settings: Settings,
    path: Path,
    mapping: str | Mapping | None,
    *,
    dry_run: bool,
    skip_bad_rows: bool,
    prune: bool,
    display: str | None,
    who: str,
    progress: Callable[[int], None] | None,
    queue: ReviewQueue | None,
    diff_file: Path | None,
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
    queue = queue or open_queue(settings)
    th = Thresholds(auto=settings.er_auto, review=settings.er_review)
    before = store.stats()
    canonical = queue.canonical()
    judged = queue.judged_pairs()
    reapply = _Reapply(canonical, _existing_nodes(store, sorted(set(canonical.values()))))
    plan = plan_file(
        path,
        m,
        ref,
        skip_bad_rows=skip_bad_rows,
        display=display,
        keep_og=keep_og,
        progress=progress,
        transform=reapply,
    )
    try:
        res = Resolution()
        for loser_id, props in reapply.losers.items():
            winner_id = reapply.applied[loser_id]
            res.reapplied.append(reapplied_pair(reapply.winners[winner_id], props))
            res.redirects[loser_id] = winner_id
        resolve_new(
            store, _new_entities(store, plan, reapply.context), canonical, judged, aliases, th, res
        )
        auto = {pr.loser.id: pr.winner.id for pr in res.auto}
        report = ImportReport(plan.file, m.name, dry_run, plan, Diff(), res, before, before)
        with contextlib.ExitStack() as stack:
            sink = stack.enter_context(_diff_sink(diff_file)) if diff_file else None
            if dry_run:
                report.diff = _diff(store, plan, auto, None, sink)
                return report
            tx = stack.enter_context(store.dialect.transaction())
            report.diff = _diff(store, plan, auto, tx, sink)
            written = store.upsert_in(tx, _records(store, plan), utc_now())
            snapshots = {}
            for pr in res.auto:
                snapshots[pr.loser.id] = merge_nodes(tx, store.backend, pr.winner.id, pr.loser.id)
            if prune:
                report.pruned = _prune(tx, store.backend, report.diff, plan.source_prefix)
    finally:
        plan.close()
    report.written = {"nodes": written.nodes, "relationships": written.relationships}
    auto_ids = queue.propose_many([pr.proposal() for pr in res.auto])
    for item, pr in zip(auto_ids, res.auto, strict=True):
        queue.record(
            item,
            "accept",
            AUTO_WHO,
            pr.decision.evidence,
            {"kind": "merge", "snapshot": snapshots[pr.loser.id]},
        )
    report.proposals = queue.propose_many([pr.proposal() for pr in res.review])
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


class _Reapply:
    """Accepted merges re-applied to each row's records (`plan_file`'s `transform`): a node
    the review queue says is another's duplicate becomes that node (its names kept as
    aliases), its relationships re-pointed. Also gathers, for the resolver, where the file
    says people belong (MEMBER_OF)."""

    def __init__(self, canonical: dict[str, str], winners: dict[str, dict[str, Any]]):
        #: loser → winner, for winners the graph has
        self.applied = {k: v for k, v in canonical.items() if v in winners}
        self.winners = winners
        #: the re-applied losers the file names, with their properties (first row)
        self.losers: dict[str, dict[str, Any]] = {}
        self.context: dict[str, set[str]] = defaultdict(set)

    def __call__(self, records: list[NodeRecord | RelRecord]) -> list[NodeRecord | RelRecord]:
        out: list[NodeRecord | RelRecord] = []
        applied = self.applied
        for rec in records:
            if isinstance(rec, NodeRecord):
                target = applied.get(rec.id)
                if target is None:
                    out.append(rec)
                    continue
                self.losers.setdefault(rec.id, rec.props)
                out.append(redirect_node(rec, target, self.winners[target]))
                continue
            if applied:
                moved = redirect_rel(rec, applied)
                if moved is None:
                    continue
                rec = moved
            if rec.type == "MEMBER_OF" and rec.from_kind == "Person":
                self.context[rec.from_id].add(rec.to_id)
            out.append(rec)
        return out


def _chunks(items: Iterable[T], n: int = CHUNK) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _new_entities(
    store: GraphStore, plan: ImportPlan, context: dict[str, set[str]]
) -> list[Entity]:
    """The file's nodes of resolvable kinds that the graph has not, in file order."""
    found: list[tuple[int, Entity]] = []
    for chunk in _chunks(plan.spill.nodes()):
        existing = _existing_nodes(store, [m.node.id for m in chunk])
        for m in chunk:
            n = m.node
            if n.kind in RESOLVE_KINDS and n.id not in existing:
                found.append((m.seq, entity(n.props, context.get(n.id, set()))))
    found.sort(key=lambda t: t[0])
    return [e for _, e in found]


def _mention(m: MergedNode, old: dict[str, Any] | None) -> NodeRecord:
    """A node the graph has: a mention adds provenance only; aliases are united."""
    node = m.node
    if old is None:
        return node
    if m.authoritative:
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
    return NodeRecord(node.kind, node.id, props, list(node.sources))


def _mentions(
    batch: GraphBatch, existing: dict[str, dict[str, Any]], authoritative: set[str]
) -> GraphBatch:
    out = GraphBatch()
    for node in batch.nodes.values():
        out.add_node(_mention(MergedNode(node, node.id in authoritative, 0), existing.get(node.id)))
    for rel in batch.rels.values():
        out.add_rel(rel)
    return out


def _records(store: GraphStore, plan: ImportPlan) -> Iterator[NodeRecord | RelRecord]:
    """What is written: every node (mentions reduced to provenance), then every relationship."""
    for chunk in _chunks(plan.spill.nodes()):
        existing = _existing_nodes(store, [m.node.id for m in chunk])
        for m in chunk:
            yield _mention(m, existing.get(m.node.id))
    yield from plan.spill.rels()


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


class _Missing:
    """Merge join of the ids this file gave the graph before (sorted) against the ids of the
    import as they stream by in the same order: what is left was not seen."""

    def __init__(self, rows: list[dict[str, Any]]):
        self.rows = sorted(rows, key=lambda r: str(r["id"]))
        self.i = 0
        self.unseen: list[dict[str, Any]] = []

    def see(self, id_: str) -> None:
        rows = self.rows
        while self.i < len(rows) and str(rows[self.i]["id"]) < id_:
            self.unseen.append(rows[self.i])
            self.i += 1
        if self.i < len(rows) and rows[self.i]["id"] == id_:
            self.i += 1

    def rest(self, seen: set[str]) -> list[dict[str, Any]]:
        self.unseen += self.rows[self.i :]
        self.i = len(self.rows)
        return [r for r in self.unseen if r["id"] not in seen]


def _diff(
    store: GraphStore,
    plan: ImportPlan,
    auto: dict[str, str],
    tx: Any | None,
    sink: IO[str] | None = None,
) -> Diff:
    """The diff of the import against the graph as it is (read outside the transaction), the
    facts streamed chunk by chunk; with `tx`, each chunk's old row references of this file are
    replaced by the new ones in the transaction. Automatic merges (`auto`, loser → winner) are
    shown as they will be: nodes and relationships that involve a merged pair are set aside
    and diffed at the end, rewritten to the winner."""
    prefix = plan.source_prefix
    backend = store.backend
    diff = Diff(limit=SAMPLE, sink=sink)
    side_ids = set(auto) | set(auto.values())
    side = GraphBatch()
    side_auth: set[str] = set()
    names: dict[str, str | None] = {}
    labels: list[dict[str, Any]] = []

    def rel_item(line: dict[str, Any]) -> dict[str, Any]:
        label = dict(line)
        labels.append(label)
        names[line["from"]] = names[line["to"]] = None
        return label

    # relationships first: which node names the listed ones need is then known
    missing_rels = _Missing(store.run("import.rels_by_source", {"prefix": prefix}))
    for chunk in _chunks(plan.spill.rels()):
        old_rels = _rels_by_id(store, chunk)
        if tx is not None:
            _strip(tx, backend, [r for r in chunk if r.id in old_rels], prefix)
        for rel in chunk:
            missing_rels.see(rel.id)
            if rel.from_id in side_ids or rel.to_id in side_ids:
                side.add_rel(rel)
                names[rel.from_id] = names[rel.to_id] = None
                continue
            _diff_rel(diff, rel, old_rels.get(rel.id), prefix, rel_item)
    missing_nodes = _Missing(store.run("import.nodes_by_source", {"prefix": prefix}))
    for mchunk in _chunks(plan.spill.nodes()):
        existing = _existing_nodes(store, [m.node.id for m in mchunk])
        if tx is not None:
            _strip(tx, backend, [m.node for m in mchunk if m.node.id in existing], prefix)
        for m in mchunk:
            nid = m.node.id
            missing_nodes.see(nid)
            if nid in side_ids:
                side.add_node(m.node)
                if m.authoritative:
                    side_auth.add(nid)
                continue
            old = existing.get(nid)
            node = _mention(m, old)
            if nid in names:
                names[nid] = node.props.get("name") or (old or {}).get("name")
            _diff_node(diff, node, old, prefix)
    # the merged pairs, as the graph will have them
    view_ids: tuple[set[str], set[str]] = (set(), set())
    if side.nodes or side.rels:
        existing = _existing_nodes(store, sorted(set(side.nodes) | side_ids))
        view = rewrite(_mentions(side, existing, side_auth), auto, existing)
        view = _mentions(view, existing, side_auth)
        for node in view.nodes.values():
            old = existing.get(node.id)
            names[node.id] = node.props.get("name") or (old or {}).get("name")
            _diff_node(diff, node, old, prefix)
        old_rels = _rels_by_id(store, list(view.rels.values()))
        for rel in view.rels.values():
            _diff_rel(diff, rel, old_rels.get(rel.id), prefix, rel_item)
        view_ids = (set(view.nodes), set(view.rels))
    for label in labels:
        label["from"] = names.get(label["from"]) or label["from"]
        label["to"] = names.get(label["to"]) or label["to"]
    diff.missing_nodes = [
        {"id": r["id"], "kind": r["kind"], "name": r["name"], "sources": r["sources"]}
        for r in missing_nodes.rest(view_ids[0])
    ]
    diff.missing_rels = [
        {"id": r["id"], "type": r["type"], "from": r["a"], "to": r["b"], "sources": r["sources"]}
        for r in missing_rels.rest(view_ids[1])
    ]
    for what in ("missing_nodes", "missing_rels"):
        for item in getattr(diff, what):
            diff.write(what, item)
    return diff


@contextlib.contextmanager
def _diff_sink(path: Path) -> Iterator[IO[str]]:
    """A file for the complete diff, in place only when the diff is complete (written to a
    temporary file next to it, renamed at the end; removed on failure)."""
    tmp = path.with_name(path.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8") as f:
            yield f
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _diff_node(diff: Diff, node: NodeRecord, old: dict[str, Any] | None, prefix: str) -> None:
    if old is None:
        diff.add("nodes_new", {"id": node.id, "kind": node.kind, "name": node.name})
        return
    ch = _changes(node.props, old)
    if ch:
        diff.add(
            "nodes_changed",
            {"id": node.id, "kind": node.kind, "name": old.get("name"), "changes": ch},
        )
    else:
        diff.nodes_unchanged += 1
    if _own(old.get("sources"), prefix) != _own(node.sources, prefix):
        diff.provenance_changed += 1


def _diff_rel(
    diff: Diff,
    rel: RelRecord,
    old: dict[str, Any] | None,
    prefix: str,
    item: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    if old is None:
        diff.add_rel("rels_new", rel, None, item)
        return
    ch = _changes(rel.props, old)
    if ch:
        diff.add_rel("rels_changed", rel, ch, item)
    else:
        diff.rels_unchanged += 1
    if _own(old.get("sources"), prefix) != _own(rel.sources, prefix):
        diff.provenance_changed += 1


def _own(sources: Any, prefix: str) -> set[str]:
    return {s for s in sources or [] if str(s).startswith(prefix)}


def _run(tx: Any, backend: str, name: str, params: dict[str, Any], **slots: Any) -> Any:
    from graph.queries import render

    return tx(render(name, backend, **slots)[0], params)


def _strip(tx: Any, backend: str, items: list[NodeRecord] | list[RelRecord], prefix: str) -> None:
    """Replace this file's old row references by the new ones (rows may have moved)."""
    if not items:
        return
    if isinstance(items[0], NodeRecord):
        rows = [{"id": n.id, "keep": n.sources} for n in items]
        _run(tx, backend, "import.strip_node_sources", {"rows": rows, "prefix": prefix})
        return
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in items:
        assert isinstance(r, RelRecord)
        by_type[r.type].append({"id": r.id, "keep": r.sources})
    for rtype, rrows in by_type.items():
        _run(
            tx,
            backend,
            "import.strip_rel_sources",
            {"rows": rrows, "prefix": prefix},
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
        w.writerow(safe_row([*columns, "feil_plassering", "feil"]))
        for r in rejected:
            w.writerow(
                safe_row(
                    [
                        *("" if r.values.get(c) is None else r.values.get(c) for c in columns),
                        str(r.location),
                        r.reason,
                    ]
                )
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
            "nodes_created": d.n_nodes_new,
            "nodes_changed": d.n_nodes_changed,
            "rels_created": d.n_rels_new,
            "rels_changed": d.n_rels_changed,
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
