"""Stable ids.

A node's id is derived from a strong key where the kind has one, otherwise from the kind and
the normalised name:

- Municipality: ``municipality:<kommunenummer>`` (e.g. ``municipality:4204``); a number that
  SSB has used for more than one municipality over time gets ``@<valid_from year>`` on the
  older ones (see ``importers.reference``).
- County: ``county:<fylkesnummer>``.
- Organisation with an organisation number: ``organisation:orgnr:<orgnr>``.
- Initiative with a saksnummer: ``initiative:sak:<saksnummer>``.
- Everything else: ``<kind>:<slug of the name>``, where the slug is NFKC + casefold, "&" read
  as "og", and every run of characters that are not letters or digits replaced by "-".
  Norwegian letters stay letters ("Ås" → ``ås``, not ``as``).

Relationship ids are ``<from id>|<TYPE>|<to id>`` plus ``|<key>`` for types whose key property
(e.g. HAS_ROLE's role) distinguishes parallel relationships.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def normalise_name(name: str) -> str:
    """Casefolded, NFKC, '&' → 'og', whitespace collapsed; letters æøå kept."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " og ")
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def slug(name: str) -> str:
    text = _NON_WORD.sub("-", normalise_name(name).replace("_", " "))
    return text.strip("-")


def node_id(kind: str, name: str, props: dict[str, Any] | None = None) -> str:
    props = props or {}
    if kind == "Municipality" and props.get("kommunenummer"):
        return f"municipality:{props['kommunenummer']}"
    if kind == "County" and props.get("fylkesnummer"):
        return f"county:{props['fylkesnummer']}"
    if kind == "Organisation" and props.get("orgnr"):
        return f"organisation:orgnr:{props['orgnr']}"
    if kind == "Initiative" and props.get("saksnummer"):
        return f"initiative:sak:{slug(str(props['saksnummer']))}"
    s = slug(name)
    if not s:
        raise ValueError(f"kan ikke lage id for {kind} uten navn")
    return f"{kind.lower()}:{s}"


def rel_id(from_id: str, rel_type: str, to_id: str, key: Any = None) -> str:
    base = f"{from_id}|{rel_type}|{to_id}"
    if key is None or key == "":
        return base
    return f"{base}|{slug(str(key))}"
