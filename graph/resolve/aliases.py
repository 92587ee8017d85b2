"""The alias table (data/aliases.yaml) and the historic-municipality table.

An alias group lists names of one organisation (NAV ↔ Arbeids- og velferdsetaten, UiA ↔
Universitetet i Agder, KRD → KMD → KDD …). `phrase: true` groups are rewritten wherever the
phrase occurs in a longer name, so "Arbeids- og velferdsetaten Agder" reads "nav agder".
The historic-municipality table (built by the importers from the reference tables) says
"Søgne" → "Kristiansand" from 2020.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from graph.resolve.normalise import basic, normalise
from graph.settings import REPO_ROOT


@dataclass
class AliasGroup:
    names: list[str]
    phrase: bool = False
    note: str = ""

    @property
    def canonical(self) -> str:
        return self.names[0]


@dataclass
class AliasTable:
    groups: list[AliasGroup] = field(default_factory=list)
    #: municipality name (normalised) → (successor name, year) for merged/renamed municipalities
    historic: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: place names (municipalities, counties; normalised tokens): "NAV Agder" is not
    #: "NAV Vestland", "Universitetet i Agder" is not "Universitetet i Bergen"
    places: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self._phrases: list[tuple[re.Pattern[str], str, AliasGroup]] = []
        self._whole: dict[str, AliasGroup] = {}
        for g in self.groups:
            canon = basic(g.canonical)
            if g.phrase:
                for name in sorted(g.names, key=lambda n: -len(basic(n))):
                    pat = re.compile(rf"(?<!\w){re.escape(basic(name))}(?!\w)")
                    self._phrases.append((pat, canon, g))
        # longest phrases first, so "arbeids og velferdsetaten" wins over a shorter one
        self._phrases.sort(key=lambda p: -len(p[0].pattern))
        for g in self.groups:
            for name in g.names:
                self._whole[self.rewrite(name)[0]] = g

    def rewrite(self, name: str) -> tuple[str, list[str]]:
        """The name with alias phrases replaced by their canonical form, and the notes used."""
        text = basic(name)
        notes: list[str] = []
        for pat, canon, g in self._phrases:
            new = pat.sub(canon, text)
            if new != text:
                text = new
                notes.append(g.note or f"{g.names[1]} = {g.canonical}")
        return text, notes

    def key(self, name: str) -> tuple[str, list[str]]:
        """A comparison key: whole-name groups map to their canonical name; else the rewrite.

        Legal forms are dropped and the kind hint is kept as a suffix ('agder#fylkeskommune')
        so a county authority never gets a municipality's key.
        """
        text, notes = self.rewrite(name)
        group = self._whole.get(text)
        if group is not None and basic(group.canonical) != text:
            notes = [*notes, group.note or f"{name} = {group.canonical}"]
            text = self.rewrite(group.canonical)[0]
        n = normalise(text)
        return (f"{n.core}#{n.hint}" if n.hint else n.core), notes

    def group_of(self, name: str) -> AliasGroup | None:
        return self._whole.get(self.rewrite(name)[0])

    def successor(self, municipality: str) -> tuple[str, int] | None:
        n = normalise(municipality)
        return self.historic.get(n.core)


def parse_groups(data: Any) -> list[AliasGroup]:
    groups = []
    for item in (data or {}).get("groups", []):
        names = [str(n) for n in item.get("names", [])]
        if len(names) < 2:
            raise ValueError(f"aliasgruppe med færre enn to navn: {names}")
        groups.append(AliasGroup(names, bool(item.get("phrase")), str(item.get("note") or "")))
    return groups


@lru_cache(maxsize=8)
def load_aliases(
    data_dir: Path | None = None,
    historic: tuple[tuple[str, str, int], ...] = (),
    places: frozenset[str] = frozenset(),
) -> AliasTable:
    """The alias table from `<data_dir>/aliases.yaml`.

    `historic` is the historic-municipality table as (old name, successor, year) triples;
    importers build it from the reference tables (`importers.resolution.historic_table`), so
    this layer does not reach back into the importers.
    """
    folder = data_dir or REPO_ROOT / "data"
    path = folder / "aliases.yaml"
    groups = parse_groups(yaml.safe_load(path.read_text(encoding="utf-8"))) if path.exists() else []
    return AliasTable(
        groups,
        {normalise(a).core: (b, y) for a, b, y in historic},
        frozenset(t for p in places for t in basic(p).split() if len(t) > 2),
    )
