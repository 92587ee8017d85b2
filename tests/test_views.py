"""Self-contained HTML views: offline, legend from the model, escaped names."""

from __future__ import annotations

import re

from graph.model import NODE_KINDS
from graph.store import GraphStore
from viz.render import render_html, safe_json
from viz.views import view_html

XSS = "<img src=x onerror=alert(1)>"


def test_whole_graph_view_is_self_contained(loaded: GraphStore) -> None:
    html = view_html(loaded)
    assert not re.search(r"<(script|link)[^>]+(src|href)=", html), "no external assets"
    assert "cdn" not in html.lower() or "cdnjs" not in html
    # the legend is generated from the model, in Norwegian
    for kind in ("Initiative", "Person", "Organisation"):
        assert NODE_KINDS[kind].label_no in html
    assert "Forklaring" in html


def test_names_are_escaped_everywhere() -> None:
    nodes = [
        {"id": "person:x", "label": "Person", "name": XSS, "sources": [f"{XSS}.csv:1"]},
        {
            "id": "initiative:y",
            "label": "Initiative",
            "name": "Y",
            "kind": "project",
            "sources": ["a.csv:1"],
        },
    ]
    rels = [
        {
            "a": "person:x",
            "b": "initiative:y",
            "type": "HAS_ROLE",
            "props": {"role": XSS, "sources": ["a.csv:2"]},
        }
    ]
    html = render_html(nodes, rels, title=XSS, subtitle=XSS)
    assert XSS not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # title and header as text
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html  # inside the graph data


def test_safe_json_cannot_close_the_script_element() -> None:
    assert "</script>" not in safe_json({"name": "</script><script>alert(1)</script>"})
