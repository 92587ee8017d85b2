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
from importers.limits import Limits, current, fmt_bytes, refuse
from importers.readers import Table


def read_json(path: Path, name: str, limits: Limits | None = None) -> Table:
    limits = limits or current()
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        return Table(
            name,
            None,
            [],
            0,
            _ndjson(path, name, limits),
            encoding="utf-8",
            notes=["format: NDJSON"],
            lines=True,
        )
    size = path.stat().st_size
    if size > limits.json_max_bytes:
        raise refuse(
            Location(name),
            f"JSON-filen er {fmt_bytes(size)} og leses hel",
            f"{fmt_bytes(limits.json_max_bytes)} (bruk NDJSON, én rad per linje, for større filer)",
            "json_max_bytes",
        )
    try:
        with open(path, encoding="utf-8-sig") as fh:
            data = json.load(fh)
    except json.JSONDecodeError as exc:
        raise ImportDataError(Location(name, line=exc.lineno), f"ugyldig JSON: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise ImportDataError(Location(name), f"JSON må være UTF-8: {exc}") from None
    except RecursionError:
        raise ImportDataError(Location(name), "ugyldig JSON: nøstet for dypt") from None
    except ValueError as exc:  # e.g. an integer of more than 4 300 digits
        raise ImportDataError(Location(name), f"ugyldig JSON: {exc}") from None
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


def _ndjson(path: Path, name: str, limits: Limits) -> Iterator[tuple[int, dict[str, Any]]]:
    from importers.csv_reader import limited_lines

    with open(path, encoding="utf-8-sig") as fh:
        lines = enumerate(limited_lines(fh, name, limits), start=1)
        while True:
            try:
                line_no, line = next(lines)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise ImportDataError(Location(name), f"NDJSON må være UTF-8: {exc}") from None
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportDataError(
                    Location(name, line=line_no), f"ugyldig JSON: {exc.msg}"
                ) from None
            except RecursionError:
                raise ImportDataError(
                    Location(name, line=line_no), "ugyldig JSON: nøstet for dypt"
                ) from None
            except ValueError as exc:  # e.g. an integer of more than 4 300 digits
                raise ImportDataError(
                    Location(name, line=line_no), f"ugyldig JSON: {exc}"
                ) from None
            if not isinstance(item, dict):
                raise ImportDataError(Location(name, line=line_no), "hver linje må være et objekt")
            yield line_no, item
