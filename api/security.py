"""API keys and read scopes.

- Keys are configured as sha256 hex digests (never the key itself):
  ``SAMGRAF_API_KEY_HASH`` (may write, reads with scope ``internal``) and
  ``SAMGRAF_READ_KEY_HASH`` (reads only, scope ``public``); several digests are separated by
  commas. A key is sent as ``X-API-Key: <key>`` or ``Authorization: Bearer <key>``; its digest
  is compared with `hmac.compare_digest` (constant time) against every configured digest.
- Reads are open (scope ``public``) unless ``SAMGRAF_READ_KEY_REQUIRED=true``.
- Scope ``public`` never returns people's e-mail or phone; ``internal`` may.
- Writes need a write key: no key → 401, a key that may not write → 403.

Make a digest with ``python -c "import hashlib; print(hashlib.sha256(b'KEY').hexdigest())"``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request

from graph.settings import Settings, get_settings

Scope = Literal["public", "internal"]
KEY_HEADER = "x-api-key"


@dataclass(frozen=True)
class Principal:
    scope: Scope
    can_write: bool
    keyed: bool


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _digests(value: str | None) -> list[str]:
    return [d.strip().lower() for d in (value or "").split(",") if d.strip()]


def _matches(digest: str, configured: list[str]) -> bool:
    found = False
    for candidate in configured:  # no early exit: the time does not tell which one matched
        found |= hmac.compare_digest(digest, candidate)
    return found


def presented_key(request: Request) -> str | None:
    key = request.headers.get(KEY_HEADER)
    if key:
        return key
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return None


def settings_of(request: Request) -> Settings:
    s = getattr(request.app.state, "settings", None)
    return s if isinstance(s, Settings) else get_settings()


def identify(request: Request) -> Principal | None:
    """Who is asking: None when no key was sent; raises 401 for a key that is not known."""
    key = presented_key(request)
    if key is None:
        return None
    settings = settings_of(request)
    digest = hash_key(key)
    if _matches(digest, _digests(settings.api_key_hash)):
        return Principal("internal", can_write=True, keyed=True)
    if _matches(digest, _digests(settings.read_key_hash)):
        return Principal("public", can_write=False, keyed=True)
    raise HTTPException(
        401, "ukjent API-nøkkel", headers={"WWW-Authenticate": 'Bearer realm="samgraf"'}
    )


def read_access(request: Request) -> Principal:
    """Dependency of every read: the caller's scope."""
    principal = identify(request)
    if principal is None:
        if settings_of(request).read_key_required:
            raise HTTPException(
                401,
                "lesing krever API-nøkkel (X-API-Key eller Authorization: Bearer)",
                headers={"WWW-Authenticate": 'Bearer realm="samgraf"'},
            )
        principal = Principal("public", can_write=False, keyed=False)
    request.state.scope = principal.scope
    return principal


def write_access(request: Request) -> Principal:
    """Dependency of every write: a key that may write."""
    principal = identify(request)
    if principal is None:
        raise HTTPException(
            401,
            "skriving krever API-nøkkel (X-API-Key eller Authorization: Bearer)",
            headers={"WWW-Authenticate": 'Bearer realm="samgraf"'},
        )
    if not principal.can_write:
        raise HTTPException(403, "denne API-nøkkelen gir bare lesetilgang")
    request.state.scope = principal.scope
    return principal


ReadAccess = Annotated[Principal, Depends(read_access)]
WriteAccess = Annotated[Principal, Depends(write_access)]
