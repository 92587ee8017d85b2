"""The model: kinds, endpoints, validation, ids, explanations."""

from __future__ import annotations

import pytest

from graph.ids import node_id, normalise_name, rel_id, slug
from graph.model import NODE_KINDS, REL_KINDS, ModelError, explain, legend
from graph.records import GraphBatch, make_node, make_rel


def test_every_kind_the_issue_names_is_declared() -> None:
    assert set(NODE_KINDS) == {
        "Initiative",
        "Organisation",
        "Unit",
        "Person",
        "Municipality",
        "County",
        "TargetGroup",
        "Theme",
        "FundingSource",
        "Document",
    }
    assert {
        "PART_OF",
        "DEPENDS_ON",
        "HAS_ROLE",
        "MEMBER_OF",
        "PARTNER_IN",
        "FUNDS",
        "TARGETS",
        "ADDRESSES",
        "PARTICIPATES_IN",
        "LOCATED_IN",
        "IN_COUNTY",
        "MENTIONED_IN",
    } <= set(REL_KINDS)


def test_forbidden_endpoints_are_refused_with_a_clear_error() -> None:
    person = make_node("Person", "Camilla Jarlsby")
    theme = make_node("Theme", "Innbyggerdialog")
    with pytest.raises(ModelError, match=r"DEPENDS_ON er ikke tillatt fra Person til Theme"):
        make_rel("DEPENDS_ON", person, theme)
    with pytest.raises(ModelError, match="ukjent relasjonstype"):
        make_rel("LIKES", person, theme)
    with pytest.raises(ModelError, match="ukjent nodetype"):
        make_node("Dragon", "Fafner")


def test_orgnr_is_checked_with_mod11() -> None:
    # 974 760 673 is Brønnøysundregistrene's own organisation number (valid check digit)
    org = make_node("Organisation", "Brønnøysundregistrene", {"orgnr": "974 760 673"})
    assert org.props["orgnr"] == "974760673"
    assert org.id == "organisation:orgnr:974760673"
    with pytest.raises(ModelError, match="ugyldig organisasjonsnummer"):
        make_node("Organisation", "Feil AS", {"orgnr": "974760674"})


def test_initiative_kind_and_dates_are_validated() -> None:
    with pytest.raises(ModelError, match="kind"):
        make_node("Initiative", "Noe", {"kind": "dream"})
    with pytest.raises(ModelError, match="ugyldig dato"):
        make_node("Initiative", "Noe", {"kind": "project", "start": "i fjor"})
    ok = make_node("Initiative", "Noe", {"kind": "project", "start": "2021-03-01"})
    assert ok.props["start"] == "2021-03-01"


def test_ids_are_stable_and_keep_norwegian_letters() -> None:
    assert normalise_name("  NAV  Agder ") == "nav agder"
    assert slug("Ås kommune") == "ås-kommune"
    assert slug("Aas") != slug("Ås")
    assert node_id("Organisation", "Nav Agder") == node_id("Organisation", "NAV  Agder")
    assert node_id("Municipality", "Kristiansand", {"kommunenummer": "4204"}) == "municipality:4204"
    assert (
        node_id("Initiative", "X", {"saksnummer": "2020105285-1"}) == "initiative:sak:2020105285-1"
    )
    assert rel_id("a", "HAS_ROLE", "b", "Prosjekteier") == "a|HAS_ROLE|b|prosjekteier"


def test_parallel_roles_are_kept_apart_and_duplicates_merge_sources() -> None:
    p = make_node("Person", "Mette S Breland", sources=["a.txt:1"])
    i = make_node("Initiative", "Flere i arbeid", {"kind": "programme"}, ["a.txt:2"])
    batch = GraphBatch()
    batch.add_node(p)
    batch.add_node(make_node("Person", "Mette S Breland", sources=["b.txt:9"]))
    batch.add_rel(make_rel("HAS_ROLE", p, i, {"role": "programleder"}, ["a.txt:3"]))
    batch.add_rel(make_rel("HAS_ROLE", p, i, {"role": "medlem"}, ["a.txt:4"]))
    assert batch.nodes[p.id].sources == ["a.txt:1", "b.txt:9"]
    assert len(batch.rels) == 2


def test_explanations_are_norwegian_sentences_from_the_model() -> None:
    assert (
        explain("HAS_ROLE", "Mette S Breland", "Flere i arbeid", {"role": "Programleder"})
        == "Mette S Breland er programleder i Flere i arbeid"
    )
    assert (
        explain(
            "DEPENDS_ON",
            "Flere i arbeid",
            "Samhandlingskommunen",
            {"description": "gjensidig informasjonsutveksling"},
        )
        == "Flere i arbeid er avhengig av Samhandlingskommunen: gjensidig informasjonsutveksling"
    )
    assert (
        explain("HAS_ROLE", "Bente Woldstad", "Samhandlingskommunen", {"role": "arbeidsgruppe"})
        == "Bente Woldstad er med i arbeidsgruppe for Samhandlingskommunen"
    )
    assert (
        explain("HAS_ROLE", "Anne Aunevik", "Flere i arbeid", {"role": "Godkjent av"})
        == "Anne Aunevik har rollen «Godkjent av» i Flere i arbeid"
    )
    assert "2 000 000 kr" in explain("FUNDS", "Fylket", "Flere i arbeid", {"amount_nok": 2000000})


def test_legend_comes_from_the_model() -> None:
    entries = legend()
    assert [e["kind"] for e in entries] == list(NODE_KINDS)
    assert all(e["colour"].startswith("#") and e["label"] for e in entries)
