"""Self-contained HTML views, filters, reports and the explorer's JSON: offline, legend from the
model, escaped names, no personal data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.model import NODE_KINDS
from graph.records import GraphBatch, make_node, make_rel
from graph.store import GraphStore
from viz.filters import PRESETS, FilterError, filter_graph, resolve_filter
from viz.render import PHYSICS_LIMIT, render_html, safe_json, vis_data
from viz.report import ReportError, build_report, render_report, resolve_subject
from viz.views import ViewOptions, cap_by_degree, view_html, whole_graph

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


# ------------------------------------------------------------------ filters and `samgraf view`

FLERE_I_ARBEID = "initiative:sak:2021019954-3"
GRAPH_DATA = re.compile(r'<script type="application/json" id="graph-data">(.*?)</script>', re.S)


def graph_data(html: str) -> dict[str, object]:
    import json

    match = GRAPH_DATA.search(html)
    assert match, "the page carries its graph as JSON"
    return dict(json.loads(match.group(1)))


def test_presets_keep_only_their_kinds_and_relationships(loaded: GraphStore) -> None:
    nodes, rels = whole_graph(loaded)
    kinds, types = resolve_filter("satsinger")
    n, r = filter_graph(nodes, rels, kinds, types)
    assert {x["label"] for x in n} == {"Initiative"}
    assert {x["type"] for x in r} == {"PART_OF", "DEPENDS_ON"}
    # every DEPENDS_ON of the data is kept (both ends are initiatives)
    assert sum(x["type"] == "DEPENDS_ON" for x in r) == sum(x["type"] == "DEPENDS_ON" for x in rels)
    # no node is left without a relationship when the types are narrowed
    linked = {x["a"] for x in r} | {x["b"] for x in r}
    assert {x["id"] for x in n} == linked
    kinds, types = resolve_filter("personer")
    n, r = filter_graph(nodes, rels, kinds, types)
    assert "Person" in {x["label"] for x in n}
    assert {x["type"] for x in r} <= {"HAS_ROLE", "MEMBER_OF"}


def test_filters_take_model_names_or_norwegian_labels() -> None:
    assert resolve_filter("alt", ["Satsing", "person"], ["Rolle"]) == (
        {"Initiative", "Person"},
        {"HAS_ROLE"},
    )
    with pytest.raises(FilterError, match="ukjent nodetype 'Ting'"):
        resolve_filter("alt", ["Ting"])
    with pytest.raises(FilterError, match="ukjent utvalg"):
        resolve_filter("noe")
    assert set(PRESETS) == {"alt", "satsinger", "personer", "organisasjoner"}


def test_view_with_filters_draws_only_the_chosen_kinds(loaded: GraphStore) -> None:
    html = view_html(
        loaded, options=ViewOptions(focus="Flere i arbeid", hops=2, preset="organisasjoner")
    )
    data = graph_data(html)
    kinds = {n["kind"] for n in data["nodes"]}  # type: ignore[attr-defined]
    assert kinds <= set(PRESETS["organisasjoner"].kinds or ()) and "Organisation" in kinds
    assert "utvalg: organisasjoner og partnerskap" in html
    # the cap keeps the best connected nodes and says so
    capped = view_html(loaded, options=ViewOptions(limit=20))
    assert len(graph_data(capped)["nodes"]) == 20  # type: ignore[arg-type]
    assert "viser de 20 best tilknyttede av" in capped


def test_cap_by_degree_keeps_the_hubs_and_the_focus(loaded: GraphStore) -> None:
    nodes, rels = whole_graph(loaded)
    keep = {"person:bente-woldstad"}
    n, r = cap_by_degree(nodes, rels, 10, keep)
    ids = {x["id"] for x in n}
    assert len(ids) == 10 and keep <= ids
    assert all(x["a"] in ids and x["b"] in ids for x in r)


def test_large_graphs_get_positions_and_no_physics(loaded: GraphStore) -> None:
    nodes, rels = whole_graph(loaded)
    assert len(nodes) > PHYSICS_LIMIT - 10
    big = vis_data(nodes, rels, physics=False)
    assert big["options"]["physics"]["enabled"] is False
    assert all("x" in n and "y" in n for n in big["nodes"])
    small = vis_data(nodes[:50], rels)
    assert small["options"]["physics"]["enabled"] is True
    assert not any("x" in n for n in small["nodes"])
    # betweenness is normalised to 0..1 and the best bridge has 1
    assert max(n["betweenness"] for n in big["nodes"]) == 1.0


def test_view_cli_with_filters(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from graph.settings import REPO_ROOT

    env = {
        **os.environ,
        "SAMGRAF_DB_PATH": str(tmp_path / "db"),
        "SAMGRAF_GRAPH": "viewcli",
    }
    run = [sys.executable, "-m", "samgraf.cli"]
    subprocess.run([*run, "load"], env=env, cwd=REPO_ROOT, check=True, capture_output=True)
    out = tmp_path / "v.html"
    subprocess.run(
        [
            *run,
            "view",
            "--utvalg",
            "personer",
            "--kind",
            "Person",
            "--kind",
            "Satsing",
            "--size-by",
            "mellomhet",
            "-o",
            str(out),
        ],
        env=env,
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    data = graph_data(out.read_text())
    assert {n["kind"] for n in data["nodes"]} == {"Person", "Initiative"}  # type: ignore[attr-defined]
    assert {e["relType"] for e in data["edges"]} == {"HAS_ROLE"}  # type: ignore[attr-defined]
    assert '<option value="betweenness" selected>' in out.read_text()
    bad = subprocess.run(
        [*run, "view", "--kind", "Ting", "-o", str(out)],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0 and "ukjent nodetype 'Ting'" in bad.stderr


# ------------------------------------------------------------------------------------ reports


def test_report_on_flere_i_arbeid_has_the_facts_of_the_data(loaded: GraphStore) -> None:
    subject = resolve_subject(loaded, "Flere i arbeid", "programme")
    assert subject["id"] == FLERE_I_ARBEID
    report = build_report(loaded, subject, hops=2)
    neighbours = loaded.neighbours(FLERE_I_ARBEID)
    # the seven projects of the programme (referat lines 156-192) are its parts
    parts = {r["name"] for r in neighbours if r["type"] == "PART_OF" and r["direction"] == "in"}
    assert {p["name"] for p in report.parts} == parts and len(parts) == 7
    # every direct partner, participant and funder of the programme is in the partner table
    direct = {
        (r["name"], r["type"])
        for r in neighbours
        if r["type"] in ("PARTNER_IN", "PARTICIPATES_IN", "FUNDS") and r["direction"] == "in"
    }
    listed = {(p["actor"]["name"], p["relation"]) for p in report.partners}
    from graph.model import REL_KINDS

    assert {(n, REL_KINDS[t].label_no) for n, t in direct} <= listed
    # the dependency from the steering document, chapter 8, with owner and handling
    dep = next(d for d in report.dependencies if d["to"] == "Flere i arbeid")
    assert dep["owner"] == "KDL, programleder, prosjektledere"
    assert dep["handling"] == "Gjensidig informasjonsutveksling og prosjektutvikling"
    assert "styringsdokument-samhandlingskommunen.txt:481" in dep["sources"]
    # overlaps come scored and explained, best first, never with its own parts
    scores = [o["score"] for o in report.overlaps]
    assert scores == sorted(scores, reverse=True) and report.overlaps
    assert all(o["explanation"].startswith("Deler") for o in report.overlaps)
    own = {n["id"] for n in report.scope}
    assert not any(o["initiative"]["id"] in own for o in report.overlaps)
    assert all(m["a"]["id"] in own or m["b"]["id"] in own for m in report.missing_links)
    html = render_report(report)
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    assert "<script src=" not in html
    for heading in (
        "Partnere og finansiering",
        "Personer og roller",
        "Avhengigheter",
        "Overlapp med andre satsinger",
        "manglende koblinger",
        "@media print",
    ):
        assert heading in html
    assert len(graph_data(html)["nodes"]) == len(report.nodes)  # type: ignore[arg-type]


def test_report_subjects_are_checked(loaded: GraphStore) -> None:
    with pytest.raises(ReportError, match="er ikke et program"):
        resolve_subject(loaded, "Yrkesrettede utdanningsvalg", "programme")
    with pytest.raises(ReportError, match="fant ingen enhet"):
        resolve_subject(loaded, "Finnes ikke qqq", "unit")
    unit = resolve_subject(loaded, "Personaltjenesten", "unit")
    report = build_report(loaded, unit, hops=1)
    # a unit's report covers the initiatives it takes part in
    assert report.scope and all(n["label"] == "Initiative" for n in report.scope)


def test_personal_data_and_injection_never_reach_the_html(store: GraphStore) -> None:
    batch = GraphBatch()
    init = make_node("Initiative", "Prosjekt X", {"kind": "programme"}, ["x.yaml:1"])
    person = make_node(
        "Person", XSS, {"email": "hemmelig@example.no", "phone": "+47 99 99 99 99"}, ["x.yaml:2"]
    )
    batch.add_node(init)
    batch.add_node(person)
    batch.add_rel(make_rel("HAS_ROLE", person, init, {"role": XSS}, ["x.yaml:3"]))
    store.upsert(batch)
    report = build_report(store, resolve_subject(store, "Prosjekt X", "programme"), hops=1)
    html = render_report(report)
    assert "hemmelig@example.no" not in html and "99 99 99 99" not in html
    assert XSS not in html
    assert "<td>&lt;img src=x onerror=alert(1)&gt;</td>" in html  # the people table, as text
    with TestClient(create_app(store)) as client:
        for path in ("/explorer/graph", f"/explorer/expand/{init.id}"):
            body = client.get(path).text
            assert "hemmelig@example.no" not in body and "99 99 99 99" not in body


# --------------------------------------------------------------------------- explorer's JSON


@pytest.fixture
def client(loaded: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(loaded)) as c:
        yield c


def test_explorer_page_and_assets_are_served_locally(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page.text)
    assert '<script src="/static/vis-network.min.js">' in page.text
    for asset in ("vis-network.min.js", "vis-network.css", "explorer.js", "explorer.css"):
        r = client.get(f"/static/{asset}")
        assert r.status_code == 200 and len(r.content) > 1000
    assert client.get("/static/../../etc/passwd").status_code == 404
    assert client.get("/static/secret.py").status_code == 404
    # the legend and filters come from the model
    for cls in NODE_KINDS.values():
        assert cls.label_no in page.text


def test_explorer_expand_pages_through_neighbours(client: TestClient, loaded: GraphStore) -> None:
    neighbours = {r["id"] for r in loaded.neighbours(FLERE_I_ARBEID)}
    first = client.get(f"/explorer/expand/{FLERE_I_ARBEID}", params={"limit": 10}).json()
    assert first["total"] == len(neighbours) and first["shown"] == 10
    assert len(first["nodes"]) == 11  # the node itself and ten neighbours
    rest = client.get(
        f"/explorer/expand/{FLERE_I_ARBEID}", params={"offset": 10, "limit": 1000}
    ).json()
    got = {n["id"] for n in first["nodes"]} | {n["id"] for n in rest["nodes"]}
    assert got == neighbours | {FLERE_I_ARBEID} and rest["shown"] == rest["total"]
    for e in first["edges"]:
        assert e["explanation"] and e["relType"] and e["title"].startswith(e["explanation"])
    assert client.get("/explorer/expand/node:finnes-ikke").status_code == 404


def test_explorer_graph_caps_and_measures(client: TestClient, loaded: GraphStore) -> None:
    total = sum(loaded.stats()["nodes"].values())
    capped = client.get("/explorer/graph", params={"limit": 40}).json()
    assert capped["total"] == total and capped["shown"] == len(capped["nodes"]) == 40
    ids = [n["id"] for n in capped["nodes"]]
    m = client.post("/explorer/measures", json={"ids": ids}).json()
    assert set(m) == set(ids) and max(v["betweenness"] for v in m.values()) == 1.0
    sub = client.post("/explorer/subgraph", json={"ids": ids[:5]}).json()
    assert {n["id"] for n in sub["nodes"]} == set(ids[:5])
