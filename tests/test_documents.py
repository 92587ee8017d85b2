"""Document import on the three seed documents as plain text (data/seeds/).

The expected answers are the hand-made bundled dataset (data/kristiansand/*.yaml), which cites
the same lines; the last test lists every fact found in only one of the two.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.ids import normalise_name
from graph.settings import Settings
from importers.dataset import plan_dataset
from importers.documents.extract import Extraction, Extractor
from importers.documents.facts import Fact
from importers.documents.pipeline import extract_all
from importers.documents.readers import read_document
from importers.reference import load_reference
from tests.conftest import DATA, SEEDS

STYRING = "styringsdokument-samhandlingskommunen.txt"
REFERAT = "referat-arbeidsutvalg-flere-i-arbeid-2022-02-09.txt"
KRD = "krd-saman-om-ein-betre-kommune-pulje2.txt"


def extract(path: Path) -> Extraction:
    return Extractor(read_document(path), load_reference(DATA / "reference")).run()


@pytest.fixture(scope="module")
def seeds() -> dict[str, Extraction]:
    """The three documents read together into an empty graph, as `import-docs` reads a folder:
    entities found in one document are known in the next."""
    docs = [read_document(SEEDS / name) for name in sorted((STYRING, REFERAT, KRD))]
    extractions = extract_all(docs, Settings(data_dir=DATA), known=[], date=None)
    return {ex.doc.name: ex for ex in extractions}


def rels(ex: Extraction, rel_type: str) -> list[Fact]:
    return ex.facts.rels(rel_type)


def dataset_rels(file: str, rel_type: str) -> list[dict[str, Any]]:
    doc = yaml.safe_load((DATA / "kristiansand" / file).read_text(encoding="utf-8"))
    return [r for r in doc["relationships"] if r["type"] == rel_type]


def test_the_five_dependencies_verbatim(seeds: dict[str, Extraction]) -> None:
    ex = seeds[STYRING]
    assert ex.main is not None and ex.main.id == "initiative:sak:2020105285-1"
    found = {f.to_ref.name: f for f in rels(ex, "DEPENDS_ON") if f.to_ref is not None}
    names = {
        n["ref"]: n["name"]
        for file in ("styringsdokument.yaml", "flere-i-arbeid.yaml")
        for n in yaml.safe_load((DATA / "kristiansand" / file).read_text())["nodes"]
    }
    expected = {
        names[r["to"]]: r["props"] for r in dataset_rels("styringsdokument.yaml", "DEPENDS_ON")
    }
    assert set(found) == set(expected)
    for name, props in expected.items():
        fact = found[name]
        assert fact.rel is not None and fact.from_ref is not None
        assert fact.from_ref.id == ex.main.id
        for key in ("description", "owner", "handling"):
            assert fact.rel.props[key] == props[key], (name, key)
        assert fact.route == "" and fact.confidence >= 0.9 and fact.rule == "tabell:avhengigheter"
        assert 480 in fact.lines  # the header row is part of the evidence


def test_role_table_gives_camilla_jarlsby_as_project_owner(seeds: dict[str, Extraction]) -> None:
    ex = seeds[STYRING]
    owners = [
        f
        for f in rels(ex, "HAS_ROLE")
        if f.rel is not None and f.rel.props["role"] == "Prosjekteier" and f.to_ref == ex.main
    ]
    assert [f.from_ref.name for f in owners if f.from_ref] == ["Camilla Jarlsby"]
    assert owners[0].rel is not None
    assert owners[0].rel.props["title"] == "Direktør for kultur og innbyggerdialog"
    assert owners[0].lines == [327] and owners[0].rule == "tabell:roller"


def test_working_group_members_with_units_and_the_replacement(
    seeds: dict[str, Extraction],
) -> None:
    ex = seeds[STYRING]
    members = {
        f.from_ref.name: f.to_ref.name
        for f in rels(ex, "MEMBER_OF")
        if f.from_ref and f.to_ref and 165 in f.lines
    }
    names = {
        n["ref"]: n["name"]
        for n in yaml.safe_load((DATA / "kristiansand" / "styringsdokument.yaml").read_text())[
            "nodes"
        ]
    }
    expected = {
        names[r["from"]]: names[r["to"]]
        for r in dataset_rels("styringsdokument.yaml", "MEMBER_OF")
        if r["lines"] == "165"
    }
    assert members == expected
    # "Stine Busborg Sagen (avløst av Bibbi Sørensen)" is two people, not one
    people = {
        f.node.name: f.node for f in ex.facts.of_kind("node") if f.node and f.node.kind == "Person"
    }
    assert "Stine Busborg Sagen" in people and "Bibbi Sørensen" in people
    assert not any("avløst" in name for name in people)
    assert people["Stine Busborg Sagen"].props["note"] == "avløst av Bibbi Sørensen"
    group = {
        f.from_ref.name: f.rel.props
        for f in rels(ex, "HAS_ROLE")
        if f.from_ref and f.rel and f.rel.props["role"] == "arbeidsgruppe"
    }
    assert set(group) == set(expected)
    assert group["Stine Busborg Sagen"]["note"] == "avløst av Bibbi Sørensen"


def test_flere_i_arbeid_projects_partners_and_funding(seeds: dict[str, Extraction]) -> None:
    ex = seeds[REFERAT]
    assert ex.main is not None and ex.main.name == "Flere i arbeid"
    data = yaml.safe_load((DATA / "kristiansand" / "flere-i-arbeid.yaml").read_text())
    names = {n["ref"]: n["name"] for n in data["nodes"]}
    # the seven projects (the text says six, lists seven: reported as a data-quality warning)
    projects = {f.from_ref.name for f in rels(ex, "PART_OF") if f.to_ref == ex.main and f.from_ref}
    expected = {
        names[r["from"]]
        for r in data["relationships"]
        if r["type"] == "PART_OF" and r["to"] == "flere-i-arbeid"
    }
    assert projects == expected and len(projects) == 7
    assert any("6 prosjektene" in w and "lister 7" in w for w in ex.warnings)
    # partners
    partners = {
        f.from_ref.name
        for f in rels(ex, "PARTNER_IN")
        if f.rel and f.rel.props.get("role") == "samarbeidspartner" and f.from_ref
    }
    expected_partners = {
        names[r["from"]]
        for r in data["relationships"]
        if r["type"] == "PARTNER_IN"
        and r["to"] == "flere-i-arbeid"
        and r.get("props", {}).get("role") == "samarbeidspartner"
    }
    assert partners == expected_partners
    # funding amounts with their funders: every amount in the dataset is found, from the same line
    funds = {
        (f.rel.props.get("amount_nok"), f.rel.props.get("year"), f.lines[-1])
        for f in rels(ex, "FUNDS")
        if f.rel
    }
    for r in data["relationships"]:
        if r["type"] == "FUNDS" and r["to"] == "flere-i-arbeid" and r["props"].get("amount_nok"):
            line = int(str(r["lines"] if isinstance(r["lines"], str) else r["lines"][-1]))
            amounts = {(a, ln) for a, _, ln in funds}
            assert (r["props"]["amount_nok"], line) in amounts, r
    funders = {
        f.from_ref.name: f.rel.props["amount_nok"]
        for f in rels(ex, "FUNDS")
        if f.rel and f.from_ref and f.rel.props.get("amount_nok")
    }
    assert funders["Storbyforskningsprogrammet"] == 2_000_000
    assert funders["StimuLab"] == 3_100_000
    assert funders["Statsforvalteren"] == 450_000


def test_ministry_presentation_round_2_participants_by_county(
    seeds: dict[str, Extraction],
) -> None:
    ex = seeds[KRD]
    # the slide has no year: the municipality numbers are resolved at a date when every listed
    # municipality existed (the dataset uses 2013: the same numbers)
    assert ex.document_date is None and ex.municipality_date <= "2013-01-01"
    found = {
        f.from_ref.kommunenummer: (f.from_ref.name, f.lines[0])
        for f in rels(ex, "PARTICIPATES_IN")
        if f.from_ref and f.from_ref.kind == "Municipality"
    }
    expected = {
        r["from"].split(":")[1]: int(r["lines"])
        for r in dataset_rels("saman-om-ein-betre-kommune.yaml", "PARTICIPATES_IN")
        if str(r["from"]).startswith("Municipality:")
    }
    assert {k: ln for k, (_, ln) in found.items()} == expected
    assert found["0441"][0] == "Os"  # Os under Hedmark, not Os in Hordaland (1243)
    assert found["0605"][0] == "Ringerike" and found["0624"][0] == "Øvre Eiker"
    assert any("59 kommuner" in w and "60" in w for w in ex.warnings)
    ref = load_reference(DATA / "reference")
    for nr in found:
        row = ref.by_number(nr, "2013-04-08")
        assert row is not None and row.name == found[nr][0]


def test_mentions_carry_line_and_snippet(seeds: dict[str, Extraction]) -> None:
    ex = seeds[STYRING]
    mentions = ex.facts.of_kind("mention")
    assert mentions
    for m in mentions:
        assert m.rel is not None and m.rel.props["line"] == m.lines[0]
        assert m.rel.props["snippet"]
    # "Joint Action Analytic" (line 505, without the s) is the same organisation, found fuzzily
    jaa = [m for m in mentions if m.from_ref and m.from_ref.name == "Joint Action Analytics"]
    assert {169, 315, 336, 505} <= {m.lines[0] for m in jaa}


# ---- comparison with the hand-made dataset ---------------------------------------------------


def _canonical(plan_nodes: dict[str, Any]) -> dict[str, str]:
    index: dict[str, str] = {}
    for node in plan_nodes.values():
        for name in [node.props["name"], *node.props.get("aliases", [])]:
            index.setdefault(f"{node.kind}|{normalise_name(name)}", node.id)
    return index


def test_document_import_compared_with_the_bundled_dataset(
    seeds: dict[str, Extraction], tmp_path: Path
) -> None:
    plan = plan_dataset(DATA / "kristiansand", DATA / "reference", SEEDS)
    index = _canonical(plan.batch.nodes)
    names = {n.id: f"{n.kind} {n.props['name']}" for n in plan.batch.nodes.values()}

    def key(kind: str, node_id: str, name: str) -> str:
        if kind in ("Municipality", "County") or node_id.startswith("initiative:sak:"):
            return node_id
        return index.get(f"{kind}|{normalise_name(name)}", f"ny {kind} {name}")

    derived = {"IN_COUNTY", "SUCCEEDED_BY", "MENTIONED_IN"}
    ours: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for ex in seeds.values():
        for f in ex.facts.items.values():
            if f.rel is None or f.rel.type in derived or not (f.from_ref and f.to_ref):
                continue
            k = (
                key(f.from_ref.kind, f.from_ref.id, f.from_ref.name),
                f.rel.type,
                key(f.to_ref.kind, f.to_ref.id, f.to_ref.name),
            )
            ours[k].append(f.source)
    theirs: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for r in plan.batch.rels.values():
        if r.type not in derived:
            theirs[(r.from_id, r.type, r.to_id)] += r.sources
    our_nodes = {
        key(f.node.kind, f.node.id, f.node.name): f.source
        for ex in seeds.values()
        for f in ex.facts.of_kind("node")
        if f.node
    }
    their_nodes = {
        n.id: n.sources[0] if n.sources else ""
        for n in plan.batch.nodes.values()
        if n.kind not in ("Document", "County")
    }

    def show(k: tuple[str, str, str]) -> str:
        return f"{names.get(k[0], k[0])} –{k[1]}→ {names.get(k[2], k[2])}"

    lines = [
        "# Fakta bare i dokumentimporten",
        *(f"{show(k)}   [{', '.join(v[:2])}]" for k, v in sorted(ours.items()) if k not in theirs),
        "",
        "# Fakta bare i det håndlagde datasettet",
        *(f"{show(k)}   [{', '.join(v[:2])}]" for k, v in sorted(theirs.items()) if k not in ours),
        "",
        "# Noder bare i dokumentimporten",
        *(
            f"{names.get(k, k)}   [{v}]"
            for k, v in sorted(our_nodes.items())
            if k not in their_nodes
        ),
        "",
        "# Noder bare i det håndlagde datasettet",
        *(
            f"{names.get(k, k)}   [{v}]"
            for k, v in sorted(their_nodes.items())
            if k not in our_nodes
        ),
    ]
    both = set(ours) & set(theirs)
    summary = (
        f"relasjoner: {len(both)} i begge, {len(set(ours) - set(theirs))} bare i "
        f"importen, {len(set(theirs) - set(ours))} bare i datasettet"
    )
    out = tmp_path / "document-import-vs-dataset.txt"
    out.write_text(summary + "\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"\n{summary}\n" + "\n".join(lines) + f"\n\nSkrevet til {out}")
    # what the issue requires is found in both
    for rel_type in ("DEPENDS_ON", "PARTICIPATES_IN"):
        missing = [
            show(k)
            for k in theirs
            if k[1] == rel_type
            and k not in ours
            and (rel_type != "PARTICIPATES_IN" or k[0].startswith("municipality:"))
        ]
        assert not missing, missing
    fia_projects = [
        k for k in theirs if k[1] == "PART_OF" and k[2] == "initiative:sak:2021019954-3"
    ]
    assert fia_projects
    # Flere i arbeid has no saksnummer in the import; its projects point to it by name
    assert len(both) >= len(theirs) // 3, summary
