"""HTTP caching, compression and CORS for the API.

- `CacheMiddleware` (pure ASGI) on successful GET/HEAD under /api/v1: a weak `ETag` (sha256
  of the body), `Cache-Control` (`public` for open reads, `private` when a key was sent or
  reads need a key; `max-age` = SAMGRAF_API_CACHE_SECONDS), `Vary`, and `304 Not Modified`
  for a matching `If-None-Match`. Answers are also kept in a small in-process LRU cache for
  `max-age` seconds, keyed by URL and the (hashed) credentials, so a repeated read does not
  touch the database; `Cache-Control: no-cache` in the request bypasses it, and any
  successful write empties it.
- gzip: Starlette's `GZipMiddleware` (bodies ≥ 500 bytes, when the client accepts it),
  inside the cache, so cached answers are stored compressed.
- CORS: Starlette's `CORSMiddleware`, origins from SAMGRAF_CORS_ORIGINS.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from typing import Any

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.settings import Settings

PREFIX = "/api/v1"
MAX_ENTRIES = 1024
MAX_BODY = 2_000_000  # larger answers (exports) are not kept in memory


def _header(scope: Scope, name: bytes) -> bytes | None:
    for k, v in scope.get("headers", []):
        if k == name:
            return bytes(v)
    return None


class CacheMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.max_age = settings.api_cache_seconds
        self.keyed_reads = settings.read_key_required
        self.entries: OrderedDict[tuple[str, str], tuple[float, int, list[Any], bytes]] = (
            OrderedDict()
        )
        self.hits = 0

    def clear(self) -> None:
        self.entries.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await self._write(scope, receive, send)
            return
        credentials = (
            (_header(scope, b"x-api-key") or b"") + b"|" + (_header(scope, b"authorization") or b"")
        )
        keyed = credentials != b"|"
        cred_hash = hashlib.sha256(credentials).hexdigest() if keyed else ""
        url = scope["path"] + "?" + scope.get("query_string", b"").decode("latin-1")
        gzip_ok = b"gzip" in (_header(scope, b"accept-encoding") or b"")
        key = (url, cred_hash + ("|gzip" if gzip_ok else ""))
        no_cache = b"no-cache" in (_header(scope, b"cache-control") or b"")
        inm = _header(scope, b"if-none-match")
        now = time.monotonic()
        entry = self.entries.get(key)
        if entry and not no_cache and entry[0] > now:
            self.entries.move_to_end(key)
            self.hits += 1
            await self._send(send, entry[1], entry[2], entry[3], inm, method)
            return

        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        status = int(start.get("status", 500))
        headers = [
            (k, v)
            for k, v in start.get("headers", [])
            if k.lower() not in (b"content-length", b"vary")  # gzip's Vary is in ours
        ]
        if status == 200:
            etag = b'W/"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
            visibility = b"private" if keyed or self.keyed_reads else b"public"
            headers += [
                (b"etag", etag),
                (b"cache-control", visibility + b", max-age=" + str(self.max_age).encode()),
                (b"vary", b"Accept-Encoding, X-API-Key, Authorization"),
            ]
            if self.max_age and len(body) <= MAX_BODY:
                self.entries[key] = (now + self.max_age, status, headers, body)
                self.entries.move_to_end(key)
                while len(self.entries) > MAX_ENTRIES:
                    self.entries.popitem(last=False)
        await self._send(send, status, headers, body, inm, method)

    async def _send(
        self,
        send: Send,
        status: int,
        headers: list[Any],
        body: bytes,
        inm: bytes | None,
        method: str,
    ) -> None:
        etag = next((v for k, v in headers if k == b"etag"), None)
        if status == 200 and etag and inm and etag in [t.strip() for t in inm.split(b",")]:
            keep = [(k, v) for k, v in headers if k in (b"etag", b"cache-control", b"vary")]
            await send({"type": "http.response.start", "status": 304, "headers": keep})
            await send({"type": "http.response.body", "body": b""})
            return
        out = [*headers, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})

    async def _write(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        if 200 <= status < 300:
            self.clear()


class DropNul:
    """Drops NUL characters from the path and query string of a request.

    FalkorDB's client sends query parameters in a text header that the server reads as a C
    string, so a parameter containing NUL ends the header early and the query fails to parse
    (a 500). No stored id, name or value contains NUL, so dropping it changes no answer: an
    id made of NUL alone becomes the empty id, which is not found (404).
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"")
            if b"%00" in query or b"\x00" in query:
                query = query.replace(b"%00", b"").replace(b"\x00", b"")
                scope = {**scope, "query_string": query}
            if "\x00" in scope["path"]:
                scope = {**scope, "path": scope["path"].replace("\x00", "")}
        await self.app(scope, receive, send)


#: the largest request body per route, bytes: uploads (multipart, a little over the file
#: limit of /api/v1/imports) and everything else (JSON bodies of a few ids)
UPLOAD_BODY = 210 * 1024 * 1024
DEFAULT_BODY = 1024 * 1024
UPLOAD_PATHS = ("/api/v1/imports",)


class BodyLimit:
    """Every route's request body is bounded: a declared `Content-Length` over the limit is
    answered 413 at once, without reading; a body without one (chunked) is counted while it
    streams and stopped at the limit. A 600 MB body to /explorer/subgraph grew the server to
    2.5 GB before."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = UPLOAD_BODY if scope["path"] in UPLOAD_PATHS else DEFAULT_BODY
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    from fastapi import HTTPException

                    raise HTTPException(413, _too_large_text(limit))
            return message

        await self.app(scope, bounded, send)


def _too_large_text(limit: int) -> str:
    return f"forespørselen er større enn {limit // (1024 * 1024)} MB"


async def _too_large(send: Send, limit: int) -> None:
    import json as _json

    body = _json.dumps(
        {
            "type": "about:blank",
            "title": "For stor",
            "status": 413,
            "detail": _too_large_text(limit),
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """NUL guard (innermost), gzip, cache, body limit, CORS (outermost).

    The cache sits outside gzip so a cached answer is kept compressed (per Accept-Encoding)
    and a hit costs no compression; its ETag is then that of the bytes sent.
    """
    app.add_middleware(DropNul)
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(CacheMiddleware, settings=settings)
    app.add_middleware(BodyLimit)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["X-API-Key", "Authorization", "If-None-Match", "Content-Type"],
            expose_headers=["ETag", "Cache-Control"],
            max_age=600,
        )
