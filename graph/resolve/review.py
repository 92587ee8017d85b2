"""The review queue: proposals and judgements, kept apart from the graph (nomenklatura style).

A SQLite file (`Settings.review_db`, default `<SAMGRAF_DB_PATH>/review.sqlite`), the same for
both graph backends. Two tables:

- `items`: one proposal per `key` — kind "merge" (two nodes that may be one entity; payload
  has both ids, names and kinds, the proposed winner first) or "fact" (a node/relationship
  proposed by another importer; payload `{"nodes": [...], "relationships": [...]}`), with a
  confidence and the evidence.
- `judgements`: every verdict (accept / reject / unsure) with who, when, the evidence shown,
  and — for an accepted merge or fact — the snapshot needed to undo it. Undoing marks the
  judgement undone (with who and when); nothing is deleted.

Judgements are data: an import asks `canonical()` for the accepted merges and re-applies them
(the loser id is rewritten to the winner), and `judged_pairs()` so that a rejected pair is
never proposed or merged again. `propose()` is idempotent by key and never re-opens an item
that has been judged.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.resolve.merge import merge_nodes, node_props, unmerge

if TYPE_CHECKING:
    from graph.store import GraphStore

VERDICTS = ("accept", "reject", "unsure")
STATUS = {"accept": "accepted", "reject": "rejected", "unsure": "unsure"}
KINDS = ("merge", "fact")

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    confidence REAL NOT NULL,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_status ON items(status);
CREATE TABLE IF NOT EXISTS judgements (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id TEXT NOT NULL REFERENCES items(id),
    verdict TEXT NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL,
    evidence TEXT NOT NULL,
    undo TEXT,
    undone_at TEXT,
    undone_by TEXT
);
CREATE INDEX IF NOT EXISTS judgements_item ON judgements(item_id);
"""


class ReviewError(ValueError):
    """A judgement that cannot be made (unknown item, already judged, nothing to undo)."""


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def merge_key(a: str, b: str) -> str:
    x, y = sorted((a, b))
    return f"merge:{x}|{y}"


@dataclass
class Judgement:
    seq: int
    verdict: str
    who: str
    at: str
    evidence: list[dict[str, Any]]
    undone_at: str | None
    undone_by: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "verdict": self.verdict,
            "who": self.who,
            "at": self.at,
            "evidence": self.evidence,
            "undone_at": self.undone_at,
            "undone_by": self.undone_by,
        }


@dataclass
class Item:
    id: str
    kind: str
    key: str
    payload: dict[str, Any]
    confidence: float
    evidence: list[dict[str, Any]]
    status: str
    created: str
    updated: str
    judgements: list[Judgement]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "key": self.key,
            "payload": self.payload,
            "confidence": self.confidence,
            "evidence": self.evidence,
            "status": self.status,
            "created": self.created,
            "updated": self.updated,
            "judgements": [j.as_dict() for j in self.judgements],
        }


class ReviewQueue:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA journal_mode=WAL")
            yield db
        finally:
            db.close()

    # ---- proposals ------------------------------------------------------------------------

    def propose(
        self,
        kind: str,
        key: str,
        payload: dict[str, Any],
        confidence: float,
        evidence: list[dict[str, Any]],
    ) -> str:
        """Add a proposal; idempotent by `key` (returns the existing item's id, whatever its
        status: a judged item is never re-opened)."""
        if kind not in KINDS:
            raise ReviewError(f"ukjent forslagstype {kind!r}; bruk {', '.join(KINDS)}")
        if kind == "fact":
            _check_fact(payload)
        with self._db() as db:
            row = db.execute("SELECT id FROM items WHERE key = ?", (key,)).fetchone()
            if row:
                return str(row["id"])
            item_id = uuid.uuid4().hex[:12]
            t = now()
            db.execute(
                "INSERT INTO items (id, kind, key, payload, confidence, evidence, status, "
                "created, updated) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?) "
                "ON CONFLICT(key) DO NOTHING",
                (item_id, kind, key, _dumps(payload), float(confidence), _dumps(evidence), t, t),
            )
            row = db.execute("SELECT id FROM items WHERE key = ?", (key,)).fetchone()
            return str(row["id"])

    def propose_many(
        self,
        proposals: builtins.list[
            tuple[str, str, dict[str, Any], float, builtins.list[dict[str, Any]]]
        ],
    ) -> builtins.list[str]:
        """`propose` for many (kind, key, payload, confidence, evidence) in one transaction."""
        ids: builtins.list[str] = []
        t = now()
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            for kind, key, payload, confidence, evidence in proposals:
                if kind not in KINDS:
                    raise ReviewError(f"ukjent forslagstype {kind!r}")
                db.execute(
                    "INSERT INTO items (id, kind, key, payload, confidence, evidence, status, "
                    "created, updated) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?) "
                    "ON CONFLICT(key) DO NOTHING",
                    (
                        uuid.uuid4().hex[:12],
                        kind,
                        key,
                        _dumps(payload),
                        float(confidence),
                        _dumps(evidence),
                        t,
                        t,
                    ),
                )
                row = db.execute("SELECT id FROM items WHERE key = ?", (key,)).fetchone()
                ids.append(str(row["id"]))
            db.execute("COMMIT")
        return ids

    def list(
        self, status: str | None = "open", kind: str | None = None, limit: int = 1000
    ) -> list[Item]:
        q = "SELECT * FROM items WHERE 1=1"
        args: list[Any] = []
        if status and status != "all":
            q += " AND status = ?"
            args.append(status)
        if kind:
            q += " AND kind = ?"
            args.append(kind)
        q += " ORDER BY confidence DESC, created, id LIMIT ?"
        args.append(limit)
        with self._db() as db:
            return [self._item(db, r) for r in db.execute(q, args).fetchall()]

    def get(self, item_id: str) -> Item:
        with self._db() as db:
            row = db.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
            if row is None:
                raise ReviewError(f"finner ikke forslag {item_id!r}")
            return self._item(db, row)

    def get_by_key(self, key: str) -> Item | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM items WHERE key = ?", (key,)).fetchone()
            return self._item(db, row) if row else None

    def _item(self, db: sqlite3.Connection, row: sqlite3.Row) -> Item:
        js = [
            Judgement(
                j["seq"],
                j["verdict"],
                j["who"],
                j["at"],
                json.loads(j["evidence"]),
                j["undone_at"],
                j["undone_by"],
            )
            for j in db.execute(
                "SELECT * FROM judgements WHERE item_id = ? ORDER BY seq", (row["id"],)
            )
        ]
        return Item(
            row["id"],
            row["kind"],
            row["key"],
            json.loads(row["payload"]),
            row["confidence"],
            json.loads(row["evidence"]),
            row["status"],
            row["created"],
            row["updated"],
            js,
        )

    # ---- what imports need ---------------------------------------------------------------

    def canonical(self) -> dict[str, str]:
        """Accepted merges as loser id → winner id, chains followed (a→b, b→c gives a→c)."""
        out: dict[str, str] = {}
        with self._db() as db:
            for row in db.execute(
                "SELECT payload FROM items WHERE kind = 'merge' "
                "AND status = 'accepted' ORDER BY updated"
            ):
                p = json.loads(row["payload"])
                out[p["loser"]["id"]] = p["winner"]["id"]
        for k in list(out):
            seen = {k}
            v = out[k]
            while v in out and v not in seen:
                seen.add(v)
                v = out[v]
            out[k] = v
        return out

    def judged_pairs(self) -> dict[str, str]:
        """merge key → status for every merge proposal (so pairs are never proposed twice)."""
        with self._db() as db:
            return {
                r["key"]: r["status"]
                for r in db.execute("SELECT key, status FROM items WHERE kind = 'merge'")
            }

    def record(
        self,
        item_id: str,
        verdict: str,
        who: str,
        evidence: builtins.list[dict[str, Any]],
        undo: dict[str, Any] | None,
    ) -> None:
        """Store a judgement (used by `judge`, and by imports for automatic merges)."""
        t = now()
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT INTO judgements (item_id, verdict, who, at, evidence, undo) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    item_id,
                    verdict,
                    who,
                    t,
                    _dumps(evidence),
                    _dumps(undo) if undo is not None else None,
                ),
            )
            db.execute(
                "UPDATE items SET status = ?, updated = ? WHERE id = ?",
                (STATUS[verdict], t, item_id),
            )
            db.execute("COMMIT")

    # ---- judging ----------------------------------------------------------------------------

    def judge(self, item_id: str, verdict: str, who: str, store: GraphStore) -> Item:
        """Accept, reject or mark unsure. Accepting a merge merges the two nodes in the graph;
        accepting a fact writes it. Both are undoable."""
        if verdict not in VERDICTS:
            raise ReviewError(f"ukjent avgjørelse {verdict!r}; bruk {', '.join(VERDICTS)}")
        if not who or not who.strip():
            raise ReviewError("hvem som avgjør må oppgis")
        item = self.get(item_id)
        if item.status in ("accepted", "rejected"):
            raise ReviewError(
                f"forslaget er allerede {'godtatt' if item.status == 'accepted' else 'avvist'}; "
                "angre først (undo)"
            )
        undo: dict[str, Any] | None = None
        evidence = list(item.evidence)
        if verdict == "accept":
            if item.kind == "merge":
                undo = self._accept_merge(item, store)
            else:
                undo = self._accept_fact(item, store)
        self.record(item.id, verdict, who.strip(), evidence, undo)
        return self.get(item.id)

    def _accept_merge(self, item: Item, store: GraphStore) -> dict[str, Any]:
        winner, loser = item.payload["winner"]["id"], item.payload["loser"]["id"]
        with store.dialect.transaction() as tx:
            if node_props(tx, store.backend, loser) is None:
                # the loser is not in the graph (e.g. it was redirected at import): nothing to
                # fold in; the judgement alone makes future imports use the winner
                return {"kind": "merge", "snapshot": None}
            snapshot = merge_nodes(tx, store.backend, winner, loser)
        return {"kind": "merge", "snapshot": snapshot}

    def _accept_fact(self, item: Item, store: GraphStore) -> dict[str, Any]:
        from graph.records import GraphBatch, make_node, make_rel
        from graph.store import utc_now

        batch = GraphBatch()
        for n in item.payload.get("nodes", []):
            batch.add_node(
                make_node(n["kind"], n["name"], n.get("props") or {}, list(n.get("sources") or []))
            )
        for r in item.payload.get("relationships", []):
            batch.add_rel(
                make_rel(
                    r["type"],
                    tuple(r["from"]),
                    tuple(r["to"]),
                    r.get("props") or {},
                    list(r.get("sources") or []),
                )
            )
        with store.dialect.transaction() as tx:
            before_nodes = {nid: node_props(tx, store.backend, nid) for nid in batch.nodes}
            before_rels: dict[str, Any] = {}
            for rid, rel in batch.rels.items():
                rows = tx(*_render("resolve.rel_by_id", store.backend, {"id": rid}, type=rel.type))
                before_rels[rid] = [rel.type, rows[0]["props"] if rows else None]
            store.upsert_in(tx, batch, utc_now())
        return {
            "kind": "fact",
            "nodes": {k: [batch.nodes[k].kind, v] for k, v in before_nodes.items()},
            "rels": before_rels,
        }

    def undo(self, item_id: str, who: str, store: GraphStore) -> Item:
        """Undo the latest judgement of an item: an accepted merge is split again (both nodes
        with their relationships), an accepted fact removed; the item is open again."""
        item = self.get(item_id)
        with self._db() as db:
            row = db.execute(
                "SELECT * FROM judgements WHERE item_id = ? AND undone_at IS NULL "
                "ORDER BY seq DESC LIMIT 1",
                (item_id,),
            ).fetchone()
        if row is None:
            raise ReviewError("ingen avgjørelse å angre")
        undo = json.loads(row["undo"]) if row["undo"] else None
        if undo and undo.get("kind") == "merge" and undo.get("snapshot"):
            with store.dialect.transaction() as tx:
                unmerge(tx, store.backend, undo["snapshot"])
        elif undo and undo.get("kind") == "fact":
            self._undo_fact(undo, store)
        t = now()
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "UPDATE judgements SET undone_at = ?, undone_by = ? WHERE seq = ?",
                (t, who, row["seq"]),
            )
            prev = db.execute(
                "SELECT verdict FROM judgements WHERE item_id = ? AND undone_at IS NULL "
                "ORDER BY seq DESC LIMIT 1",
                (item_id,),
            ).fetchone()
            status = STATUS[prev["verdict"]] if prev else "open"
            db.execute(
                "UPDATE items SET status = ?, updated = ? WHERE id = ?", (status, t, item.id)
            )
            db.execute("COMMIT")
        return self.get(item_id)

    def _undo_fact(self, undo: dict[str, Any], store: GraphStore) -> None:
        with store.dialect.transaction() as tx:
            for rid, (rtype, before) in undo["rels"].items():
                if before is None:
                    tx(*_render("resolve.delete_rel", store.backend, {"id": rid}, type=rtype))
                else:
                    tx(
                        *_render(
                            "resolve.set_rel",
                            store.backend,
                            {"id": rid, "props": before},
                            type=rtype,
                        )
                    )
            for nid, (kind, before) in undo["nodes"].items():
                if before is None:
                    tx(*_render("resolve.delete_node", store.backend, {"id": nid}))
                else:
                    tx(
                        *_render(
                            "resolve.restore_node",
                            store.backend,
                            {"id": nid, "props": before},
                            label=kind,
                        )
                    )


def _render(
    name: str, backend: str, params: dict[str, Any], **slots: Any
) -> tuple[str, dict[str, Any]]:
    from graph.queries import render

    return render(name, backend, **slots)[0], params


def _check_fact(payload: dict[str, Any]) -> None:
    """Validate a fact proposal against the model now, not when someone accepts it."""
    from graph.model import ModelError
    from graph.records import make_node, make_rel

    if not isinstance(payload, dict) or not (payload.get("nodes") or payload.get("relationships")):
        raise ReviewError("et faktaforslag trenger nodes og/eller relationships")
    try:
        for n in payload.get("nodes") or []:
            make_node(n["kind"], n["name"], n.get("props") or {}, n.get("sources") or [])
        for r in payload.get("relationships") or []:
            make_rel(
                r["type"],
                tuple(r["from"]),
                tuple(r["to"]),
                r.get("props") or {},
                r.get("sources") or [],
            )
    except (ModelError, KeyError, TypeError, ValueError) as exc:
        raise ReviewError(f"ugyldig faktaforslag: {exc}") from None


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def open_queue(settings: Any) -> ReviewQueue:
    """The review queue configured in `settings` (`review_db`, else `<db_path>/review.sqlite`)."""
    path = getattr(settings, "review_db", None) or Path(settings.db_path) / "review.sqlite"
    return ReviewQueue(path)
