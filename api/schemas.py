"""API response schemas; enumerations derived from the model."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from graph.model import NODE_KINDS, REL_KINDS

NodeKindName = StrEnum("NodeKindName", {k: k for k in NODE_KINDS})  # type: ignore[misc]
RelKindName = StrEnum("RelKindName", {k: k for k in REL_KINDS})  # type: ignore[misc]


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    backend: str = Field(examples=["falkordb"])
    nodes: int


class NodeHit(BaseModel):
    id: str = Field(examples=["initiative:flere-i-arbeid"])
    kind: str = Field(examples=["Initiative"])
    kind_label: str = Field(examples=["Satsing"])
    name: str = Field(examples=["Flere i arbeid"])
    score: float = Field(description="Treff (0–100; 101 = eksakt navn eller alias)")


class Neighbour(BaseModel):
    id: str
    kind: str
    name: str
    direction: str = Field(description="'out' = fra denne noden, 'in' = til denne noden")
    relationship: dict[str, Any] = Field(description="Relasjonens egenskaper og kilder")
    explanation: str = Field(examples=["Camilla Jarlsby er prosjekteier i Samhandlingskommunen"])


class NodeDetail(BaseModel):
    id: str
    kind: str
    kind_label: str
    name: str
    properties: dict[str, Any]
    provenance: dict[str, Any] = Field(
        description="Kilder (fil:linje / fil:ark:rad), først og sist sett"
    )
    neighbours: dict[str, list[Neighbour]] = Field(description="Naboer gruppert per relasjonstype")
