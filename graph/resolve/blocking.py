"""Candidate generation by multi-pass blocking, then rapidfuzz `process.cdist` on each block.

Every name key (alias-rewritten, legal forms dropped) is token-sorted, the form
`token_sort_ratio` compares. Three passes put each name in one block per pass, keyed on the
folded sorted string (æ→a, ø→o, å→a, "aa"→"a", so "Ås" and "Aas" meet):

1. its first three characters,
2. its last four characters,
3. the first three characters of its longest word (the word that weighs most in the score:
   "Heimodd Næringsforening" / "Hovbø Næringsforening" meet here). When the longest word is
   also the first word, this key equals the first pass's key; two such names already met
   there, so this pass leaves those pairs out.

Two names are compared only when they share a block in at least one pass. A typo, a missing
word or swapped words rarely changes all three keys at once.

Within a block rapidfuzz `process.cdist` scores every pair whose lengths can reach the cutoff
(`fuzz.ratio` is 100·(1 − d/(n + m)) with the Indel distance d ≥ |n − m|, so at 80 a name of
length n can only match lengths n/1.5 … 1.5n): a large block is ordered by length and split
into chunks of similar length, each scored against the names of compatible length only. Many
tiny blocks are packed into one cdist call (keeping only the hits within a block): a call costs
more than a few hundred pairs. The calls are shared out over one thread per core (cdist
releases the GIL; its own `workers=-1` would start threads for every small block).

A block with more than `MAX_BLOCK_PAIRS` pairs (a numbered series such as "Prosjekt 000001" …
"Prosjekt 100000", where nearly every pair scores above the cutoff) is compared by sorted
neighbourhood instead: each name with the `WINDOW` names next to it in sort order, forwards
and on the reversed strings.

The keys are computed for all names at once with numpy (one array of code points), not name by
name in Python: at 10,000 × 10,000 names the key computation would otherwise cost as much as
the scoring. The benchmark (`benchmarks/bench_resolve.py`) measures the share of brute force's
pairs this keeps and the speed-up, in the same run; `samgraf import` uses this same function
(`importers/resolution.py`).

Sorted-string `fuzz.ratio` equals `fuzz.token_sort_ratio`, so the tokens are sorted once per
name instead of once per pair.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

IntArray = NDArray[np.int64]

#: inputs of at most this many pairs are scored all against all, without blocking
ALL_PAIRS = 4096
#: a block with more pairs than this is compared by sorted neighbourhood instead: each name
#: with the WINDOW names next to it (the largest block of the 10,000 × 10,000 benchmark has
#: 315,000 pairs; "Prosjekt 000000" … "Prosjekt 099999" makes blocks of 1,000 × 1,000 names)
MAX_BLOCK_PAIRS = 500_000
WINDOW = 10
#: blocks with more pairs than this are split into chunks of names of similar length
SPLIT_PAIRS = 20_000
#: … each chunk holding names of up to this many times the length of its shortest (at least
#: MIN_CHUNK names)
CHUNK_SPREAD = 1.25
MIN_CHUNK = 16
#: blocks of at most SMALL_PAIRS pairs are scored together, in bins of up to BIN_PAIRS pairs
SMALL_PAIRS = 100
BIN_PAIRS = 4096
#: below this many pairs in all, the blocks are scored on the calling thread only
PARALLEL_PAIRS = 200_000
#: characters per key: of the start, of the end, of the longest word (at most 4: a key of 48
#: bits is sorted together with the name's length in one 64-bit integer). The end has four:
#: three would put every name ending in "-ing" (utvikling, opplæring, næringsforening) in one
#: block
KEY_CHARS = (3, 4, 3)

#: single code point folding for the keys; "aa" is first rewritten to "å"
_FOLD_TABLE = np.arange(0x10000, dtype=np.uint64)
for _a, _b in {
    "æ": "a",
    "ø": "o",
    "å": "a",
    "é": "e",
    "è": "e",
    "ü": "u",
    "ö": "o",
    "ä": "a",
}.items():
    _FOLD_TABLE[ord(_a)] = ord(_b)
_SPACE = ord(" ")


def sort_tokens(key: str) -> str:
    return " ".join(sorted(key.split()))


def _codes(strings: Sequence[str]) -> NDArray[np.uint32]:
    """The strings, "aa" written "å", as a (names × longest + 4) array of code points,
    0-padded."""
    folded = "\n".join(strings).replace("aa", "å").split("\n")
    if len(folded) != len(strings):  # a key with a line break in it: one by one
        folded = [s.replace("aa", "å") for s in strings]
    width = max(map(len, folded), default=0) + 4
    return np.array(folded, dtype=f"<U{width}").view(np.uint32).reshape(len(folded), width)


def _pack(
    codes: NDArray[np.uint32], rows: IntArray, cols: IntArray, chars: int
) -> NDArray[np.uint64]:
    """`chars` (≤ 4) folded code points from (row, col) on as one integer, 12 bits each (two
    characters 4096 code points apart share a key: that only merges two blocks)."""
    out = np.zeros(len(rows), dtype=np.uint64)
    for k in range(chars):
        out = (out << np.uint64(12)) | (
            _FOLD_TABLE[np.minimum(codes[rows, cols + k], 0xFFFF)] & np.uint64(0xFFF)
        )
    return out


def block_keys(sorted_keys: Sequence[str]) -> list[NDArray[np.uint64]]:
    """The three block keys of every token-sorted key: first characters, last characters,
    first characters of the longest word (the first of equally long ones)."""
    codes = _codes(sorted_keys)
    n, width = codes.shape
    rows = np.arange(n, dtype=np.int64)
    length = np.count_nonzero(codes, axis=1).astype(np.int64)
    fc, lc, wc = KEY_CHARS
    first = _pack(codes, rows, np.zeros(n, dtype=np.int64), fc)
    last = _pack(codes, rows, np.maximum(length - lc, 0), lc)
    # words: runs of non-space characters; starts and ends found on a 0-bordered copy
    letters = np.zeros((n, width + 2), dtype=np.int8)
    letters[:, 1:-1] = (codes != 0) & (codes != _SPACE)
    step = np.diff(letters, axis=1)
    starts = np.flatnonzero(step == 1)
    ends = np.flatnonzero(step == -1)
    word_rows = starts // (width + 1)
    word_len = ends - starts
    longest = np.zeros(n, dtype=np.int64)
    np.maximum.at(longest, word_rows, word_len)
    is_longest = np.flatnonzero(word_len == longest[word_rows])
    lrows = word_rows[is_longest]
    keep = np.ones(len(lrows), dtype=bool)
    keep[1:] = lrows[1:] != lrows[:-1]
    chosen = is_longest[keep]
    word = np.zeros(n, dtype=np.uint64)
    word[word_rows[chosen]] = _pack(codes, word_rows[chosen], starts[chosen] % (width + 1), wc)
    return [first, last, word]


def _groups(
    keys: NDArray[np.uint64], length: IntArray
) -> tuple[NDArray[np.uint64], IntArray, IntArray, IntArray]:
    """(distinct keys, start and count of each in `order`, order) of one pass's keys; within a
    key, the names are ordered by length."""
    # one sort of key·256 + length (keys have at most 48 bits, lengths are capped at 255)
    order = np.argsort((keys << np.uint64(8)) | length.astype(np.uint64), kind="stable")
    sorted_keys = keys[order]
    start = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    count = np.diff(np.r_[start, len(keys)])
    return sorted_keys[start], start, count, order


def _blocks(
    lkeys: list[NDArray[np.uint64]],
    rkeys: list[NDArray[np.uint64]],
    llen: IntArray,
    rlen: IntArray,
    same: bool,
) -> list[tuple[IntArray, IntArray, bool]]:
    """(left indices, right indices, whether the block pairs a list with itself) of every
    block of every pass, each side ordered by length.

    A name whose longest word is its first word has the same key in the first and the third
    pass; two such names already met in the first pass, so the third pass leaves them out."""
    out: list[tuple[IntArray, IntArray, bool]] = []
    dup_l = lkeys[0] == lkeys[2] if KEY_CHARS[0] == KEY_CHARS[2] else None
    dup_r = rkeys[0] == rkeys[2] if KEY_CHARS[0] == KEY_CHARS[2] else None
    for p, (lk, rk) in enumerate(zip(lkeys, rkeys, strict=True)):
        lu, ls, lc, lo = _groups(lk, llen)
        if same:
            ru, rs, rc, ro = lu, ls, lc, lo
        else:
            ru, rs, rc, ro = _groups(rk, rlen)
        _, ia, ib = np.intersect1d(lu, ru, assume_unique=True, return_indices=True)
        for a, b in zip(ia.tolist(), ib.tolist(), strict=True):
            if same and lc[a] < 2:
                continue
            li, ri = lo[ls[a] : ls[a] + lc[a]], ro[rs[b] : rs[b] + rc[b]]
            if p == 2 and dup_l is not None and dup_r is not None:
                dl, dr = dup_l[li], dup_r[ri]
                if dl.any() and dr.any():
                    for x, y in ((li, ri[~dr]), (li[~dl], ri[dr])):
                        if len(x) and len(y):
                            out.append((x, y, False))
                    continue
            out.append((li, ri, same))
    return out


def _length_bounds(cutoff: float) -> tuple[float, float]:
    """(lo, hi): a name of length n can only reach `cutoff` with names of length n·lo … n·hi.
    `fuzz.ratio` is 100·(1 − d/(n + m)) with the Indel distance d ≥ |n − m|."""
    c = cutoff / 100
    if c <= 0:
        return 0.0, float("inf")
    c = min(c, 1.0)
    return c / (2 - c), (2 - c) / c


def _split(
    li: IntArray,
    ri: IntArray,
    llen: IntArray,
    rlen: IntArray,
    bounds: tuple[float, float],
    same: bool,
) -> list[Block]:
    """A large block (both sides ordered by length) as chunks of left names of similar length,
    each with only the right names whose length can reach the cutoff (in a block of a list
    with itself, only those not shorter than the chunk: each pair is scored once)."""
    if len(li) * len(ri) <= SPLIT_PAIRS:
        return [(li, ri)]
    lo, hi = bounds
    ln, rn = llen[li], rlen[ri]
    out = []
    s = 0
    while s < len(li):
        e = int(np.searchsorted(ln, ln[s] * CHUNK_SPREAD, side="right"))
        e = max(e, min(len(li), s + MIN_CHUNK))
        a = s if same else int(np.searchsorted(rn, ln[s] * lo - 1e-9, side="left"))
        b = int(np.searchsorted(rn, ln[e - 1] * hi + 1e-9, side="right"))
        if b > a:
            out.append((li[s:e], ri[a:b]))
        s = e
    return out


Found = tuple[IntArray, IntArray, NDArray[np.uint8]]
Block = tuple[IntArray, IntArray]
#: (left indices, right indices, and for a bin of small blocks: the block of each left and
#: each right index, or None)
Task = tuple[IntArray, IntArray, IntArray | None, IntArray | None]


def _tasks(blocks: list[Block]) -> list[Task]:
    """The blocks as cdist calls: small blocks are packed into bins (one call for many blocks,
    keeping only the hits within a block): a call costs more than a few hundred pairs."""
    tasks: list[Task] = []
    current: list[Block] = []
    n = m = 0

    def flush() -> None:
        if len(current) == 1:
            tasks.append((current[0][0], current[0][1], None, None))
        elif current:
            ids = np.arange(len(current))
            tasks.append(
                (
                    np.concatenate([li for li, _ in current]),
                    np.concatenate([ri for _, ri in current]),
                    np.repeat(ids, [len(li) for li, _ in current]),
                    np.repeat(ids, [len(ri) for _, ri in current]),
                )
            )
        current.clear()

    for li, ri in blocks:
        if len(li) * len(ri) > SMALL_PAIRS:
            tasks.append((li, ri, None, None))
            continue
        if current and (n + len(li)) * (m + len(ri)) > BIN_PAIRS:
            flush()
            n = m = 0
        current.append((li, ri))
        n += len(li)
        m += len(ri)
    flush()
    return tasks


def _score_tasks(
    tasks: list[Task], la: NDArray[Any], ra: NDArray[Any], cutoff: float
) -> list[Found]:
    found: list[Found] = []
    for li, ri, lb, rb in tasks:
        m = process.cdist(
            la[li], ra[ri], scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8, workers=1
        )
        # flatnonzero: a fraction of the cost of the two-dimensional nonzero
        xs, ys = np.divmod(np.flatnonzero(m), m.shape[1])
        if lb is not None and rb is not None:
            same_block = lb[xs] == rb[ys]
            xs, ys = xs[same_block], ys[same_block]
        if len(xs):
            found.append((li[xs], ri[ys], m[xs, ys]))
    return found


def _score_parallel(
    blocks: list[Block], la: NDArray[Any], ra: NDArray[Any], cutoff: float
) -> list[Found]:
    """Score the blocks with `process.cdist`, on one thread per core (cdist releases the GIL)
    when there is enough work."""
    tasks = _tasks(blocks)
    sizes = [len(t[0]) * len(t[1]) for t in tasks]
    threads = min(os.cpu_count() or 1, 8)
    if threads < 2 or sum(sizes) < PARALLEL_PAIRS:
        return _score_tasks(tasks, la, ra, cutoff)
    # largest first to the least loaded thread
    shares: list[list[Task]] = [[] for _ in range(threads)]
    load = [0] * threads
    for k in sorted(range(len(tasks)), key=sizes.__getitem__, reverse=True):
        t = load.index(min(load))
        shares[t].append(tasks[k])
        load[t] += sizes[k]
    parts = _pool(threads).map(lambda share: _score_tasks(share, la, ra, cutoff), shares)
    return [f for part in parts for f in part]


_POOLS: dict[int, ThreadPoolExecutor] = {}


def _pool(threads: int) -> ThreadPoolExecutor:
    """A thread pool kept for the process (starting threads per call costs more than small
    inputs take to score)."""
    if threads not in _POOLS:
        _POOLS[threads] = ThreadPoolExecutor(threads, thread_name_prefix="blocking")
    return _POOLS[threads]


def _neighbourhood(
    li: IntArray,
    ri: IntArray,
    ls: Sequence[str],
    rs: Sequence[str],
    same: bool,
    cutoff: float,
) -> Found:
    """Each name of a too-large block with the WINDOW names next to it in sort order (of the
    strings, and of the reversed strings), scored pairwise with `process.cpdist`."""
    side = np.r_[np.zeros(len(li), dtype=np.int8), np.ones(0 if same else len(ri), dtype=np.int8)]
    idx = np.r_[li, np.empty(0, dtype=np.int64) if same else ri]
    texts = [ls[i] for i in li] + ([] if same else [rs[j] for j in ri])
    pa: list[IntArray] = []
    pb: list[IntArray] = []
    for reverse in (False, True):
        order = np.array(
            sorted(
                range(len(texts)), key=(lambda x: texts[x][::-1]) if reverse else texts.__getitem__
            ),
            dtype=np.int64,
        )
        for d in range(1, WINDOW + 1):
            a, b = order[:-d], order[d:]
            if not same:
                ok = side[a] != side[b]
                a, b = a[ok], b[ok]
                a, b = np.where(side[a] == 0, a, b), np.where(side[a] == 0, b, a)
            pa.append(a)
            pb.append(b)
    a = np.concatenate(pa) if pa else np.empty(0, dtype=np.int64)
    b = np.concatenate(pb) if pb else np.empty(0, dtype=np.int64)
    i, j = idx[a], idx[b]
    if same:
        i, j = np.minimum(i, j), np.maximum(i, j)
    code = np.unique(i * (max(len(ls), len(rs)) + 1) + j)
    i, j = code // (max(len(ls), len(rs)) + 1), code % (max(len(ls), len(rs)) + 1)
    scores = process.cpdist(
        [ls[x] for x in i.tolist()],
        [(ls if same else rs)[y] for y in j.tolist()],
        scorer=fuzz.ratio,
        score_cutoff=cutoff,
        dtype=np.uint8,
        workers=-1,
    )
    hit = np.flatnonzero(scores)
    return i[hit], j[hit], scores[hit]


def scored_pairs(
    left: Sequence[str],
    right: Sequence[str] | None = None,
    cutoff: float = 80.0,
) -> list[tuple[int, int, float]]:
    """Pairs (i into left, j into right) whose `token_sort_ratio` reaches `cutoff`, found by
    blocking; `right=None` pairs `left` with itself (i < j)."""
    same = right is None
    ls = [sort_tokens(k) for k in left]
    rs = ls if same else [sort_tokens(k) for k in (right or [])]
    if not ls or not rs:
        return []
    if len(ls) * len(rs) <= ALL_PAIRS:  # cheaper to score everything than to block
        m = process.cdist(ls, rs, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8)
        rows, cols = np.divmod(np.flatnonzero(m), m.shape[1])
        return [
            (i, j, float(m[i, j]))
            for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
            if not same or i < j
        ]
    if same:
        lkeys = rkeys = block_keys(ls)
    else:
        both = block_keys([*ls, *rs])
        lkeys, rkeys = [k[: len(ls)] for k in both], [k[len(ls) :] for k in both]
    # lengths capped at 255: for the length filter this only lets more pairs through
    llen = np.minimum(np.fromiter(map(len, ls), dtype=np.int64, count=len(ls)), 255)
    rlen = (
        llen if same else np.minimum(np.fromiter(map(len, rs), dtype=np.int64, count=len(rs)), 255)
    )
    bounds = _length_bounds(cutoff)
    blocks: list[Block] = []
    found: list[Found] = []
    for li, ri, symmetric in _blocks(lkeys, rkeys, llen, rlen, same):
        if len(li) * len(ri) > MAX_BLOCK_PAIRS:
            found.append(_neighbourhood(li, ri, ls, rs, symmetric, cutoff))
        else:
            blocks += _split(li, ri, llen, rlen, bounds, symmetric)
    la = np.array(ls, dtype=object)
    ra = la if same else np.array(rs, dtype=object)
    found += _score_parallel(blocks, la, ra, cutoff)
    if not found:
        return []
    i = np.concatenate([f[0] for f in found])
    j = np.concatenate([f[1] for f in found])
    s = np.concatenate([f[2] for f in found])
    if same:  # each pair once, as (smaller, larger), never a name with itself
        i, j = np.minimum(i, j), np.maximum(i, j)
        keep = i < j
        i, j, s = i[keep], j[keep], s[keep]
    _, first = np.unique(i * len(rs) + j, return_index=True)
    return list(
        zip(i[first].tolist(), j[first].tolist(), s[first].astype(float).tolist(), strict=True)
    )


def brute_force_pairs(
    left: Sequence[str],
    right: Sequence[str],
    cutoff: float = 80.0,
    scorer: Callable[..., Any] = fuzz.token_sort_ratio,
) -> list[tuple[int, int, float]]:
    """Every pair at or above `cutoff` (`process.cdist`, all cores): the baseline."""
    m = process.cdist(left, right, scorer=scorer, workers=-1, score_cutoff=cutoff, dtype=np.uint8)
    rows, cols = np.nonzero(m)
    return [(int(i), int(j), float(m[i, j])) for i, j in zip(rows, cols, strict=True)]
