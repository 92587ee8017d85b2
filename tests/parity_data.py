"""A generated graph for the parity test (tests/test_parity.py): deterministic, model-valid.

`generate()` returns the same `GraphBatch` on every call (a seeded `random.Random`; people's
ids also depend on the installation's id key, see `graph.ids.id_secret`): 5,069 nodes and
about 10,000 relationships of every kind and relationship type in `graph.model`,
shaped like the real data (programmes with projects and sub-projects, people in units of
organisations and municipalities, partners, funders, themes, target groups, documents) and
with the awkward cases an engine may treat differently:

- parallel relationships between the same two nodes (two roles of one person in one
  initiative; an organisation both partner in and participant of an initiative);
- people of the same name (told apart by their e-mail, so two ids);
- names that start with Æ, Ø, Å, lower-case letters and digits (sorting, `toLower`);
- isolated nodes, chains of SUCCEEDED_BY, a self-loop (an organisation member of itself);
- integer properties (amounts, years, line numbers) and lists (aliases, sources).

Its ids cannot collide with the bundled Kristiansand dataset: municipalities 9101–9180 and
counties 91–94 are not real numbers, and every other name starts with a word the bundled data
does not use ("Gen", "Generert" …).
"""

from __future__ import annotations

import random

from graph.records import GraphBatch, NodeRecord, make_node, make_rel

SEED = 20260509
SOURCE = "generert:parity"

FIRST = [
    "Kari", "Ola", "Åse", "Øystein", "Ærlig", "Ingrid", "Per", "Silje", "Jon", "Marte",
    "Håkon", "Bjørn", "Sofie", "Emil", "Nora", "Lars", "Tone", "Geir", "Liv", "Ådne",
]  # fmt: skip
LAST = [
    "Nordmann", "Hansen", "Ås", "Øvrebø", "Berg", "Dahl", "Lie", "Haugen", "Bakke", "Strand",
    "Æsøy", "Moen", "Aune", "Lund", "Vik", "Holm", "Solberg", "Eide", "Brekke", "Tveit",
]  # fmt: skip
MIDDLE = [
    "Marie", "Johan", "Elise", "Andreas", "Sigrid", "Magnus", "Helene", "Kristian", "Ragnhild",
    "Torbjørn", "Synnøve", "Eirik", "Gunhild", "Vegard", "Astrid", "Sindre", "Turid", "Odd",
    "Randi", "Øyvind", "Bodil", "Halvard", "Jorunn", "Ivar", "Wenche", "Asbjørn", "Idunn",
]  # fmt: skip
SUFFIX = ["", "heim", "vik", "rud", "stad", "land", "bø", "dal", "nes", "haug", "sæter", "li"]
ROLES = ["Prosjektleder", "Prosjekteier", "Arbeidsgruppe", "Styringsgruppe", "Deltaker",
         "Godkjent av", "Referansegruppe", "Rådgiver"]  # fmt: skip
PREFIXES = ["Gen", "Generert", "Ågen", "Øgen", "Ægen", "gen", "9gen"]
ORG_TYPES = ["county_authority", "state_agency", "ministry", "university", "research",
             "company", "ngo", "network", "regional_collaboration", "other"]  # fmt: skip
STATUSES = ["pågår", "avsluttet", "planlagt", None]


def _name(rng: random.Random, what: str, i: int) -> str:
    return f"{rng.choice(PREFIXES)} {what} {i:04d}"


def generate(seed: int = SEED) -> GraphBatch:
    rng = random.Random(seed)
    batch = GraphBatch()
    src = [SOURCE]

    def node(kind: str, name: str, props: dict[str, object] | None = None) -> NodeRecord:
        return batch.add_node(make_node(kind, name, props, src))

    def rel(
        rtype: str, a: NodeRecord, b: NodeRecord, props: dict[str, object] | None = None
    ) -> None:
        batch.add_rel(make_rel(rtype, a, b, props, [f"{SOURCE}:{len(batch.rels) + 1}"]))

    counties = [
        node("County", f"Generert fylke {n}", {"fylkesnummer": str(n), "valid_from": "2024-01-01"})
        for n in range(91, 95)
    ]
    munis = []
    for n in range(9101, 9181):
        m = node("Municipality", _name(rng, "kommune", n), {"kommunenummer": str(n)})
        munis.append(m)
        rel("IN_COUNTY", m, counties[(n - 9101) % len(counties)])
    for i in range(0, 60, 3):  # chains of three: a -> b -> c
        rel("SUCCEEDED_BY", munis[i], munis[i + 1], {"year": 2020})
        rel("SUCCEEDED_BY", munis[i + 1], munis[i + 2], {"year": 2024})

    orgs = []
    for i in range(250):
        props: dict[str, object] = {"org_type": rng.choice(ORG_TYPES)}
        if i % 7 == 0:
            props["aliases"] = [f"GO{i}", f"Gen-org {i}"]
        o = node("Organisation", _name(rng, "organisasjon", i), props)
        orgs.append(o)
        if i >= 10 and i % 3 == 0:
            rel("PART_OF", o, orgs[rng.randrange(0, 10)])
        if i % 5 == 0:
            rel("LOCATED_IN", o, rng.choice(munis))
        if i % 11 == 0 and i:
            rel("MEMBER_OF", o, orgs[rng.randrange(0, i)])
    rel("MEMBER_OF", orgs[13], orgs[13])  # a self-loop
    for m in munis[:20]:
        rel("MEMBER_OF", m, rng.choice(orgs[:10]))

    units = []
    for i in range(300):
        u = node("Unit", _name(rng, "enhet", i), {"description": f"Enhet nummer {i}"})
        units.append(u)
        parent = rng.random()
        if parent < 0.5:
            rel("PART_OF", u, rng.choice(munis))
        elif parent < 0.8:
            rel("PART_OF", u, rng.choice(orgs))
        elif i > 0:
            rel("PART_OF", u, units[rng.randrange(0, i)])

    people = []
    for i in range(3700):
        middle = f" {rng.choice(MIDDLE)}" if i % 7 else ""  # some share first and last name
        name = f"{rng.choice(FIRST)}{middle} {rng.choice(LAST)}{rng.choice(SUFFIX)}"
        props = {"title": rng.choice(["rådgiver", "leder", "konsulent", None])}
        props["email"] = f"p{i}@gen.example"  # same names, different people: distinct ids
        p = node("Person", name, props)
        people.append(p)
        if i % 10 != 0:  # every tenth person is in no unit
            rel("MEMBER_OF", p, rng.choice(units) if i % 4 else rng.choice(orgs))

    themes = [node("Theme", _name(rng, "tema", i)) for i in range(80)]
    groups = [node("TargetGroup", _name(rng, "målgruppe", i)) for i in range(60)]
    funders = [node("FundingSource", _name(rng, "tilskudd", i)) for i in range(30)]
    for i, f in enumerate(funders):
        if i % 3 == 0:
            rel("FUNDS", rng.choice(orgs), f, {"amount_nok": 1_000_000 * (i + 1), "year": 2023})

    initiatives = []
    for i in range(600):
        if i < 15:
            kind = "programme"
        elif i < 135:
            kind = "project"
        else:
            kind = rng.choice(["sub-project", "delivery", "network", "product"])
        props = {
            "kind": kind,
            "status": rng.choice(STATUSES),
            "start": f"202{i % 5}-0{i % 9 + 1}-01",
        }
        x = node("Initiative", _name(rng, "satsing", i), props)
        initiatives.append(x)
        if 15 <= i < 135:
            rel("PART_OF", x, initiatives[rng.randrange(0, 15)])
        elif i >= 135:
            rel("PART_OF", x, initiatives[rng.randrange(15, 135)])
        for t in rng.sample(themes, rng.randint(1, 2)):
            rel("ADDRESSES", x, t)
        for g in rng.sample(groups, rng.randint(0, 1)):
            rel("TARGETS", x, g)
        if i % 4 == 0:
            rel("LOCATED_IN", x, rng.choice(munis))
        for p in rng.sample(people, rng.randint(2, 5)):
            rel("HAS_ROLE", p, x, {"role": rng.choice(ROLES)})
            if rng.random() < 0.05:  # parallel: a second role in the same initiative
                rel("HAS_ROLE", p, x, {"role": "Styringsgruppe", "title": "leder"})
        for o in rng.sample(orgs, 1 if rng.random() < 0.7 else 0):
            rel("PARTNER_IN", o, x, {"role": rng.choice(["partner", "eier", None])})
            if rng.random() < 0.1:  # parallel of another type
                rel("PARTICIPATES_IN", o, x)
        if rng.random() < 0.3:
            rel("PARTICIPATES_IN", rng.choice(units), x)
        for m in rng.sample(munis, 1 if rng.random() < 0.35 else 0):
            rel("PARTICIPATES_IN", m, x)
        if i % 9 == 0:
            rel("PARTNER_IN", rng.choice(people), x)
        for f in rng.sample(funders, 1 if rng.random() < 0.3 else 0):
            rel("FUNDS", f, x, {"amount_nok": rng.randrange(50, 5000) * 1000, "year": 2022})
        if i % 17 == 0:
            rel("FUNDS", rng.choice(munis), x, {"year": 2024})
    for i in range(80):
        a, b = rng.sample(initiatives, 2)
        rel("DEPENDS_ON", a, b, {"description": f"Avhengighet {i}", "owner": "Generert"})

    docs = [
        node("Document", f"Generert dokument {i}", {"path": f"gen/dok-{i}.txt"}) for i in range(20)
    ]
    mentioned = [*initiatives[:100], *orgs[:50], *people[:50]]
    for i, x in enumerate(mentioned):
        rel("MENTIONED_IN", x, docs[i % len(docs)], {"line": i + 1, "snippet": f"linje {i + 1}"})

    # isolated nodes: nothing points at them
    for i in range(5):
        node("Theme", f"Generert ensomt tema {i}")
    return batch
