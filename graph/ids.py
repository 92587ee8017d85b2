"""Stable ids.

A node's id is derived from a strong key where the kind has one, otherwise from the kind and
the normalised name:

- Municipality: ``municipality:<kommunenummer>`` (e.g. ``municipality:4204``); a number that
  SSB has used for more than one municipality over time gets ``@<valid_from year>`` on the
  older ones (see ``importers.reference``).
- County: ``county:<fylkesnummer>``.
- Organisation with an organisation number: ``organisation:orgnr:<orgnr>``.
- Initiative with a saksnummer: ``initiative:sak:<saksnummer>``.
- Person with an e-mail address: ``person:<slug of the name>~<10 hex digits of the
  HMAC-SHA-256 of the casefolded address>``: two people of one name with different addresses
  are two nodes (entity resolution decides whether they are one person). The address is not
  in the id, which public API responses and HTML views show, and cannot be found from it by
  guessing addresses: the HMAC key is secret (``SAMGRAF_ID_SECRET``, or else a random key kept
  in ``<SAMGRAF_DB_PATH>/id-secret``, made on first use; API replicas and import jobs that
  share one Neo4j must share the key).
- Person without an e-mail whose import row names the organisation(s) the person belongs to:
  ``person:<slug>@<the organisations' ids without "organisation:", joined by "+">`` (made by
  the spreadsheet importer, ``importers.tabular``): the same name in two organisations is two
  nodes, which entity resolution sends to review instead of merging them unasked.
- Everything else: ``<kind>:<slug of the name>``, where the slug is NFKC + casefold, "&" read
  as "og", and every run of characters that are not letters or digits replaced by "-".
  Norwegian letters stay letters ("Ås" → ``ås``, not ``as``).

Relationship ids are ``<from id>|<TYPE>|<to id>`` plus ``|<key>`` for types whose key property
(e.g. HAS_ROLE's role) distinguishes parallel relationships.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
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
        return f"initiative:sak:{_capped(slug(str(props['saksnummer'])))}"
    s = _capped(slug(name))
    if not s:
        raise ValueError(f"kan ikke lage id for {kind} uten navn")
    if kind == "Person" and props.get("email"):
        return f"person:{s}~{email_digest(str(props['email']))}"
    return f"{kind.lower()}:{s}"


#: the longest slug kept whole in an id, in UTF-8 bytes. FalkorDB's unique-id constraint
#: crashes its server on a value over 4,096 bytes (measured: 4,096 works, 4,100 segfaults),
#: and a relationship id holds two node ids: a longer slug is cut and given a digest.
MAX_SLUG_BYTES = 160


def _capped(s: str) -> str:
    """`s`, or for a slug over MAX_SLUG_BYTES its start (cut at a "-") plus "~" and 10 hex
    digits of the whole slug's SHA-256: short, stable, and still tells long names apart."""
    raw = s.encode("utf-8")
    if len(raw) <= MAX_SLUG_BYTES:
        return s
    head = raw[: MAX_SLUG_BYTES - 11].decode("utf-8", errors="ignore")
    head = head.rsplit("-", 1)[0] if "-" in head[40:] else head
    return f"{head.rstrip('-')}~{hashlib.sha256(raw).hexdigest()[:10]}"


def email_digest(email: str) -> str:
    """10 hex digits of the keyed HMAC-SHA-256 of the casefolded, trimmed address: tells
    addresses apart in an id without showing them, and without a way back by guessing."""
    key = id_secret()
    return hmac.new(key, email.strip().casefold().encode("utf-8"), hashlib.sha256).hexdigest()[:10]


_SECRET: list[bytes] = []


def id_secret() -> bytes:
    """The key of the person-id HMAC: `SAMGRAF_ID_SECRET`, or the random key in
    `<SAMGRAF_DB_PATH>/id-secret` (created, readable by its owner only, on first use)."""
    if _SECRET:
        return _SECRET[0]
    env = os.environ.get("SAMGRAF_ID_SECRET", "").strip()
    if env:
        key = env.encode("utf-8")
    else:
        from graph.settings import get_settings

        path = get_settings().db_path / "id-secret"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        key = path.read_text().strip().encode("utf-8")
    _SECRET.append(key)
    return key


def rel_id(from_id: str, rel_type: str, to_id: str, key: Any = None) -> str:
    base = f"{from_id}|{rel_type}|{to_id}"
    if key is None or key == "":
        return base
    return f"{base}|{_capped(slug(str(key)))}"
