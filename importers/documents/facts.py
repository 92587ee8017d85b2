"""Proposed facts as plain data: what a document says, with confidence and evidence.

A `Fact` is a node, a relationship or a mention (MENTIONED_IN), validated against the model
(`make_node` / `make_rel`) when it is made. Facts are collected in `Facts`, which merges repeats
(same id: lines and evidence are added, the highest confidence kept). Nothing here touches the
store; `importers.documents.pipeline` decides what goes where.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from graph.records import NodeRecord, RelRecord, make_rel


@dataclass
class Ref:
    """An entity taking part in a fact."""

    kind: str
    id: str
    name: str
    kommunenummer: str | None = None
    #: already in the graph before this import
    known: bool = False
    #: how well the name in the document matched the entity (100 = exactly)
    score: float = 100.0

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "id": self.id, "name": self.name}
        if self.kommunenummer:
            out["kommunenummer"] = self.kommunenummer
        return out


@dataclass
class Fact:
    kind: str  # node | relationship | mention
    confidence: float
    rule: str
    document: str
    lines: list[int]
    snippet: str
    node: NodeRecord | None = None
    rel: RelRecord | None = None
    from_ref: Ref | None = None
    to_ref: Ref | None = None
    #: set by the pipeline: graph | review | known
    route: str = ""
    status: str = ""  # new | known
    page: int | None = None
    #: the line the fact is on (a table row, not its header); 0: the first of `lines`
    line: int = 0

    @property
    def id(self) -> str:
        if self.rel is not None:
            return self.rel.id
        assert self.node is not None
        return self.node.id

    @property
    def source(self) -> str:
        if self.line:
            return f"{self.document}:{self.line}"
        return f"{self.document}:{self.lines[0]}" if self.lines else self.document

    @property
    def sources(self) -> list[str]:
        return [f"{self.document}:{n}" for n in self.lines]

    @property
    def from_table(self) -> bool:
        return self.rule.startswith("tabell:") or self.rule.startswith("liste:")

    def review_key(self) -> str:
        """Stable across re-imports; changes when the fact's properties change."""
        props = self.rel.props if self.rel is not None else (self.node.props if self.node else {})
        digest = hashlib.sha1(
            json.dumps(props, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()[:10]
        return f"doc:{self.document}|{self.id}|{digest}"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "id": self.id,
            "confidence": round(self.confidence, 3),
            "route": self.route,
            "status": self.status,
            "rule": self.rule,
            "source": self.source,
            "lines": self.lines,
            "snippet": self.snippet,
            "document": self.document,
        }
        if self.page is not None:
            out["page"] = self.page
        if self.node is not None:
            props = {k: v for k, v in self.node.props.items() if k not in ("id", "label")}
            out["node"] = {
                "kind": self.node.kind,
                "id": self.node.id,
                "name": self.node.name,
                "props": props,
            }
            if self.node.kind == "Municipality":
                out["node"]["kommunenummer"] = self.node.props.get("kommunenummer")
        if self.rel is not None:
            assert self.from_ref is not None and self.to_ref is not None
            out["type"] = self.rel.type
            out["from"] = self.from_ref.as_dict()
            out["to"] = self.to_ref.as_dict()
            out["props"] = {k: v for k, v in self.rel.props.items() if k != "id"}
        return out


@dataclass
class Facts:
    document: str
    items: dict[str, Fact] = field(default_factory=dict)
    nodes: dict[str, NodeRecord] = field(default_factory=dict)  # every node a fact may need

    def _merge(self, fact: Fact) -> Fact:
        old = self.items.get(fact.id)
        if old is None:
            self.items[fact.id] = fact
            return fact
        for n in fact.lines:
            if n not in old.lines:
                old.lines.append(n)
        old.lines.sort()
        if fact.confidence > old.confidence:
            old.confidence, old.rule = fact.confidence, fact.rule
        if old.rel is not None and fact.rel is not None:
            for k, v in fact.rel.props.items():
                old.rel.props.setdefault(k, v)
        if old.node is not None and fact.node is not None:
            for k, v in fact.node.props.items():
                old.node.props.setdefault(k, v)
        return old

    def add_node(
        self,
        node: NodeRecord,
        confidence: float,
        rule: str,
        lines: list[int],
        snippet: str,
        page: int | None = None,
    ) -> Fact:
        self.nodes.setdefault(node.id, node)
        return self._merge(
            Fact(
                "node",
                confidence,
                rule,
                self.document,
                sorted(set(lines)),
                snippet,
                node=self.nodes[node.id],
                page=page,
                line=lines[-1] if lines else 0,
            )
        )

    def add_rel(
        self,
        rel_type: str,
        a: Ref,
        b: Ref,
        props: dict[str, Any],
        confidence: float,
        rule: str,
        lines: list[int],
        snippet: str,
        page: int | None = None,
    ) -> Fact:
        rel = make_rel(rel_type, (a.kind, a.id), (b.kind, b.id), props)
        kind = "mention" if rel_type == "MENTIONED_IN" else "relationship"
        return self._merge(
            Fact(
                kind,
                confidence,
                rule,
                self.document,
                sorted(set(lines)),
                snippet,
                rel=rel,
                from_ref=a,
                to_ref=b,
                page=page,
                line=lines[-1] if lines else 0,
            )
        )

    def of_kind(self, kind: str) -> list[Fact]:
        return [f for f in self.items.values() if f.kind == kind]

    def rels(self, rel_type: str) -> list[Fact]:
        return [f for f in self.items.values() if f.rel is not None and f.rel.type == rel_type]
