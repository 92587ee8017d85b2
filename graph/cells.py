"""Cells of the spreadsheets and CSV files the product writes: never a live formula.

A text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
Excel, LibreOffice and Google Sheets (CSV/formula injection: `=HYPERLINK(…)` leaking data,
`=cmd|' /C calc'!A0` running a program). As OWASP advises, such a text is written with a
leading `'`, which the spreadsheet shows as text. Numbers, dates and booleans are left as
they are. Every XLSX and CSV writer in the product passes its cells through `safe_cell`.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value`, or for a text that a spreadsheet would run as a formula, the text behind `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: list[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
