"""Plan a spreadsheet import: read (streaming), validate row by row, build the graph facts.

`plan_file(path, mapping, ...)` reads the file with the reader for its format
(`importers.readers`), matches the header to the mapping, turns every row into validated
`NodeRecord`s / `RelRecord`s (`make_node` / `make_rel`) with the row as provenance
("file:sheet:row" for XLSX, "file:line" for CSV / NDJSON, "file:row" for JSON) and collects
them in a `RecordSpill`: merged per window of rows and written to disk in sorted runs, read
back merged per id (`RecordSpill.nodes()` / `.rels()`), so neither the file nor its facts are
held in memory (an import of a million rows keeps one window, not a million rows).

A bad cell raises `ImportDataError` naming file, sheet, row or line, column and reason;
with `skip_bad_rows` the row is set aside (`ImportPlan.rejected`) and the rest goes on.
Nothing is written here; `importers.run.run_import` resolves, diffs and writes.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from graph.model import ModelError
from graph.records import GraphBatch, NodeRecord, RelRecord, make_node, make_rel
from importers.errors import ImportDataError, Location
from importers.mapping import CellError, EntitySpec, Mapping, convert, kind_of
from importers.readers import Table, open_tables
from importers.reference import ReferenceTables
from importers.values import clean_text, split_list

#: rows merged in memory before they are written to disk as one sorted run
WINDOW_ROWS = 10_000
#: records per pickled block of a run (what one open run holds in memory while merging)
BLOCK = 200
#: runs merged into one when there are this many (so a merge holds at most this many blocks)
MAX_RUNS = 32
#: validated nodes remembered by (kind, name, properties) while reading
NODE_CACHE = 4_096
Transform = Callable[[list[NodeRecord | RelRecord]], list[NodeRecord | RelRecord]]


@dataclass
class Rejected:
    location: Location
    reason: str
    values: dict[str, Any]


@dataclass
class TableInfo:
    sheet: str | None
    header_row: int
    columns: dict[str, str]
    rows: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    file: str
    path: Path
    mapping: str
    #: the validated facts, on disk (`close()` removes them)
    spill: RecordSpill = field(default_factory=lambda: RecordSpill())
    tables: list[TableInfo] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: int = 0
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def source_prefix(self) -> str:
        return f"{self.file}:"

    def close(self) -> None:
        self.spill.close()


def plan_file(
    path: Path,
    mapping: Mapping,
    reference: ReferenceTables,
    *,
    skip_bad_rows: bool = False,
    display: str | None = None,
    keep_og: frozenset[str] = frozenset(),
    progress: Callable[[int], None] | None = None,
    transform: Transform | None = None,
    window: int | None = None,
) -> ImportPlan:
    """Read and validate the whole file; nothing is written. The facts go to `plan.spill`
    (call `plan.close()` when done). `transform` may rewrite each row's records (accepted
    merges re-applied) before they are kept."""
    tables = open_tables(path, mapping.header_score, display, mapping.sheets)
    plan = ImportPlan(tables[0].file, path, mapping.name, spill=RecordSpill(window or WINDOW_ROWS))
    plan.encoding, plan.delimiter = tables[0].encoding, tables[0].delimiter
    try:
        for table in tables:
            _plan_table(
                plan, table, mapping, reference, skip_bad_rows, keep_og, progress, transform
            )
        if plan.rows == 0 and not plan.rejected:
            raise ImportDataError(Location(plan.file), "filen har ingen datarader")
        plan.spill.finish()
    except BaseException:
        plan.close()
        raise
    return plan


@dataclass
class MergedNode:
    node: NodeRecord
    #: some row of an authoritative entity of the mapping named it (it owns its properties)
    authoritative: bool
    #: position of its first record in the file (order of first appearance)
    seq: int


class RecordSpill:
    """Validated records, merged per id with `GraphBatch`'s rules, kept on disk.

    Records are accumulated for a window of rows (merged per id: properties first row wins,
    aliases and sources united in row order), then written as one run sorted by id (nodes and
    relationships apart). Reading merges the runs (`heapq.merge`, runs in file order so the
    first row still wins) and folds the records of one id together: each entity comes out
    once, in id order, with everything every row said about it. Memory: one window while
    reading, one block per run while merging.
    """

    def __init__(self, window: int = WINDOW_ROWS):
        self.window = window
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self.node_runs: list[Path] = []
        self.rel_runs: list[Path] = []
        self._acc = _Accumulator()
        self._rows = 0
        self.seq = 0
        #: the next run file's number: never reused, so a compaction never writes over a run
        #: it is reading (a second compaction once truncated the first one's output, then
        #: deleted it: lost records and FileNotFoundError at a million rows)
        self._serial = 0

    def _run_paths(self, suffix: str = "") -> tuple[Path, Path]:
        assert self._dir is not None
        self._serial += 1
        base = Path(self._dir.name)
        return (
            base / f"nodes-{self._serial}{suffix}.pickle",
            base / f"rels-{self._serial}{suffix}.pickle",
        )

    def add(self, records: list[NodeRecord | RelRecord], auth: set[str]) -> None:
        for rec in records:
            self.seq += 1
            self._acc.add(rec, self.seq, isinstance(rec, NodeRecord) and rec.id in auth)
        self._rows += 1
        if self._rows >= self.window:
            self._flush()

    def finish(self) -> None:
        self._flush()

    def _flush(self) -> None:
        acc, self._acc, self._rows = self._acc, _Accumulator(), 0
        if not acc.nodes and not acc.rels:
            return
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="samgraf-import-")
        nodes, rels = self._run_paths()
        _write_run(
            nodes,
            (
                (nid, node.kind, node.props, list(acc.sources["n|" + nid]), acc.auth[nid], seq)
                for nid, (node, seq) in sorted(acc.nodes.items())
            ),
        )
        _write_run(
            rels,
            (
                (
                    rid,
                    r.type,
                    r.from_kind,
                    r.from_id,
                    r.to_kind,
                    r.to_id,
                    r.props,
                    list(acc.sources["r|" + rid]),
                )
                for rid, r in sorted(acc.rels.items())
            ),
        )
        self.node_runs.append(nodes)
        self.rel_runs.append(rels)
        if len(self.node_runs) >= MAX_RUNS:
            self._compact()

    def _compact(self) -> None:
        """Merge every run into one (a merge reads one block of each run at a time)."""
        nodes, rels = self._run_paths("-all")
        _write_run(
            nodes,
            (
                (m.node.id, m.node.kind, m.node.props, m.node.sources, m.authoritative, m.seq)
                for m in self.nodes()
            ),
        )
        _write_run(
            rels,
            (
                (r.id, r.type, r.from_kind, r.from_id, r.to_kind, r.to_id, r.props, r.sources)
                for r in self.rels()
            ),
        )
        for old in (*self.node_runs, *self.rel_runs):
            old.unlink()
        self.node_runs, self.rel_runs = [nodes], [rels]

    def nodes(self) -> Iterator[MergedNode]:
        """Every node once, in id order, merged over all rows."""
        cur: MergedNode | None = None
        srcs: dict[str, None] = {}
        for nid, kind, props, sources, auth, seq in heapq.merge(
            *(_read_run(p) for p in self.node_runs), key=lambda t: t[0]
        ):
            if cur is not None and cur.node.id == nid:
                node = cur.node
                if node.kind != kind:
                    raise ModelError(f"id {nid} brukt for både {node.kind} og {kind}")
                _merge_props(node.props, props)
                srcs.update(dict.fromkeys(sources))
                cur.authoritative = cur.authoritative or auth
                continue
            if cur is not None:
                cur.node.sources = list(srcs)
                yield cur
            cur = MergedNode(NodeRecord(kind, nid, dict(props), []), auth, seq)
            srcs = dict.fromkeys(sources)
        if cur is not None:
            cur.node.sources = list(srcs)
            yield cur

    def rels(self) -> Iterator[RelRecord]:
        """Every relationship once, in id order, merged over all rows."""
        cur: RelRecord | None = None
        srcs: dict[str, None] = {}
        for rid, rtype, fk, fid, tk, tid, props, sources in heapq.merge(
            *(_read_run(p) for p in self.rel_runs), key=lambda t: t[0]
        ):
            if cur is not None and cur.id == rid:
                for k, v in props.items():
                    cur.props.setdefault(k, v)
                srcs.update(dict.fromkeys(sources))
                continue
            if cur is not None:
                cur.sources = list(srcs)
                yield cur
            cur = RelRecord(rtype, fk, fid, tk, tid, dict(props), [])
            srcs = dict.fromkeys(sources)
        if cur is not None:
            cur.sources = list(srcs)
            yield cur

    def close(self) -> None:
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
        self.node_runs, self.rel_runs = [], []


def _merge_props(old: dict[str, Any], new: dict[str, Any]) -> None:
    for k, v in new.items():
        if k == "aliases":
            merged = list(old.get("aliases", []))
            merged += [a for a in v if a not in merged]
            old["aliases"] = merged
        else:
            old.setdefault(k, v)


def _write_run(path: Path, items: Iterator[tuple[Any, ...]]) -> None:
    with open(path, "wb") as fh:
        block: list[tuple[Any, ...]] = []
        for item in items:
            block.append(item)
            if len(block) >= BLOCK:
                pickle.dump(block, fh, protocol=pickle.HIGHEST_PROTOCOL)
                block = []
        if block:
            pickle.dump(block, fh, protocol=pickle.HIGHEST_PROTOCOL)


def _read_run(path: Path) -> Iterator[tuple[Any, ...]]:
    fh: IO[bytes]
    with open(path, "rb") as fh:
        while True:
            try:
                block = pickle.load(fh)
            except EOFError:
                return
            yield from block


class _Accumulator:
    """Like `GraphBatch.add_node/add_rel` (same merge rules), with sources kept as ordered
    sets: a unit named on every row of the window gets its references without a quadratic
    scan. Nodes remember the first row they were on and whether a row owned them."""

    def __init__(self) -> None:
        self.nodes: dict[str, tuple[NodeRecord, int]] = {}
        self.rels: dict[str, RelRecord] = {}
        self.sources: dict[str, dict[str, None]] = {}
        self.auth: dict[str, bool] = {}

    def add(self, rec: NodeRecord | RelRecord, seq: int, auth: bool) -> None:
        if isinstance(rec, NodeRecord):
            key = "n|" + rec.id
            old = self.nodes.get(rec.id)
            if old is None:
                self.nodes[rec.id] = (NodeRecord(rec.kind, rec.id, dict(rec.props), []), seq)
                self.sources[key] = dict.fromkeys(rec.sources)
                self.auth[rec.id] = auth
                return
            old_node = old[0]
            if old_node.kind != rec.kind:
                raise ModelError(f"id {rec.id} brukt for både {old_node.kind} og {rec.kind}")
            _merge_props(old_node.props, rec.props)
            if auth:
                self.auth[rec.id] = True
        else:
            key = "r|" + rec.id
            old_rel = self.rels.get(rec.id)
            if old_rel is None:
                self.rels[rec.id] = RelRecord(
                    rec.type,
                    rec.from_kind,
                    rec.from_id,
                    rec.to_kind,
                    rec.to_id,
                    dict(rec.props),
                    [],
                )
                self.sources[key] = dict.fromkeys(rec.sources)
                return
            for k, v in rec.props.items():
                old_rel.props.setdefault(k, v)
        self.sources[key].update(dict.fromkeys(rec.sources))


def _plan_table(
    plan: ImportPlan,
    table: Table,
    mapping: Mapping,
    ref: ReferenceTables,
    skip: bool,
    keep_og: frozenset[str],
    progress: Callable[[int], None] | None,
    transform: Transform | None,
) -> None:
    colmap = _columns(table, mapping)
    info = TableInfo(table.sheet, table.header_row, colmap, notes=list(table.notes))
    plan.tables.append(info)
    row_builder = _RowBuilder(mapping, colmap, ref, keep_og)
    for rownum, values in table.rows:
        if not colmap and values:  # JSON: columns come with the rows
            colmap = _columns_from_keys(list(values), mapping, table)
            row_builder.colmap = colmap
            info.columns = colmap
        try:
            records, auth = row_builder.build(values, table.provenance(rownum))
        except CellError as exc:
            header = colmap.get(exc.column) if exc.column else None
            error = ImportDataError(table.loc(rownum, header or exc.column), str(exc))
            if not skip:
                raise error from None
            plan.rejected.append(Rejected(error.location, str(exc), values))
            continue
        if transform is not None:
            records = transform(records)
        plan.spill.add(records, auth)
        info.rows += 1
        plan.rows += 1
        if progress is not None and plan.rows % 1000 == 0:
            progress(plan.rows)
    if progress is not None:
        progress(plan.rows)
    plan.warnings.extend(row_builder.warnings)


def _columns(table: Table, mapping: Mapping) -> dict[str, str]:
    if not table.header:
        return {}
    return _check_required(mapping.match_headers(table.header), mapping, table)


def _columns_from_keys(keys: list[str], mapping: Mapping, table: Table) -> dict[str, str]:
    return _check_required(mapping.match_headers(keys), mapping, table)


def _check_required(colmap: dict[str, str], mapping: Mapping, table: Table) -> dict[str, str]:
    missing = [c for c in mapping.required_columns() if c not in colmap]
    if missing:
        names = ", ".join(repr(_display(c, mapping)) for c in missing)
        found = ", ".join(table.header) if table.header else "ingen"
        raise ImportDataError(
            table.loc(table.header_row or None, _display(missing[0], mapping)),
            f"mangler påkrevd kolonne {names} (fant: {found})",
        )
    return colmap


def _display(column: str, mapping: Mapping) -> str:
    from importers.mapping import SYNONYMS

    spec = mapping.columns.get(column, {})
    return str(spec.get("header") or (SYNONYMS.get(column) or [column])[0])


class _RowBuilder:
    def __init__(
        self,
        mapping: Mapping,
        colmap: dict[str, str],
        ref: ReferenceTables,
        keep_og: frozenset[str],
    ):
        self.mapping, self.colmap, self.ref, self.keep_og = mapping, colmap, ref, keep_og
        self.warnings: list[str] = []
        self._warned: set[str] = set()
        #: validated nodes by (kind, name, properties): a name repeated on many rows is
        #: validated once (the record's props are shared read-only)
        self._nodes: dict[tuple[str, str, tuple[tuple[str, str], ...]], NodeRecord] = {}

    def cell(self, values: dict[str, Any], column: str | None) -> Any:
        if column is None or column not in self.colmap:
            return None
        return values.get(self.colmap[column])

    def build(
        self, values: dict[str, Any], source: str
    ) -> tuple[list[NodeRecord | RelRecord], set[str]]:
        out: list[NodeRecord | RelRecord] = []
        auth: set[str] = set()
        ents: dict[str, list[NodeRecord]] = {}
        for e in self.mapping.entities.values():
            ents[e.key] = self._entity(e, values, source, out)
        self._people_in_organisations(ents, out)
        for e in self.mapping.entities.values():
            if e.authoritative:
                auth.update(n.id for n in ents[e.key])
        for r in self.mapping.relationships:
            props = {p.name: convert(p, self.cell(values, p.column)) for p in r.properties}
            props = {k: v for k, v in props.items() if v is not None}
            for a in ents[r.from_]:
                for b in ents[r.to]:
                    if a.id == b.id:
                        continue
                    try:
                        out.append(make_rel(r.type, a, b, props, [source]))
                    except ModelError as exc:
                        raise CellError(
                            self._rel_column(r.from_, r.to, r.properties, exc), str(exc)
                        ) from None
        return out, auth

    def _people_in_organisations(
        self, ents: dict[str, list[NodeRecord]], out: list[NodeRecord | RelRecord]
    ) -> None:
        """A person the row makes MEMBER_OF organisations, and who has no e-mail address (whose
        id is made from it), gets the organisations in the id: the same name in two
        organisations is two nodes, for entity resolution to ask about (graph/ids.py)."""
        for r in self.mapping.relationships:
            if r.type != "MEMBER_OF":
                continue
            orgs = sorted(
                n.id.removeprefix("organisation:")
                for n in ents.get(r.to, [])
                if n.kind == "Organisation"
            )
            if not orgs:
                continue
            people = ents.get(r.from_, [])
            for k, person in enumerate(people):
                if person.kind != "Person" or person.props.get("email") or "@" in person.id:
                    continue
                new_id = f"{person.id}@{'+'.join(orgs)}"
                moved = NodeRecord(
                    person.kind, new_id, {**person.props, "id": new_id}, person.sources
                )
                people[k] = moved
                out[:] = [moved if x is person else x for x in out]

    def _rel_column(self, a: str, b: str, props: list[Any], exc: Exception) -> str | None:
        for p in props:
            if f"{p.name}:" in str(exc) and p.column:
                return str(p.column)
        for key in (a, b):
            e = self.mapping.entities[key]
            if e.kind_column:
                return e.kind_column
        return self.mapping.entities[a].name_column

    def _entity(
        self, e: EntitySpec, values: dict[str, Any], source: str, out: list[NodeRecord | RelRecord]
    ) -> list[NodeRecord]:
        raw = self.cell(values, e.name_column)
        if e.split:
            names = split_list(raw, self.keep_og)
        else:
            text = clean_text(raw)
            names = [text] if text else []
        if not names:
            if e.required:
                raise CellError(e.name_column, "mangler verdi")
            return []
        kind = kind_of(e, self.cell(values, e.kind_column))
        if kind is None:
            raise CellError(e.kind_column, "mangler nodetype")
        props = {p.name: convert(p, self.cell(values, p.column)) for p in e.properties}
        props = {k: v for k, v in props.items() if v is not None}
        nodes = []
        for name in names:
            if kind == "Municipality":
                node = self._municipality(e, name, props, values, source, out)
            else:
                cache_key = (kind, name, tuple((k, str(v)) for k, v in props.items()))
                cached = self._nodes.get(cache_key)
                if cached is not None:
                    node = NodeRecord(cached.kind, cached.id, cached.props, [source])
                    out.append(node)
                    nodes.append(node)
                    continue
                try:
                    node = make_node(kind, name, props, [source])
                except ModelError as exc:
                    col = next(
                        (p.column for p in e.properties if p.column and f"{p.name}:" in str(exc)),
                        e.name_column,
                    )
                    raise CellError(col, str(exc)) from None
                # only what the file says: the model's defaults (org_type "other" …) must not
                # overwrite what the graph knows from other sources
                node.props = {
                    k: v
                    for k, v in node.props.items()
                    if k in ("id", "label", "name", "aliases") or k in props
                }
                if len(self._nodes) >= NODE_CACHE:
                    self._nodes.clear()  # bounded: a name on many rows is soon cached again
                self._nodes[cache_key] = node
                out.append(node)
            nodes.append(node)
        return nodes

    def _municipality(
        self,
        e: EntitySpec,
        name: str,
        props: dict[str, Any],
        values: dict[str, Any],
        source: str,
        out: list[NodeRecord | RelRecord],
    ) -> NodeRecord:
        on = None
        if e.date_column:
            from importers.values import parse_date

            try:
                on = parse_date(self.cell(values, e.date_column))
            except ValueError as exc:
                raise CellError(e.date_column, str(exc)) from None
            if on and len(on) < 10:
                on = (on + "-01-01")[:10] if len(on) == 4 else on + "-01"
        row = None
        if props.get("kommunenummer"):
            row = self.ref.by_number(str(props["kommunenummer"]).zfill(4), on)
        if row is None:
            rows = self.ref.by_name(name, on)
            if not rows and on:
                historic = self.ref.by_name(name)
                current = {c.kommunenummer: c for r in historic for c in self.ref.current(r)}
                if len(current) == 1:
                    row = next(iter(current.values()))
                    msg = (
                        f"{name} fantes ikke {on}; bruker etterfølgeren {row.name} "
                        f"({row.kommunenummer})"
                    )
                    if msg not in self._warned:
                        self._warned.add(msg)
                        self.warnings.append(msg)
            elif rows:
                row = rows[-1]
        if row is None:
            raise CellError(e.name_column, f"ukjent kommune {name!r} (ikke i referansetabellen)")
        batch = GraphBatch()
        node = self.ref.add_municipality(batch, row)
        node.sources.append(source)
        out.extend(batch.nodes.values())
        out.extend(batch.rels.values())
        return node
