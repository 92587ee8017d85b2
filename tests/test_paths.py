"""Explained paths and ego networks on the bundled Kristiansand dataset (every backend)."""

from __future__ import annotations

import pytest

from graph.ego import EgoError, ego_network
from graph.limits import QueryLimitError
from graph.paths import PathError, find_paths
from graph.store import GraphStore

BENTE = "person:bente-woldstad"
SAMHANDLINGSKOMMUNEN = "initiative:sak:2020105285-1"
FLERE_I_ARBEID = "initiative:sak:2021019954-3"


def test_path_from_working_group_member_to_flere_i_arbeid_is_explained(loaded: GraphStore) -> None:
    # Why: styringsdokument-samhandlingskommunen.txt:165 names Bente Woldstad in the working
    # group ("arbeidsgruppe") that did the project's day-to-day work, and line 481 (chapter 8,
    # "Prosjektets avhengigheter") lists Flere i arbeid as the project's first dependency,
    # "Tjenesteutvikling som forutsetter samhandling mellom ulike aktører". So the shortest
    # connection is two hops: Bente -> Samhandlingskommunen -> Flere i arbeid.
    paths = find_paths(loaded, BENTE, FLERE_I_ARBEID)
    assert len(paths) == 1
    best = paths[0].as_dict()
    assert best["length"] == 2
    assert [n["name"] for n in best["nodes"]] == [
        "Bente Woldstad",
        "Samhandlingskommunen Kristiansand – Innbyggerdialog og sammenhengende tjenester",
        "Flere i arbeid",
    ]
    first, second = best["hops"]
    assert first["type"] == "HAS_ROLE" and first["direction"] == "out"
    assert first["explanation"].startswith(
        "Bente Woldstad er med i arbeidsgruppe for Samhandlingskommunen"
    )
    assert "styringsdokument-samhandlingskommunen.txt:165" in first["sources"]
    assert second["type"] == "DEPENDS_ON" and second["direction"] == "out"
    assert second["explanation"].endswith(
        "er avhengig av Flere i arbeid: Tjenesteutvikling som forutsetter samhandling mellom "
        "ulike aktører"
    )
    assert "styringsdokument-samhandlingskommunen.txt:481" in second["sources"]
    for hop in best["hops"]:  # every hop explained, with sources and NodeRefs
        assert hop["explanation"] and hop["sources"]
        assert set(hop["from"]) == {"id", "kind", "kind_label", "name"}


def test_k_shortest_paths_are_ordered_and_distinct(loaded: GraphStore) -> None:
    # Why: besides the dependency (line 481), the project is funded by Statsforvalteren
    # (styringsdokument line 505: "100.000 kr. i tilskuddet fra Statsforvalteren"), which also
    # gave Flere i arbeid 450 000 (referat line 290): a second route of three hops.
    paths = [p.as_dict() for p in find_paths(loaded, BENTE, FLERE_I_ARBEID, k=5)]
    assert len(paths) == 5
    lengths = [p["length"] for p in paths]
    assert lengths == sorted(lengths) and lengths[0] == 2 and lengths[1] == 3
    routes = [tuple(n["id"] for n in p["nodes"]) for p in paths]
    assert len(set(routes)) == len(routes)
    assert (BENTE, SAMHANDLINGSKOMMUNEN, "organisation:statsforvalteren", FLERE_I_ARBEID) in routes
    for route in routes:  # simple paths: no node twice
        assert len(set(route)) == len(route)


def test_paths_only_through_some_kinds_and_relationships(loaded: GraphStore) -> None:
    # Only through units and municipalities: Bente is in Helse- og mestring (line 165), a unit
    # of Kristiansand, and Kristiansand funds Flere i arbeid (referat line 280, bystyrets
    # bevilgning).
    paths = find_paths(loaded, BENTE, FLERE_I_ARBEID, via_kinds=["Unit", "Municipality"])
    assert [n["kind"] for n in paths[0].nodes[1:-1]] == ["Unit", "Municipality"]
    assert paths[0].nodes[1]["name"] == "Helse- og mestring"
    # without DEPENDS_ON and FUNDS the two hops are gone: the path is longer
    types = ["HAS_ROLE", "MEMBER_OF", "PART_OF", "PARTNER_IN", "LOCATED_IN"]
    longer = find_paths(loaded, BENTE, FLERE_I_ARBEID, rel_types=types)
    assert longer and longer[0].length > 2
    assert all(h["type"] in types for h in longer[0].hops)
    # nothing within one hop
    assert find_paths(loaded, BENTE, FLERE_I_ARBEID, max_hops=1) == []


def test_path_limits_and_errors(loaded: GraphStore) -> None:
    with pytest.raises(QueryLimitError, match="k=6 er over grensen k=5"):
        find_paths(loaded, BENTE, FLERE_I_ARBEID, k=6)
    with pytest.raises(QueryLimitError, match="max_hops=7 er over grensen max_hops=6"):
        find_paths(loaded, BENTE, FLERE_I_ARBEID, max_hops=7)
    with pytest.raises(PathError, match="finner ingen node") as exc:
        find_paths(loaded, "person:finnes-ikke", FLERE_I_ARBEID)
    assert exc.value.status == 404 and exc.value.field == "from"
    with pytest.raises(PathError, match="ukjent relasjonstype"):
        find_paths(loaded, BENTE, FLERE_I_ARBEID, rel_types=["KNOWS"])


def test_ego_network_is_capped_ranked_and_counts_what_was_cut(loaded: GraphStore) -> None:
    full = ego_network(loaded, FLERE_I_ARBEID, hops=1, limit=2000)
    # Why: the minutes list the seven projects (referat lines 156-192) as parts of the
    # programme; they are all direct neighbours.
    names = {n["name"] for n in full["nodes"]}
    assert {
        "Yrkesrettede utdanningsvalg",
        "Mer treffsikker innsats for arbeidsinkludering",
    } <= names
    assert full["cut"]["nodes"] == 0
    capped = ego_network(loaded, FLERE_I_ARBEID, hops=2, limit=10)
    assert len(capped["nodes"]) == 10
    assert capped["nodes"][0]["id"] == FLERE_I_ARBEID
    assert capped["cut"]["nodes"] > 0
    assert sum(capped["cut"]["by_kind"].values()) == capped["cut"]["nodes"]
    # nearest first: everything cut at distance 1 means nothing at distance 2 was kept
    kept = {n["distance"] for n in capped["nodes"]}
    if "1" in capped["cut"]["by_distance"]:
        assert 2 not in kept
    for rel in capped["relationships"]:
        assert rel["explanation"]
    with pytest.raises(QueryLimitError):
        ego_network(loaded, FLERE_I_ARBEID, hops=4)
    with pytest.raises(EgoError):
        ego_network(loaded, "initiative:finnes-ikke")
