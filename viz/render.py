"""Self-contained interactive HTML graphs, built with pyvis and drawn by vis-network.

pyvis assembles the nodes, edges and options; the page is our own Jinja template because
pyvis's template loads Bootstrap from a CDN. vis-network's JavaScript and CSS ship inside the
pyvis wheel and are inlined, so a file opens offline and keeps working years from now.

Escaping: graph data goes into the page as JSON with `<`, `>` and `&` escaped (\\u003c …), so
no name can close the script element; vis-network draws labels on a canvas and shows string
tooltips as text (`innerText`); the side panel sets `textContent`; the template autoescapes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment, PackageLoader, select_autoescape
from pyvis.network import Network

from graph.model import NODE_KINDS, REL_KINDS, explain, personal_properties

#: above this many nodes, positions are computed here and physics is off
PHYSICS_LIMIT = 300

_env = Environment(
    loader=PackageLoader("viz", "templates"), autoescape=select_autoescape(["html"])
)


def _vis_asset(name: str) -> str:
    return (resources.files("pyvis") / "lib" / "vis-9.1.2" / name).read_text(encoding="utf-8")


def safe_json(data: Any) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _node_tooltip(node: dict[str, Any]) -> str:
    cls = NODE_KINDS.get(node.get("label", ""))
    lines = [f"{cls.label_no if cls else node.get('kind')}: {node.get('name')}"]
    hidden = personal_properties() | {"id", "name", "label", "sources", "first_seen", "last_seen"}
    for key, value in node.items():
        if key in hidden or value in (None, "", []):
            continue
        lines.append(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
    if node.get("sources"):
        lines.append("Kilder: " + ", ".join(node["sources"][:5]))
    return "\n".join(lines)


def layout_positions(nodes: list[dict[str, Any]], rels: list[dict[str, Any]]) -> dict[str, Any]:
    g = nx.Graph()
    g.add_nodes_from(n["id"] for n in nodes)
    g.add_edges_from((r["a"], r["b"]) for r in rels)
    scale = max(400.0, 25.0 * len(nodes) ** 0.5 * 10)
    return nx.spring_layout(g, seed=42, scale=scale, iterations=50)


def build_network(
    nodes: list[dict[str, Any]],
    rels: list[dict[str, Any]],
    *,
    focus: str | None = None,
    physics: bool | None = None,
) -> Network:
    """A pyvis Network of the given nodes and relationships (no personal data)."""
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    use_physics = len(nodes) <= PHYSICS_LIMIT if physics is None else physics
    positions = None if use_physics else layout_positions(nodes, rels)
    names = {n["id"]: n.get("name", n["id"]) for n in nodes}
    degree: Counter[str] = Counter()
    for r in rels:
        degree[r["a"]] += 1
        degree[r["b"]] += 1
    for n in nodes:
        cls = NODE_KINDS.get(n.get("label", ""))
        extra: dict[str, Any] = {}
        if positions is not None:
            x, y = positions[n["id"]]
            extra = {"x": float(x), "y": float(y), "physics": False}
        net.add_node(
            n["id"],
            label=str(n.get("name", n["id"])),
            title=_node_tooltip(n),
            color=cls.colour if cls else "#999999",
            shape=cls.shape if cls else "dot",
            size=12 + min(degree[n["id"]], 20),
            borderWidth=4 if n["id"] == focus else 1,
            fullName=str(n.get("name", n["id"])),
            kindLabel=cls.label_no if cls else n.get("label", ""),
            kind=n.get("label", ""),
            sources=list(n.get("sources", []))[:10],
            **extra,
        )
    for r in rels:
        if r["a"] not in names or r["b"] not in names:
            continue
        spec = REL_KINDS.get(r["type"])
        props = r.get("props", {})
        sentence = explain(r["type"], names[r["a"]], names[r["b"]], props)
        label = props.get("role") if r["type"] in ("HAS_ROLE", "PARTNER_IN") else None
        if r["type"] == "DEPENDS_ON":
            label = spec.label_no if spec else r["type"]
        net.add_edge(
            r["a"],
            r["b"],
            title=sentence + "\nKilder: " + ", ".join(props.get("sources", [])[:5]),
            label=label or "",
            color=spec.colour if spec else "#888888",
            dashes=bool(spec and spec.dashes),
            relType=r["type"],
            arrows="to",
        )
    options: dict[str, Any] = {
        "physics": {
            "enabled": use_physics,
            "solver": "forceAtlas2Based",
            "stabilization": {"enabled": True, "iterations": 300, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
        "edges": {"font": {"size": 10, "align": "middle"}, "smooth": False},
        "nodes": {"font": {"size": 14}},
        "layout": {"improvedLayout": len(nodes) <= 150},
    }
    net.options = options  # type: ignore[assignment]
    return net


def render_html(
    nodes: list[dict[str, Any]],
    rels: list[dict[str, Any]],
    *,
    title: str,
    subtitle: str = "",
    focus: str | None = None,
    physics: bool | None = None,
    height: str = "80vh",
) -> str:
    net = build_network(nodes, rels, focus=focus, physics=physics)
    vis_nodes, vis_edges, *_ = net.get_network_data()
    counts = Counter(n.get("label") for n in nodes)
    legend = [
        {"label": cls.label_no, "colour": cls.colour, "count": counts[k]}
        for k, cls in NODE_KINDS.items()
        if counts[k]
    ]
    sources = sorted({s.rsplit(":", 1)[0] for n in nodes for s in n.get("sources", [])})
    data = {"nodes": vis_nodes, "edges": vis_edges, "options": net.options}
    return _env.get_template("graph.html").render(
        title=title,
        subtitle=subtitle,
        legend=legend,
        node_count=len(vis_nodes),
        edge_count=len(vis_edges),
        sources=sources,
        generated=dt.date.today().isoformat(),
        data_json=safe_json(data),
        vis_js=_vis_asset("vis-network.min.js"),
        vis_css=_vis_asset("vis-network.css"),
        height=height,
    )


def write_html(path: Path, html: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
