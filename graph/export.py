"""Bulk export of the whole graph: JSON, GraphML, GEXF (Gephi) and XLSX.

One function per format, all from the same snapshot of nodes and relationships. GraphML and
GEXF are written by networkx (`write_graphml`, `write_gexf`), XLSX by openpyxl (a sheet of
nodes and a sheet of relationships). List values (sources, aliases) are joined with "; " in
the formats that only hold scalars. With `public=True` people's e-mail and phone are left out.
"""

from __future__ import annotations

import io
import json
from typing import Any

import networkx as nx

from graph.model import NODE_KINDS, REL_KINDS, personal_properties

FORMATS = {
    "json": ("application/json", "json"),
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def snapshot(store: Any, public: bool = True) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    hidden = personal_properties() if public else set()
    nodes = [{k: v for k, v in n.items() if k not in hidden} for n in store.all_nodes()]
    return nodes, store.all_rels()


def _scalar(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def to_networkx(nodes: list[dict[str, Any]], rels: list[dict[str, Any]]) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for n in nodes:
        attrs = {k: _scalar(v) for k, v in n.items() if v is not None and k != "id"}
        attrs["kind_label"] = (
            NODE_KINDS[n["label"]].label_no if n.get("label") in NODE_KINDS else ""
        )
        g.add_node(n["id"], **attrs)
    for r in rels:
        attrs = {k: _scalar(v) for k, v in r["props"].items() if v is not None}
        attrs["type"] = r["type"]
        attrs["label"] = REL_KINDS[r["type"]].label_no if r["type"] in REL_KINDS else r["type"]
        g.add_edge(r["a"], r["b"], key=r["props"].get("id"), **attrs)
    return g


def to_json(nodes: list[dict[str, Any]], rels: list[dict[str, Any]]) -> bytes:
    body = {"nodes": nodes, "relationships": rels}
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


def to_graphml(nodes: list[dict[str, Any]], rels: list[dict[str, Any]]) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(to_networkx(nodes, rels), buf, encoding="utf-8")
    return buf.getvalue()


def to_gexf(nodes: list[dict[str, Any]], rels: list[dict[str, Any]]) -> bytes:
    g = to_networkx(nodes, rels)
    for _, data in g.nodes(data=True):
        data["label"] = data.get("name", "")  # Gephi shows the GEXF label
    buf = io.BytesIO()
    nx.write_gexf(g, buf, encoding="utf-8")
    return buf.getvalue()


def to_xlsx(nodes: list[dict[str, Any]], rels: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    from graph.cells import safe_row

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Noder"
    cols = ["id", "label", "name", *sorted({k for n in nodes for k in n} - {"id", "label", "name"})]
    ws.append(cols)
    for n in nodes:
        ws.append(safe_row([_scalar(n[c]) if n.get(c) is not None else None for c in cols]))
    rs = wb.create_sheet("Relasjoner")
    rcols = sorted({k for r in rels for k in r["props"]} - {"id"})
    rs.append(["id", "fra", "type", "til", *rcols])
    for r in rels:
        p = r["props"]
        rs.append(
            safe_row(
                [
                    p.get("id"),
                    r["a"],
                    r["type"],
                    r["b"],
                    *(_scalar(p[c]) if p.get(c) is not None else None for c in rcols),
                ]
            )
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


WRITERS = {"json": to_json, "graphml": to_graphml, "gexf": to_gexf, "xlsx": to_xlsx}


def export(store: Any, fmt: str, public: bool = True) -> bytes:
    if fmt not in WRITERS:
        raise ValueError(f"ukjent format {fmt!r}; tillatte: {', '.join(WRITERS)}")
    nodes, rels = snapshot(store, public=public)
    return WRITERS[fmt](nodes, rels)
