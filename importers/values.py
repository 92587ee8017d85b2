"""Cell values as Norwegian offices write them: dates, amounts, decimal comma, list cells.

Every parser raises `ValueError` with a Norwegian message the importer puts next to the file,
sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from graph.norwegian import MONTH_NUMBERS

_DATE_DOTTED = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_MONTHS = MONTH_NUMBERS
_DATE_WORDS = re.compile(r"^(?:(\d{1,2})\.?\s+)?([a-zæøå]+)\.?\s+(\d{4})$")


def parse_date(value: Any) -> str | None:
    """`7.2.2022`, `07.02.22`, `7/2/2022`, `2022-02-07`, `7. februar 2022`, `februar 2022`,
    an Excel date or a bare year → ISO-8601 (`2022-02-07`, `2022-02`, `2022`)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return None
    m = _DATE_ISO.match(text)
    if m:
        return _mk(int(m[1]), int(m[2]), int(m[3]), text)
    m = _DATE_DOTTED.match(text)
    if m:
        year = int(m[3])
        if len(m[3]) == 2:
            year += 2000 if year < 70 else 1900
        return _mk(year, int(m[2]), int(m[1]), text)
    m = _DATE_WORDS.match(text.casefold())
    if m and m[2] in _MONTHS:
        if m[1]:
            return _mk(int(m[3]), _MONTHS[m[2]], int(m[1]), text)
        return f"{int(m[3]):04d}-{_MONTHS[m[2]]:02d}"
    if re.fullmatch(r"\d{4}", text) and 1900 <= int(text) <= 2100:
        return text
    raise ValueError(f"ugyldig dato {text!r} (bruk f.eks. 7.2.2022, 07.02.22 eller 2022-02-07)")


def _mk(y: int, m: int, d: int, text: str) -> str:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        raise ValueError(f"ugyldig dato {text!r}: dagen {d}.{m}.{y} finnes ikke") from None


_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def parse_decimal(value: Any) -> float | None:
    """`4,5` / `4.5` / `1 234,5` / `1.234,5` → 4.5 / 1234.5 (decimal comma, space or dot as
    thousands separator)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"ugyldig tall {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace("\u2212", "-")
    text = re.sub(r"(?<=\d)[\s'](?=\d{3}\b)", "", text)
    if re.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?", text):  # 1.234.567,5
        text = text.replace(".", "")
    if not _NUMBER.match(text):
        raise ValueError(f"ugyldig tall {value!r}")
    return float(text.replace(",", "."))


_AMOUNT = re.compile(
    r"^(?:kr\.?|nok)?\s*(?P<num>[+-]?[\d\s.,']+?)\s*"
    r"(?P<unit>mrd\.?|milliarder?|mill\.?|millioner|million|mnok|mln\.?|m|"
    r"tusen|k|kr\.?|nok|,-|)?\s*(?:kr\.?|nok|,-)?$"
)
_SCALE = {
    "mrd": 1e9,
    "milliard": 1e9,
    "milliarder": 1e9,
    "mill": 1e6,
    "millioner": 1e6,
    "million": 1e6,
    "mnok": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "tusen": 1e3,
    "k": 1e3,
}


def parse_amount(value: Any) -> int | None:
    """Amounts in whole kroner: `2 mill` → 2000000, `400 000 kr` → 400000, `4,5 MNOK` →
    4500000, `kr 3,1 mill.` → 3100000, `100.000 kr` → 100000, `12 500,-` → 12500."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    m = _AMOUNT.match(text)
    if not m or not re.search(r"\d", m["num"]):
        raise ValueError(f"ugyldig beløp {value!r} (bruk f.eks. 400 000 kr, 2 mill, 4,5 MNOK)")
    unit = (m["unit"] or "").rstrip(".")
    num_text = m["num"].strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", num_text):  # 100.000 = hundred thousand
        num_text = num_text.replace(".", "")
    try:
        number = parse_decimal(num_text)
    except ValueError:
        raise ValueError(f"ugyldig beløp {value!r}") from None
    assert number is not None
    result = round(number * _SCALE.get(unit, 1))
    if result < 0:
        raise ValueError(f"negativt beløp {value!r}")
    return result


_SPLIT = re.compile(r"\s*(?:[;\n\r]+|,(?!\d)|\s+og\s+|\s+&\s+|\s*\|\s*)\s*")


def split_list(value: Any, keep_og: frozenset[str] = frozenset()) -> list[str]:
    """A cell with several names: separated by `,` `;` `og`, `&`, `|` or newlines.

    Names that themselves contain "og" (`keep_og`, normalised: e.g. "kultur og
    innbyggerdialog") are protected from being split.
    """
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    if not text:
        return []
    protected: dict[str, str] = {}
    low = text.casefold()
    for i, phrase in enumerate(sorted(keep_og, key=len, reverse=True)):
        pos = low.find(phrase)
        while pos >= 0:
            token = f"\x00{i}\x00"
            protected[token] = text[pos : pos + len(phrase)]
            text = text[:pos] + token + text[pos + len(phrase) :]
            low = text.casefold()
            pos = low.find(phrase)
    parts = [p.strip(" .") for p in _SPLIT.split(text)]
    out = []
    for p in parts:
        for token, original in protected.items():
            p = p.replace(token, original)
        if p:
            out.append(p)
    return out


def header_key(text: Any) -> str:
    """A header for matching: casefolded, accents off (but æ/ø/å kept), only letters/digits."""
    t = unicodedata.normalize("NFKC", str(text or "")).casefold().strip()
    t = t.replace("æ", "\x01").replace("ø", "\x02").replace("å", "\x03")
    t = unicodedata.normalize("NFKD", t)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = t.replace("\x01", "æ").replace("\x02", "ø").replace("\x03", "å")
    return re.sub(r"[^\wæøå]+", "", t).replace("_", "")


def clean_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text or None
