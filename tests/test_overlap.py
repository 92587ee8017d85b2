"""Overlap between initiatives, the overlap matrix and missing links, on the bundled dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.limits import QueryLimitError
from graph.overlap import initiatives_of, load_config, missing_links, overlap_matrix, overlaps
from graph.store import GraphStore

SAMHANDLINGSKOMMUNEN = "initiative:sak:2020105285-1"
FLERE_I_ARBEID = "initiative:sak:2021019954-3"
MER_TREFFSIKKER = "initiative:mer-treffsikker-innsats-for-arbeidsinkludering"
AGDER_UTENFORSKAP = (
    "initiative:prosjekt-som-skal-utvikle-nye-metoder-for-å-forebygge-utenforskap-"
    "blant-utsatt-ungdom"
)


def test_overlaps_of_samhandlingskommunen_ranked_with_what_they_share(loaded: GraphStore) -> None:
    results = [r.as_dict() for r in overlaps(loaded, SAMHANDLINGSKOMMUNEN)]
    ranked = [r["initiative"]["name"] for r in results]
    # Why Flere i arbeid first: it shares the most with the project, item by item:
    # - Kommunedirektørens ledergruppe is the project's steering group
    #   (styringsdokument-samhandlingskommunen.txt:326) and owner of the dependency on Flere i
    #   arbeid (line 481: "KDL, programleder, prosjektledere");
    # - Statsforvalteren funds both (styringsdokument line 505, referat line 290);
    # - Kristiansand kommune funds both (styringsdokument line 505 via internal resources,
    #   referat line 280: bystyrets bevilgning);
    # - both address "samhandling" (styringsdokument line 35, referat line 110).
    assert ranked[0] == "Flere i arbeid"
    fia = results[0]
    shared = {(s["node"]["name"], s["category"]) for s in fia["shared"]}
    assert {
        ("Kommunedirektørens ledergruppe", "unit"),
        ("Statsforvalteren", "funder"),
        ("Kristiansand", "funder"),
        ("Samhandling", "theme"),
    } <= shared
    # the dependency in chapter 8 (line 481) is recorded
    assert fia["has_dependency"] is True
    assert fia["explanation"].startswith("Deler 1 enhet (Kommunedirektørens ledergruppe)")
    assert "2 finansiører" in fia["explanation"]
    for item in fia["shared"]:
        assert item["sources"], item
        assert len(item["via"]) == 2
    # Mer treffsikker innsats (Flere i arbeid's project 7, referat line 189) shares Akselerator
    # Kristiansand: the steering document says the project should be coupled to
    # "UNILAB/Akselerator Kristiansand" (line 345), which project 7 establishes (referat 196).
    mer = next(r for r in results if r["initiative"]["id"] == MER_TREFFSIKKER)
    assert [s["node"]["name"] for s in mer["shared"]] == ["Akselerator Kristiansand"]
    assert mer["shared"][0]["category"] == "partner"
    assert mer["has_dependency"] is False
    # JegEr Ung shares only Statsforvalteren as a funder (line 495 and 505), and Statsforvalteren
    # funds three initiatives: the lowest score of all
    assert ranked[-1] == "JegEr Ung"
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert results[0]["score"] > results[1]["score"] > results[-1]["score"] > 0


def test_overlap_matrix_of_the_projects_of_flere_i_arbeid(loaded: GraphStore) -> None:
    ids = initiatives_of(loaded, FLERE_I_ARBEID)
    # Why: the minutes list seven projects of the programme (referat lines 156-192,
    # "Prosjekt 1" … "Prosjekt 7"), while saying "6 prosjektene" (line 154).
    names = {n["name"] for n in overlap_matrix(loaded, ids)["initiatives"]}
    assert names == {
        "Flere i arbeid",
        "Yrkesrettede utdanningsvalg",
        "Gjennomføre videregående skole",
        "Fra stønad til arbeid",
        "Kommunen som arbeidsgiver",
        "Inkludering og kvalifisering i bedrifter",
        "Nye og flere arbeidsplasser",
        "Mer treffsikker innsats for arbeidsinkludering",
    }
    # Among themselves the projects share nothing the documents record: the partners are
    # named for the programme as a whole (referat line 122, "prosjekteiere for flere av
    # prosjektene" without saying which), and being parts of the same programme is
    # coordination, not overlap. Adding Samhandlingskommunen shows where they do overlap.
    m = overlap_matrix(loaded, [*ids, SAMHANDLINGSKOMMUNEN])
    pairs = {frozenset((p["a"]["id"], p["b"]["id"])): p for p in m["pairs"]}
    assert set(pairs) == {
        frozenset((FLERE_I_ARBEID, SAMHANDLINGSKOMMUNEN)),
        frozenset((MER_TREFFSIKKER, SAMHANDLINGSKOMMUNEN)),
    }
    assert pairs[frozenset((MER_TREFFSIKKER, SAMHANDLINGSKOMMUNEN))]["explanation"] == (
        "Deler 1 partner (Akselerator Kristiansand)"
    )
    order = [n["id"] for n in m["initiatives"]]
    i, j = order.index(FLERE_I_ARBEID), order.index(SAMHANDLINGSKOMMUNEN)
    assert m["matrix"][i][j] == m["matrix"][j][i] > 0
    assert all(m["matrix"][k][k] == 0 for k in range(len(order)))
    with pytest.raises(QueryLimitError, match="matrix"):
        overlap_matrix(loaded, [f"initiative:{n}" for n in range(101)])


def test_missing_links_suggest_coordination_with_the_agder_research_project(
    loaded: GraphStore,
) -> None:
    links = missing_links(loaded, limit=50)
    pairs = {frozenset((p["a"]["id"], p["b"]["id"])): p for p in links}
    # Why: Agder fylkeskommune is a partner in the leadership of Flere i arbeid (referat
    # line 122) and runs the research project on preventing exclusion among vulnerable youth
    # (line 216); the minutes say Kristiansand wants such research "samordnes bedre" (line
    # 214), and no dependency between the two is recorded anywhere.
    agder = pairs[frozenset((FLERE_I_ARBEID, AGDER_UTENFORSKAP))]
    assert [s["node"]["name"] for s in agder["shared"]] == ["Agder fylkeskommune"]
    assert agder["explanation"].startswith(
        "Deler 1 partner (Agder fylkeskommune). Ingen avhengighet"
    )
    assert agder["shared"][0]["sources"]
    # Recorded coordination is never suggested: Samhandlingskommunen depends on Flere i arbeid
    # (styringsdokument line 481), and through it on its project Mer treffsikker innsats.
    assert frozenset((FLERE_I_ARBEID, SAMHANDLINGSKOMMUNEN)) not in pairs
    assert frozenset((MER_TREFFSIKKER, SAMHANDLINGSKOMMUNEN)) not in pairs
    scores = [p["score"] for p in links]
    assert scores == sorted(scores, reverse=True)


def test_weights_come_from_the_configuration(loaded: GraphStore, tmp_path: Path) -> None:
    cfg = tmp_path / "w.yaml"
    cfg.write_text(
        "weights: {theme: 100}\nrelationships: [PARTNER_IN, FUNDS, ADDRESSES, PARTICIPATES_IN]\n"
    )
    results = overlaps(loaded, SAMHANDLINGSKOMMUNEN, config=load_config(cfg))
    fia = next(r for r in results if r.initiative["name"] == "Flere i arbeid")
    # "Samhandling" is shared by exactly two initiatives: 100 / ln 2
    assert fia.score > 100 / 0.6932
    # only the configured relationship types count: no HAS_ROLE, TARGETS, LOCATED_IN
    assert {tuple(s["via"]) for s in fia.shared} <= {
        (a, b)
        for a in ("PARTNER_IN", "FUNDS", "ADDRESSES", "PARTICIPATES_IN")
        for b in ("PARTNER_IN", "FUNDS", "ADDRESSES", "PARTICIPATES_IN")
    }
    bad = tmp_path / "bad.yaml"
    bad.write_text("weights: {colour: 1}\nrelationships: [FUNDS]\n")
    with pytest.raises(ValueError, match="ukjente kategorier"):
        load_config(bad)


def test_an_answer_cut_by_the_row_limit_is_refused_not_partial(
    loaded: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graph.overlap as overlap_module

    # Samhandlingskommunen shares more than three items with other initiatives (see above)
    monkeypatch.setattr(overlap_module, "ROW_LIMIT", 3)
    with pytest.raises(QueryLimitError, match="overlap_rows"):
        overlaps(loaded, SAMHANDLINGSKOMMUNEN)
    with pytest.raises(QueryLimitError, match="overlap_rows"):
        missing_links(loaded)
