"""Candidate generation by blocking (graph/resolve/blocking.py) against brute force.

On the labelled names of tests/data/er_pairs.csv (names from the seed documents and their
realistic variants), rewritten to the resolver's keys as `samgraf import` does, the blocked
`scored_pairs` is compared with an all-pairs `process.cdist` using the same scorer and cutoff.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from graph.resolve import blocking
from graph.resolve.aliases import load_aliases
from graph.resolve.blocking import block_keys, brute_force_pairs, scored_pairs, sort_tokens
from graph.resolve.scoring import Thresholds
from graph.settings import REPO_ROOT
from importers.reference import load_reference
from importers.resolution import historic_table, place_names

PAIRS = Path(__file__).parent / "data" / "er_pairs.csv"
CUTOFF = Thresholds().review


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return list(csv.DictReader(PAIRS.open(encoding="utf-8")))


@pytest.fixture(scope="module")
def keys(rows: list[dict[str, str]]) -> tuple[list[str], list[str]]:
    ref = load_reference(REPO_ROOT / "data" / "reference")
    aliases = load_aliases(REPO_ROOT / "data", historic_table(ref), place_names(ref))

    def key(name: str) -> str:
        return aliases.key(name)[0].partition("#")[0]

    return [key(r["a"]) for r in rows], [key(r["b"]) for r in rows]


def test_blocked_pairs_equal_brute_force_on_labelled_names(
    keys: tuple[list[str], list[str]],
) -> None:
    left, right = keys
    brute = {(i, j): s for i, j, s in brute_force_pairs(left, right, CUTOFF)}
    blocked = {(i, j): s for i, j, s in scored_pairs(left, right, CUTOFF)}
    print(f"brute force {len(brute)} pairs, blocked {len(blocked)}")
    assert len(brute) > len(left) // 2  # most labelled pairs are similar names
    assert blocked.keys() == brute.keys()
    for (i, j), score in blocked.items():
        assert score == pytest.approx(fuzz.token_sort_ratio(left[i], right[j]), abs=1)


def test_one_list_with_itself_gives_each_pair_once(keys: tuple[list[str], list[str]]) -> None:
    names = list(dict.fromkeys(keys[0] + keys[1]))
    found = scored_pairs(names, None, CUTOFF)
    pairs = [(i, j) for i, j, _ in found]
    assert all(i < j for i, j in pairs)
    assert len(pairs) == len(set(pairs))
    brute = {(i, j) for i, j, _ in brute_force_pairs(names, names, CUTOFF) if i < j}
    assert set(pairs) == brute


def test_length_bounds_never_exclude_a_pair_above_the_cutoff(
    keys: tuple[list[str], list[str]],
) -> None:
    lo, hi = blocking._length_bounds(CUTOFF)
    names = [sort_tokens(k) for k in keys[0] + keys[1]]
    checked = 0
    for a in names:
        for b in names:
            if fuzz.ratio(a, b) >= CUTOFF:
                checked += 1
                assert len(a) * lo - 1e-9 <= len(b) <= len(a) * hi + 1e-9
    assert checked > len(names)
    # a shorter name than that can never reach it
    assert fuzz.ratio("a" * 20, "a" * 13) < CUTOFF
    assert fuzz.ratio("a" * 20, "a" * 14) >= CUTOFF


def test_keys_fold_norwegian_letters_and_find_the_longest_word() -> None:
    first, last, word = block_keys(["aasen bygg", "åsen bygg", "bygg kristiansand", "x"])
    assert first[0] == first[1]  # "aa" and "å" meet
    assert word[2] == block_keys(["kri"])[0][0]  # longest word "kristiansand", its start
    assert last[2] == block_keys(["sand"])[1][0]  # its last characters
    assert word[0] != word[2]
    assert first[3] == word[3]  # one short word: no error, consistent keys


def _reference_keys(name: str) -> tuple[int, int, int]:
    """The three keys of one token-sorted name, computed name by name in plain Python: what
    `block_keys` computes for all names at once on bytes."""
    fold = {"æ": "a", "ø": "o", "å": "a", "é": "e", "è": "e", "ü": "u", "ö": "o", "ä": "a"}
    text = name.replace("aa", "å").encode("latin-1", "replace").decode("latin-1")

    def pack(part: str, chars: int) -> int:
        value = 0
        for k in range(chars):
            value = (value << 8) | (ord(fold.get(part[k], part[k])) if k < len(part) else 0)
        return value

    words = text.split(" ")
    longest = max(words, key=len) if any(words) else ""
    first_chars, last_chars, word_chars = blocking.KEY_CHARS
    return (
        pack(text[:first_chars], first_chars),
        pack(text[-last_chars:] if len(text) >= last_chars else text, last_chars),
        pack(longest, word_chars) if longest else 0,
    )


def test_keys_equal_a_name_by_name_reference() -> None:
    names = [
        "aasen bygg",
        "aaa",
        "aaaa baaad",
        "haagen",
        "a",
        "",
        "ab",
        "bygg kristiansand",
        "bygg øvre åmli",
        "æra",
        "café oslo",
        "łódź senter",  # outside latin-1: read as "?"
        "12 agder energi",
        "bygg",
        "aa",
    ]
    first, last, word = block_keys(names)
    for k, name in enumerate(names):
        assert (int(first[k]), int(last[k]), int(word[k])) == _reference_keys(name), name
    # a line break inside a key is read as a space
    assert [int(k[0]) for k in block_keys(["bygg\noslo", "x"])] == [
        int(k[0]) for k in block_keys(["bygg oslo", "x"])
    ]


def test_a_typo_at_the_start_is_found_by_the_other_passes() -> None:
    # "bervik" is the first and the longest word: a typo in its first letter changes the first
    # and the third key; the last one still meets
    left = ["kristiansand næringsforening", "bervik bygg"]
    right = ["kristiansnd næringsforening", "aervik bygg"]
    found = {(i, j) for i, j, _ in scored_pairs(left, right, CUTOFF)}
    assert (0, 0) in found
    assert (1, 1) in found
    assert (0, 1) not in found


def test_third_pass_skips_only_pairs_the_first_pass_scored() -> None:
    # "næringsforening" is both the first and the longest word of the left names, so the
    # third pass leaves those pairs out; pairs with a name whose longest word is not first
    # must still be found there
    left = ["næringsforening arendal", "næringsforening grimstad"]
    right = ["aa næringsforening", "næringsforening grimstad"]
    found = {(i, j) for i, j, _ in scored_pairs(left, right, CUTOFF)}
    brute = {(i, j) for i, j, _ in brute_force_pairs(left, right, CUTOFF)}
    assert found == brute
    assert (1, 1) in found


def test_too_large_block_falls_back_to_sorted_neighbourhood() -> None:
    # a numbered series: every name shares every key; nearly every pair is above the cutoff,
    # so all pairs would be quadratic. Sorted neighbourhood keeps each name's nearest ones.
    names = [f"aaa{i:04d} prosjektene" for i in range(1000)]
    keys = block_keys(names)
    assert all(len(set(k.tolist())) == 1 for k in keys)  # one block in every pass
    assert blocking.MAX_BLOCK_PAIRS < 1000 * 1000
    found = scored_pairs(names, None, CUTOFF)
    pairs = {(i, j) for i, j, _ in found}
    assert (0, 1) in pairs and (998, 999) in pairs
    assert len(pairs) <= 2 * blocking.WINDOW * len(names)
    assert all(fuzz.ratio(names[i], names[j]) >= CUTOFF for i, j in pairs)


def test_small_blocks_are_scored_pair_by_pair_within_each_block() -> None:
    # six 1 × 1 blocks: only the pairs of a block are scored, not the 30 across blocks; a pair
    # of lengths that cannot reach the cutoff is not scored at all
    left = [f"{w}vik bygg" for w in ("ber", "dal", "nes", "sta", "hei")] + ["ab"]
    right = [f"{w}vik byg" for w in ("ber", "dal", "nes", "sta", "hei")] + ["abcdefghij"]
    six = np.arange(len(left))
    one = np.ones(len(left), dtype=np.int64)
    table = (six, six, six, one, six, one, np.zeros(len(left), dtype=bool))  # six 1 × 1 blocks
    lengths = np.array([len(n) for n in left]), np.array([len(n) for n in right])
    bounds = blocking._length_bounds(CUTOFF)
    tasks, found = blocking._tasks(table, *lengths, bounds, lambda *a: None)
    assert found == []
    assert all(task.pairwise for task in tasks)
    listed = zip(
        np.concatenate([t.left for t in tasks]).tolist(),
        np.concatenate([t.right for t in tasks]).tolist(),
        strict=True,
    )
    assert sorted(listed) == [(i, i) for i in range(5)]  # "ab" / "abcdefghij" left out
    got = blocking._score_tasks(tasks, blocking._Sides.of(left, right, False, CUTOFF))
    pairs = {(int(i), int(j)) for f in got for i, j in zip(f[0], f[1], strict=True)}
    assert pairs == {(i, i) for i in range(5)}


def test_float_scores_are_rounded_as_cdist_rounds_them() -> None:
    # the scoring threads keep float32 scores; every one, halves (87.5) included, must round
    # to the integer `cdist(dtype=uint8)` gives
    rng = np.random.default_rng(7)
    names = ["".join(rng.choice(list("abcdeø "), size=n)) for n in rng.integers(0, 40, 300)]
    names += ["abcdefgh", "abcdefgx", ""]  # 100·(1 − 2/16) = 87.5
    f32 = process.cdist(names, names, scorer=fuzz.ratio, dtype=np.float32)
    u8 = process.cdist(names, names, scorer=fuzz.ratio, dtype=np.uint8)
    i, j = np.divmod(np.arange(f32.size), f32.shape[1])
    sides = blocking._Sides.of(names, names, True, 0.0)
    assert (blocking._rounded(i, j, f32.ravel(), sides) == u8.ravel()).all()
    assert f32[-3, -2] == 87.5 and u8[-3, -2] == 88
    # what the blocked path scores with is float32
    whole = blocking.Task(np.arange(3), np.arange(3))
    assert blocking._cdist(whole, names[:3], names[:3], CUTOFF).dtype == np.float32
    pairwise = blocking.Task(np.arange(3), np.arange(3), pairwise=True)
    assert blocking._cdist(pairwise, names[:3], names[:3], CUTOFF).dtype == np.float32


def test_empty_inputs() -> None:
    assert scored_pairs([], [], CUTOFF) == []
    assert scored_pairs(["nav"], [], CUTOFF) == []
    assert scored_pairs([], None, CUTOFF) == []
    assert scored_pairs(["", ""], [""], CUTOFF) == brute_force_pairs(["", ""], [""], CUTOFF)


def test_small_inputs_are_scored_all_against_all() -> None:
    left = ["bervik bygg", "aervik bygg", "bygg oslo"]
    right = ["bygg xervik", "bervik byg"]
    assert len(left) * len(right) <= blocking.ALL_PAIRS
    assert scored_pairs(left, right, CUTOFF) == brute_force_pairs(left, right, CUTOFF)
    same = scored_pairs(left, None, CUTOFF)
    assert same == [(i, j, s) for i, j, s in brute_force_pairs(left, left, CUTOFF) if i < j]


def _generated(n: int, seed: int) -> tuple[list[str], list[str]]:
    """Organisation-like keys with few, frequent sector words and places (large blocks in
    every pass, split and binned ones among them) and a share of near-duplicates."""
    rng = np.random.default_rng(seed)
    sectors = ["næringsforening", "frivilligsentral", "rehabilitering", "bygg", "helse", "data"]
    places = ["kristiansand", "arendal", "grimstad", "søgne", "vennesla", "lillesand"]
    syllables = ["ber", "vik", "dal", "ås", "heim", "lund", "aas", "nes", "tveit", "bø", "skog"]

    def name() -> str:
        brand = "".join(rng.choice(syllables, size=int(rng.integers(1, 4))))
        parts = [brand, str(rng.choice(sectors))]
        if rng.random() < 0.6:
            parts.append(str(rng.choice(places)))
        if rng.random() < 0.3:
            parts.append(str(rng.integers(1, 99)))
        return " ".join(parts)

    def variant(s: str) -> str:
        k = int(rng.integers(len(s)))
        return s[:k] + s[k + 1 :] if rng.random() < 0.5 else s[:k] + "e" + s[k + 1 :]

    left = [name() for _ in range(n)]
    right = [
        variant(left[int(rng.integers(n))]) if rng.random() < 0.3 else name() for _ in range(n)
    ]
    return left, right


def _candidates(left: list[str], right: list[str]) -> set[tuple[int, int]]:
    """Reference blocking, name by name: pairs sharing a key in some pass."""
    ls, rs = [sort_tokens(k) for k in left], [sort_tokens(k) for k in right]
    lkeys, rkeys = block_keys(ls), block_keys(rs)
    out: set[tuple[int, int]] = set()
    for lk, rk in zip(lkeys, rkeys, strict=True):
        by_key: dict[int, list[int]] = {}
        for j, k in enumerate(rk.tolist()):
            by_key.setdefault(k, []).append(j)
        for i, k in enumerate(lk.tolist()):
            out.update((i, j) for j in by_key.get(k, ()))
    return out


@pytest.mark.parametrize("threads", [False, True], ids=["one thread", "scoring threads"])
def test_generated_names_blocked_equal_brute_force_within_the_blocks(
    threads: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every pair above the cutoff that shares a block in some pass is found, with its score,
    # and nothing else: the array-built block table, its length splitting and bins, and the
    # scoring threads lose nothing the blocks contain
    if threads:
        monkeypatch.setattr(blocking, "PARALLEL_PAIRS", 0)
    monkeypatch.setattr(blocking, "SPLIT_PAIRS", 2_000)  # some blocks split by length
    left, right = _generated(1500, seed=3)
    found = {(i, j): s for i, j, s in scored_pairs(left, right, CUTOFF)}
    brute = {(i, j): s for i, j, s in brute_force_pairs(left, right, CUTOFF)}
    candidates = _candidates(left, right)
    expected = {p: s for p, s in brute.items() if p in candidates}
    assert len(expected) > 400
    assert found == expected
    assert len(found) >= 0.95 * len(brute)


def test_generated_names_with_themselves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blocking, "PARALLEL_PAIRS", 0)
    monkeypatch.setattr(blocking, "SPLIT_PAIRS", 2_000)
    names = list(dict.fromkeys(_generated(1200, seed=5)[0] + _generated(1200, seed=5)[1]))
    found = {(i, j): s for i, j, s in scored_pairs(names, None, CUTOFF)}
    assert all(i < j for i, j in found)
    candidates = _candidates(names, names)
    brute = {(i, j): s for i, j, s in brute_force_pairs(names, names, CUTOFF) if i < j}
    expected = {p: s for p, s in brute.items() if p in candidates}
    assert len(expected) > 200
    assert found == expected
