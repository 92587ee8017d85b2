"""Brokers and structure: network measures on a projection the user chooses.

Projections (built from membership relationships in the store, projected with networkx's
bipartite `weighted_projected_graph`; edge weight = number of shared contexts):

- ``person``: people linked when they have a role in, or are members of, the same initiative
  or unit;
- ``organisation``: organisations, units, municipalities and funding sources linked when they
  take part in, partner in or fund the same initiative;
- ``initiative``: initiatives linked when they share a member (person, organisation, unit,
  municipality or funder).

The measures are plain functions over a networkx graph (`compute_measures`): degree
centrality, betweenness centrality, PageRank, Burt's constraint (low constraint = a broker
between otherwise separate groups) and Louvain communities (`networkx.community`, seeded so
the result is reproducible).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

import networkx as nx
from networkx.algorithms import bipartite

from graph.limits import RequestError, check
from graph.model import NODE_KINDS

PROJECTIONS: dict[str, dict[str, Any]] = {
    "person": {
        "label": "personer som deler satsinger eller enheter",
        "types": ["HAS_ROLE", "MEMBER_OF", "PARTNER_IN", "PARTICIPATES_IN"],
        "member_kinds": ["Person"],
        "context_kinds": ["Initiative", "Unit"],
        "project_on": "member",
    },
    "organisation": {
        "label": "organisasjoner, enheter, kommuner og finansiører som deler satsinger",
        "types": ["PARTNER_IN", "PARTICIPATES_IN", "FUNDS"],
        "member_kinds": ["Organisation", "Unit", "Municipality", "FundingSource"],
        "context_kinds": ["Initiative"],
        "project_on": "member",
    },
    "initiative": {
        "label": "satsinger som deler medlemmer",
        "types": ["PARTNER_IN", "PARTICIPATES_IN", "FUNDS", "HAS_ROLE"],
        "member_kinds": ["Person", "Organisation", "Unit", "Municipality", "FundingSource"],
        "context_kinds": ["Initiative"],
        "project_on": "context",
    },
}
SEED = 42


class AnalysisError(RequestError):
    """A request this module cannot answer (see `RequestError`)."""


def bipartite_graph(rows: list[dict[str, Any]], project_on: str) -> tuple[nx.Graph, set[str]]:
    """A bipartite graph member–context from membership rows; returns it and the kept side."""
    g = nx.Graph()
    keep: set[str] = set()
    other = "context" if project_on == "member" else "member"
    for r in rows:
        a, b = r[project_on], r[other]
        g.add_node(a, kind=r[f"{project_on}_kind"], name=r[f"{project_on}_name"], side=0)
        g.add_node(b, kind=r[f"{other}_kind"], name=r[f"{other}_name"], side=1)
        g.add_edge(a, b)
        keep.add(a)
    return g, keep


def project(g: nx.Graph, keep: set[str]) -> nx.Graph:
    """The weighted one-mode projection on `keep` (weight = shared neighbours).

    Its nodes and edges are put in sorted order: networkx builds the projection from sets,
    whose order changes with every process (string hashing), and the order decides Louvain's
    communities and the sampled betweenness; unsorted, two processes (two API workers, or the
    same query on the two backends) gave different communities for the same graph.
    """
    p = bipartite.weighted_projected_graph(g, sorted(keep))
    out = nx.Graph()
    out.add_nodes_from(sorted(p.nodes(data=True)))
    out.add_edges_from(sorted((*sorted((a, b)), d) for a, b, d in p.edges(data=True)))
    for _, _, data in out.edges(data=True):
        data["distance"] = 1.0 / data["weight"]
    return out


#: above this many nodes betweenness is estimated from BETWEENNESS_SAMPLES sources (networkx's
#: `k`, seeded): exact betweenness is O(n·m) and would hold a worker for minutes
EXACT_BETWEENNESS_MAX = 2_000
BETWEENNESS_SAMPLES = 500


def compute_measures(g: nx.Graph) -> dict[str, dict[str, Any]]:
    """Degree, betweenness, PageRank, Burt's constraint and community of every node."""
    if g.number_of_nodes() == 0:
        return {}
    degree = nx.degree_centrality(g) if g.number_of_nodes() > 1 else {n: 0.0 for n in g}
    sample = BETWEENNESS_SAMPLES if g.number_of_nodes() > EXACT_BETWEENNESS_MAX else None
    betweenness = nx.betweenness_centrality(
        g, k=sample, weight="distance", normalized=True, seed=SEED
    )
    pagerank = (
        nx.pagerank(g, weight="weight")
        if g.number_of_edges()
        else {n: 1.0 / g.number_of_nodes() for n in g}
    )
    constraint = nx.constraint(g, weight="weight")
    communities = nx.community.louvain_communities(g, weight="weight", seed=SEED)
    community_of = {
        n: i
        for i, members in enumerate(sorted(communities, key=lambda c: (-len(c), sorted(c)[0])))
        for n in members
    }
    out = {}
    for n in g:
        c = constraint.get(n)
        out[n] = {
            "degree": g.degree(n),
            "degree_centrality": round(degree[n], 6),
            "betweenness": round(betweenness[n], 6),
            "pagerank": round(pagerank[n], 6),
            "constraint": None if c is None or math.isnan(c) else round(c, 6),
            "community": community_of[n],
        }
    return out


def _scope_rows(rows: list[dict[str, Any]], scope_ids: set[str]) -> list[dict[str, Any]]:
    """The network around a set of initiatives: their members, every other context those
    members take part in, and the members of those (so bridges to other groups show)."""
    members = {r["member"] for r in rows if r["context"] in scope_ids} | scope_ids
    contexts = {r["context"] for r in rows if r["member"] in members} | scope_ids
    return [r for r in rows if r["context"] in contexts]


def measures(
    store: Any, projection: str = "organisation", scope: list[str] | None = None
) -> dict[str, Any]:
    """Network measures on a projection, optionally around a set of initiatives (`scope`)."""
    if projection not in PROJECTIONS:
        raise AnalysisError(
            f"ukjent projeksjon {projection!r}; tillatte: {', '.join(PROJECTIONS)}", "projection"
        )
    spec = PROJECTIONS[projection]
    rows = store.run(
        "measures.memberships",
        {
            "types": spec["types"],
            "member_kinds": spec["member_kinds"],
            "context_kinds": spec["context_kinds"],
        },
    )
    # in a canonical order, not the engine's: the order nodes and edges enter the graph
    # decides Louvain's communities, the sampled sources of betweenness and the last digits of
    # PageRank, which then differed between the backends
    rows.sort(key=lambda r: (r["member"], r["context"], r["type"]))
    if scope:
        rows = _scope_rows(rows, set(scope))
    bg, keep = bipartite_graph(rows, spec["project_on"])
    check("projection_nodes", len(keep), "scope" if scope else "projection")
    g = project(bg, keep)
    values = compute_measures(g)
    nodes = []
    for n, m in values.items():
        kind = g.nodes[n]["kind"]
        nodes.append(
            {
                "id": n,
                "kind": kind,
                "kind_label": NODE_KINDS[kind].label_no,
                "name": g.nodes[n]["name"],
                **m,
            }
        )
    nodes.sort(key=lambda x: (-x["betweenness"], -x["degree"], x["name"]))
    groups: dict[int, list[str]] = defaultdict(list)
    for x in nodes:
        groups[x["community"]].append(x["id"])
    return {
        "projection": projection,
        "description": spec["label"],
        "scope": scope or None,
        "computed_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "node_count": g.number_of_nodes(),
        "betweenness_sampled": g.number_of_nodes() > EXACT_BETWEENNESS_MAX,
        "edge_count": g.number_of_edges(),
        "nodes": nodes,
        "communities": [groups[i] for i in sorted(groups)],
    }


def brokers(result: dict[str, Any], limit: int = 10) -> list[dict[str, Any]]:
    """The top brokers of a `measures` result: highest betweenness, then lowest constraint."""
    ranked = [n for n in result["nodes"] if n["betweenness"] > 0]
    ranked.sort(key=lambda n: (-n["betweenness"], n["constraint"] or 1.0, n["name"]))
    return ranked[:limit]
