"""JSON and NDJSON.

- `.json`: an array of objects, or an object with one array of objects (e.g.
  `{"prosjekter": [...]}`). Row numbers are 1-based positions in the array. The file is parsed
  whole (the standard library has no streaming JSON parser); use NDJSON for very large files.
- `.ndjson` / `.jsonl`: one object per line, read line by line; the row number is the line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from importers.errors import ImportDataError, Location
from importers.readers import Table


def read_json(path: Path, name: str) -> Table:
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        return Table(
            name,
            None,
            [],
            0,
            _ndjson(path, name),
            encoding="utf-8",
            notes=["format: NDJSON"],
            lines=True,
        )
    try:
        with open(path, encoding="utf-8-sig") as fh:
            data = json.load(fh)
    except json.JSONDecodeError as exc:
        raise ImportDataError(Location(name, line=exc.lineno), f"ugyldig JSON: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise ImportDataError(Location(name), f"JSON må være UTF-8: {exc}") from None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise ImportDataError(
                Location(name), "forventet en liste av objekter, eller et objekt med én liste"
            )
        data = lists[0]
    if not isinstance(data, list):
        raise ImportDataError(Location(name), "forventet en liste av objekter")
    if not data:
        raise ImportDataError(Location(name), "filen har ingen rader")

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for i, item in enumerate(data, start=1):
            if not isinstance(item, dict):
                raise ImportDataError(Location(name, row=i), "hver rad må være et JSON-objekt")
            yield i, item

    header = list(dict.fromkeys(k for item in data[:100] if isinstance(item, dict) for k in item))
    return Table(name, None, header, 0, rows(), encoding="utf-8", notes=["format: JSON"])


def _ndjson(path: Path, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(path, encoding="utf-8-sig") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportDataError(
                    Location(name, line=line_no), f"ugyldig JSON: {exc.msg}"
                ) from None
            if not isinstance(item, dict):
                raise ImportDataError(Location(name, line=line_no), "hver linje må være et objekt")
            yield line_no, item
