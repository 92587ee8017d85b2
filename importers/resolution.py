"""Entity resolution for an import: the glue between a planned batch and graph.resolve.

1. Accepted merges (judgements in the review queue) are re-applied: a node the queue says is
   another node's duplicate is written as that node (its name kept as an alias).
2. Every new node of a resolvable kind is compared with the graph's nodes of its kind and with
   the other new nodes: candidates by blocking (`graph.resolve.blocking`), plus exact strong
   keys, names equal but for æ/ø/å, one name inside the other, and historic municipalities;
   each candidate pair is decided (`graph.resolve.scoring.decide`).
3. MERGE on a pair nobody has judged → an automatic merge (written, then folded in the same
   transaction, and recorded as an accepted judgement by "samgraf (automatisk)", so it can be
   undone like any other). REVIEW → a proposal in the queue. A pair that was rejected, or is
   waiting in the queue, is left apart.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph.records import GraphBatch, NodeRecord, RelRecord, make_rel
from graph.resolve.aliases import AliasTable
from graph.resolve.blocking import scored_pairs
from graph.resolve.normalise import fold
from graph.resolve.review import ReviewQueue, merge_key
from graph.resolve.scoring import Decision, Entity, Outcome, Thresholds, decide
from graph.store import GraphStore
from importers.reference import ReferenceTables

#: kinds resolved by name; Municipality and County have strong-key ids (kommunenummer,
#: fylkesnummer), the rest (Theme, TargetGroup, Document) are named by the documents
RESOLVE_KINDS = ("Organisation", "Unit", "Person", "FundingSource", "Initiative")
AUTO_WHO = "samgraf (automatisk)"


@dataclass
class PairResult:
    winner: Entity
    loser: Entity
    decision: Decision
    how: str  # "auto" | "judgement" | "review"

    def payload(self) -> dict[str, Any]:
        def side(e: Entity) -> dict[str, Any]:
            return {"id": e.id, "kind": e.kind, "name": e.name, "aliases": list(e.aliases)}

        return {"winner": side(self.winner), "loser": side(self.loser)}

    def proposal(self) -> tuple[str, str, dict[str, Any], float, list[dict[str, Any]]]:
        """The pair as a review-queue item (`ReviewQueue.propose_many`)."""
        return (
            "merge",
            merge_key(self.winner.id, self.loser.id),
            self.payload(),
            self.decision.confidence,
            self.decision.evidence,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.payload(),
            "outcome": self.decision.outcome.value,
            "score": round(self.decision.score, 1),
            "how": self.how,
            "evidence": self.decision.evidence,
        }


@dataclass
class Resolution:
    #: loser id → winner id, for the diff (what the graph will look like)
    redirects: dict[str, str] = field(default_factory=dict)
    #: accepted judgements re-applied to the batch before writing
    reapplied: list[PairResult] = field(default_factory=list)
    auto: list[PairResult] = field(default_factory=list)
    review: list[PairResult] = field(default_factory=list)


def place_names(ref: ReferenceTables) -> frozenset[str]:
    """Every municipality and county name in the reference tables."""
    return (
        frozenset(m.name for m in ref.municipalities)
        | frozenset(c.name for c in ref.counties.values())
        | frozenset(
            {
                "Agder",
                "Vestland",
                "Viken",
                "Innlandet",
                "Trøndelag",
                "Nordland",
                "Troms",
                "Finnmark",
                "Rogaland",
                "Oslo",
                "Telemark",
                "Vestfold",
            }
        )
    )


def historic_table(ref: ReferenceTables) -> tuple[tuple[str, str, int], ...]:
    """(old municipality, the one it became, year) from the reference tables."""
    out = []
    for row in ref.municipalities:
        if not row.valid_to:
            continue
        current = ref.current(row)
        if len(current) == 1 and current[0].name != row.name:
            out.append((row.name, current[0].name, int(row.valid_to[:4]) + 1))
    return tuple(out)


def rewrite(
    batch: GraphBatch, redirects: dict[str, str], existing: dict[str, dict[str, Any]]
) -> GraphBatch:
    """A copy of the batch with redirected node ids; the redirected node's name becomes an
    alias of the winner and its relationships are re-pointed (ids recomputed)."""
    if not redirects:
        return batch
    out = GraphBatch()
    for node in batch.nodes.values():
        target = redirects.get(node.id)
        if target is None:
            out.add_node(node)
            continue
        winner = existing.get(target) or (
            batch.nodes[target].props if target in batch.nodes else {}
        )
        out.add_node(redirect_node(node, target, winner))
    for rel in batch.rels.values():
        moved = redirect_rel(rel, redirects)
        if moved is not None:
            out.add_rel(moved)
    return out


def resolve_batch(
    store: GraphStore,
    batch: GraphBatch,
    existing: dict[str, dict[str, Any]],
    queue: ReviewQueue,
    aliases: AliasTable,
    th: Thresholds,
) -> tuple[GraphBatch, Resolution]:
    """Apply accepted judgements to the batch, then find automatic merges and proposals.

    `existing` holds the stored properties of the batch's node ids that are in the graph.
    Returns the batch to write (accepted merges applied) and what was found.
    """
    res = Resolution()
    canonical = queue.canonical()
    judged = queue.judged_pairs()
    applied = {nid: canonical[nid] for nid in batch.nodes if nid in canonical}
    if applied:
        missing = [w for w in set(applied.values()) if w not in existing]
        for props in _fetch(store, missing):
            existing[props["id"]] = props
        applied = {k: v for k, v in applied.items() if v in existing or v in batch.nodes}
        for loser_id, winner_id in applied.items():
            ln = batch.nodes[loser_id]
            wp = existing.get(winner_id) or batch.nodes[winner_id].props
            res.reapplied.append(
                PairResult(
                    Entity.from_props(wp),
                    Entity.from_props(ln.props),
                    Decision(
                        Outcome.MERGE,
                        100,
                        [{"rule": "judgement", "detail": "godtatt sammenslåing brukt på nytt"}],
                    ),
                    "judgement",
                )
            )
        batch = rewrite(batch, applied, existing)
        res.redirects.update(applied)

    new = [n for n in batch.nodes.values() if n.kind in RESOLVE_KINDS and n.id not in existing]
    context = _plan_context(batch)
    new_ents = [_entity(n.props, context.get(n.id, set())) for n in new]
    resolve_new(store, new_ents, canonical, judged, aliases, th, res)
    return batch, res


def resolve_new(
    store: GraphStore,
    new_ents: list[Entity],
    canonical: dict[str, str],
    judged: dict[str, str],
    aliases: AliasTable,
    th: Thresholds,
    res: Resolution,
) -> Resolution:
    """Automatic merges and review proposals for the new nodes of an import (`new_ents`,
    resolvable kinds, not in the graph, in the order the file names them): compared with the
    graph's nodes of their kind and with each other. Adds to `res` and returns it."""
    if not new_ents:
        return res
    kinds = sorted({e.kind for e in new_ents})
    index = [r for r in store.run("resolve.index", {"kinds": kinds}) if r["id"] not in canonical]
    context: dict[str, set[str]] = {}
    stored_people = [r["id"] for r in index if r["kind"] == "Person"]
    for row in store.run("resolve.context", {"ids": stored_people}) if stored_people else []:
        context.setdefault(row["id"], set()).update(row["context"] or [])
    old_ents = [_entity(r, context.get(r["id"], set())) for r in index]
    del index
    pairs: dict[tuple[str, str], tuple[Entity, Entity]] = {}
    for kind in kinds:
        nk = [e for e in new_ents if e.kind == kind]
        ok = [e for e in old_ents if e.kind == kind]
        for a, b in _candidates(nk, ok, aliases, th):
            pairs.setdefault(tuple(sorted((a.id, b.id))), (b, a))  # type: ignore[arg-type]
        for a, b in _candidates(nk, None, aliases, th):
            pairs.setdefault(tuple(sorted((a.id, b.id))), (a, b))  # type: ignore[arg-type]
    # decide each pair; each new node merges into at most one winner (its best match)
    best: dict[str, PairResult] = {}
    for winner, loser in pairs.values():
        d = decide(winner, loser, aliases, th)
        if d.outcome == Outcome.APART:
            continue
        status = judged.get(merge_key(winner.id, loser.id))
        if status in ("rejected", "accepted"):
            continue  # rejected: never again; accepted: already applied above
        how = "auto" if d.outcome == Outcome.MERGE and status is None else "review"
        pr = PairResult(winner, loser, d, how)
        if how == "review":
            res.review.append(pr)
            continue
        cur = best.get(loser.id)
        if cur is None or d.score > cur.decision.score:
            best[loser.id] = pr
    # two new nodes that are not one (two e-mail addresses, two organisations) must not both
    # merge into the same winner: the best match merges, the other is asked about
    by_winner: dict[str, list[PairResult]] = defaultdict(list)
    for pr in best.values():
        by_winner[pr.winner.id].append(pr)
    for group in by_winner.values():
        group.sort(key=lambda p: (-p.decision.score, p.loser.id))
        kept: list[PairResult] = []
        for pr in group:
            if all(decide(k.loser, pr.loser, aliases, th).outcome == Outcome.MERGE for k in kept):
                kept.append(pr)
                continue
            del best[pr.loser.id]
            res.review.append(PairResult(pr.winner, pr.loser, pr.decision, "review"))
    # no chains within one import: a node that is some merge's winner is not also a loser
    winners = {p.winner.id for p in best.values()}
    for loser_id, pr in sorted(best.items()):
        if loser_id in winners and pr.winner.id in best:
            continue
        res.auto.append(pr)
        res.redirects[loser_id] = pr.winner.id
    # a node merged automatically is not also asked about: the question would be about a node
    # that no longer exists (its winner's own pairs are the graph's business, not this file's)
    res.review = [
        p
        for p in res.review
        if p.loser.id not in res.redirects and p.winner.id not in res.redirects
    ]
    return res


def scan_graph(
    store: GraphStore,
    queue: ReviewQueue,
    aliases: AliasTable,
    th: Thresholds,
    kinds: tuple[str, ...] = RESOLVE_KINDS,
) -> list[PairResult]:
    """Pairs of nodes already in the graph that may be one entity (e.g. from two sources
    loaded before resolution existed). Nothing is merged: every pair not judged before is a
    proposal for a person, its outcome (merge / review) and evidence attached."""
    index = store.run("resolve.index", {"kinds": list(kinds)})
    people = [r["id"] for r in index if r["kind"] == "Person"]
    context: dict[str, set[str]] = defaultdict(set)
    for row in store.run("resolve.context", {"ids": people}) if people else []:
        context[row["id"]].update(row["context"] or [])
    judged = queue.judged_pairs()
    ents = [_entity(r, context.get(r["id"], set())) for r in index]
    out: list[PairResult] = []
    for kind in kinds:
        group = [e for e in ents if e.kind == kind]
        seen: set[tuple[str, str]] = set()
        for a, b in _candidates(group, None, aliases, th):
            key = (min(a.id, b.id), max(a.id, b.id))
            if key in seen or merge_key(a.id, b.id) in judged:
                continue
            seen.add(key)
            # the node with more to lose (a strong key, then the shorter id) is kept
            winner, loser = sorted((a, b), key=lambda e: (not e.keys, len(e.id), e.id))
            d = decide(winner, loser, aliases, th)
            if d.outcome != Outcome.APART:
                out.append(PairResult(winner, loser, d, "review"))
    out.sort(key=lambda p: -p.decision.score)
    return out


def redirect_node(node: NodeRecord, target: str, winner: dict[str, Any]) -> NodeRecord:
    """`node` written as the node `target` (whose properties are `winner`): its names become
    the winner's aliases, its sources stay."""
    aliases = list(winner.get("aliases") or [])
    for n in (node.props.get("name"), *(node.props.get("aliases") or [])):
        if n and n != winner.get("name") and n not in aliases:
            aliases.append(n)
    props: dict[str, Any] = {"id": target, "label": node.kind}
    if aliases:
        props["aliases"] = aliases
    return NodeRecord(node.kind, target, props, list(node.sources))


def redirect_rel(rel: RelRecord, redirects: dict[str, str]) -> RelRecord | None:
    """`rel` re-pointed at the redirected ends (its id recomputed); None when both ends became
    one node."""
    a, b = redirects.get(rel.from_id, rel.from_id), redirects.get(rel.to_id, rel.to_id)
    if a == rel.from_id and b == rel.to_id:
        return rel
    if a == b:
        return None
    props = {k: v for k, v in rel.props.items() if k != "id"}
    return make_rel(rel.type, (rel.from_kind, a), (rel.to_kind, b), props, list(rel.sources))


def _fetch(store: GraphStore, ids: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(0, len(ids), 5000):
        out += [r["props"] for r in store.run("graph.nodes_by_ids", {"ids": ids[i : i + 5000]})]
    return out


def _plan_context(batch: GraphBatch) -> dict[str, set[str]]:
    ctx: dict[str, set[str]] = defaultdict(set)
    for rel in batch.rels.values():
        if rel.type == "MEMBER_OF" and rel.from_kind == "Person":
            ctx[rel.from_id].add(rel.to_id)
    return ctx


def reapplied_pair(winner: dict[str, Any], loser: dict[str, Any]) -> PairResult:
    """An accepted judgement applied again (winner / loser properties)."""
    return PairResult(
        Entity.from_props(winner),
        Entity.from_props(loser),
        Decision(
            Outcome.MERGE,
            100,
            [{"rule": "judgement", "detail": "godtatt sammenslåing brukt på nytt"}],
        ),
        "judgement",
    )


def entity(props: dict[str, Any], context: set[str]) -> Entity:
    """What the resolver compares: a node's properties and (people) where they belong."""
    return _entity(props, context)


def _entity(props: dict[str, Any], context: set[str]) -> Entity:
    data = dict(props)
    data.setdefault("label", data.get("kind"))
    if "label" in props and props.get("label"):
        data["label"] = props["label"]
    return Entity.from_props(data, frozenset(context))


def _candidates(
    left: list[Entity], right: list[Entity] | None, aliases: AliasTable, th: Thresholds
) -> list[tuple[Entity, Entity]]:
    """Candidate pairs (left entity, right entity) by blocking and exact signals."""
    rgt = left if right is None else right
    if not left or not rgt:
        return []
    lk = [aliases.key(e.name)[0].partition("#")[0] for e in left]
    rk = lk if right is None else [aliases.key(e.name)[0].partition("#")[0] for e in rgt]
    # names with different numbers are never one entity ("Prosjekt 1" / "Prosjekt 2"): block
    # only names with the same numbers together (a numbered series of 100,000 projects is then
    # 100,000 groups of one, not one block of 10^10 pairs that the number check throws away)
    ld = [_DIGITS.findall(k) for k in lk]
    rd = ld if right is None else [_DIGITS.findall(k) for k in rk]
    out: set[tuple[int, int]] = set()
    for li, ri in _digit_batches(ld, None if right is None else rd):
        lsub = [lk[i] for i in li]
        rsub = None if right is None else [rk[j] for j in ri]
        for i, j, _ in scored_pairs(lsub, rsub, cutoff=th.review):
            x, y = li[i], (li if right is None else ri)[j]
            if ld[x] == rd[y]:
                out.add((x, y))

    # exact signals blocking cannot see through a score: strong keys, æøå-folded equality,
    # one name's words all inside the other's, an old municipality name and its successor
    def index(keys: list[str], ents: list[Entity]) -> dict[str, list[int]]:
        idx: dict[str, list[int]] = defaultdict(list)
        for j, (k, e) in enumerate(zip(keys, ents, strict=True)):
            idx["f:" + fold(k)].append(j)
            for key, val in e.keys.items():
                idx[f"k:{key}:{val}"].append(j)
            for tok in set(k.split()):
                idx["t:" + tok].append(j)
        return idx

    ridx = index(rk, rgt)
    for i, (k, e) in enumerate(zip(lk, left, strict=True)):
        hits: set[int] = set(ridx.get("f:" + fold(k), []))
        for key, val in e.keys.items():
            hits.update(ridx.get(f"k:{key}:{val}", []))
        toks = set(k.split())
        if toks:
            rare = min(toks, key=lambda t: len(ridx.get("t:" + t, [])))
            bucket = ridx.get("t:" + rare, [])
            if len(bucket) <= 200:
                hits.update(
                    j for j in bucket if toks <= set(rk[j].split()) or set(rk[j].split()) <= toks
                )
        succ = aliases.successor(e.name)
        if succ:
            sk = aliases.key(succ[0])[0].partition("#")[0]
            hits.update(j for j in ridx.get("f:" + fold(sk), []))
        for j in hits:
            out.add((i, j))
    # … and the exact signals may pair them: drop those here, cheaply, before the decision
    pairs = []
    for i, j in out:
        if (right is None and i == j) or ld[i] != rd[j]:
            continue
        a, b = left[i], rgt[j]
        if a.id != b.id:
            pairs.append((a, b))
    return pairs


_DIGITS = re.compile(r"\d+")
#: names per call of the blocker when small groups (same numbers) are batched together
BATCH_NAMES = 5000


def _digit_batches(
    left: list[list[str]], right: list[list[str]] | None
) -> list[tuple[list[int], list[int]]]:
    """Index lists (left, right) to block together: names grouped by the numbers in them, a
    group never split, small groups batched up to BATCH_NAMES names; groups that cannot pair
    (one side empty, or a single name paired with itself) are left out."""
    lg: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, d in enumerate(left):
        lg[tuple(d)].append(i)
    rg: dict[tuple[str, ...], list[int]] = lg
    if right is not None:
        rg = defaultdict(list)
        for j, d in enumerate(right):
            rg[tuple(d)].append(j)
    out: list[tuple[list[int], list[int]]] = []
    cur: tuple[list[int], list[int]] = ([], [])
    for key, li in lg.items():
        ri = rg.get(key, [])
        if not ri or (right is None and len(li) < 2):
            continue
        cur[0].extend(li)
        if right is not None:
            cur[1].extend(ri)
        if len(cur[0]) + len(cur[1]) >= BATCH_NAMES:
            out.append(cur)
            cur = ([], [])
    if cur[0]:
        out.append(cur)
    return out


__all__ = [
    "RESOLVE_KINDS",
    "PairResult",
    "RelRecord",
    "Resolution",
    "entity",
    "historic_table",
    "reapplied_pair",
    "redirect_node",
    "redirect_rel",
    "resolve_batch",
    "resolve_new",
    "rewrite",
]
