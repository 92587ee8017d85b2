"""Self-contained interactive HTML graphs, built with pyvis and drawn by vis-network.

pyvis assembles the nodes, edges and options; the page is our own Jinja template because
pyvis's template loads Bootstrap from a CDN. vis-network's JavaScript and CSS ship inside the
pyvis wheel and are inlined, so a file opens offline and keeps working years from now.

Large graphs: above `PHYSICS_LIMIT` nodes the positions are computed here (igraph) and
physics is off, so the browser draws once instead of simulating thousands of bodies.

Escaping: graph data goes into the page as JSON with `<`, `>` and `&` escaped (\\u003c …), so
no name can close the script element; vis-network draws labels on a canvas and shows string
tooltips as text (`innerText`); side panels set `textContent`; the templates autoescape.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import igraph as ig
from jinja2 import Environment, PackageLoader, select_autoescape
from pyvis.network import Network

from graph.model import NODE_KINDS, REL_KINDS, explain, personal_properties

#: above this many nodes, positions are computed here and physics is off
PHYSICS_LIMIT = 300
#: edge labels: the role for these relationship types, the Norwegian type label for DEPENDS_ON
ROLE_LABELLED = ("HAS_ROLE", "PARTNER_IN", "PARTICIPATES_IN")
#: labels inside a (dark) box are white
BOX_FONT = {"color": "#ffffff", "strokeWidth": 0}
HIDDEN_PROPS = {"id", "name", "label", "sources", "first_seen", "last_seen", "aliases"}

env = Environment(loader=PackageLoader("viz", "templates"), autoescape=select_autoescape(["html"]))


@cache
def vis_asset(name: str) -> str:
    """A file of vis-network 9.1.2 as shipped inside the pyvis wheel."""
    return (resources.files("pyvis") / "lib" / "vis-9.1.2" / name).read_text(encoding="utf-8")


def safe_json(data: Any) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def public(node: dict[str, Any]) -> dict[str, Any]:
    """A node's properties without personal data (e-mail, phone)."""
    hidden = personal_properties()
    return {k: v for k, v in node.items() if k not in hidden}


def _fmt(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def node_tooltip(node: dict[str, Any]) -> str:
    cls = NODE_KINDS.get(node.get("label", ""))
    lines = [f"{cls.label_no if cls else node.get('label')}: {node.get('name')}"]
    hidden = personal_properties() | HIDDEN_PROPS
    for key, value in node.items():
        if key in hidden or value in (None, "", []):
            continue
        text = _fmt(value)
        lines.append(f"{key}: {text[:200] + '…' if len(text) > 200 else text}")
    if node.get("sources"):
        lines.append("Kilder: " + ", ".join(node["sources"][:5]))
    return "\n".join(lines)


def _igraph(nodes: list[dict[str, Any]], rels: list[dict[str, Any]]) -> tuple[ig.Graph, list[str]]:
    ids = [n["id"] for n in nodes]
    index = {i: k for k, i in enumerate(ids)}
    edges = {
        (min(index[r["a"]], index[r["b"]]), max(index[r["a"]], index[r["b"]]))
        for r in rels
        if r["a"] in index and r["b"] in index and r["a"] != r["b"]
    }
    return ig.Graph(n=len(ids), edges=sorted(edges)), ids


def layout_positions(
    nodes: list[dict[str, Any]], rels: list[dict[str, Any]]
) -> dict[str, tuple[float, float]]:
    """Server-side positions for large graphs: igraph's Fruchterman-Reingold (C, grid variant
    for large graphs) from seeded random starting points, so the picture is the same every
    time, scaled to about 70 px of room per node."""
    if not nodes:
        return {}
    g, ids = _igraph(nodes, rels)
    rng, r = random.Random(42), len(ids) ** 0.5
    start = [(rng.uniform(-r, r), rng.uniform(-r, r)) for _ in ids]
    layout = g.layout_fruchterman_reingold(niter=500, seed=start)
    box = layout.bounding_box()
    span = max(box.width, box.height) or 1.0
    factor = 70.0 * len(ids) ** 0.5 / span
    return {
        i: (round((x - box.midx) * factor, 1), round((y - box.midy) * factor, 1))
        for i, (x, y) in zip(ids, layout.coords, strict=True)
    }


def measures(
    nodes: list[dict[str, Any]], rels: list[dict[str, Any]]
) -> dict[str, dict[str, float]]:
    """Degree and betweenness (normalised so the best bridge has 1) within the drawn graph."""
    g, ids = _igraph(nodes, rels)
    btw = g.betweenness(directed=False) if len(ids) > 2 else [0.0] * len(ids)
    top = max(btw, default=0.0) or 1.0
    degree = g.degree()
    return {
        i: {"degree": float(degree[k]), "betweenness": round(btw[k] / top, 4)}
        for k, i in enumerate(ids)
    }


def node_size(value: float, by: str = "degree") -> float:
    """Node size from a measure; the browser uses the same formulas when the reader switches."""
    return 10 + 35 * value if by == "betweenness" else 12 + min(value, 20.0)


def edge_label(rel_type: str, props: dict[str, Any]) -> str:
    if rel_type in ROLE_LABELLED and props.get("role"):
        return str(props["role"])
    if rel_type == "DEPENDS_ON":
        return REL_KINDS["DEPENDS_ON"].label_no
    return ""


def build_network(
    nodes: list[dict[str, Any]],
    rels: list[dict[str, Any]],
    *,
    focus: str | None = None,
    physics: bool | None = None,
    highlight: set[str] | None = None,
    size_by: str = "degree",
) -> Network:
    """A pyvis Network of the given nodes and relationships (no personal data).

    Every node carries its kind, Norwegian kind label, full name, sources, degree and
    betweenness; every edge its type, the model's Norwegian explanation and its sources.
    """
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    use_physics = len(nodes) <= PHYSICS_LIMIT if physics is None else physics
    positions = None if use_physics else layout_positions(nodes, rels)
    names = {n["id"]: str(n.get("name", n["id"])) for n in nodes}
    meas = measures(nodes, rels)
    for n in nodes:
        kind = n.get("label", "")
        cls = NODE_KINDS.get(kind)
        extra: dict[str, Any] = {}
        if positions is not None:
            x, y = positions[n["id"]]
            extra = {"x": x, "y": y}
        m = meas.get(n["id"], {"degree": 0.0, "betweenness": 0.0})
        net.add_node(
            n["id"],
            label=names[n["id"]],
            title=node_tooltip(public(n)),
            color=cls.colour if cls else "#999999",
            shape=cls.shape if cls else "dot",
            size=node_size(m["betweenness"] if size_by == "betweenness" else m["degree"], size_by),
            borderWidth=4 if n["id"] == focus or n["id"] in (highlight or ()) else 1,
            fullName=names[n["id"]],
            kindLabel=cls.label_no if cls else kind,
            kind=kind,
            sources=list(n.get("sources") or [])[:20],
            font=BOX_FONT if cls and cls.shape == "box" else {},
            degree=m["degree"],
            betweenness=m["betweenness"],
            **extra,
        )
    for r in rels:
        if r["a"] not in names or r["b"] not in names:
            continue
        spec = REL_KINDS.get(r["type"])
        props = r.get("props") or {}
        sentence = explain(r["type"], names[r["a"]], names[r["b"]], props)
        sources = list(props.get("sources") or [])
        net.add_edge(
            r["a"],
            r["b"],
            id=props.get("id") or f"{r['a']}|{r['type']}|{r['b']}",
            title=sentence + ("\nKilder: " + ", ".join(sources[:5]) if sources else ""),
            label=edge_label(r["type"], props),
            color=spec.colour if spec else "#888888",
            dashes=bool(spec and spec.dashes),
            relType=r["type"],
            relLabel=spec.label_no if spec else r["type"],
            explanation=sentence,
            sources=sources[:20],
            arrows="to",
        )
    net.options = vis_options(use_physics, len(nodes))  # type: ignore[assignment,unused-ignore]
    return net


def vis_options(use_physics: bool, n_nodes: int) -> dict[str, Any]:
    return {
        "physics": {
            "enabled": use_physics,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -90,
                "centralGravity": 0.008,
                "springLength": 110,
                "springConstant": 0.06,
                "avoidOverlap": 0.4,
            },
            "stabilization": {"enabled": True, "iterations": 300, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": n_nodes > 500},
        "edges": {"font": {"size": 10, "align": "middle"}, "smooth": False},
        "nodes": {"font": {"size": 14}},
        "layout": {"improvedLayout": n_nodes <= 150},
    }


def vis_data(
    nodes: list[dict[str, Any]],
    rels: list[dict[str, Any]],
    *,
    focus: str | None = None,
    physics: bool | None = None,
    highlight: set[str] | None = None,
    size_by: str = "degree",
) -> dict[str, Any]:
    """`{"nodes", "edges", "options"}` ready for `new vis.Network(...)`."""
    net = build_network(
        nodes, rels, focus=focus, physics=physics, highlight=highlight, size_by=size_by
    )
    vis_nodes, vis_edges, *_ = net.get_network_data()
    return {"nodes": vis_nodes, "edges": vis_edges, "options": net.options}


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """The same graph in fewer bytes, for self-contained files (graph.js restores it): edge
    tooltips are rebuilt from the explanation and sources, the full name from the label,
    and defaults are left out."""
    nodes = []
    for n in data["nodes"]:
        n = {k: v for k, v in n.items() if v not in ({}, None)}
        if n.get("fullName") == n.get("label"):
            n.pop("fullName")
        if n.get("borderWidth") == 1:
            n.pop("borderWidth")
        nodes.append(n)
    edges = []
    for e in data["edges"]:
        e = {k: v for k, v in e.items() if k not in ("title", "id", "relLabel", "arrows")}
        if not e.get("label"):
            e.pop("label", None)
        if not e.get("dashes"):
            e.pop("dashes", None)
        edges.append(e)
    options = {**data["options"], "edges": {**data["options"]["edges"], "arrows": "to"}}
    return {"nodes": nodes, "edges": edges, "options": options, "compact": True}


def legend(nodes: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Legend entries from the model's kinds and colours (with counts when nodes are given)."""
    counts = Counter(n.get("label") for n in nodes or [])
    return [
        {
            "kind": k,
            "label": cls.label_no,
            "plural": cls.label_no_plural,
            "colour": cls.colour,
            "shape": cls.shape,
            "count": counts[k],
        }
        for k, cls in NODE_KINDS.items()
        if nodes is None or counts[k]
    ]


def rel_legend(rels: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    counts = Counter(r.get("type") for r in rels or [])
    return [
        {"type": t, "label": s.label_no, "colour": s.colour, "dashes": s.dashes, "count": counts[t]}
        for t, s in REL_KINDS.items()
        if rels is None or counts[t]
    ]


def source_files(
    nodes: list[dict[str, Any]], rels: list[dict[str, Any]] | None = None
) -> list[str]:
    """The source documents the drawn facts come from (file part of "file:line")."""
    found = {s.split(":", 1)[0] for n in nodes for s in n.get("sources") or []}
    for r in rels or []:
        found |= {s.split(":", 1)[0] for s in (r.get("props") or {}).get("sources") or []}
    return sorted(found)


def render_html(
    nodes: list[dict[str, Any]],
    rels: list[dict[str, Any]],
    *,
    title: str,
    subtitle: str = "",
    focus: str | None = None,
    physics: bool | None = None,
    height: str = "80vh",
    size_by: str = "degree",
) -> str:
    data = vis_data(nodes, rels, focus=focus, physics=physics, size_by=size_by)
    return env.get_template("graph.html").render(
        size_by=size_by,
        title=title,
        subtitle=subtitle,
        legend=legend(nodes),
        rel_legend=rel_legend(rels),
        node_count=len(data["nodes"]),
        edge_count=len(data["edges"]),
        sources=source_files(nodes, rels),
        generated=dt.date.today().isoformat(),
        data_json=safe_json(compact(data)),
        vis_js=vis_asset("vis-network.min.js"),
        vis_css=vis_asset("vis-network.css"),
        height=height,
    )


def write_html(path: Path, html: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
