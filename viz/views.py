"""Views of the graph: fetch through the store's named queries, render with `viz.render`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph.model import personal_properties
from graph.search import resolve_one
from graph.store import GraphStore
from viz.render import render_html, write_html

MAX_VIEW_NODES = 5000


class ViewError(ValueError):
    pass


def _public(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    hidden = personal_properties()
    return [{k: v for k, v in n.items() if k not in hidden} for n in nodes]


def whole_graph(store: GraphStore) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return _public(store.all_nodes()), store.all_rels()


def focus_graph(
    store: GraphStore, focus: str, hops: int
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    hit = resolve_one(store, focus)
    if hit is None:
        raise ViewError(f"fant ingen node som heter {focus!r}")
    nodes, rels = store.subgraph(hit.id, hops, limit=MAX_VIEW_NODES)
    centre = next(n for n in nodes if n["id"] == hit.id)
    return centre, _public(nodes), rels


def view_html(store: GraphStore, focus: str | None = None, hops: int = 2) -> str:
    if focus:
        centre, nodes, rels = focus_graph(store, focus, hops)
        return render_html(
            nodes,
            rels,
            title=f"Samhandlingsgraf: {centre['name']}",
            subtitle=f"Alt innen {hops} steg fra {centre['name']}",
            focus=centre["id"],
        )
    nodes, rels = whole_graph(store)
    return render_html(
        nodes,
        rels,
        title="Samhandlingsgraf: hele grafen",
        subtitle="Prosjekter, programmer, partnere, personer og kommuner",
    )


def write_view(store: GraphStore, output: Path, focus: str | None = None, hops: int = 2) -> Path:
    return write_html(output, view_html(store, focus, hops))


DEMO_FOCI = {
    "samhandlingskommunen.html": "Samhandlingskommunen",
    "flere-i-arbeid.html": "Flere i arbeid",
    "saman-om-ein-betre-kommune.html": "Saman om ein betre kommune",
}


def write_demo_views(store: GraphStore, out: Path) -> list[Path]:
    paths = [write_view(store, out / "samhandlingsgraf.html")]
    for filename, focus in DEMO_FOCI.items():
        try:
            paths.append(write_view(store, out / filename, focus=focus, hops=2))
        except ViewError:
            continue
    return paths
