"""Pairwise decision: strong keys first, then names, to one of three outcomes.

`decide(a, b)` returns MERGE (merge automatically), REVIEW (ask a person) or APART, with the
score and the evidence a reviewer sees. The rules, in order:

1. Different node kinds are never one entity.
2. Strong keys: the same orgnr / kommunenummer / saksnummer / e-mail → MERGE; two different
   orgnr, kommunenummer or saksnummer → APART. (Different e-mails: at most REVIEW.)
3. Organisations and other named things: the alias table rewrites both names (NAV ↔ Arbeids- og
   velferdsetaten, KRD → KMD → KDD …); legal forms are dropped; a conflicting kind hint
   ("kommune" vs "fylkeskommune") or different numbers ("Prosjekt 1" / "Prosjekt 2") → APART.
   Equal keys → MERGE. Otherwise rapidfuzz `token_sort_ratio` on the keys: ≥ `auto` → MERGE,
   ≥ `review` → REVIEW; one name being a part of the other ("NAV" / "NAV Agder",
   `token_set_ratio` = 100; not when only one is a "kommune"/"fylkeskommune": "Agder
   fylkeskommune" is not part of "Universitetet i Agder"), names equal but for æ/ø/å
   ("Aas" / "Ås"), or an old municipality name and its successor (Søgne → Kristiansand) → REVIEW.
   Two names that differ in a place name ("NAV Agder" / "NAV Vestland") → APART.
4. People: Jaro-Winkler on the names with single-letter middle initials dropped. The same name
   → MERGE unless both are placed in organisations/units and those differ (two people with the
   same name in different organisations are never merged automatically: REVIEW). A missing
   middle initial or name ("Mette S Breland" / "Mette Breland", "Bernt Stray" / "Bernt Jørgen
   Stray") or a likely typo → REVIEW; a different surname → APART.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from graph.model import personal_properties
from graph.resolve.aliases import AliasTable
from graph.resolve.normalise import basic, fold, normalise, person_tokens


class Outcome(StrEnum):
    MERGE = "merge"
    REVIEW = "review"
    APART = "apart"


@dataclass(frozen=True)
class Thresholds:
    #: token_sort_ratio on alias-rewritten names at or above which two names merge automatically
    auto: float = 93.0
    #: … at or above which the pair goes to the review queue
    review: float = 80.0
    #: Jaro-Winkler similarity (0–1) of two people's names for review
    person_review: float = 0.90


@dataclass(slots=True)
class Entity:
    """What the resolver knows about one node. Slotted: an import of a million new names
    holds one per name while it resolves them."""

    id: str
    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    keys: dict[str, str] = field(default_factory=dict)
    #: ids of organisations / units / municipalities the node is attached to (for people)
    context: frozenset[str] = frozenset()

    @classmethod
    def from_props(cls, props: dict[str, Any], context: frozenset[str] = frozenset()) -> Entity:
        keys = {k: str(props[k]).strip().lower() for k in STRONG_KEYS if props.get(k)}
        return cls(
            str(props["id"]),
            str(props.get("label") or ""),
            str(props.get("name") or ""),
            tuple(str(a) for a in props.get("aliases") or ()),
            keys,
            context,
        )

    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class Decision:
    outcome: Outcome
    score: float
    evidence: list[dict[str, Any]]

    @property
    def confidence(self) -> float:
        return round(self.score / 100, 3)


STRONG_KEYS = ("orgnr", "kommunenummer", "saksnummer", "email")
#: strong keys that are personal data (the model's Person.personal)
PERSONAL_KEYS = frozenset(personal_properties())
_DIGITS = re.compile(r"\d+")


def _ev(rule: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"rule": rule, "detail": detail, **extra}


def decide(a: Entity, b: Entity, aliases: AliasTable, th: Thresholds | None = None) -> Decision:
    th = th or Thresholds()
    if a.kind != b.kind:
        return Decision(Outcome.APART, 0, [_ev("kind", f"ulike typer: {a.kind} / {b.kind}")])
    for key in STRONG_KEYS:
        va, vb = a.keys.get(key), b.keys.get(key)
        if va and vb:
            if va == vb:
                # a personal key (e-mail) is named, never shown: evidence reaches the API
                shown = f"samme {key}" if key in PERSONAL_KEYS else f"samme {key}: {va}"
                return Decision(Outcome.MERGE, 100, [_ev("strong_key", shown)])
            if key != "email":
                return Decision(Outcome.APART, 0, [_ev("strong_key", f"ulikt {key}: {va} / {vb}")])
    best: Decision | None = None
    if a.kind == "Person":
        best = _decide_person(a, b, th)
    else:
        for na in a.names():
            for nb in b.names():
                d = _decide_names(na, nb, aliases, th)
                if best is None or _rank(d) > _rank(best):
                    best = d
    assert best is not None
    # two e-mail addresses: two people, or one with two addresses; a person decides that
    if a.keys.get("email") and b.keys.get("email") and best.outcome == Outcome.MERGE:
        best = Decision(
            Outcome.REVIEW, best.score, [*best.evidence, _ev("strong_key", "ulike e-postadresser")]
        )
    return best


def _rank(d: Decision) -> tuple[int, float]:
    order = {Outcome.APART: 0, Outcome.REVIEW: 1, Outcome.MERGE: 2}
    return order[d.outcome], d.score


def _decide_names(na: str, nb: str, aliases: AliasTable, th: Thresholds) -> Decision:
    ka, notes_a = aliases.key(na)
    kb, notes_b = aliases.key(nb)
    notes = [_ev("alias", n) for n in dict.fromkeys(notes_a + notes_b)]
    core_a, _, hint_a = ka.partition("#")
    core_b, _, hint_b = kb.partition("#")
    if hint_a and hint_b and hint_a != hint_b:
        return Decision(Outcome.APART, 0, [_ev("kind_hint", f"{hint_a} / {hint_b}")])
    if _DIGITS.findall(core_a) != _DIGITS.findall(core_b):
        return Decision(Outcome.APART, 0, [_ev("numbers", f"ulike tall i {na!r} / {nb!r}")])
    if core_a == core_b:
        return Decision(Outcome.MERGE, 100, [*notes, _ev("name", f"samme navn: {core_a!r}")])
    for x, y in ((na, nb), (nb, na)):
        succ = aliases.successor(x)
        if succ and normalise(succ[0]).core == normalise(y).core:
            return Decision(
                Outcome.REVIEW,
                th.review,
                [*notes, _ev("historic", f"{x} ble en del av {succ[0]} i {succ[1]}")],
            )
    only_a = set(core_a.split()) - set(core_b.split())
    only_b = set(core_b.split()) - set(core_a.split())
    places_a = {t for t in only_a if t in aliases.places or t.removesuffix("s") in aliases.places}
    places_b = {t for t in only_b if t in aliases.places or t.removesuffix("s") in aliases.places}
    if places_a and places_b:
        return Decision(
            Outcome.APART,
            0,
            [
                *notes,
                _ev(
                    "place",
                    f"ulike steder: {', '.join(sorted(places_a))} / {', '.join(sorted(places_b))}",
                ),
            ],
        )
    # the best of: the alias-rewritten keys, the plain names (a typo can hide an alias:
    # "Kommunal- og regionaldepartmentet"), and the names without spaces
    # ("Personvernom budet", "Kristiansands regionen")
    plain_a, plain_b = normalise(na).core, normalise(nb).core
    score = max(
        fuzz.token_sort_ratio(core_a, core_b),
        fuzz.token_sort_ratio(plain_a, plain_b),
        fuzz.ratio(core_a.replace(" ", ""), core_b.replace(" ", "")),
    )
    evidence = [*notes, _ev("name", f"likhet {score:.0f} (rapidfuzz)", a=core_a, b=core_b)]
    if fold(core_a) == fold(core_b):
        return Decision(
            Outcome.REVIEW,
            max(score, th.review),
            [*evidence, _ev("fold", "like bortsett fra æ/ø/å")],
        )
    if score >= th.auto:
        return Decision(Outcome.MERGE, score, evidence)
    if score >= th.review:
        return Decision(Outcome.REVIEW, score, evidence)
    if (
        core_a
        and core_b
        and bool(hint_a) == bool(hint_b)
        and fuzz.token_set_ratio(core_a, core_b) == 100
        and _covers_half(core_a, core_b)
    ):
        return Decision(
            Outcome.REVIEW,
            th.review,
            [*evidence, _ev("subset", "det ene navnet er en del av det andre")],
        )
    return Decision(Outcome.APART, score, evidence)


_SMALL_WORDS = frozenset({"i", "og", "for", "av", "til", "på", "med", "the", "of"})


def _covers_half(a: str, b: str) -> bool:
    """The shorter name is at least half of the longer one, in words that carry meaning:
    "NAV" of "NAV Agder", not "Innbyggerdialog" of "Leveranseprosjekt - Utvikling av
    innbyggerdialog"."""
    ta = {t for t in a.split() if t not in _SMALL_WORDS}
    tb = {t for t in b.split() if t not in _SMALL_WORDS}
    short, long_ = sorted((ta, tb), key=len)
    return bool(long_) and 2 * len(short) >= len(long_)


def _decide_person(a: Entity, b: Entity, th: Thresholds) -> Decision:
    ta, tb = person_tokens(a.name), person_tokens(b.name)
    full_a, full_b = basic(a.name), basic(b.name)
    conflict = bool(a.context and b.context and not (a.context & b.context))
    shared = bool(a.context & b.context)
    ctx = (
        _ev("context", "ulike organisasjoner/enheter")
        if conflict
        else _ev("context", "samme organisasjon/enhet")
        if shared
        else _ev("context", "ingen felles kontekst kjent")
    )
    if full_a == full_b:
        if conflict:
            return Decision(
                Outcome.REVIEW,
                100,
                [
                    _ev("name", "samme navn"),
                    ctx,
                    _ev("rule", "samme navn i ulike organisasjoner slås ikke sammen automatisk"),
                ],
            )
        return Decision(Outcome.MERGE, 100, [_ev("name", f"samme navn: {full_a!r}"), ctx])
    jw = JaroWinkler.normalized_similarity(" ".join(ta), " ".join(tb))
    evidence = [_ev("name", f"Jaro-Winkler {jw:.3f}", a=a.name, b=b.name), ctx]
    if ta and tb and ta[0] == tb[0] and ta[-1] == tb[-1] and (len(ta) != len(tb)):
        return Decision(
            Outcome.REVIEW,
            92,
            [*evidence, _ev("middle", "samme fornavn og etternavn, mellomnavn mangler")],
        )
    if ta == tb:
        return Decision(
            Outcome.REVIEW, 95, [*evidence, _ev("initials", "mellomnavn-initial mangler")]
        )
    # first and last name must agree at least loosely: "Anne Aunevik" is not "Anne Stray"
    if ta and tb and fuzz.ratio(ta[-1], tb[-1]) < 75:
        return Decision(Outcome.APART, jw * 100, evidence)
    if jw >= th.person_review:
        return Decision(Outcome.REVIEW, jw * 100, evidence)
    return Decision(Outcome.APART, jw * 100, evidence)
