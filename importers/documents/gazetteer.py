"""The mention gazetteer: find known names in running text, tolerant of the ways text bends them.

Names (and aliases, and historic municipality names) are indexed by the first four letters of
their first word. At every word of a paragraph the candidates sharing that prefix are compared
with the words that follow, with rapidfuzz:

- line breaks and hyphenation: paragraphs are read across line breaks, a word hyphenated at the
  end of a line is joined, and hyphens are ignored when comparing ("helse- og mestring");
  a name split into two words ("Personvernom budet") matches with the spaces removed;
- inflection: Norwegian endings on the last word ("NAVs", "Kristiansands", "kommunens",
  "prosjektet") are tried off;
- typos: a name of eight letters or more matches at rapidfuzz ratio ≥ 90.

Acronyms (all capitals, like "NAV", "KS", "UiA") and municipality names from the reference table
must match with their capitals, so "time" (an hour) is not Time kommune.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

SUFFIXES = ("s", "n", "ns", "en", "ens", "et", "ets", "ene", "enes", "a", "as", "'s", "’s")
_WORD = re.compile(r"[\w][\w'’.-]*", re.UNICODE)


def norm_token(token: str) -> str:
    text = unicodedata.normalize("NFKC", token).casefold()
    text = text.replace("’", "'").strip(".'-")
    return text.replace("-", "").replace(".", "")


def norm_phrase(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("&", " og ")
    return " ".join(t for t in (norm_token(w) for w in _WORD.findall(text)) if t)


def _key(token: str) -> str:
    return token[:4] if len(token) >= 5 else token


@dataclass(frozen=True)
class Entry:
    kind: str
    id: str
    name: str
    surface: str
    tokens: tuple[str, ...]
    strict: bool  # must match with capitals (acronyms, municipality names)
    kommunenummer: str | None = None

    @property
    def joined(self) -> str:
        return " ".join(self.tokens)


@dataclass
class Match:
    entry: Entry
    start: int  # index of the first word in the paragraph
    end: int  # index after the last word
    score: float
    how: str  # exact | inflected | split | fuzzy

    @property
    def confidence(self) -> float:
        return {"exact": 1.0, "inflected": 0.95, "split": 0.9}.get(self.how, self.score / 100 * 0.9)


@dataclass
class Word:
    text: str
    norm: str
    line: int
    start: int  # char offset in the paragraph text
    end: int


@dataclass
class Gazetteer:
    entries: list[Entry] = field(default_factory=list)
    _index: dict[str, list[Entry]] = field(default_factory=dict)  # prefix of first word
    _exact: dict[str, list[Entry]] = field(default_factory=dict)  # whole normalised name
    _first: dict[str, list[Entry]] = field(default_factory=dict)  # first word
    _single: dict[str, list[Entry]] = field(default_factory=dict)  # one-word names, by prefix

    def add(
        self,
        kind: str,
        id: str,
        name: str,
        aliases: Iterable[str] = (),
        strict: bool = False,
        kommunenummer: str | None = None,
    ) -> None:
        for surface in [name, *aliases]:
            tokens = tuple(norm_phrase(surface).split())
            if not tokens or len(tokens) > 12:
                continue
            is_acronym = len(surface) <= 5 and any(c.isupper() for c in surface[1:])
            entry = Entry(kind, id, name, surface, tokens, strict or is_acronym, kommunenummer)
            self.entries.append(entry)
            self._index.setdefault(_key(tokens[0]), []).append(entry)
            self._exact.setdefault(" ".join(tokens), []).append(entry)
            self._first.setdefault(tokens[0], []).append(entry)
            if len(tokens) == 1 and len(tokens[0]) >= 6:
                self._single.setdefault(tokens[0][:4], []).append(entry)

    def __len__(self) -> int:
        return len(self.entries)

    # ---- resolving a name (a table cell, a pattern's capture) ---------------------------

    def lookup(
        self, name: str, kinds: Iterable[str] | None = None, fuzzy: float = 0.0
    ) -> tuple[Entry, float] | None:
        """The entry a name stands for: exact (normalised) first, then fuzzy ≥ `fuzzy`."""
        allowed = set(kinds) if kinds else None
        key = norm_phrase(name)
        if not key:
            return None
        for entry in self._exact.get(key, []):
            if allowed is None or entry.kind in allowed:
                return entry, 100.0
        if not fuzzy:
            return None
        best: tuple[Entry, float] | None = None
        first = key.split()[0]
        for cand in self._index.get(_key(first), []):
            if allowed is not None and cand.kind not in allowed:
                continue
            score = fuzz.ratio(key, cand.joined)
            if score >= fuzzy and (best is None or score > best[1]):
                best = (cand, score)
        return best

    # ---- finding mentions in running text -------------------------------------------------

    def find(self, words: list[Word], kinds: set[str] | None = None) -> list[Match]:
        out: list[Match] = []
        i = 0
        n = len(words)
        while i < n:
            best: Match | None = None
            w = words[i]
            nxt = words[i + 1].norm[:1] if i + 1 < n else ""
            candidates: list[Entry] = []
            for key in (w.norm, *_strip(w.norm)):
                candidates += self._first.get(key, ())
            if len(w.norm) >= 4:
                candidates += self._single.get(w.norm[:4], ())
            for entry in candidates:
                if kinds is not None and entry.kind not in kinds:
                    continue
                if len(entry.tokens) > 1 and entry.tokens[1][:1] != nxt:
                    continue
                m = self._match_at(words, i, entry)
                if m and (
                    best is None or (m.end - m.start, m.score) > (best.end - best.start, best.score)
                ):
                    best = m
            if best is not None:
                out.append(best)
                i = best.end
            else:
                i += 1
        return out

    def _match_at(self, words: list[Word], i: int, entry: Entry) -> Match | None:
        k = len(entry.tokens)
        if i + k > len(words):
            k = len(words) - i
            if k <= 0:
                return None
        window = words[i : i + k]
        if entry.strict and not _case_ok(window, entry):
            return None
        if not entry.strict and not words[i].text[:1].isalpha():
            return None
        texts = [x.norm for x in window]
        target = entry.joined
        if len(window) == len(entry.tokens):
            if texts == list(entry.tokens):
                return Match(entry, i, i + k, 100.0, "exact")
            last = texts[-1]
            for s in _strip(last):
                if [*texts[:-1], s] == list(entry.tokens):
                    return Match(entry, i, i + k, 97.0, "inflected")
        # a name split into more words than it has ("Personvernom budet")
        glued = target.replace(" ", "")
        for extra in (1, 2):
            j = i + len(entry.tokens) + extra
            if j <= len(words) and len(glued) >= 6:
                joined = "".join(x.norm for x in words[i:j])
                if joined == glued or any(
                    "".join(x.norm for x in words[i : j - 1]) + s == glued
                    for s in _strip(words[j - 1].norm)
                ):
                    return Match(entry, i, j, 95.0, "split")
        if entry.strict or len(target) < 8 or len(window) != len(entry.tokens):
            return None
        candidate = " ".join(texts)
        score = fuzz.ratio(candidate, target)
        for s in _strip(texts[-1]):
            score = max(score, fuzz.ratio(" ".join([*texts[:-1], s]), target))
        if score >= 90:
            return Match(entry, i, i + k, score, "fuzzy")
        return None


@lru_cache(maxsize=65536)
def _strip(token: str) -> tuple[str, ...]:
    return tuple(
        token[: -len(s)] for s in SUFFIXES if token.endswith(s) and len(token) - len(s) >= 2
    )


def _case_ok(window: list[Word], entry: Entry) -> bool:
    surface_words = _WORD.findall(entry.surface)
    for word, expected in zip(window, surface_words, strict=False):
        if expected.isupper() or any(c.isupper() for c in expected[1:]):
            if not word.text.startswith(expected.rstrip(".")):
                return False
        elif expected[:1].isupper() and not word.text[:1].isupper():
            return False
    return True


def words_of(text: str, line_of: list[int]) -> list[Word]:
    """The words of a paragraph; `line_of[offset]` is the document line of a character."""
    out = []
    for m in _WORD.finditer(text):
        norm = norm_token(m.group())
        if norm:
            out.append(Word(m.group(), norm, line_of[m.start()], m.start(), m.end()))
    return out
