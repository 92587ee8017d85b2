"""Import errors that name where the bad input is: file, sheet, row or line, field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Location:
    file: str
    line: int | None = None
    sheet: str | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"ark {self.sheet}")
        if self.row is not None:
            parts.append(f"rad {self.row}")
        if self.line is not None:
            parts.append(f"linje {self.line}")
        if self.field:
            parts.append(f"felt {self.field!r}")
        return ", ".join(parts)


class ImportDataError(ValueError):
    """Bad input; nothing was written."""

    def __init__(self, location: Location, reason: str):
        self.location = location
        self.reason = reason
        super().__init__(f"{location}: {reason}")
