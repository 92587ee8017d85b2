"""Filters shared by the explorer, `samgraf view` and reports: node kinds, relationship kinds
and four named views ("presets") declared once here and sent to the browser as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.model import NODE_KINDS, REL_KINDS


@dataclass(frozen=True)
class Preset:
    key: str
    label_no: str
    #: node kinds shown; None = all
    kinds: frozenset[str] | None
    #: relationship types shown; None = all
    rels: frozenset[str] | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label_no,
            "kinds": sorted(self.kinds) if self.kinds is not None else list(NODE_KINDS),
            "rels": sorted(self.rels) if self.rels is not None else list(REL_KINDS),
        }


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset("alt", "Alt", None, None),
        Preset(
            "satsinger",
            "Satsinger og avhengigheter",
            frozenset({"Initiative"}),
            frozenset({"PART_OF", "DEPENDS_ON"}),
        ),
        Preset(
            "personer",
            "Personer og roller",
            frozenset({"Person", "Initiative", "Organisation", "Unit", "Municipality"}),
            frozenset({"HAS_ROLE", "MEMBER_OF"}),
        ),
        Preset(
            "organisasjoner",
            "Organisasjoner og partnerskap",
            frozenset({"Organisation", "Unit", "Municipality", "Initiative", "FundingSource"}),
            frozenset({"PARTNER_IN", "PARTICIPATES_IN", "FUNDS", "PART_OF", "MEMBER_OF"}),
        ),
    )
}


class FilterError(ValueError):
    pass


def resolve_filter(
    preset: str = "alt", kinds: list[str] | None = None, rels: list[str] | None = None
) -> tuple[set[str], set[str]]:
    """The node kinds and relationship types to show: a preset, narrowed by explicit lists.

    Kinds and types are given as model names ("Initiative") or Norwegian labels ("Satsing").
    """
    if preset not in PRESETS:
        raise FilterError(f"ukjent utvalg {preset!r}; velg blant {', '.join(PRESETS)}")
    p = PRESETS[preset]
    k = set(p.kinds if p.kinds is not None else NODE_KINDS)
    r = set(p.rels if p.rels is not None else REL_KINDS)
    if kinds:
        k &= {_kind(x) for x in kinds}
    if rels:
        r &= {_rel(x) for x in rels}
    return k, r


def _kind(text: str) -> str:
    for key, cls in NODE_KINDS.items():
        if text.casefold() in (key.casefold(), cls.label_no.casefold()):
            return key
    raise FilterError(
        f"ukjent nodetype {text!r}; velg blant "
        + ", ".join(f"{k} ({c.label_no})" for k, c in NODE_KINDS.items())
    )


def _rel(text: str) -> str:
    for key, spec in REL_KINDS.items():
        if text.casefold() in (key.casefold(), spec.label_no.casefold()):
            return key
    raise FilterError(
        f"ukjent relasjonstype {text!r}; velg blant "
        + ", ".join(f"{k} ({s.label_no})" for k, s in REL_KINDS.items())
    )


def filter_graph(
    nodes: list[dict[str, Any]],
    rels: list[dict[str, Any]],
    kinds: set[str],
    rel_types: set[str],
    keep: set[str] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes of the given kinds and relationships of the given types between them.

    Nodes in `keep` (the focus) stay whatever their kind. When the relationship types are
    narrowed, nodes left without any relationship are dropped too (except `keep`).
    """
    keep = keep or set()
    shown = {n["id"] for n in nodes if n.get("label") in kinds or n["id"] in keep}
    out_rels = [r for r in rels if r["type"] in rel_types and r["a"] in shown and r["b"] in shown]
    if rel_types != set(REL_KINDS):
        linked = {r["a"] for r in out_rels} | {r["b"] for r in out_rels} | keep
        shown &= linked
    return [n for n in nodes if n["id"] in shown], out_rels
