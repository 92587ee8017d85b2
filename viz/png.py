"""A static picture (PNG) of a graph, for Word and PowerPoint: drawn by vis-network in
Debian's headless Chromium (`viz.browser.screenshot`) from a page made for the purpose —
the whole window is the graph, larger labels, title and legend on top. Chromium's virtual time
lets vis-network settle the layout before the picture is taken.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from viz.browser import screenshot
from viz.render import compact, env, legend, safe_json, vis_asset, vis_data


def picture_html(
    nodes: list[dict[str, Any]],
    rels: list[dict[str, Any]],
    *,
    title: str,
    subtitle: str = "",
    focus: str | None = None,
) -> str:
    data = vis_data(nodes, rels, focus=focus)
    data["options"]["nodes"]["font"] = {"size": 18, "strokeWidth": 3}
    data["options"]["edges"]["font"] = {"size": 11, "strokeWidth": 3}
    return env.get_template("picture.html").render(
        title=title,
        subtitle=subtitle,
        legend=legend(nodes),
        data_json=safe_json(compact(data)),
        vis_js=vis_asset("vis-network.min.js"),
        vis_css=vis_asset("vis-network.css"),
    )


def write_png(
    nodes: list[dict[str, Any]],
    rels: list[dict[str, Any]],
    png: Path,
    *,
    title: str,
    subtitle: str = "",
    focus: str | None = None,
    width: int = 1920,
    height: int = 1200,
) -> Path:
    html = picture_html(nodes, rels, title=title, subtitle=subtitle, focus=focus)
    with tempfile.TemporaryDirectory(prefix="samgraf-png-") as tmp:
        page = Path(tmp) / "graph.html"
        page.write_text(html, encoding="utf-8")
        return screenshot(page.as_uri(), png, width=width, height=height)
