"""Response schemas of /api/v1 (OpenAPI), separate from storage; examples from the dataset."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class NodeRef(BaseModel):
    id: str = Field(examples=["initiative:sak:2021019954-3"])
    kind: str = Field(examples=["Initiative"])
    kind_label: str = Field(examples=["Satsing"], description="Nodetypen på norsk")
    name: str = Field(examples=["Flere i arbeid"])


class Problem(BaseModel):
    """En feil (RFC 9457, application/problem+json) med norsk forklaring."""

    model_config = ConfigDict(extra="allow")
    type: str = "about:blank"
    title: str = Field(examples=["Ugyldig forespørsel"])
    status: int = Field(examples=[400])
    detail: str = Field(examples=["max_hops=9 er over grensen max_hops=6"])


class NodeSummary(NodeRef):
    properties: dict[str, Any] = Field(description="Egenskapene (uten kilder)")


class NodePage(BaseModel):
    total: int = Field(description="Antall treff i alt")
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset for neste side, eller null")
    items: list[NodeSummary]


class NodeDetail(NodeRef):
    properties: dict[str, Any]
    provenance: dict[str, Any] = Field(
        description="Kilder (fil:linje eller fil:ark:rad), først og sist sett"
    )
    relationship_counts: dict[str, int] = Field(description="Antall relasjoner per type")


class RelationshipItem(BaseModel):
    id: str = Field(
        examples=["person:bente-woldstad|HAS_ROLE|initiative:sak:2020105285-1|arbeidsgruppe"]
    )
    type: str = Field(examples=["HAS_ROLE"])
    direction: str = Field(description="'out' = fra noden, 'in' = til noden")
    other: NodeRef
    explanation: str = Field(examples=["Camilla Jarlsby er prosjekteier i Samhandlingskommunen"])
    properties: dict[str, Any]
    sources: list[str]


class RelationshipPage(BaseModel):
    node: NodeRef
    total: int
    limit: int
    offset: int
    items: list[RelationshipItem]


class EgoRelationship(BaseModel):
    a: str
    b: str
    type: str
    props: dict[str, Any]
    explanation: str


class EgoNetwork(BaseModel):
    centre: NodeRef
    hops: int
    nodes: list[dict[str, Any]] = Field(description="Nodene (uten e-post/telefon), med avstand")
    relationships: list[EgoRelationship]
    cut: dict[str, Any] = Field(description="Hva som ble kuttet: antall noder, per type og avstand")


class Hop(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: NodeRef = Field(alias="from")
    to: NodeRef
    type: str
    direction: str
    explanation: str = Field(
        examples=[
            "Flere i arbeid er avhengig av Samhandlingskommunen: gjensidig informasjonsutveksling"
        ]
    )
    properties: dict[str, Any]
    sources: list[str]


class PathItem(BaseModel):
    length: int
    nodes: list[NodeRef]
    hops: list[Hop]


class PathsResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: NodeRef = Field(alias="from")
    to: NodeRef
    paths: list[PathItem]


class SharedItem(BaseModel):
    node: NodeRef
    category: str = Field(
        description="partner, person, unit, target_group, theme, funder eller municipality"
    )
    via: list[str] = Field(description="Relasjonstypene på hver side")
    sources: list[str]


class Overlap(BaseModel):
    initiative: NodeRef
    score: float = Field(description="Vektet Adamic–Adar (vekter i data/overlap-weights.yaml)")
    shared: list[SharedItem]
    explanation: str = Field(examples=["Deler 1 partner (Akselerator Kristiansand)"])
    has_dependency: bool


class OverlapsResponse(BaseModel):
    initiative: NodeRef
    overlaps: list[Overlap]


class OverlapPair(BaseModel):
    a: NodeRef
    b: NodeRef
    score: float
    shared: list[SharedItem]
    explanation: str
    has_dependency: bool


class OverlapMatrix(BaseModel):
    initiatives: list[NodeRef]
    matrix: list[list[float]] = Field(
        description="Poeng per par, i samme rekkefølge som initiatives"
    )
    pairs: list[OverlapPair]


class MissingLink(OverlapPair):
    initiative: NodeRef


class MeasureNode(NodeRef):
    degree: int
    degree_centrality: float
    betweenness: float
    pagerank: float
    constraint: float | None = Field(description="Burts constraint; lav = megler")
    community: int


class Measures(BaseModel):
    projection: str
    description: str
    scope: list[str] | None
    computed_at: str
    node_count: int
    edge_count: int
    betweenness_sampled: bool = Field(
        description="Betweenness anslått fra 500 startnoder (projeksjoner over 2000 noder)"
    )
    nodes: list[MeasureNode]
    communities: list[list[str]]
    brokers: list[MeasureNode] = Field(description="De viktigste meglerne (høyest betweenness)")


class SnapshotList(BaseModel):
    projection: str
    scope: str | None
    dates: list[str]


class SnapshotSaved(BaseModel):
    projection: str
    scope: str | None
    date: str
    node_count: int


class Comparison(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    projection: str
    from_: str | None = Field(alias="from")
    to: str | None
    nodes: list[dict[str, Any]]


class SearchHit(NodeRef):
    score: float = Field(description="Treff (0–100; 101 = eksakt navn eller alias)")
    matched: str = Field(description="Navnet eller aliaset som traff")


class SourceLine(BaseModel):
    source: str = Field(examples=["styringsdokument-samhandlingskommunen.txt:481"])
    text: str | None = Field(description="Linjen(e) i kildedokumentet, når dokumentet finnes")


class Provenance(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    id: str
    type: str
    from_: NodeRef = Field(alias="from")
    to: NodeRef
    explanation: str
    properties: dict[str, Any]
    sources: list[SourceLine]
    first_seen: str | None
    last_seen: str | None
