"""The bundled dataset (data/kristiansand/*.yaml): hand-transcribed facts from the seed documents.

The format is described in docs/dataset-format.md. Loading is all-or-nothing: every file is
parsed and every fact validated against the model before anything is written; the first
problem raises `ImportDataError` naming the file, line and field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.model import ModelError
from graph.records import GraphBatch, NodeRecord, make_node, make_rel
from importers.errors import ImportDataError, Location
from importers.reference import ReferenceTables, load_reference

LINE = "__line__"
FILE_KEYS = {"source", "document_date", "nodes", "relationships", "checks"}
NODE_KEYS = {"kind", "ref", "name", "aliases", "lines", "props", "source"}
REL_KEYS = {"type", "from", "to", "lines", "props", "source"}


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records the 1-based line of every mapping under `__line__`."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {
        str(k): v for k, v in loader.construct_mapping(node, deep=True).items()
    }
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class DatasetPlan:
    batch: GraphBatch
    files: list[Path]
    warnings: list[str] = field(default_factory=list)


def parse_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ImportDataError(
            Location(str(path), line=line), f"ugyldig YAML: {exc.problem or exc}"
        ) from None
    except (UnicodeDecodeError, OSError) as exc:
        raise ImportDataError(Location(str(path)), f"kan ikke lese filen: {exc}") from None


def _lines(value: Any, loc: Location) -> list[str]:
    if value is None:
        raise ImportDataError(loc, "mangler 'lines' (linjenummer i kildedokumentet)")
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        text = str(item).strip()
        lo, _, hi = text.partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            raise ImportDataError(loc, f"ugyldig linjeangivelse {text!r} (bruk 12 eller 12-14)")
        out.append(text)
    return out


class _FileLoader:
    def __init__(
        self,
        path: Path,
        ref: ReferenceTables,
        plan: DatasetPlan,
        refs: dict[str, NodeRecord],
        seeds: Path | None,
    ):
        self.path = path
        self.ref = ref
        self.plan = plan
        self.refs = refs
        self.seeds = seeds
        self.name = path.name

    def loc(self, item: dict[str, Any] | None, field: str | None = None) -> Location:
        return Location(str(self.path), line=(item or {}).get(LINE), field=field)

    def load(self) -> list[tuple[dict[str, Any], str]]:
        doc = parse_yaml(self.path)
        if not isinstance(doc, dict):
            raise ImportDataError(Location(str(self.path), line=1), "forventet en YAML-mapping")
        unknown = set(doc) - FILE_KEYS - {LINE}
        if unknown:
            raise ImportDataError(self.loc(doc, sorted(unknown)[0]), "ukjent nøkkel")
        source = doc.get("source")
        if not source or not isinstance(source, str):
            raise ImportDataError(self.loc(doc, "source"), "mangler kildedokument ('source')")
        self.source = source
        self.date = str(doc["document_date"]) if doc.get("document_date") else None
        self._document(doc)
        for item in doc.get("nodes") or []:
            self._node(item)
        return [(item, source) for item in doc.get("relationships") or []] + [
            ({**c, "__check__": True}, source) for c in doc.get("checks") or []
        ]

    def _document(self, doc: dict[str, Any]) -> None:
        props: dict[str, Any] = {"path": f"seeds/{self.source}"}
        if self.date:
            props["document_date"] = self.date
        if self.seeds and (self.seeds / self.source).exists():
            props["sha256"] = hashlib.sha256((self.seeds / self.source).read_bytes()).hexdigest()
        node = make_node("Document", self.source, props, [f"{self.name}:{doc[LINE]}"])
        self.plan.batch.add_node(node)
        self.refs.setdefault(f"Document:{self.source}", node)

    def sources(self, item: dict[str, Any]) -> list[str]:
        src = item.get("source") or self.source
        return [f"{src}:{line}" for line in _lines(item.get("lines"), self.loc(item, "lines"))]

    def _node(self, item: Any) -> None:
        if not isinstance(item, dict):
            raise ImportDataError(self.loc(None, "nodes"), "hver node må være en mapping")
        unknown = set(item) - NODE_KEYS - {LINE}
        if unknown:
            raise ImportDataError(self.loc(item, sorted(unknown)[0]), "ukjent nøkkel i node")
        for key in ("kind", "name"):
            if not item.get(key):
                raise ImportDataError(self.loc(item, key), "mangler")
        props = dict(item.get("props") or {})
        props.pop(LINE, None)
        if item.get("aliases"):
            props["aliases"] = [str(a) for a in item["aliases"]]
        try:
            node = make_node(str(item["kind"]), str(item["name"]), props, self.sources(item))
        except ModelError as exc:
            raise ImportDataError(self.loc(item, "props"), str(exc)) from None
        node = self.plan.batch.add_node(node)
        ref = item.get("ref")
        if ref:
            if ref in self.refs and self.refs[ref].id != node.id:
                raise ImportDataError(self.loc(item, "ref"), f"ref {ref!r} er brukt før")
            self.refs[str(ref)] = node

    def resolve(self, item: dict[str, Any], key: str) -> NodeRecord:
        value = str(item.get(key) or "")
        if not value:
            raise ImportDataError(self.loc(item, key), "mangler")
        if value in self.refs:
            return self.refs[value]
        kind, _, rest = value.partition(":")
        if kind == "Municipality" and rest.isdigit():
            row = self.ref.by_number(rest, self.date) or self.ref.by_number(rest)
            if row is None:
                raise ImportDataError(
                    self.loc(item, key), f"kommunenummer {rest} finnes ikke i referansetabellen"
                )
            node = self.ref.add_municipality(self.plan.batch, row)
            self.refs[value] = node
            return node
        if kind == "County" and rest.isdigit():
            county = self.ref.counties.get(rest)
            if county is None:
                raise ImportDataError(self.loc(item, key), f"ukjent fylkesnummer {rest}")
            node = self.plan.batch.add_node(
                make_node(
                    "County",
                    county.name,
                    {"fylkesnummer": rest},
                    [f"reference/counties.csv:{county.line}"],
                )
            )
            self.refs[value] = node
            return node
        raise ImportDataError(self.loc(item, key), f"ukjent referanse {value!r}")

    def relationship(self, item: Any) -> None:
        if not isinstance(item, dict):
            raise ImportDataError(self.loc(None, "relationships"), "må være en mapping")
        unknown = set(item) - REL_KEYS - {LINE}
        if unknown:
            raise ImportDataError(self.loc(item, sorted(unknown)[0]), "ukjent nøkkel i relasjon")
        if not item.get("type"):
            raise ImportDataError(self.loc(item, "type"), "mangler")
        a = self.resolve(item, "from")
        b = self.resolve(item, "to")
        props = dict(item.get("props") or {})
        props.pop(LINE, None)
        try:
            rel = make_rel(str(item["type"]), a, b, props, self.sources(item))
        except ModelError as exc:
            raise ImportDataError(self.loc(item, "type"), str(exc)) from None
        self.plan.batch.add_rel(rel)

    def check(self, item: dict[str, Any]) -> None:
        spec = item.get("expect_count") or {}
        target = self.resolve(spec, "to") if spec.get("to") else None
        n = sum(
            1
            for r in self.plan.batch.rels.values()
            if r.type == spec.get("type")
            and (target is None or r.to_id == target.id)
            and (not spec.get("from_kind") or r.from_kind == spec.get("from_kind"))
        )
        if n != spec.get("value"):
            lines = ", ".join(_lines(item.get("lines", "0"), self.loc(item, "lines")))
            self.plan.warnings.append(
                f"Datakvalitet: {self.source}:{lines} sier «{item.get('claim')}», "
                f"men datasettet har {n} ({spec.get('type')} fra {spec.get('from_kind')}), "
                f"ikke {spec.get('value')} ({self.name}:{item.get(LINE)})"
            )


def plan_dataset(folder: Path, reference: Path, seeds: Path | None = None) -> DatasetPlan:
    """Parse and validate every dataset file; nothing is written."""
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else [folder]
    if not files:
        raise ImportDataError(Location(str(folder)), "ingen datasettfiler (*.yaml)")
    plan = DatasetPlan(GraphBatch(), files)
    ref = load_reference(reference)
    refs: dict[str, NodeRecord] = {}
    loaders = [_FileLoader(f, ref, plan, refs, seeds) for f in files]
    pending = [(ld, item) for ld in loaders for item, _ in ld.load()]
    for ld, item in pending:  # relationships after all nodes: refs may point across files
        if not item.get("__check__"):
            ld.relationship(item)
    for ld, item in pending:
        if item.get("__check__"):
            ld.check(item)
    return plan


def default_paths(data_dir: Path) -> tuple[Path, Path, Path]:
    return data_dir / "kristiansand", data_dir / "reference", data_dir / "seeds"


def today() -> str:
    return dt.date.today().isoformat()
