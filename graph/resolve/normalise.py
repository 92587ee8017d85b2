"""Norwegian-aware name normalisation for entity resolution.

- NFKC, casefold, "&" read as "og", punctuation to spaces; æ, ø and å stay letters
  ("Ås" and "As" are different names).
- Legal forms (AS, ASA, SA, IKS, KF, DA, ANS, BA, SF, HF, NUF, FKF) are dropped: they say how
  an organisation is registered, not which one it is.
- "kommune" and "fylkeskommune" are not noise: they are kept apart as a *kind hint*
  (municipality vs county authority), so "Agder fylkeskommune" never equals a municipality
  "Agder kommune", while "Kristiansand kommune" equals "Kristiansand".
- `fold()` is an ASCII transliteration (æ→ae, ø→o, å→a, "aa"→"a") used only to generate
  candidates: "Aas" and "Ås" land in the same block and are scored, but the score is computed
  on the unfolded names, so they go to review instead of being merged.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

LEGAL_FORMS = frozenset(
    {"as", "asa", "sa", "iks", "kf", "fkf", "da", "ans", "ba", "sf", "hf", "nuf", "ks-as"}
)
#: tokens that say what kind of body a name is; kept as a hint, removed from the core name
KIND_HINTS = {
    "kommune": "kommune",
    "kommunes": "kommune",
    "fylkeskommune": "fylkeskommune",
    "fylkeskommunes": "fylkeskommune",
    "bydel": "bydel",
}
_PUNCT = re.compile(r"[^\w]+", re.UNICODE)
_FOLD = str.maketrans(
    {"æ": "ae", "ø": "o", "å": "a", "é": "e", "è": "e", "ü": "u", "ö": "o", "ä": "a"}
)


def basic(text: str) -> str:
    """NFKC, casefold, '&' → 'og', '-' inside words kept as a space, punctuation removed."""
    t = unicodedata.normalize("NFKC", text).casefold().replace("&", " og ")
    t = _PUNCT.sub(" ", t.replace("_", " "))
    return " ".join(t.split())


@dataclass(frozen=True)
class NormName:
    original: str
    #: the normalised name without legal forms and kind hints
    core: str
    #: "kommune", "fylkeskommune", "bydel" or ""
    hint: str
    tokens: tuple[str, ...]

    @property
    def folded(self) -> str:
        return fold(self.core)


@lru_cache(maxsize=200_000)
def normalise(name: str) -> NormName:
    tokens = basic(name).split()
    hint = ""
    core: list[str] = []
    for tok in tokens:
        if tok in LEGAL_FORMS and len(tokens) > 1:
            continue
        kind_hint = _hint(tok) if len(tokens) > 1 else None
        if kind_hint:
            hint = kind_hint
            continue
        core.append(tok)
    return NormName(name, " ".join(core), hint, tuple(core))


def _hint(tok: str) -> str | None:
    """The kind hint a token gives, forgiving one typo ('fylkeskomune', 'kommmune')."""
    if tok in KIND_HINTS:
        return KIND_HINTS[tok]
    if len(tok) >= 6:
        for word, hint in KIND_HINTS.items():
            if len(word) >= 10 and Levenshtein.distance(tok, word, score_cutoff=1) <= 1:
                return hint
    return None


def fold(text: str) -> str:
    """ASCII transliteration for blocking only: 'Ås' → 'as', 'Aas' → 'as'."""
    t = text.translate(_FOLD).replace("aa", "a")
    t = unicodedata.normalize("NFKD", t)
    return "".join(c for c in t if not unicodedata.combining(c))


def person_tokens(name: str) -> tuple[str, ...]:
    """A person's name tokens without single-letter middle initials ('Mette S Breland')."""
    toks = basic(name).split()
    if len(toks) <= 2:
        return tuple(toks)
    return tuple(t for i, t in enumerate(toks) if len(t) > 1 or i in (0, len(toks) - 1))


def initials_dropped(name: str) -> bool:
    return len(person_tokens(name)) != len(basic(name).split())
