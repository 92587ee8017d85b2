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
into chunks of similar length, each scored against the names of compatible length only. The
pairs of tiny blocks are listed and scored pair by pair with `process.cpdist` (a cdist call
costs more than a few hundred pairs). The calls are shared out over one thread per core, pinned to
their cores (cdist releases the GIL; its own `workers=-1` would start threads for every
block).

The blocks of all passes are one table of slices into each pass's sort order, built with a
few array operations per pass (one `np.sort` of key, flag, length and index packed into a
64-bit integer, then a `searchsorted` of one side's keys in the other's), not a Python loop
over blocks.

A block with more than `MAX_BLOCK_PAIRS` pairs (a numbered series such as "Prosjekt 000001" …
"Prosjekt 100000", where nearly every pair scores above the cutoff) is compared by sorted
neighbourhood instead: each name with the `WINDOW` names next to it in sort order, forwards
and on the reversed strings.

The keys are computed for all names at once with numpy (one array of latin-1 bytes), not name
by name in Python: at 10,000 × 10,000 names the key computation would otherwise cost as much
as the scoring. The benchmark (`benchmarks/bench_resolve.py`) measures the share of brute force's
pairs this keeps and the speed-up, in the same run; `samgraf import` uses this same function
(`importers/resolution.py`).

Sorted-string `fuzz.ratio` equals `fuzz.token_sort_ratio`, so the tokens are sorted once per
name instead of once per pair. The scores are kept as float32 while scoring (rapidfuzz then
stores each score as it computed it, 12-15 % cheaper than rounding 2.9 million of them to
integers) and rounded once at the end, exactly as `cdist(dtype=uint8)` rounds (`_rounded`).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from queue import Empty, SimpleQueue
from typing import Any, NamedTuple

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
SPLIT_PAIRS = 60_000
#: … each chunk holding names of up to this many times the length of its shortest (at least
#: MIN_CHUNK names)
CHUNK_SPREAD = 1.25
MIN_CHUNK = 16
#: the pairs of blocks of at most SMALL_PAIRS pairs are listed and scored pair by pair
#: (`process.cpdist`), PAIRWISE_CHUNK pairs a call; a pair costs PAIRWISE_COST cdist pairs
SMALL_PAIRS = 400
PAIRWISE_CHUNK = 8192
PAIRWISE_COST = 9
#: below this many pairs in all, the blocks are scored on the calling thread only
PARALLEL_PAIRS = 200_000
#: characters per key: of the start, of the end, of the longest word (at most 4: a key is
#: sorted together with the name's length in one 64-bit integer). The end has four: three
#: would put every name ending in "-ing" (utvikling, opplæring, næringsforening) in one block
KEY_CHARS = (3, 4, 3)
KEY_BITS = 8 * max(KEY_CHARS)

#: folding of the keys' characters (latin-1 bytes; "aa" is first rewritten to "å", and a
#: character outside latin-1 is read as "?": that only merges two blocks)
_FOLD = np.arange(256, dtype=np.uint64)
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
    _FOLD[ord(_a)] = ord(_b)
_SPACE, _NEWLINE, _A = ord(" "), ord("\n"), ord("a")
_AA_BYTES = np.array([ord("å")], dtype=np.uint8)


def sort_tokens(key: str) -> str:
    return " ".join(sorted(key.split()))


def _sort_all(keys: Iterable[str]) -> list[str]:
    """`sort_tokens` of every key (inlined: a call per name costs a third more)."""
    out: list[str] = []
    add, join = out.append, " ".join
    for key in keys:
        tokens = key.split()
        tokens.sort()
        add(join(tokens))
    return out


def _pack(text: NDArray[np.uint8], pos: IntArray, end: IntArray, chars: int) -> NDArray[np.uint64]:
    """`chars` (≤ 4) folded bytes of `text` from `pos` on, as one integer (8 bits each); a
    byte at or after `end` (the end of its name) counts as 0."""
    out = np.zeros(len(pos), dtype=np.uint64)
    for k in range(chars):
        at = pos + k
        byte = np.where(at < end, text[np.minimum(at, len(text) - 1)], 0)
        out = (out << np.uint64(8)) | _FOLD[byte]
    return out


def _fold_aa(text: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """`text` with "aa" rewritten to "å" (left to right, as `str.replace` does: "aaa" is
    "åa"), on the bytes: `str.replace` of a two-letter pattern searches a letter at a time
    (1 ms for the benchmark's 500 kB), numpy finds the few pairs in a tenth of that, and the
    text is put together again from the slices between them (`np.delete` costs 0.5 ms)."""
    # two neighbours summing to 2·"a" (one addition instead of two comparisons), then checked
    maybe = np.flatnonzero(text[:-1] + text[1:] == np.uint8(2 * _A))
    pairs = maybe[text[maybe] == _A].tolist()
    if not pairs:
        return text
    parts: list[NDArray[np.uint8]] = []
    start = 0
    for p in pairs:
        if p < start:  # the "a" that ended the last pair does not start another
            continue
        parts += [text[start:p], _AA_BYTES]
        start = p + 2
    parts.append(text[start:])
    return np.concatenate(parts)


def block_keys(sorted_keys: Sequence[str]) -> list[NDArray[np.uint64]]:
    """The three block keys of every token-sorted key: first characters, last characters,
    first characters of the longest word (the first of equally long ones).

    All names are handled at once, as one array of latin-1 bytes with a newline between
    names: a few numpy passes over it instead of a loop over the names."""
    n = len(sorted_keys)
    if n == 0:
        return [np.zeros(0, dtype=np.uint64) for _ in KEY_CHARS]
    text = _fold_aa(np.frombuffer("\n".join(sorted_keys).encode("latin-1", "replace"), np.uint8))
    breaks = np.flatnonzero(text == _NEWLINE)
    if len(breaks) != n - 1:  # a key with a line break in it
        return block_keys([k.replace("\n", " ") for k in sorted_keys])
    start = np.r_[0, breaks + 1].astype(np.int64)
    end = np.r_[breaks, len(text)].astype(np.int64)
    fc, lc, wc = KEY_CHARS
    first = _pack(text, start, end, fc)
    last = _pack(text, np.maximum(end - lc, start), end, lc)
    # words: runs of bytes above the space (the tokens are joined by single spaces), which
    # start and end where `inside` changes: at even and odd positions of the changes
    inside = np.zeros(len(text) + 2, dtype=bool)
    inside[1:-1] = text > _SPACE
    changes = np.flatnonzero(inside[1:] != inside[:-1])
    starts = changes[0::2]
    word_len = changes[1::2] - starts
    # the name of each word: names are in order, so the words of name r are those from the
    # first word at or after its start (a search per name, not per word)
    first_word = np.searchsorted(starts, start)
    word_rows = np.repeat(np.arange(n), np.diff(np.r_[first_word, len(starts)]))
    longest = np.zeros(n, dtype=np.int64)
    np.maximum.at(longest, word_rows, word_len)
    is_longest = np.flatnonzero(word_len == longest[word_rows])
    lrows = word_rows[is_longest]
    keep = np.ones(len(lrows), dtype=bool)
    keep[1:] = lrows[1:] != lrows[:-1]
    chosen = is_longest[keep]
    rows = word_rows[chosen]
    word = np.zeros(n, dtype=np.uint64)
    word[rows] = _pack(text, starts[chosen], end[rows], wc)
    return [first, last, word]


def _groups(
    keys: NDArray[np.uint64], flag: NDArray[np.uint64], length: IntArray
) -> tuple[IntArray, NDArray[np.uint64], IntArray, IntArray]:
    """(order, group key, start and count of each group in `order`) of one side of one pass.
    A group is the names of one key and one flag; within it the names are ordered by length.

    One `np.sort` of key · flag · length · index packed in a 64-bit integer (a tenth of the
    cost of a stable argsort); an argsort where the index does not fit."""
    n = len(keys)
    idx_bits = max(1, (n - 1).bit_length())
    group = (keys << np.uint64(1)) | flag
    by_length = (group << np.uint64(8)) | np.minimum(length, 255).astype(np.uint64)
    if KEY_BITS + 1 + 8 + idx_bits <= 64:
        packed = np.sort((by_length << np.uint64(idx_bits)) | np.arange(n, dtype=np.uint64))
        order = (packed & np.uint64((1 << idx_bits) - 1)).astype(np.int64)
        sorted_group = packed >> np.uint64(8 + idx_bits)
    else:
        order = np.argsort(by_length, kind="stable")
        sorted_group = group[order]
    start = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    count = np.diff(np.r_[start, n])
    return order, sorted_group[start], start, count


def _intersect(a: NDArray[np.uint64], b: NDArray[np.uint64]) -> tuple[IntArray, IntArray]:
    """The positions in `a` and in `b` of the values both have; both sorted, without repeats.
    (`np.intersect1d` sorts both again, with a stable sort.)"""
    if not len(a) or not len(b):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)
    ia = np.flatnonzero(b[at] == a)
    return ia, at[ia]


def _unique(x: IntArray) -> IntArray:
    """`np.unique` of integers: numpy 2's own costs 0.7 ms for 12,000 of them, a plain sort
    and a comparison of neighbours 0.04 ms."""
    if not len(x):  # e.g. every pair found was a name with itself
        return x
    x = np.sort(x)
    return x[np.r_[True, x[1:] != x[:-1]]]


#: (left order, right order, and per block: left start and count in the left order, right
#: start and count in the right order, whether it pairs a group with itself)
Table = tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray, NDArray[np.bool_]]


def _block_table(
    lkeys: list[NDArray[np.uint64]],
    rkeys: list[NDArray[np.uint64]],
    llen: IntArray,
    rlen: IntArray,
    same: bool,
) -> Table:
    """Every block of every pass, as slices of the passes' orders (each side of a block is
    ordered by length), computed with a few array operations per pass.

    A name whose longest word is its first word has the same key in the first and the third
    pass (its flag); two such names meet in the first pass, so the third pass pairs only
    groups of which at most one is flagged."""
    nl, nr = len(llen), len(rlen)
    zero_l, zero_r = np.zeros(nl, dtype=np.uint64), np.zeros(nr, dtype=np.uint64)
    orders_l: list[IntArray] = []
    orders_r: list[IntArray] = []
    parts: list[tuple[IntArray, ...]] = []
    for p, (lk, rk) in enumerate(zip(lkeys, rkeys, strict=True)):
        third = p == 2 and KEY_CHARS[0] == KEY_CHARS[2]
        lflag = (lkeys[0] == lk).astype(np.uint64) if third else zero_l
        lo, lg, ls, lc = _groups(lk, lflag, llen)
        if same:
            ro, rg, rs, rc = lo, lg, ls, lc
        else:
            rflag = (rkeys[0] == rk).astype(np.uint64) if third else zero_r
            ro, rg, rs, rc = _groups(rk, rflag, rlen)
        ls, rs = ls + p * nl, rs + p * nr  # into the concatenated orders
        orders_l.append(lo)
        orders_r.append(ro)
        one = np.uint64(1)
        combos = ((0, 0), (0, 1), (1, 0)) if third else ((0, 0),)
        for fl, fr in combos:
            if same and (fl, fr) == (1, 0):  # the mirror of (0, 1)
                continue
            lsel = np.flatnonzero((lg & one) == fl)
            rsel = np.flatnonzero((rg & one) == fr)
            ia, ib = _intersect(lg[lsel] >> one, rg[rsel] >> one)
            ia, ib = lsel[ia], rsel[ib]
            symmetric = np.full(len(ia), same and fl == fr)
            if same and fl == fr:  # a group with itself: at least two names
                keep = lc[ia] >= 2
                ia, ib, symmetric = ia[keep], ib[keep], symmetric[keep]
            parts.append((ls[ia], lc[ia], rs[ib], rc[ib], symmetric))
    return (
        np.concatenate(orders_l),
        np.concatenate(orders_r),
        *(np.concatenate([part[k] for part in parts]) for k in range(5)),
    )  # type: ignore[return-value]


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


#: pairs (left indices, right indices, float32 scores)
Found = tuple[IntArray, IntArray, NDArray[np.float32]]
Block = tuple[IntArray, IntArray]


class Task(NamedTuple):
    """One call of the scorer: every left name with every right name (`process.cdist`), or,
    when `pairwise`, left[k] with right[k] only (`process.cpdist`)."""

    left: IntArray
    right: IntArray
    pairwise: bool = False

    @property
    def cost(self) -> int:
        """Roughly in cdist pairs: cpdist builds a scorer for every pair (~90 ns against
        ~10 ns a pair in cdist)."""
        return PAIRWISE_COST * len(self.left) if self.pairwise else len(self.left) * len(self.right)


def _tasks(
    table: Table,
    llen: IntArray,
    rlen: IntArray,
    bounds: tuple[float, float],
    neighbourhood: Callable[[IntArray, IntArray, bool], Found],
) -> tuple[list[Task], list[Found]]:
    """The block table as scorer calls, and what the too-large blocks found by sorted
    neighbourhood. A large block is split by length (`_split`); the pairs of the blocks of at
    most SMALL_PAIRS pairs are listed (`_block_pairs`) and scored pair by pair, in chunks: a
    cdist call costs more than a few hundred pairs, and packing tiny blocks into one cdist
    call scored ten times the pairs the blocks hold (measured on the benchmark: 323,000 for
    34,000)."""
    lorder, rorder, ls, lc, rs, rc, symmetric = table
    pairs = lc * rc
    tasks: list[Task] = []
    found: list[Found] = []
    for k in np.flatnonzero(pairs > SMALL_PAIRS).tolist():
        li = lorder[ls[k] : ls[k] + lc[k]]
        ri = rorder[rs[k] : rs[k] + rc[k]]
        if pairs[k] > MAX_BLOCK_PAIRS:
            found.append(neighbourhood(li, ri, bool(symmetric[k])))
        elif pairs[k] > SPLIT_PAIRS:
            tasks += [Task(x, y) for x, y in _split(li, ri, llen, rlen, bounds, bool(symmetric[k]))]
        else:
            tasks.append(Task(li, ri))
    small = np.flatnonzero(pairs <= SMALL_PAIRS)
    if len(small):
        i, j = _block_pairs(table, small, llen, rlen, bounds)
        tasks += [
            Task(i[k : k + PAIRWISE_CHUNK], j[k : k + PAIRWISE_CHUNK], pairwise=True)
            for k in range(0, len(i), PAIRWISE_CHUNK)
        ]
    return tasks, found


def _block_pairs(
    table: Table, blocks: IntArray, llen: IntArray, rlen: IntArray, bounds: tuple[float, float]
) -> tuple[IntArray, IntArray]:
    """Every pair (left index, right index) of the given blocks whose lengths can reach the
    cutoff, as two arrays: k-th pair of block b is left k // (its right count), right k % …"""
    lorder, rorder, ls, lc, rs, rc, _ = table
    lcb, rcb = lc[blocks], rc[blocks]
    count = lcb * rcb
    block = np.repeat(np.arange(len(blocks)), count)
    k = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    i = lorder[ls[blocks][block] + k // rcb[block]]
    j = rorder[rs[blocks][block] + k % rcb[block]]
    lo, hi = bounds
    n, m = llen[i], rlen[j]
    keep = (m >= n * lo - 1e-9) & (m <= n * hi + 1e-9)
    return i[keep], j[keep]


@dataclass(frozen=True, slots=True)
class _Sides:
    """What scoring needs of both sides: the token-sorted names (object arrays, for fancy
    indexing), their lengths and the cutoff."""

    la: NDArray[Any]
    ra: NDArray[Any]
    llen: IntArray
    rlen: IntArray
    cutoff: float

    @classmethod
    def of(cls, ls: Sequence[str], rs: Sequence[str], same: bool, cutoff: float) -> _Sides:
        la = np.array(ls, dtype=object)
        llen = np.fromiter(map(len, ls), dtype=np.int64, count=len(ls))
        ra = la if same else np.array(rs, dtype=object)
        rlen = llen if same else np.fromiter(map(len, rs), dtype=np.int64, count=len(rs))
        return cls(la, ra, llen, rlen, cutoff)


def _inputs(task: Task, sides: _Sides) -> tuple[list[str], list[str]]:
    """The names a task compares, as lists (rapidfuzz reads a list's strings faster than an
    object array's)."""
    return sides.la[task.left].tolist(), sides.ra[task.right].tolist()


def _cdist(
    task: Task, queries: list[str], choices: list[str], cutoff: float
) -> NDArray[np.float32]:
    """`fuzz.ratio` of the pairs of a task, 0 below the cutoff, as float32 (`_rounded`
    rounds the few hits at the end): a matrix, or for a pairwise task a vector.

    float32 is rapidfuzz's default for `fuzz.ratio`; asking for it by name costs half a
    microsecond a call (rapidfuzz compares the dtype with ten others), held with the GIL."""
    run = process.cpdist if task.pairwise else process.cdist
    return run(queries, choices, scorer=fuzz.ratio, score_cutoff=cutoff, workers=1)


def _hits(task: Task, m: NDArray[np.float32]) -> Found | None:
    """The pairs of a task's scores at or above the cutoff."""
    # flatnonzero of a bool array: a tenth of the cost of flatnonzero (or nonzero) of a number
    at = np.flatnonzero(m > 0)
    if not len(at):
        return None
    if task.pairwise:
        return task.left[at], task.right[at], m[at]
    xs, ys = np.divmod(at, m.shape[1])
    return task.left[xs], task.right[ys], m[xs, ys]


def _rounded(i: IntArray, j: IntArray, score: NDArray[np.float32], sides: _Sides) -> IntArray:
    """The float32 scores of pairs as integers, rounded as `cdist(dtype=uint8)` rounds them.

    A score is 100·(1 − d/(n + m)) with an integer Indel distance d: d is recovered exactly
    from the float32 and the pair's lengths, and the score recomputed in float64 as rapidfuzz
    computes it before rounding (half away from zero). Once for all hits: per task, the few
    numpy calls would cost more than the float32 matrices save."""
    total = sides.llen[i] + sides.rlen[j]
    distance = np.rint(total * (1 - score.astype(np.float64) / 100))
    exact = 100 * (1.0 - np.divide(distance, total, out=np.zeros(len(total)), where=total > 0))
    return np.floor(exact + 0.5).astype(np.int64)


def _score_tasks(tasks: list[Task], sides: _Sides) -> list[Found]:
    found = (_hits(task, _cdist(task, *_inputs(task, sides), sides.cutoff)) for task in tasks)
    return [f for f in found if f is not None]


_POOLS: dict[int, ThreadPoolExecutor] = {}


def _pool(threads: int) -> ThreadPoolExecutor:
    """A thread pool kept for the process (starting threads per call costs more than small
    inputs take to score), each thread pinned to a CPU of its own where the system allows.

    Pinned because every cdist call takes and releases the GIL, and a thread that releases
    it wakes the waiting one on its own CPU (Linux's wake-affine placement): unpinned, the
    two workers often end up sharing one core. Measured here on the benchmark's tasks: 1.0 to
    1.7 times the one-thread speed unpinned, depending on the run; 1.77 times pinned."""
    if threads not in _POOLS:
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        slots = iter(range(threads))
        lock = threading.Lock()

        def pin() -> None:
            with lock:
                slot = next(slots, None)
            if slot is not None and len(cpus) >= threads:
                with contextlib.suppress(OSError):
                    os.sched_setaffinity(0, {cpus[slot]})

        _POOLS[threads] = ThreadPoolExecutor(
            threads, thread_name_prefix="blocking", initializer=pin
        )
    return _POOLS[threads]


def _score(tasks: list[Task], sides: _Sides) -> list[Found]:
    """Score the tasks (`_cdist`): on the calling thread for a small input, else on
    one pool thread per core (cdist releases the GIL while it computes), each taking the next
    task, largest first, as soon as it is free, and doing nothing else.

    The tasks are all built before the threads start: a calling thread still busy in Python
    would hold the GIL for up to the interpreter's switch interval (5 ms) each time a worker
    returns from cdist and needs it."""
    threads = min(os.cpu_count() or 1, 8)
    if threads < 2 or sum(t.cost for t in tasks) < PARALLEL_PAIRS:
        return _score_tasks(tasks, sides)
    queue: SimpleQueue[int] = SimpleQueue()
    for k in sorted(range(len(tasks)), key=lambda k: tasks[k].cost, reverse=True):
        queue.put(k)
    # the names of every task picked out here, not in the threads: the less Python a scoring
    # thread runs between two cdist calls, the less the other waits for the GIL (2 % faster)
    inputs = [_inputs(task, sides) for task in tasks]

    def work() -> list[tuple[int, NDArray[np.float32]]]:
        scored = []
        with contextlib.suppress(Empty):
            while True:
                k = queue.get_nowait()
                scored.append((k, _cdist(tasks[k], *inputs[k], sides.cutoff)))
        return scored

    workers = [_pool(threads).submit(work) for _ in range(threads)]
    # the hits are read here, after all threads are done: the less a scoring thread holds
    # the GIL, the less often the other waits for it (measured: median 42.8 ms instead of
    # 44.3 for reading them in the threads; reading the first thread's hits while the
    # other still scores cost 25.2 ms of scoring instead of 22.4)
    scored = [pair for worker in workers for pair in worker.result()]
    found = (_hits(tasks[k], m) for k, m in scored)
    return [f for f in found if f is not None]


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
    base = max(len(ls), len(rs)) + 1
    i, j = np.divmod(_unique(i * base + j), base)
    scores = process.cpdist(
        [ls[x] for x in i.tolist()],
        [(ls if same else rs)[y] for y in j.tolist()],
        scorer=fuzz.ratio,
        score_cutoff=cutoff,
        dtype=np.float32,
        workers=-1,
    )
    hit = np.flatnonzero(scores > 0)
    return i[hit], j[hit], scores[hit]


def scored_pairs(
    left: Sequence[str],
    right: Sequence[str] | None = None,
    cutoff: float = 80.0,
) -> list[tuple[int, int, float]]:
    """Pairs (i into left, j into right) whose `token_sort_ratio` reaches `cutoff`, found by
    blocking; `right=None` pairs `left` with itself (i < j)."""
    same = right is None
    ls = _sort_all(left)
    rs = ls if same else _sort_all(right or [])
    if not ls or not rs:
        return []
    if len(ls) * len(rs) <= ALL_PAIRS:  # cheaper to score everything than to block
        m = process.cdist(ls, rs, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8)
        rows, cols = np.divmod(np.flatnonzero(m > 0), m.shape[1])
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
    sides = _Sides.of(ls, rs, same, cutoff)
    # lengths capped at 255: for the length filter this only lets more pairs through
    llen = np.minimum(sides.llen, 255)
    rlen = llen if same else np.minimum(sides.rlen, 255)
    bounds = _length_bounds(cutoff)
    table = _block_table(lkeys, rkeys, llen, rlen, same)
    tasks, found = _tasks(
        table,
        llen,
        rlen,
        bounds,
        lambda li, ri, symmetric: _neighbourhood(li, ri, ls, rs, symmetric, cutoff),
    )
    found += _score(tasks, sides)
    if not found:
        return []
    i = np.concatenate([f[0] for f in found])
    j = np.concatenate([f[1] for f in found])
    score = _rounded(i, j, np.concatenate([f[2] for f in found]), sides)
    if same:  # each pair once, as (smaller, larger), never a name with itself
        i, j = np.minimum(i, j), np.maximum(i, j)
        keep = i < j
        i, j, score = i[keep], j[keep], score[keep]
    # a pair found in two passes has the same score in both: one sort of pair · score drops it
    unique = _unique((i * len(rs) + j) * 128 + score)
    code, score = np.divmod(unique, 128)
    i, j = np.divmod(code, len(rs))
    return list(zip(i.tolist(), j.tolist(), score.astype(float).tolist(), strict=True))


def brute_force_pairs(
    left: Sequence[str],
    right: Sequence[str],
    cutoff: float = 80.0,
    scorer: Callable[..., Any] = fuzz.token_sort_ratio,
) -> list[tuple[int, int, float]]:
    """Every pair at or above `cutoff` (`process.cdist`, all cores): the baseline."""
    m = process.cdist(left, right, scorer=scorer, workers=-1, score_cutoff=cutoff, dtype=np.uint8)
    # of a bool array: `nonzero` of 100 million uint8 scores alone costs a fifth of the cdist
    rows, cols = np.divmod(np.flatnonzero(m > 0), m.shape[1])
    return [(i, j, float(m[i, j])) for i, j in zip(rows.tolist(), cols.tolist(), strict=True)]
