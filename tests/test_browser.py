"""The explorer and the reports in a real browser: Debian's headless Chromium driven by
Playwright through `executable_path` (`make browser` installs it; nothing is downloaded).

The API runs with uvicorn on 127.0.0.1 and a free port, in a subprocess, on its own graph:
the bundled Kristiansand dataset plus a partner of "Flere i arbeid" whose name and role are an
HTML injection (`<img src=x onerror=alert(1)>`), which must show as text everywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.records import GraphBatch, make_node, make_rel
from graph.settings import REPO_ROOT
from graph.store import GraphStore
from tests.conftest import DATA, make_settings
from viz.browser import BrowserMissing, api_server, chromium_path, playwright_chromium

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
FLERE_I_ARBEID = "initiative:sak:2021019954-3"
BENTE = "person:bente-woldstad"
WAIT_MS = 20_000

try:
    chromium_path()
except BrowserMissing as exc:  # pragma: no cover - `make test` installs it first
    pytest.skip(f"{exc}", allow_module_level=True)


@pytest.fixture(scope="module")
def graph_env(db_path: Path) -> Iterator[tuple[GraphStore, dict[str, str]]]:
    from importers.bundled import load_dataset

    settings = make_settings("embedded", db_path, graph="browser")
    store = GraphStore.open(settings)
    store.clear()
    load_dataset(store, settings)
    batch = GraphBatch()
    evil = make_node("Organisation", XSS, {"org_type": "company"}, ["xss-test.yaml:1"])
    assert store.node(FLERE_I_ARBEID) is not None
    batch.add_node(evil)
    batch.add_rel(
        make_rel(
            "PARTNER_IN", evil, ("Initiative", FLERE_I_ARBEID), {"role": XSS}, ["xss-test.yaml:2"]
        )
    )
    store.upsert(batch)
    env = {
        "SAMGRAF_STORE": "embedded",
        "SAMGRAF_DB_PATH": str(db_path),
        "SAMGRAF_GRAPH": "browser",
        "SAMGRAF_DATA_DIR": str(DATA),
        "SAMGRAF_KEEP_SERVER": "1",
    }
    try:
        yield store, env
    finally:
        store.dialect.drop_all()
        store.close()


@pytest.fixture(scope="module")
def base_url(graph_env: tuple[GraphStore, dict[str, str]]) -> Iterator[str]:
    with api_server(graph_env[1]) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_chromium() as b:
        yield b


class Watch:
    """Everything that went wrong on a page: console errors, page errors, failed or
    refused requests, HTTP errors, requests leaving the allowed origin, alert dialogs."""

    def __init__(self, page: Any, allowed: str):
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        page.on(
            "response", lambda r: r.status >= 400 and self.problems.append(f"{r.status} {r.url}")
        )
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("dialog", self._dialog)
        self.allowed = allowed

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def outside(self) -> list[str]:
        return [
            u for u in self.requests if not u.startswith(self.allowed) and not u.startswith("data:")
        ]


@pytest.fixture
def explorer(browser: Any, base_url: str) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    watch = Watch(page, base_url)
    page.goto(base_url + "/")
    page.wait_for_function("window.explorer && explorer.state.ready", timeout=WAIT_MS)
    try:
        yield page, watch
    finally:
        context.close()


def api_get(base_url: str, path: str, **params: Any) -> Any:
    url = base_url + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
    with urllib.request.urlopen(url, timeout=10) as res:
        return json.loads(res.read())


def search_and_pick(page: Any, box: str, hits: str, query: str, name: str) -> None:
    page.fill(box, query)
    item = page.locator(f"{hits} li", has_text=name).first
    item.wait_for(timeout=WAIT_MS)
    item.click()


def click_node(page: Any, node_id: str) -> None:
    """Click a node on the canvas where vis-network draws it (after centring on it)."""
    page.evaluate("id => explorer.network.focus(id, {scale: 2.0, animation: false})", node_id)
    page.evaluate("() => explorer.network.redraw()")
    pos = page.evaluate(
        """id => { const n = explorer.network; const p = n.getPosition(id);
                   const d = n.canvasToDOM(p); return {x: d.x, y: d.y, at: n.getNodeAt(d)}; }""",
        node_id,
    )
    assert pos["at"] == node_id, f"another node is drawn on top of {node_id}: {pos['at']}"
    box = page.locator("#graph canvas").bounding_box()
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])


# ------------------------------------------------------------------------------- explorer


def test_explorer_loads_without_errors_and_offline_assets(
    explorer: tuple[Any, Watch], graph_env: tuple[GraphStore, Any]
) -> None:
    page, watch = explorer
    store = graph_env[0]
    total = sum(store.stats()["nodes"].values())
    shown = page.evaluate("explorer.nodes.length")
    assert shown == total  # the whole (small) graph is the starting picture
    drawn = page.evaluate("explorer.network.body.nodeIndices.length")
    assert 0 < drawn <= total  # large groups are drawn as one cluster node each
    assert page.locator("#legend .legend-item").count() == len(
        page.evaluate("JSON.parse(document.getElementById('explorer-config').textContent).kinds")
    )
    assert "Satsing" in page.inner_text("#legend")
    assert watch.problems == []
    assert watch.outside() == []  # no CDN: every request goes to the API itself
    assert any(u.endswith("/static/vis-network.min.js") for u in watch.requests)


def test_large_groups_are_clustered_and_open_on_click(explorer: tuple[Any, Watch]) -> None:
    page, watch = explorer
    clusters = page.evaluate(
        """() => Object.keys(explorer.network.body.nodes)
             .filter(id => explorer.network.isCluster(id))
             .map(id => [id, explorer.network.body.nodes[id].options.label])"""
    )
    # pulje 2 of "Saman om ein betre kommune" has 60 participating municipalities
    labels = dict(clusters)
    cid = next(i for i, label in labels.items() if label == "60 kommuner")
    before = page.evaluate("explorer.network.body.nodeIndices.length")
    click_node(page, cid)
    page.wait_for_function(
        f"explorer.network.body.nodeIndices.length >= {before + 59}", timeout=WAIT_MS
    )
    assert page.evaluate("id => explorer.network.body.nodes[id] === undefined", cid)
    assert watch.problems == []


def test_search_finds_flere_i_arbeid_and_click_expands(
    explorer: tuple[Any, Watch], graph_env: tuple[GraphStore, Any], base_url: str
) -> None:
    page, watch = explorer
    store = graph_env[0]
    page.fill("#q", "Flere i arbeid")
    page.locator("#hits li").first.wait_for(timeout=WAIT_MS)
    first = page.locator("#hits li").first
    assert first.inner_text().startswith("Flere i arbeid")
    assert first.get_attribute("data-id") == FLERE_I_ARBEID
    first.click()
    page.wait_for_function(
        "document.querySelector('#panel h3')?.textContent === 'Flere i arbeid'", timeout=WAIT_MS
    )
    neighbours = {r["id"] for r in store.neighbours(FLERE_I_ARBEID)}
    shown = set(page.evaluate("explorer.nodes.getIds()"))
    assert shown == neighbours | {FLERE_I_ARBEID}  # its neighbourhood, nothing else
    # the side panel: properties, roles and sources from the data
    panel = page.inner_text("#panel")
    assert "2021019954-3" in panel and "Roller" in panel and "Kilder" in panel
    assert "referat-arbeidsutvalg-flere-i-arbeid-2022-02-09.txt:" in panel
    # and its overlaps with other initiatives, as the API ranks them
    best = api_get(base_url, f"/api/v1/initiatives/{FLERE_I_ARBEID}/overlaps")["overlaps"][0]
    overlap = page.locator("#panel ul.overlaps li", has_text=best["initiative"]["name"]).first
    overlap.wait_for(timeout=WAIT_MS)
    assert f"({best['score']:.1f})" in overlap.inner_text()
    assert best["explanation"] in overlap.inner_text()
    # expand the neighbour with the most relationships outside this neighbourhood (among those
    # with at most one page of neighbours, so that all of them come at once)
    around = {n: {r["id"] for r in store.neighbours(n)} for n in neighbours}
    outside = {n: ids - shown for n, ids in around.items() if len(ids) <= 50}
    target = max(sorted(outside), key=lambda n: len(outside[n]))
    assert outside[target]
    page.uncheck("#cluster")  # every node drawn on its own, so it can be clicked
    page.wait_for_function(
        "!Object.keys(explorer.network.body.nodes).some(id => explorer.network.isCluster(id))"
    )
    click_node(page, target)
    page.wait_for_function(
        f"explorer.nodes.length === {len(shown | outside[target])}", timeout=WAIT_MS
    )
    assert set(page.evaluate("explorer.nodes.getIds()")) == shown | outside[target]
    name = store.node(target)["name"]  # type: ignore[index]
    page.wait_for_function(
        f"document.querySelector('#panel h3')?.textContent === {json.dumps(name)}",
        timeout=WAIT_MS,
    )
    assert watch.problems == []


def test_filters_and_presets_hide_and_show(explorer: tuple[Any, Watch]) -> None:
    page, watch = explorer
    page.uncheck("#cluster")
    page.select_option("#preset", "satsinger")
    kinds = set(
        page.evaluate(
            "explorer.nodes.get().filter(n => explorer.network.body.nodes[n.id]).map(n => n.kind)"
        )
    )
    assert kinds == {"Initiative"}
    rels = set(
        page.evaluate(
            "explorer.edges.get().filter(e => explorer.network.body.edges[e.id])"
            ".map(e => e.relType)"
        )
    )
    assert rels <= {"PART_OF", "DEPENDS_ON"} and "DEPENDS_ON" in rels
    page.select_option("#preset", "alt")
    page.click("#filters summary")
    page.uncheck("#kind-filter input[value=Municipality]")
    kinds = set(
        page.evaluate(
            "explorer.nodes.get().filter(n => explorer.network.body.nodes[n.id]).map(n => n.kind)"
        )
    )
    assert "Municipality" not in kinds and "Initiative" in kinds
    assert watch.problems == []


def test_size_by_betweenness(explorer: tuple[Any, Watch]) -> None:
    page, watch = explorer
    before = page.evaluate("explorer.nodes.get().map(n => n.size)")
    page.select_option("#size-by", "betweenness")
    page.wait_for_function(
        "explorer.nodes.get().some(n => n.size > 40)", timeout=WAIT_MS
    )  # the best bridge gets 10 + 35 = 45
    assert page.evaluate("explorer.nodes.get().map(n => n.size)") != before
    assert watch.problems == []


def test_path_finder_shows_the_explained_path(explorer: tuple[Any, Watch], base_url: str) -> None:
    page, watch = explorer
    search_and_pick(page, "#path-from", "#path-from-hits", "Bente Woldstad", "Bente Woldstad")
    search_and_pick(page, "#path-to", "#path-to-hits", "Flere i arbeid", "Flere i arbeid")
    page.click("#path-go")
    page.locator("#path-result ol.hops li").first.wait_for(timeout=WAIT_MS)
    shown = [li.split("\n")[0] for li in page.locator("#path-result ol.hops li").all_inner_texts()]
    expected = api_get(
        base_url, "/api/v1/paths", **{"from": BENTE, "to": FLERE_I_ARBEID, "k": 1, "max_hops": 6}
    )["paths"][0]
    assert shown == [h["explanation"] for h in expected["hops"]]
    assert len(shown) == expected["length"] >= 1
    sources = page.locator("#path-result ol.hops li .src").all_inner_texts()
    assert all(s.startswith("Kilde:") for s in sources) and len(sources) == len(shown)
    # the path is drawn and highlighted
    ids = [n["id"] for n in expected["nodes"]]
    assert page.evaluate("ids => ids.map(id => explorer.nodes.get(id).borderWidth)", ids) == [
        5
    ] * len(ids)
    assert page.evaluate("[...explorer.state.pathEdges].length") == len(shown)
    assert watch.problems == []


def test_xss_name_renders_as_text(explorer: tuple[Any, Watch]) -> None:
    page, watch = explorer
    page.fill("#q", XSS)
    hit = page.locator("#hits li", has_text="onerror").first
    hit.wait_for(timeout=WAIT_MS)
    assert XSS in hit.inner_text()
    hit.click()
    page.wait_for_function(
        f"document.querySelector('#panel h3')?.textContent === {json.dumps(XSS)}", timeout=WAIT_MS
    )
    assert f"{XSS} er samarbeidspartner i Flere i arbeid" in page.inner_text("#panel")
    # the role is injected too: it is the edge's label, drawn on the canvas
    labels = page.evaluate("explorer.edges.get().map(e => e.label)")
    assert XSS in labels
    # hover the node: the tooltip shows the name as text
    evil_id = page.evaluate(f"explorer.nodes.get().find(n => n.fullName === {json.dumps(XSS)}).id")
    page.evaluate("id => explorer.network.focus(id, {scale: 1.5, animation: false})", evil_id)
    pos = page.evaluate(
        "id => explorer.network.canvasToDOM(explorer.network.getPosition(id))", evil_id
    )
    box = page.locator("#graph canvas").bounding_box()
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
    page.locator(".vis-tooltip").wait_for(state="visible", timeout=WAIT_MS)
    assert XSS in page.inner_text(".vis-tooltip")
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"], img[onerror]').length") == 0
    assert watch.dialogs == []
    assert watch.problems == []


# ------------------------------------------------------------------------------- reports


@pytest.fixture(scope="module")
def report_files(
    graph_env: tuple[GraphStore, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("report") / "rapport.html"
    env = {**os.environ, **graph_env[1]}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "samgraf.cli",
            "report",
            "--programme",
            "Flere i arbeid",
            "--hops",
            "2",
            "-o",
            str(out),
            "--png",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["html"] == str(out) and summary["png"] == str(out.with_suffix(".png"))
    return out


def test_report_opens_offline_from_file_and_draws_the_graph(
    browser: Any, report_files: Path, graph_env: tuple[GraphStore, Any]
) -> None:
    store = graph_env[0]
    nodes, _ = store.subgraph(FLERE_I_ARBEID, 2)
    context = browser.new_context(offline=True, viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []

    def refuse(route: Any) -> None:
        blocked.append(route.request.url)
        route.abort()

    context.route("http*://**/*", refuse)  # "the network is disabled"
    page = context.new_page()
    watch = Watch(page, report_files.as_uri())
    page.goto(report_files.as_uri())
    page.wait_for_function("window.samgraf && samgraf.stable", timeout=WAIT_MS)
    counts = page.evaluate(
        "[samgraf.nodeCount, samgraf.network.body.nodeIndices.length, "
        "Number(document.getElementById('node-count').textContent)]"
    )
    assert counts == [len(nodes)] * 3
    painted = page.evaluate(
        """() => { const c = document.querySelector('#graph canvas');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
                   return n / (c.width * c.height); }"""
    )
    assert painted > 0.01, "the canvas is blank"
    assert blocked == [] and watch.outside() == [] and watch.problems == []
    # tables: the partner with the injected name is text, and nothing ran
    partners = page.inner_text("#partners")
    assert XSS in partners and "Universitetet i Agder" in partners
    row = page.locator("#partners tr", has_text="xss-test.yaml:2")
    assert row.locator("td").all_inner_texts()[:4] == [XSS, "Organisasjon", "Partner i", XSS]
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert watch.dialogs == []
    # prints to PDF with the tables (and the graph as a picture)
    pdf = report_files.with_suffix(".pdf")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_function(
        "document.getElementById('graph-print').src.startsWith('data:image/png')", timeout=WAIT_MS
    )
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    context.close()
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
        assert len(doc.pages) >= 2
        assert any(p.images for p in doc.pages[:2]), "the graph is printed as a picture"
    for heading in (
        "Partnere og finansiering",
        "Personer og roller",
        "Avhengigheter",
        "Overlapp med andre satsinger",
        "manglende koblinger",
    ):
        assert heading in text


def test_report_png_is_a_picture_of_the_graph(report_files: Path) -> None:
    from PIL import Image

    with Image.open(report_files.with_suffix(".png")) as img:
        assert img.size == (1920, 1200)
        colours = img.convert("RGB").getcolors(maxcolors=1_000_000) or []
    # a drawn graph has the model's colours in it, not just a white page and some text
    assert len(colours) > 200
    rgb = {c for _, c in colours}
    assert (0x1F, 0x77, 0xB4) in rgb  # Initiative blue
    assert (0xFF, 0x7F, 0x0E) in rgb  # Organisation orange


# ------------------------------------------------------------------------------- large graphs


@pytest.fixture(scope="module")
def large_url(db_path: Path) -> Iterator[str]:
    """A programme with about 2,000 nodes within two steps (the report benchmark's graph)."""
    from benchmarks.bench_report import generate

    settings = make_settings("embedded", db_path, graph="browser_large")
    store = GraphStore.open(settings)
    store.clear()
    batch, _ = generate()
    store.upsert(batch)
    env = {
        "SAMGRAF_STORE": "embedded",
        "SAMGRAF_DB_PATH": str(db_path),
        "SAMGRAF_GRAPH": "browser_large",
        "SAMGRAF_DATA_DIR": str(DATA),
        "SAMGRAF_KEEP_SERVER": "1",
    }
    try:
        with api_server(env) as url:
            yield url
    finally:
        store.dialect.drop_all()
        store.close()


def test_large_graph_is_capped_then_drawn_from_server_positions(
    browser: Any, large_url: str
) -> None:
    total = api_get(large_url, "/explorer/graph", limit=1)["total"]
    assert total > 2000
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    watch = Watch(page, large_url)
    try:
        page.goto(large_url + "/")
        page.wait_for_function("window.explorer && explorer.state.ready", timeout=WAIT_MS)
        # the starting picture is capped, and says so
        assert page.evaluate("explorer.nodes.length") == 300
        more = page.locator("#status button", has_text="Vis flere")
        assert f"300 av {total}" in more.inner_text()
        more.click()
        page.wait_for_function("explorer.nodes.length === 600", timeout=WAIT_MS)
        # above the physics threshold: positions come from the server and nothing simulates
        assert page.evaluate("explorer.state.physics") is False
        assert page.evaluate("explorer.nodes.get().every(n => typeof n.x === 'number')")
        assert page.evaluate("explorer.network.physics.physicsEnabled") is False
        # large groups are clustered (a project's 21 people, 12 own partners …)
        assert page.evaluate(
            "Object.keys(explorer.network.body.nodes).some(id => explorer.network.isCluster(id))"
        )
        assert watch.problems == [] and watch.outside() == []
    finally:
        context.close()
