"""Views of the graph: fetch through the store's named queries, render with `viz.render`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.search import resolve_one
from graph.store import GraphStore
from viz.filters import PRESETS, filter_graph, resolve_filter
from viz.render import public, render_html, write_html

MAX_VIEW_NODES = 5000


class ViewError(ValueError):
    pass


@dataclass
class ViewOptions:
    """The explorer's filters, for `samgraf view`."""

    focus: str | None = None
    hops: int = 2
    preset: str = "alt"
    kinds: list[str] = field(default_factory=list)
    rels: list[str] = field(default_factory=list)
    limit: int = MAX_VIEW_NODES
    #: "degree" or "betweenness": what the node size shows
    size_by: str = "degree"


def whole_graph(store: GraphStore) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return [public(n) for n in store.all_nodes()], store.all_rels()


def focus_graph(
    store: GraphStore, focus: str, hops: int, limit: int = MAX_VIEW_NODES
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    hit = resolve_one(store, focus)
    if hit is None:
        raise ViewError(f"fant ingen node som heter {focus!r}")
    nodes, rels = store.subgraph(hit.id, hops, limit=limit)
    centre = next(n for n in nodes if n["id"] == hit.id)
    return centre, [public(n) for n in nodes], rels


def cap_by_degree(
    nodes: list[dict[str, Any]], rels: list[dict[str, Any]], limit: int, keep: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """At most `limit` nodes: the best connected ones (and `keep`)."""
    if len(nodes) <= limit:
        return nodes, rels
    degree: Counter[str] = Counter()
    for r in rels:
        degree[r["a"]] += 1
        degree[r["b"]] += 1
    ranked = sorted(nodes, key=lambda n: (n["id"] not in keep, -degree[n["id"]], n["id"]))
    ids = {n["id"] for n in ranked[:limit]}
    return [n for n in nodes if n["id"] in ids], [
        r for r in rels if r["a"] in ids and r["b"] in ids
    ]


def view_html(
    store: GraphStore, focus: str | None = None, hops: int = 2, options: ViewOptions | None = None
) -> str:
    opts = options or ViewOptions(focus=focus, hops=hops)
    kinds, rel_types = resolve_filter(opts.preset, opts.kinds, opts.rels)
    what = PRESETS[opts.preset].label_no.lower()
    if opts.focus:
        centre, nodes, rels = focus_graph(store, opts.focus, opts.hops)
        keep = {centre["id"]}
        title = f"Samhandlingsgraf: {centre['name']}"
        subtitle = f"Alt innen {opts.hops} steg fra {centre['name']}"
    else:
        nodes, rels = whole_graph(store)
        keep = set()
        title = "Samhandlingsgraf: hele grafen"
        subtitle = "Prosjekter, programmer, partnere, personer og kommuner"
    total = len(nodes)
    nodes, rels = filter_graph(nodes, rels, kinds, rel_types, keep=keep)
    if opts.preset != "alt" or opts.kinds or opts.rels:
        subtitle += f" – utvalg: {what}"
    shown_before_cap = len(nodes)
    nodes, rels = cap_by_degree(nodes, rels, opts.limit, keep)
    if len(nodes) < shown_before_cap:
        subtitle += f" – viser de {len(nodes)} best tilknyttede av {shown_before_cap}"
    elif len(nodes) < total:
        subtitle += f" ({len(nodes)} av {total} noder)"
    return render_html(
        nodes,
        rels,
        title=title,
        subtitle=subtitle,
        focus=next(iter(keep), None),
        size_by=opts.size_by,
    )


def write_view(
    store: GraphStore,
    output: Path,
    focus: str | None = None,
    hops: int = 2,
    options: ViewOptions | None = None,
) -> Path:
    return write_html(output, view_html(store, focus, hops, options))


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
