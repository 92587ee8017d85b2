"""Reports for the steering group: one self-contained HTML file about an initiative, a
programme or a unit, with the interactive graph and the tables a report writer needs.

The facts come from the store's named queries and from the analytics in `graph.overlap`
(overlaps and missing links); this module only gathers and lays them out. The file inlines
vis-network, its CSS and the data, makes no network request when opened, and prints to PDF
(print CSS; the graph is swapped for a picture of itself while printing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.model import NODE_KINDS, REL_KINDS, explain
from graph.norwegian import MONTHS
from graph.search import resolve_one
from graph.store import GraphStore
from viz.render import (
    compact,
    env,
    legend,
    public,
    rel_legend,
    safe_json,
    source_files,
    vis_asset,
    vis_data,
    write_html,
)

#: the kinds a report can be about, as given on the command line
SUBJECTS = {"initiative": "Initiative", "programme": "Initiative", "unit": "Unit"}
PARTNER_TYPES = ("PARTNER_IN", "PARTICIPATES_IN", "FUNDS")
MAX_REPORT_NODES = 5000


class ReportError(ValueError):
    pass


def norwegian_date(day: dt.date) -> str:
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


@dataclass
class Report:
    subject: dict[str, Any]
    kind_label: str
    hops: int
    nodes: list[dict[str, Any]]
    rels: list[dict[str, Any]]
    scope: list[dict[str, Any]] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)
    partners: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    dependencies: list[dict[str, Any]] = field(default_factory=list)
    overlaps: list[dict[str, Any]] = field(default_factory=list)
    missing_links: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    generated: dt.date = field(default_factory=dt.date.today)

    @property
    def title(self) -> str:
        return f"Samhandlingsrapport: {self.subject['name']}"


def resolve_subject(store: GraphStore, name: str, as_: str) -> dict[str, Any]:
    """The node a report is about; `as_` is "initiative", "programme" or "unit"."""
    kind = SUBJECTS[as_]
    hit = resolve_one(store, name, kind=kind)
    if hit is None or hit.kind != kind:
        raise ReportError(f"fant ingen {NODE_KINDS[kind].label_no.lower()} som heter {name!r}")
    node = store.node(hit.id)
    assert node is not None
    if as_ == "programme" and node.get("kind") != "programme":
        raise ReportError(
            f"{node['name']!r} er ikke et program (type: {node.get('kind')}); "
            "bruk --initiative for prosjekter"
        )
    return public(node)


def _src(props: dict[str, Any]) -> str:
    return ", ".join(props.get("sources") or [])


def _scope(store: GraphStore, subject: dict[str, Any]) -> list[dict[str, Any]]:
    """The initiatives the report covers: the initiative and all its parts, or a unit's."""
    from graph.overlap import initiatives_of

    ids = initiatives_of(store, subject["id"])
    if subject["label"] == "Initiative" and subject["id"] not in ids:
        ids = [subject["id"], *ids]
    rows = store.run("graph.nodes_by_ids", {"ids": ids})
    by_id = {r["props"]["id"]: public(r["props"]) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def build_report(store: GraphStore, subject: dict[str, Any], hops: int = 2) -> Report:
    sid = subject["id"]
    nodes, rels = store.subgraph(sid, hops, limit=MAX_REPORT_NODES)
    cls = NODE_KINDS[subject["label"]]
    report = Report(
        subject=subject,
        kind_label=cls.label_no,
        hops=hops,
        nodes=[public(n) for n in nodes],
        rels=rels,
    )
    report.scope = _scope(store, subject)
    in_scope = {n["id"] for n in report.scope}
    names = {n["id"]: n["name"] for n in report.scope}

    seen: set[tuple[str, ...]] = set()
    for init in report.scope:
        for row in store.neighbours(init["id"]):
            props = row["rel"] or {}
            key = (row["type"], row["id"], init["id"], row["direction"], str(props.get("role")))
            if key in seen:
                continue
            seen.add(key)
            other = {
                "id": row["id"],
                "name": row["name"],
                "kind": row["kind"],
                "kind_label": NODE_KINDS[row["kind"]].label_no
                if row["kind"] in NODE_KINDS
                else row["kind"],
            }
            a, b = (
                (init["name"], row["name"])
                if row["direction"] == "out"
                else (row["name"], init["name"])
            )
            sentence = explain(row["type"], a, b, props)
            if row["type"] in PARTNER_TYPES and row["direction"] == "in":
                report.partners.append(
                    {
                        "actor": other,
                        "initiative": names[init["id"]],
                        "relation": REL_KINDS[row["type"]].label_no,
                        "role": props.get("role") or "",
                        "amount": props.get("amount_nok"),
                        "year": props.get("year"),
                        "explanation": sentence,
                        "sources": _src(props),
                    }
                )
            elif row["type"] == "HAS_ROLE" and row["direction"] == "in":
                report.people.append(
                    {
                        "person": other,
                        "role": props.get("role") or "",
                        "title": props.get("title") or "",
                        "share": props.get("share") or "",
                        "initiative": names[init["id"]],
                        "sources": _src(props),
                    }
                )
            elif row["type"] == "DEPENDS_ON":
                frm, to = (init, row) if row["direction"] == "out" else (row, init)
                if frm["id"] in in_scope and to["id"] in in_scope and row["direction"] == "in":
                    continue  # listed once, from the depending side
                report.dependencies.append(
                    {
                        "from": frm["name"],
                        "to": to["name"],
                        "description": props.get("description") or "",
                        "owner": props.get("owner") or "",
                        "handling": props.get("handling") or "",
                        "sources": _src(props),
                    }
                )
            elif (
                row["type"] == "PART_OF"
                and row["direction"] == "in"
                and row["kind"] == "Initiative"
                and init["id"] == sid
            ):
                part = store.node(row["id"]) or {}
                report.parts.append(
                    {
                        "name": row["name"],
                        "kind": part.get("kind") or "",
                        "description": part.get("description") or "",
                        "sources": _src(props),
                    }
                )
    if subject["label"] != "Initiative":
        for row in store.neighbours(sid):
            props = row["rel"] or {}
            if row["direction"] == "in" and row["type"] in ("HAS_ROLE", "MEMBER_OF"):
                report.people.append(
                    {
                        "person": {"id": row["id"], "name": row["name"], "kind": row["kind"]},
                        "role": props.get("role") or REL_KINDS[row["type"]].label_no.lower(),
                        "title": props.get("title") or "",
                        "share": props.get("share") or "",
                        "initiative": subject["name"],
                        "sources": _src(props),
                    }
                )
    report.partners.sort(key=lambda p: (p["actor"]["kind_label"], p["actor"]["name"].casefold()))
    report.people.sort(key=lambda p: (p["person"]["name"].casefold(), p["role"]))
    report.parts.sort(key=lambda p: p["name"].casefold())
    _add_analytics(store, report, in_scope)
    return report


def _add_analytics(store: GraphStore, report: Report, in_scope: set[str]) -> None:
    """Overlaps and missing links (graph.overlap, the connections/overlaps analytics)."""
    from graph import overlap

    subject = report.subject
    if subject["label"] == "Initiative":
        report.overlaps = [
            o.as_dict()
            for o in overlap.overlaps(store, subject["id"], limit=20)
            if o.initiative["id"] not in in_scope
        ]
    elif len(in_scope) > 1:
        matrix = overlap.overlap_matrix(store, sorted(in_scope)[:50])
        report.overlaps = [
            {
                "initiative": p["b"],
                "other": p["a"],
                "score": p["score"],
                "explanation": p["explanation"],
                "has_dependency": p["has_dependency"],
            }
            for p in matrix["pairs"][:20]
        ]
    report.missing_links = [
        m
        for m in overlap.missing_links(store, limit=100)
        if m["a"]["id"] in in_scope or m["b"]["id"] in in_scope
    ][:20]


def render_report(report: Report) -> str:
    data = vis_data(report.nodes, report.rels, focus=report.subject["id"])
    props = [
        (k, ", ".join(map(str, v)) if isinstance(v, list) else v)
        for k, v in report.subject.items()
        if k not in {"id", "name", "label", "sources", "first_seen", "last_seen", "description"}
        and v not in (None, "", [])
    ]
    return env.get_template("report.html").render(
        r=report,
        title=report.title,
        subject_props=props,
        generated=norwegian_date(report.generated),
        generated_iso=report.generated.isoformat(),
        legend=legend(report.nodes),
        rel_legend=rel_legend(report.rels),
        node_count=len(data["nodes"]),
        edge_count=len(data["edges"]),
        sources=source_files(report.nodes, report.rels),
        data_json=safe_json(compact(data)),
        vis_js=vis_asset("vis-network.min.js"),
        vis_css=vis_asset("vis-network.css"),
        height="680px",
    )


def write_report(
    store: GraphStore, name: str, output: Path, *, as_: str = "initiative", hops: int = 2
) -> tuple[Path, Report]:
    subject = resolve_subject(store, name, as_)
    report = build_report(store, subject, hops)
    return write_html(output, render_report(report)), report
