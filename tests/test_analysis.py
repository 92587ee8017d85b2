"""Network measures on projections and dated snapshots, on the bundled dataset."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from graph import snapshots
from graph.analysis import AnalysisError, brokers, compute_measures, measures
from graph.overlap import initiatives_of
from graph.settings import Settings
from graph.store import GraphStore

FLERE_I_ARBEID = "initiative:sak:2021019954-3"


def test_brokers_in_the_flere_i_arbeid_network(loaded: GraphStore) -> None:
    result = measures(loaded, "organisation", scope=initiatives_of(loaded, FLERE_I_ARBEID))
    top = [b["name"] for b in brokers(result, 5)]
    # Why Statsforvalteren is the strongest broker: it is the one actor in the programme's
    # network that ties three groups together. It is an actor in Flere i arbeid (referat
    # line 135) and funds it (line 290), funds Samhandlingskommunen (styringsdokument line
    # 505) and JegEr Ung (line 495), whose other members are not in Flere i arbeid.
    assert top[0] == "Statsforvalteren"
    # Agder fylkeskommune bridges the programme (referat line 122) to its own research project
    # with NAV and NORCE (line 216); Kommunedirektørens ledergruppe and Kristiansand bridge it
    # to Samhandlingskommunen (styringsdokument lines 326 and 505, referat lines 280, 481).
    assert {"Agder fylkeskommune", "Kommunedirektørens ledergruppe", "Kristiansand"} <= set(top)
    by_name = {n["name"]: n for n in result["nodes"]}
    # a partner known only from the programme bridges nothing: high constraint, no betweenness
    nho = by_name["NHO"]
    assert nho["betweenness"] == 0
    assert nho["constraint"] > by_name["Statsforvalteren"]["constraint"]
    # Louvain puts NAV and NORCE (only in the Agder project) with Agder fylkeskommune's group
    # rather than with Samhandlingskommunen's stakeholders
    assert by_name["NAV"]["community"] == by_name["NORCE Norwegian Research Centre"]["community"]
    assert by_name["NAV"]["community"] != by_name["Innbyggere"]["community"]
    for n in result["nodes"]:
        assert {"degree", "betweenness", "pagerank", "constraint", "community"} <= set(n)


def test_initiative_and_person_projections(loaded: GraphStore) -> None:
    init = measures(loaded, "initiative")
    # Flere i arbeid shares members with more initiatives than any other (KS: Inn i jobb,
    # Varodd: Pilot i eget liv, Sørlandets kompetansefond: LEIDA, Agder fylkeskommune …,
    # referat lines 130-136 and 214-219): it is the hub of the initiative projection.
    assert init["nodes"][0]["name"] == "Flere i arbeid"
    people = measures(loaded, "person")
    names = {n["name"] for n in people["nodes"]}
    # the working group of Samhandlingskommunen (styringsdokument line 165)
    assert {"Bente Woldstad", "Elisabeth Engemyr", "Kristin Skjeldbred"} <= names
    with pytest.raises(AnalysisError):
        measures(loaded, "kommuner")


def test_compute_measures_is_a_plain_function_over_networkx() -> None:
    # two triangles joined through one node: that node is the broker
    g = nx.Graph(
        [
            ("a", "b"),
            ("b", "c"),
            ("a", "c"),
            ("c", "x"),
            ("x", "d"),
            ("d", "e"),
            ("e", "f"),
            ("d", "f"),
        ]
    )
    for _, _, data in g.edges(data=True):
        data["weight"], data["distance"] = 1.0, 1.0
    m = compute_measures(g)
    assert max(m, key=lambda n: m[n]["betweenness"]) == "x"
    assert min(m, key=lambda n: m[n]["constraint"]) in {"x", "c", "d"}
    assert m["a"]["community"] == m["b"]["community"] != m["e"]["community"]


def test_snapshots_are_dated_and_comparable(loaded: GraphStore, tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path)
    first = measures(loaded, "organisation")
    snapshots.save(settings, first, date="2026-01-01")
    second = measures(loaded, "organisation")
    second["nodes"] = [n for n in second["nodes"] if n["name"] != "NHO"]
    snapshots.save(settings, second, date="2026-04-01")
    assert snapshots.list_dates(settings, "organisation") == ["2026-01-01", "2026-04-01"]
    diff = snapshots.compare(
        snapshots.load(settings, "organisation", "2026-01-01"),
        snapshots.load(settings, "organisation", "2026-04-01"),
    )
    status = {n["name"]: n["status"] for n in diff["nodes"]}
    assert status["NHO"] == "borte" and status["Statsforvalteren"] == "begge"
    with pytest.raises(snapshots.SnapshotError):
        snapshots.load(settings, "organisation", "2025-01-01")


def test_a_projection_beyond_the_limit_is_refused(
    loaded: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph.limits import LIMITS, QueryLimitError

    # the organisation projection of the dataset has more than 100 actors (60 municipalities
    # of pulje 2 alone, krd-saman-om-ein-betre-kommune-pulje2.txt:130)
    monkeypatch.setitem(LIMITS, "projection_nodes", 100)
    with pytest.raises(QueryLimitError, match="projection_nodes=100"):
        measures(loaded, "organisation")
    # around one programme it fits
    assert measures(loaded, "organisation", scope=[FLERE_I_ARBEID])["node_count"] < 100
