"""Candidate generation by multi-pass blocking, then rapidfuzz on each block.

Every name key (alias-rewritten, legal forms dropped) is token-sorted, the form
`token_sort_ratio` compares. Three passes put each name in one block per pass, keyed on the
ASCII-folded sorted string (so "Ås" and "Aas" meet):

1. its first two characters,
2. its last two characters,
3. the first three characters of its longest word.

Two names are compared only when they share a block in at least one pass; within a block
rapidfuzz `process.cdist` scores every pair (on all cores for blocks over a million pairs: for
small blocks starting the threads costs more than it saves); a block too large for that is
compared by sorted neighbourhood (each name with its nearest names in sort order). A typo, a
missing word or swapped words rarely changes all three keys at once. The benchmark
(`benchmarks/bench_resolve.py`) measures the share of brute force's pairs this keeps and the
speed-up, in the same run.

Sorted-string `fuzz.ratio` equals `fuzz.token_sort_ratio`, so the tokens are sorted once per
name instead of once per pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

_FOLD = str.maketrans(
    {"æ": "ae", "ø": "o", "å": "a", "é": "e", "è": "e", "ü": "u", "ö": "o", "ä": "a"}
)


def sort_tokens(key: str) -> str:
    return " ".join(sorted(key.split()))


def _fold(text: str) -> str:
    return text.translate(_FOLD).replace("aa", "a")


def _keys(s: str) -> tuple[str, str, str]:
    """The three block keys of a token-sorted key; folding only the few characters used
    (folding can shorten "aa" to "a", hence the wider slices)."""
    longest = max(s.split(), key=len, default="")
    return _fold(s[:4])[:2], _fold(s[-4:])[-2:], _fold(longest[:5])[:3]


def _blocks(sorted_keys: Sequence[str]) -> list[dict[str, list[int]]]:
    first: dict[str, list[int]] = defaultdict(list)
    last: dict[str, list[int]] = defaultdict(list)
    word: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sorted_keys):
        a, b, c = _keys(s)
        first[a].append(i)
        last[b].append(i)
        word[c].append(i)
    return [first, last, word]


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
    lb = _blocks(ls)
    rb = lb if same else _blocks(rs)
    found: dict[tuple[int, int], float] = {}
    for lp, rp in zip(lb, rb, strict=True):
        for key, li in lp.items():
            ri = rp.get(key)
            if not ri or (same and len(li) < 2):
                continue
            if len(li) * len(ri) > MAX_BLOCK_PAIRS:
                _neighbourhood(li, ri, ls, rs, same, cutoff, found)
                continue
            m = process.cdist(
                [ls[i] for i in li],
                [rs[j] for j in ri],
                scorer=fuzz.ratio,
                score_cutoff=cutoff,
                dtype=np.uint8,
                # threads only pay off for big blocks; small ones are cheaper on one core
                workers=-1 if len(li) * len(ri) > PARALLEL_PAIRS else 1,
            )
            for x, y in zip(*np.nonzero(m), strict=True):
                i, j = li[x], ri[y]
                if same and i >= j:
                    continue
                found[(i, j)] = float(m[x, y])
    return [(i, j, s) for (i, j), s in found.items()]


#: a block with more pairs than this ("Prosjekt 000001" … "Prosjekt 100000" all start "pr")
#: is compared by sorted neighbourhood instead: each name with the WINDOW names next to it
MAX_BLOCK_PAIRS = 4_000_000
#: blocks with more pairs than this are scored on all cores
PARALLEL_PAIRS = 1_000_000
WINDOW = 10


def _neighbourhood(
    li: list[int],
    ri: list[int],
    ls: Sequence[str],
    rs: Sequence[str],
    same: bool,
    cutoff: float,
    found: dict[tuple[int, int], float],
) -> None:
    items = [(ls[i], 0, i) for i in li] + ([] if same else [(rs[j], 1, j) for j in ri])
    for reverse in (False, True):
        items.sort(key=lambda t: t[0][::-1] if reverse else t[0])
        for x in range(len(items)):
            for y in range(x + 1, min(len(items), x + 1 + WINDOW)):
                (sa, side_a, a), (sb, side_b, b) = items[x], items[y]
                if not same and side_a == side_b:
                    continue
                if same:
                    i, j = min(a, b), max(a, b)
                else:
                    i, j = (a, b) if side_a == 0 else (b, a)
                if (i, j) in found:
                    continue
                score = fuzz.ratio(sa, sb, score_cutoff=cutoff)
                if score:
                    found[(i, j)] = float(score)


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
