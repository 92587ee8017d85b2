"""Parity: the embedded FalkorDB and Neo4j 5 give the same answers, at every layer.

Both stores get the same data, loaded once for the module: the bundled Kristiansand dataset
(`importers.bundled.load_dataset`) and a generated graph of about 5,000 nodes
(`tests.parity_data.generate`), with every timestamp the load sets fixed (`LOADED_AT`) so that
even provenance compares equal. Then, on both stores, and compared:

1. every read query of the registry (`graph.queries.QUERIES`), with parameters taken from the
   data; rows sorted canonically unless the query orders them (then the order counts too);
2. the analytics: paths (shortest, k-shortest, through kinds and types), ego networks and
   subgraphs, overlaps and their explanations, the overlap matrix, network measures and
   brokers, search, duplicate scanning, an import's dry run;
3. every GET route under /api/v1 of the app built on each store, which also covers missing
   links, the whole graph's measures and the exports in all four formats;
4. the read-only `samgraf … --json` verbs, run as subprocesses with SAMGRAF_STORE=embedded
   and SAMGRAF_STORE=neo4j.

Where the engines legitimately differ, `graph.dialect`'s table names the difference and the
comparison below says, where it makes it, why it ignores it.

Needs NEO4J_URI (skipped otherwise). Neo4j Community has one database, which other modules
clear: this module loads its own data there at the start and clears it at the end.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import subprocess
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

import graph.export
import graph.store
from api.app import create_app
from graph import snapshots
from graph.analysis import PROJECTIONS, brokers, measures
from graph.ego import ego_network
from graph.ids import id_secret
from graph.model import REL_KINDS
from graph.overlap import (
    ROW_LIMIT,
    initiatives_of,
    load_config,
    overlap_matrix,
    overlaps,
)
from graph.paths import find_paths
from graph.queries import QUERIES
from graph.resolve.review import ReviewQueue
from graph.search import search
from graph.settings import REPO_ROOT, Settings
from graph.store import GraphStore
from importers.bundled import load_dataset
from tests.conftest import cli_env, make_settings, run_samgraf
from tests.parity_data import generate

GRAPH = "parity"
#: every first_seen / last_seen the load writes (otherwise each store has its own load time)
LOADED_AT = "2026-01-02T03:04:05Z"

BENTE = "person:bente-woldstad"
SAMHANDLINGSKOMMUNEN = "initiative:sak:2020105285-1"
FLERE_I_ARBEID = "initiative:sak:2021019954-3"
KRISTIANSAND = "municipality:4204"
SAMHANDLING_OG_INNOVASJON = "unit:samhandling-og-innovasjon"
STYRINGSDOKUMENT = "document:styringsdokument-samhandlingskommunen-txt"
MISSING = "person:finnes-ikke"


@dataclass
class Stores:
    falkordb: GraphStore
    neo4j: GraphStore
    settings: dict[str, Settings]
    env: dict[str, dict[str, str]]  # CLI environment per backend

    def both(self, fn: Callable[[GraphStore], Any]) -> tuple[Any, Any]:
        return fn(self.falkordb), fn(self.neo4j)


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
    db = tmp_path_factory.mktemp("parity-db")
    neo_settings = make_settings("neo4j", db, graph=GRAPH)  # skips without NEO4J_URI
    emb_settings = make_settings("embedded", db, graph=GRAPH)
    review_db = str(db / "review.sqlite")  # one queue for both: it is SQLite, not the graph
    # the key of person ids (graph.ids): the CLI computes ids as this process did for the data
    secret = id_secret().decode("utf-8")
    with cli_env(db, GRAPH, SAMGRAF_REVIEW_DB=review_db, SAMGRAF_ID_SECRET=secret) as emb_env:
        neo_env = {
            **emb_env,
            "SAMGRAF_STORE": "neo4j",
            "SAMGRAF_DB_PATH": str(db / "neo4j-cli"),
            "NEO4J_URI": neo_settings.neo4j_uri or "",
            "NEO4J_USERNAME": neo_settings.neo4j_username,
            "NEO4J_PASSWORD": neo_settings.neo4j_password or "",
            "NEO4J_DATABASE": neo_settings.neo4j_database,
        }
        emb, neo = GraphStore.open(emb_settings), GraphStore.open(neo_settings)
        try:
            generated = generate()
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(graph.store, "utc_now", lambda: LOADED_AT)
                for store, settings in ((emb, emb_settings), (neo, neo_settings)):
                    store.clear()
                    load_dataset(store, settings)
                    store.upsert(generated)
            yield Stores(
                emb,
                neo,
                {"falkordb": emb_settings, "neo4j": neo_settings},
                {"falkordb": emb_env, "neo4j": neo_env},
            )
        finally:
            for store in (emb, neo):
                with contextlib.suppress(Exception):
                    store.dialect.drop_all()
                store.close()


# ---------------------------------------------------------------------------------------------
# comparing


def canon(value: Any) -> str:
    """JSON text with sorted keys: equal only when the values and their types are (1 ≠ 1.0)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)


def _diff(a: Any, b: Any) -> str:
    left = json.dumps(a, sort_keys=True, ensure_ascii=False, indent=1).splitlines()
    right = json.dumps(b, sort_keys=True, ensure_ascii=False, indent=1).splitlines()
    lines = difflib.unified_diff(left, right, "falkordb", "neo4j", n=2, lineterm="")
    return "\n".join(list(lines)[:80])


def assert_same(a: Any, b: Any, what: str) -> None:
    """`a` (FalkorDB) equals `b` (Neo4j); the message shows where they part."""
    if canon(a) == canon(b):
        return
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        i = next(i for i, (x, y) in enumerate(zip(a, b, strict=True)) if canon(x) != canon(y))
        x, y = a[i], b[i]
        if isinstance(x, str) and isinstance(y, str) and x[:1] in "{[":
            x, y = json.loads(x), json.loads(y)  # canonical rows: show them as JSON
        raise AssertionError(f"{what}: item {i} of {len(a)} differs\n{_diff(x, y)}")
    raise AssertionError(f"{what}:\n{_diff(a, b)}")


# ---------------------------------------------------------------------------------------------
# parameters from the data


@dataclass(frozen=True)
class Picks:
    """Ids of real nodes and relationships, chosen from the loaded data (deterministically)."""

    person: str  # generated person with several roles
    person2: str  # another one with roles
    programme: str  # generated programme with projects
    project: str
    unit: str
    organisation: str
    self_loop: str  # an organisation member of itself
    municipality: str
    hub: str  # the node with most relationships
    isolated: str
    document: str
    parallel: tuple[str, str]  # person and initiative with two HAS_ROLE between them
    rels: dict[str, str]  # one relationship id per type
    people: list[str]  # a few dozen people, bundled and generated

    def node_ids(self) -> list[str]:
        return [
            BENTE,
            SAMHANDLINGSKOMMUNEN,
            FLERE_I_ARBEID,
            KRISTIANSAND,
            STYRINGSDOKUMENT,
            self.person,
            self.programme,
            self.project,
            self.unit,
            self.organisation,
            self.self_loop,
            self.municipality,
            self.hub,
            self.isolated,
            self.document,
            MISSING,
        ]

    def path_pairs(self) -> list[tuple[str, str]]:
        return [
            (BENTE, FLERE_I_ARBEID),
            (KRISTIANSAND, "county:18"),
            (self.person, self.person2),
            (self.person, self.programme),
            (self.unit, self.parallel[1]),
            (self.parallel[0], self.project),
            (BENTE, self.person),  # two components: no path
            (self.isolated, self.hub),
        ]


@pytest.fixture(scope="module")
def picks(stores: Stores) -> Picks:
    nodes = {n["id"]: n for n in stores.falkordb.all_nodes()}
    rels = stores.falkordb.all_rels()
    degree: Counter[str] = Counter()
    roles: Counter[str] = Counter()
    pairs: Counter[tuple[str, str, str]] = Counter()
    for r in rels:
        degree[r["a"]] += 1
        degree[r["b"]] += 1
        pairs[(r["a"], r["type"], r["b"])] += 1
        if r["type"] == "HAS_ROLE":
            roles[r["a"]] += 1
    generated = sorted(i for i, n in nodes.items() if "generert:parity" in n.get("sources", []))

    def first(kind: str, test: Callable[[str], bool] = lambda i: True) -> str:
        return next(i for i in generated if nodes[i]["label"] == kind and test(i))

    parts = Counter(r["b"] for r in rels if r["type"] == "PART_OF")
    programme = first("Initiative", lambda i: nodes[i]["kind"] == "programme" and parts[i] > 3)
    project = first("Initiative", lambda i: nodes[i]["kind"] == "project" and parts[i] > 1)
    person = max((i for i in generated if nodes[i]["label"] == "Person"), key=lambda i: roles[i])
    person2 = first("Person", lambda i: roles[i] >= 2 and i != person)
    parallel = sorted((a, b) for (a, t, b), n in pairs.items() if t == "HAS_ROLE" and n > 1)[0]
    self_loop = next(r["a"] for r in rels if r["a"] == r["b"])
    by_type: dict[str, str] = {}
    for r in rels:
        by_type.setdefault(r["type"], r["props"]["id"])
    people = sorted(i for i in nodes if nodes[i]["label"] == "Person")
    return Picks(
        person=person,
        person2=person2,
        programme=programme,
        project=project,
        unit=first("Unit", lambda i: degree[i] > 8),
        organisation=first("Organisation", lambda i: degree[i] > 8),
        self_loop=self_loop,
        municipality=first("Municipality"),
        hub=max(sorted(degree), key=lambda i: degree[i]),
        isolated=next(i for i in generated if degree[i] == 0),
        document=first("Document"),
        parallel=parallel,
        rels=by_type,
        people=people[:: max(1, len(people) // 40)],
    )


# ---------------------------------------------------------------------------------------------
# 1. every read query of the registry

ALL_TYPES = list(REL_KINDS)
OVERLAP_TYPES = list(load_config().relationships)


def _is_read(name: str) -> bool:
    q = QUERIES[name]
    # schema.* / admin.* are DDL and administration (schema.indexes is read, but lists each
    # engine's own indexes: see graph.dialect); bench.* are benchmark writes
    return not q.write and not name.startswith(("schema.", "admin.", "bench."))


READ_QUERIES = sorted(n for n in QUERIES if _is_read(n))

Case = tuple[dict[str, Any], dict[str, Any]]  # (parameters, template parts)


def _cases(name: str, p: Picks, s: Stores) -> list[Case]:
    ids = p.node_ids()
    rel_ids = [*p.rels.values(), "finnes|ikke"]
    ego = [
        r["id"]
        for r in s.falkordb.run("graph.ego_ids", {"id": p.programme, "limit": 100_000}, hops=2)
    ]
    pairs = p.path_pairs()
    node_filters: list[dict[str, Any]] = [
        {"kind": None, "prop": None, "value": None, "q": None},
        {"kind": "Person", "prop": None, "value": None, "q": None},
        {"kind": "Initiative", "prop": "status", "value": "avsluttet", "q": None},
        {"kind": None, "prop": "kommunenummer", "value": "4204", "q": None},
        {"kind": None, "prop": None, "value": None, "q": "ø"},
        {"kind": "Organisation", "prop": None, "value": None, "q": "gen"},
    ]
    cases: dict[str, Callable[[], list[Case]]] = {
        "stats.nodes": lambda: [({}, {})],
        "stats.rels": lambda: [({}, {})],
        "graph.count": lambda: [({}, {})],
        "graph.version": lambda: [({}, {})],
        "graph.nodes": lambda: [({}, {})],
        "graph.rels": lambda: [({}, {})],
        "node.index": lambda: [({}, {})],
        "overlap.coordination": lambda: [({}, {})],
        "node.by_id": lambda: [({"id": i}, {}) for i in ids],
        "node.neighbours": lambda: [({"id": i}, {}) for i in ids],
        "resolve.node_rels": lambda: [({"id": i}, {}) for i in ids],
        "graph.ego_ids": lambda: [
            ({"id": i, "limit": limit}, {"hops": h})
            for i in (BENTE, p.person, p.self_loop, p.isolated)
            for h in (1, 2, 3)
            for limit in (100_000, 25)
        ],
        "graph.nodes_by_ids": lambda: [({"ids": ids}, {}), ({"ids": ego}, {})],
        "graph.rels_among": lambda: [({"ids": ids}, {}), ({"ids": ego}, {})],
        "ego.degrees": lambda: [({"ids": ids}, {}), ({"ids": ego}, {})],
        "ego.expand": lambda: (
            [
                ({"ids": [i], "seen": [i], "limit": limit}, {})
                for i in (p.programme, p.hub, p.self_loop, FLERE_I_ARBEID)
                for limit in (20_000, 10)
            ]
            + [({"ids": ego[:50], "seen": ego[:80], "limit": 20_000}, {})]
        ),
        "rel.by_id": lambda: [({"id": i}, {}) for i in rel_ids],
        "rel.provenance": lambda: [({"id": i}, {}) for i in rel_ids],
        "path.rels_by_ids": lambda: [({"ids": rel_ids}, {})],
        "documents.rels_by_ids": lambda: [({"ids": rel_ids}, {})],
        "resolve.rel_by_id": lambda: [({"id": i}, {"type": t}) for t, i in p.rels.items()],
        "import.rels_by_ids": lambda: [({"ids": rel_ids}, {"type": t}) for t in p.rels],
        "resolve.index": lambda: [
            ({"kinds": ["Person"]}, {}),
            ({"kinds": ["Organisation", "Unit", "Initiative"]}, {}),
        ],
        "resolve.context": lambda: [({"ids": [*p.people, p.person, BENTE]}, {})],
        "import.nodes_by_source": lambda: [
            ({"prefix": pre}, {})
            for pre in ("generert:parity", "styringsdokument", "reference/", "x")
        ],
        "import.rels_by_source": lambda: [
            ({"prefix": pre}, {}) for pre in ("generert:parity:1", "styringsdokument", "x")
        ],
        "path.all_shortest": lambda: [
            ({"a": a, "b": b, "types": types, "limit": limit}, {"hops": hops})
            for a, b in pairs
            for types in (ALL_TYPES, ["HAS_ROLE", "MEMBER_OF", "PART_OF"])
            for hops in (4, 6)
            for limit in (20, 100_000)
        ],
        "path.of_length": lambda: [
            ({"a": a, "b": b, "types": ALL_TYPES, "kinds": kinds, "limit": limit}, {"hops": h})
            for a, b in pairs[:6]
            for kinds in (None, ["Person", "Initiative"])
            for h in (1, 2, 3, 4)
            for limit in (24, 100_000)
        ],
        "overlap.shared": lambda: [
            ({"ids": x, "types": OVERLAP_TYPES, "limit": ROW_LIMIT}, {})
            for x in ([SAMHANDLINGSKOMMUNEN], [p.project], [p.programme, p.project, p.parallel[1]])
        ],
        "overlap.all_pairs": lambda: [({"types": OVERLAP_TYPES, "limit": ROW_LIMIT}, {})],
        "overlap.initiative_degree": lambda: [({"ids": ids + ego, "types": OVERLAP_TYPES}, {})],
        "overlap.dependencies_of": lambda: [
            ({"ids": [SAMHANDLINGSKOMMUNEN, FLERE_I_ARBEID, p.programme, p.project]}, {}),
            ({"ids": [i for i in ego if i.startswith("initiative:")]}, {}),
        ],
        "overlap.initiatives_of": lambda: [({"id": i}, {}) for i in ids],
        "measures.memberships": lambda: [
            (
                {
                    "types": spec["types"],
                    "member_kinds": spec["member_kinds"],
                    "context_kinds": spec["context_kinds"],
                },
                {},
            )
            for spec in PROJECTIONS.values()
        ],
        "nodes.page": lambda: [
            ({**f, "sort": sort, "offset": offset, "limit": 50}, {})
            for f in node_filters
            for sort in ("name", "id", "kind")
            for offset in (0, 100)
        ],
        "nodes.count": lambda: [(f, {}) for f in node_filters],
        "documents.mentions": lambda: [({"id": i}, {}) for i in (STYRINGSDOKUMENT, p.document)],
    }
    if name not in cases:
        raise AssertionError(f"no parameters for the read query {name}: add a case here")
    return cases[name]()


#: list columns whose order no query promises: `collect()` gathers in whatever order the
#: engine meets the rows (resolve.context's callers use the list as a set)
UNORDERED_LISTS = {"resolve.context": ("context",)}


def _rows(name: str, rows: list[dict[str, Any]]) -> list[str]:
    for col in UNORDERED_LISTS.get(name, ()):
        rows = [{**r, col: sorted(r[col] or [])} for r in rows]
    out = [canon(r) for r in rows]
    ordered = "ORDER BY" in QUERIES[name].for_backend("neo4j")
    return out if ordered else sorted(out)


@pytest.mark.parametrize("name", READ_QUERIES)
def test_read_query(stores: Stores, picks: Picks, name: str) -> None:
    cases = _cases(name, picks, stores)
    assert cases
    for params, parts in cases:
        a, b = (store.run(name, params, **parts) for store in (stores.falkordb, stores.neo4j))
        assert_same(_rows(name, a), _rows(name, b), f"{name} {parts} {canon(params)[:300]}")


# ---------------------------------------------------------------------------------------------
# 2. the analytics


def _outcome(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)`, or its refusal (type and message: the same error on both)."""
    try:
        return fn(*args, **kwargs)
    except ValueError as exc:  # RequestError, QueryLimitError, PathError …
        return {"error": type(exc).__name__, "message": str(exc)}


def _both(stores: Stores, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`fn(store, *args, **kwargs)` on both stores, compared; FalkorDB's answer."""
    a, b = (_outcome(fn, s, *args, **kwargs) for s in (stores.falkordb, stores.neo4j))
    assert_same(a, b, what)
    return a


def _paths(store: GraphStore, a: str, b: str, **kwargs: Any) -> list[dict[str, Any]]:
    return [p.as_dict() for p in find_paths(store, a, b, **kwargs)]


def _overlaps(store: GraphStore, initiative: str, limit: int = 20) -> list[dict[str, Any]]:
    return [o.as_dict() for o in overlaps(store, initiative, limit=limit)]


def _search(store: GraphStore, q: str, kind: str | None) -> list[dict[str, Any]]:
    return [vars(h) for h in search(store, q, kind=kind, limit=30)]


def test_paths(stores: Stores, picks: Picks) -> None:
    some_types = ["HAS_ROLE", "MEMBER_OF", "PART_OF", "PARTICIPATES_IN"]
    variants: list[dict[str, Any]] = [
        {},
        {"k": 5},
        {"k": 3, "via_kinds": ["Person", "Initiative"]},
        {"k": 2, "rel_types": some_types},
    ]
    found = 0
    for a, b in picks.path_pairs():
        for v in variants:
            out = _both(stores, f"find_paths({a}, {b}, {v})", _paths, a, b, **v)
            found += len(out) if isinstance(out, list) else 0
    # more shortest paths than find_paths asks the database for (30 of six steps, limit 20):
    # each engine returned a different 20 before path.all_shortest ordered them
    nordland = _both(
        stores, "Kristiansand → Nordland", _paths, KRISTIANSAND, "county:18", k=5, max_hops=6
    )
    assert [p["length"] for p in nordland] == [6] * 5
    for bad in ({"k": 9}, {"max_hops": 0}, {"via_kinds": ["Planet"]}):
        _both(stores, f"find_paths {bad}", find_paths, BENTE, MISSING, **bad)
    assert found > 10  # most pairs are connected: this compared real paths


def test_ego_networks_and_subgraphs(stores: Stores, picks: Picks) -> None:
    for node_id in (BENTE, FLERE_I_ARBEID, picks.person, picks.hub, picks.self_loop, MISSING):
        for hops, limit in ((1, 200), (2, 200), (2, 25), (3, 2000)):
            what = f"ego_network({node_id}, {hops}, {limit})"
            _both(stores, what, ego_network, node_id, hops=hops, limit=limit)
    for node_id in (SAMHANDLINGSKOMMUNEN, picks.programme, picks.hub):
        for hops, limit in ((1, 5000), (2, 5000), (3, 40)):
            what = f"subgraph({node_id}, {hops}, {limit})"
            _both(stores, what, GraphStore.subgraph, node_id, hops, limit=limit)


def test_overlaps_matrix_and_missing_links(stores: Stores, picks: Picks) -> None:
    initiatives = [SAMHANDLINGSKOMMUNEN, FLERE_I_ARBEID, picks.programme, picks.project]
    for i in [*initiatives, picks.parallel[1]]:
        _both(stores, f"overlaps({i})", _overlaps, i)
    _both(stores, "overlaps(limit=500)", _overlaps, picks.project, limit=500)
    for owner in (FLERE_I_ARBEID, picks.programme, SAMHANDLING_OG_INNOVASJON, picks.unit):
        chosen = _both(stores, f"initiatives_of({owner})", initiatives_of, owner)
        _both(stores, f"overlap_matrix({owner})", overlap_matrix, chosen)
    _both(stores, "overlap_matrix(several)", overlap_matrix, initiatives)
    # missing_links: /api/v1/missing-links below (a scan of every pair, so only once)
    for i in (picks.person, picks.organisation, picks.self_loop, KRISTIANSAND, MISSING):
        _both(stores, f"initiatives_of({i})", initiatives_of, i)


def _measures(store: GraphStore, projection: str, scope: list[str] | None) -> dict[str, Any]:
    result = measures(store, projection, scope=scope)
    # computed_at is the time of computing (now), not a property of the graph
    result.pop("computed_at")
    return {**result, "brokers": brokers(result, 25)}


def test_measures_and_brokers(stores: Stores, picks: Picks) -> None:
    programme = initiatives_of(stores.falkordb, picks.programme)
    flere = initiatives_of(stores.falkordb, FLERE_I_ARBEID)
    for projection, scope in (
        # the whole graph's organisation projection: /api/v1/measures (its default) below
        ("initiative", programme),
        ("person", flere),
        ("organisation", programme),
        ("organisation", flere),
    ):
        _both(stores, f"measures({projection}, {scope[0]})", _measures, projection, scope)


def test_search(stores: Stores) -> None:
    for q, kind in (
        ("flere", "Initiative"),
        ("Kari Nordmann", "Person"),
        ("gen satsing 012", None),
        ("GO14", "Organisation"),
    ):
        _both(stores, f"search({q}, {kind})", _search, q, kind)


@pytest.fixture(scope="module")
def scans(stores: Stores, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], ...]:
    """Possible duplicates among the nodes (`samgraf review scan`), on each backend."""
    from graph.resolve.aliases import load_aliases
    from graph.resolve.scoring import Thresholds
    from importers.reference import load_reference
    from importers.resolution import historic_table, place_names, scan_graph

    settings = stores.settings["falkordb"]
    ref = load_reference(settings.data_dir / "reference")
    aliases = load_aliases(settings.data_dir, historic_table(ref), place_names(ref))
    queue = ReviewQueue(tmp_path_factory.mktemp("scan") / "review.sqlite")
    th = Thresholds(auto=settings.er_auto, review=settings.er_review)
    return stores.both(lambda s: scan_graph(s, queue, aliases, th))


def test_duplicate_scan_and_import_dry_run(
    stores: Stores, scans: tuple[list[Any], ...], tmp_path: Path
) -> None:
    from importers.run import run_import

    pairs = [[p.as_dict() for p in pairs] for pairs in scans]
    assert_same(pairs[0], pairs[1], "scan_graph")
    assert len(pairs[0]) > 100
    queue = ReviewQueue(tmp_path / "review.sqlite")
    xlsx = REPO_ROOT / "data" / "examples" / "prosjektportalen.xlsx"  # partnere.csv: the CLI

    def dry_run(store: GraphStore) -> dict[str, Any]:
        settings = stores.settings[store.backend]
        return run_import(store, settings, xlsx, None, dry_run=True, queue=queue).as_dict()

    _both(stores, "run_import(prosjektportalen.xlsx, dry_run)", dry_run)


# ---------------------------------------------------------------------------------------------
# 3. every GET route of /api/v1

V1 = "/api/v1"
API_KEY = "parity-nokkel"
SNAPSHOT_DATES = ("2026-01-01", "2026-04-01")


@pytest.fixture(scope="module")
def review_items(stores: Stores, scans: tuple[list[Any], ...]) -> list[str]:
    """Merge proposals in the shared review queue (the 40 best duplicate pairs)."""
    queue = ReviewQueue(stores.env["falkordb"]["SAMGRAF_REVIEW_DB"])
    return queue.propose_many([p.proposal() for p in scans[0][:40]])


def _canon_xml(body: bytes, declared: str, leaf: str, ref: str, value: str | None) -> Any:
    """GraphML or GEXF as (declared attributes, nodes, edges) with the attributes named: the
    files number their attributes in the order they first meet them, which follows the order
    the engine returns a node's properties in (see graph.dialect)."""
    root = ElementTree.fromstring(body)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    names = {
        el.get("id"): tuple(v for k, v in sorted(el.attrib.items()) if k != "id")
        for el in root.iter(ns + declared)
    }

    def items(tag: str) -> list[Any]:
        return [
            (
                sorted(el.attrib.items()),
                sorted(
                    (names[v.get(ref)], v.get(value) if value else v.text)
                    for v in el.iter(ns + leaf)
                ),
            )
            for el in root.iter(ns + tag)
        ]

    return sorted(names.values()), items("node"), items("edge")


def _xlsx(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        # docProps/core.xml holds the time the workbook was written
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


#: how each export format is compared: by content, not bytes (see _canon_xml and _xlsx)
EXPORTS: dict[str, Callable[[bytes], Any]] = {
    "json": json.loads,
    "graphml": lambda b: _canon_xml(b, "key", "data", "key", None),
    "gexf": lambda b: _canon_xml(b, "attribute", "attvalue", "for", "value"),
    "xlsx": _xlsx,
}


def _api_cases(p: Picks, items: list[str]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Requests per route (path template → [(url, query parameters)])."""

    def each(template: str, values: list[str], **params: Any) -> list[tuple[str, dict[str, Any]]]:
        return [(template.format(quote(v, safe="")), params) for v in values]

    ids = p.node_ids()
    initiatives = [SAMHANDLINGSKOMMUNEN, FLERE_I_ARBEID, p.programme, p.project, BENTE]
    rels = [*p.rels.values(), f"{BENTE}|HAS_ROLE|{SAMHANDLINGSKOMMUNEN}|arbeidsgruppe", "x|y"]
    pairs = p.path_pairs()
    return {
        "/api/v1/nodes": [
            ("/api/v1/nodes", q)
            for q in (
                {},
                {"kind": "Person", "limit": 500},
                {"kind": "Initiative", "prop": "status", "value": "avsluttet", "sort": "kind"},
                {"q": "ø", "sort": "kind", "offset": 20},
                {"sort": "id", "offset": 4000, "limit": 100},
                {"prop": "kommunenummer", "value": "4204"},
                {"prop": "email", "value": "p1@gen.example"},  # not public: refused
                {"kind": "Planet"},
            )
        ],
        "/api/v1/nodes/{node_id}": each("/api/v1/nodes/{}", ids),
        "/api/v1/nodes/{node_id}/relationships": [
            *each("/api/v1/nodes/{}/relationships", ids),
            *each("/api/v1/nodes/{}/relationships", [p.hub], type="PARTICIPATES_IN", offset=5),
            *each("/api/v1/nodes/{}/relationships", [p.person, BENTE], direction="out"),
        ],
        "/api/v1/nodes/{node_id}/ego": [
            *each("/api/v1/nodes/{}/ego", ids),
            *each("/api/v1/nodes/{}/ego", [BENTE, p.person, p.hub], hops=2, limit=30),
        ],
        "/api/v1/search": [
            ("/api/v1/search", q)
            for q in ({"q": "flere i arbeid"}, {"q": "Kari", "kind": "Person", "limit": 50})
        ],
        "/api/v1/relationships/{rel_id}/provenance": each(
            "/api/v1/relationships/{}/provenance", rels
        ),
        "/api/v1/paths": [
            *(("/api/v1/paths", {"from": a, "to": b, "k": 3}) for a, b in pairs),
            ("/api/v1/paths", {"from": BENTE, "to": FLERE_I_ARBEID, "via_kinds": "Person"}),
            (
                "/api/v1/paths",
                {"from": p.person, "to": p.programme, "rel_types": "HAS_ROLE,PART_OF"},
            ),
            ("/api/v1/paths", {"from": KRISTIANSAND, "to": "county:18", "k": 5, "max_hops": 6}),
            ("/api/v1/paths", {"from": BENTE, "to": MISSING}),
        ],
        "/api/v1/initiatives/{initiative_id}/overlaps": each(
            "/api/v1/initiatives/{}/overlaps", initiatives, limit=50
        ),
        "/api/v1/overlaps/matrix": [
            ("/api/v1/overlaps/matrix", q)
            for q in (
                {"programme": FLERE_I_ARBEID},
                {"programme": p.programme},
                {"unit": SAMHANDLING_OG_INNOVASJON},
                {"unit": p.organisation},
                {"ids": f"{SAMHANDLINGSKOMMUNEN},{FLERE_I_ARBEID},{p.project}"},
            )
        ],
        "/api/v1/missing-links": [("/api/v1/missing-links", {"limit": 100})],
        "/api/v1/measures": [
            ("/api/v1/measures", q)
            for q in (
                {},
                {"projection": "person", "scope": FLERE_I_ARBEID},
                {"projection": "initiative", "scope": p.programme},
            )
        ],
        "/api/v1/measures/snapshots": [
            ("/api/v1/measures/snapshots", {"scope": FLERE_I_ARBEID}),
            ("/api/v1/measures/snapshots", {}),
        ],
        "/api/v1/measures/snapshots/compare": [
            (
                "/api/v1/measures/snapshots/compare",
                {"from": SNAPSHOT_DATES[0], "to": SNAPSHOT_DATES[1], "scope": FLERE_I_ARBEID},
            )
        ],
        "/api/v1/export": [("/api/v1/export", {"format": f}) for f in EXPORTS],
        "/api/v1/review": [("/api/v1/review", {"status": "all", "limit": 1000})],
        "/api/v1/review/{item_id}": each("/api/v1/review/{}", items[:5]),
    }


def _answer(client: TestClient, url: str, params: dict[str, Any], key: bool) -> Any:
    # identity: gzip would only cost time (the exports are megabytes)
    headers = {"Accept-Encoding": "identity", **({"X-API-Key": API_KEY} if key else {})}
    r = client.get(url, params=params, headers=headers)
    media = r.headers["content-type"].split(";")[0]
    if url == f"{V1}/export" and r.status_code == 200:
        body = EXPORTS[params["format"]](r.content)
    else:
        body = r.json()
    if isinstance(body, dict) and url == f"{V1}/measures":
        # the time the measures were computed (now), not a property of the graph
        body.pop("computed_at", None)
    return {"status": r.status_code, "type": media, "body": body}


def test_api_v1_get_routes(
    stores: Stores, picks: Picks, review_items: list[str], tmp_path: Path
) -> None:
    from api.security import hash_key

    clients: dict[str, TestClient] = {}
    stack = contextlib.ExitStack()
    for backend, store in (("falkordb", stores.falkordb), ("neo4j", stores.neo4j)):
        settings = Settings(
            db_path=tmp_path / backend,  # snapshots, per backend
            data_dir=REPO_ROOT / "data",
            api_key_hash=hash_key(API_KEY),
            review_db=Path(stores.env["falkordb"]["SAMGRAF_REVIEW_DB"]),  # shared (SQLite)
            api_cache_seconds=0,
        )
        scope = initiatives_of(store, FLERE_I_ARBEID)
        for date in SNAPSHOT_DATES:
            result = measures(store, "organisation", scope=scope)
            snapshots.save(settings, result, date=date, scope_key=FLERE_I_ARBEID)
        clients[backend] = stack.enter_context(TestClient(create_app(store, settings)))
    with stack, pytest.MonkeyPatch.context() as mp:
        # /export reads the whole graph for each format: read once per store and scope (by
        # the first, JSON, request, as the route does) and reused for the other formats,
        # which are written from it; the data do not change in between (~10 s saved)
        snapshots_read: dict[tuple[str, bool], Any] = {}
        read = graph.export.snapshot

        def snapshot_once(store: GraphStore, public: bool = True) -> Any:
            key = (store.backend, public)
            if key not in snapshots_read:
                snapshots_read[key] = read(store, public=public)
            return snapshots_read[key]

        mp.setattr(graph.export, "snapshot", snapshot_once)
        _walk_api(clients, _api_cases(picks, review_items))
        # the node look-up outside /api/v1 (the explorer's): each node with its neighbours
        for node_id in picks.node_ids():
            url = f"/nodes/{quote(node_id, safe='')}"
            a, b = (_answer(clients[backend], url, {}, False) for backend in clients)
            assert_same(a, b, f"GET {url}")


def _walk_api(
    clients: dict[str, TestClient], cases: dict[str, list[tuple[str, dict[str, Any]]]]
) -> None:
    openapi = clients["falkordb"].app.openapi()  # type: ignore[attr-defined]
    routes = {
        path for path, ops in openapi["paths"].items() if path.startswith(V1) and "get" in ops
    }
    assert routes == set(cases), "every GET route under /api/v1 needs requests here"
    for template, requests in sorted(cases.items()):
        assert requests, template
        for url, params in requests:
            # public reads for every request; the internal scope (API key) also for the nodes,
            # which show it people's e-mail and phone (the internal export adds only those to
            # the public one, and test_read_query[graph.nodes] compares them)
            for key in (False, True) if url.startswith(f"{V1}/nodes") else (False,):
                a = _answer(clients["falkordb"], url, params, key)
                b = _answer(clients["neo4j"], url, params, key)
                assert_same(a, b, f"GET {url} {params}{' (key)' if key else ''}")


# ---------------------------------------------------------------------------------------------
# 4. the command line


def _cli_cases(p: Picks, items: list[str]) -> list[tuple[str, ...]]:
    """One run of every read-only verb with --json (`export` has no --json: it is JSON)."""
    return [
        ("stats", "--json"),
        (
            "cypher",
            "MATCH (m:Municipality {kommunenummer: $k})-[r]-(x) "
            "RETURN m.name AS name, type(r) AS type, x.id AS other ORDER BY other, type",
            "--param",
            'k="4204"',
            "--json",
        ),
        ("paths", "Bente Woldstad", "Flere i arbeid", "-k", "3", "--via", "Person,Unit", "--json"),
        ("overlaps", "Samhandlingskommunen", "--json"),
        ("matrix", "--unit", p.organisation, "--json"),
        ("missing-links", "--limit", "40", "--json"),
        ("brokers", "--projection", "initiative", "--scope", p.programme, "--json"),
        ("report", "--initiative", "Flere i arbeid", "--hops", "1", "-o", "r.html", "--json"),
        ("review", "list", "--json"),
        ("review", "show", items[0], "--json"),
        ("review", "scan", "--dry-run", "--json"),
        (
            "import",
            str(REPO_ROOT / "data" / "examples" / "partnere.csv"),
            "--mapping",
            "partners",
            "--dry-run",
            "--json",
        ),
    ]


def _cli_answer(args: tuple[str, ...], stdout: str) -> Any:
    body = json.loads(stdout)
    if args[0] == "stats":
        # names the engine it ran on: the one answer that must differ
        assert body.pop("backend") in ("falkordb", "neo4j")
    if args[0] == "brokers":
        # the time the measures were computed (now), not a property of the graph
        body.pop("computed_at")
    return body


CliRuns = list[tuple[tuple[str, ...], dict[str, "Future[subprocess.CompletedProcess[str]]"]]]


@pytest.fixture(scope="module", autouse=True)
def cli_runs(
    stores: Stores, picks: Picks, review_items: list[str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CliRuns]:
    """Every CLI run, started in the background as soon as the data is there: the subprocesses
    use the other core while this process compares everything else (`test_cli_json` waits
    for them). Finished before the data is removed (fixtures end in reverse order)."""
    cwd = {b: tmp_path_factory.mktemp(f"cli-{b}") for b in ("falkordb", "neo4j")}  # `report`

    def run(args: tuple[str, ...], backend: str) -> subprocess.CompletedProcess[str]:
        return run_samgraf(stores.env[backend], *args, cwd=cwd[backend], check=False)

    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="parity-cli")
    try:
        yield [
            (args, {b: pool.submit(run, args, b) for b in ("falkordb", "neo4j")})
            for args in _cli_cases(picks, review_items)
        ]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def test_cli_json(cli_runs: CliRuns) -> None:
    for args, futures in cli_runs:
        answers = []
        for backend, future in futures.items():
            out = future.result()
            assert out.returncode == 0, f"samgraf {' '.join(args)} on {backend}: {out.stderr}"
            answers.append(_cli_answer(args, out.stdout))
        assert_same(answers[0], answers[1], "samgraf " + " ".join(args)[:200])
