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
        self._phrase: dict[str, tuple[str, AliasGroup]] = {}
        self._whole: dict[str, AliasGroup] = {}
        self._keys: dict[str, tuple[str, list[str]]] = {}
        for g in self.groups:
            if g.phrase:
                for name in g.names:
                    self._phrase[basic(name)] = (basic(g.canonical), g)
        # one alternation, longest phrases first ("arbeids og velferdsetaten" before "nav")
        alts = "|".join(re.escape(p) for p in sorted(self._phrase, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<!\w)(?:{alts})(?!\w)") if alts else None
        for g in self.groups:
            for name in g.names:
                self._whole[self.rewrite(name)[0]] = g

    def rewrite(self, name: str) -> tuple[str, list[str]]:
        """The name with alias phrases replaced by their canonical form, and the notes used."""
        text = basic(name)
        if self._pattern is None:
            return text, []
        notes: list[str] = []

        def swap(m: re.Match[str]) -> str:
            canon, g = self._phrase[m.group(0)]
            if canon != m.group(0):
                note = g.note or f"{g.names[1]} = {g.canonical}"
                if note not in notes:
                    notes.append(note)
            return canon

        return self._pattern.sub(swap, text), notes

    def key(self, name: str) -> tuple[str, list[str]]:
        """A comparison key: whole-name groups map to their canonical name; else the rewrite.

        Legal forms are dropped and the kind hint is kept as a suffix ('agder#fylkeskommune')
        so a county authority never gets a municipality's key.
        """
        cached = self._keys.get(name)
        if cached is not None:
            return cached[0], list(cached[1])
        text, notes = self.rewrite(name)
        group = self._whole.get(text)
        if group is not None and basic(group.canonical) != text:
            notes = [*notes, group.note or f"{name} = {group.canonical}"]
            text = self.rewrite(group.canonical)[0]
        n = normalise(text)
        out = (f"{n.core}#{n.hint}" if n.hint else n.core), notes
        if len(self._keys) < 500_000:
            self._keys[name] = out
        return out[0], list(out[1])

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
