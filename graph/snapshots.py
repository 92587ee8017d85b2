"""Dated snapshots of network measures, so a leader can compare this quarter with last.

A snapshot is a JSON file ``<SAMGRAF_DB_PATH>/snapshots/<projection>[-<scope>]/<date>.json``
holding one `graph.analysis.measures` result. Files rather than the graph: the graph is
rebuilt from the sources at every load, while snapshots are history derived from it; JSON
files survive a rebuild, are easy to back up and diff, and work the same for both backends.
One snapshot per projection, scope and day (saving again the same day replaces it).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from graph.limits import RequestError
from graph.settings import Settings

MEASURES = ("degree_centrality", "betweenness", "pagerank", "constraint")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SnapshotError(RequestError):
    """A request this module cannot answer (see `RequestError`)."""


def _folder(settings: Settings, projection: str, scope: str | None) -> Path:
    name = projection + (f"-{re.sub(r'[^A-Za-z0-9_-]+', '_', scope)}" if scope else "")
    return Path(settings.db_path) / "snapshots" / name


def save(
    settings: Settings,
    result: dict[str, Any],
    date: str | None = None,
    scope_key: str | None = None,
) -> Path:
    """Write a measures result as the snapshot of `date` (default: today, UTC)."""
    date = date or dt.datetime.now(dt.UTC).date().isoformat()
    if not _DATE.match(date):
        raise SnapshotError(f"ugyldig dato {date!r} (bruk ÅÅÅÅ-MM-DD)", "date", status=422)
    folder = _folder(settings, result["projection"], scope_key)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{date}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"date": date, **result}, ensure_ascii=False, indent=1))
    tmp.replace(path)  # atomic: a reader never sees half a snapshot
    return path


def list_dates(settings: Settings, projection: str, scope_key: str | None = None) -> list[str]:
    folder = _folder(settings, projection, scope_key)
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def load(
    settings: Settings, projection: str, date: str, scope_key: str | None = None
) -> dict[str, Any]:
    if not _DATE.match(date):
        raise SnapshotError(f"ugyldig dato {date!r} (bruk ÅÅÅÅ-MM-DD)", "date", status=422)
    path = _folder(settings, projection, scope_key) / f"{date}.json"
    if not path.is_file():
        raise SnapshotError(f"ingen øyeblikksbilde av {projection} for {date}", "date", status=404)
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Per node: the measures then and now and the change; who came and who went."""
    before = {n["id"]: n for n in old["nodes"]}
    after = {n["id"]: n for n in new["nodes"]}
    changes = []
    for node_id in sorted(before.keys() | after.keys()):
        a, b = before.get(node_id), after.get(node_id)
        ref = b or a or {}
        row: dict[str, Any] = {
            "id": node_id,
            "name": ref.get("name"),
            "kind": ref.get("kind"),
            "status": "ny" if a is None else "borte" if b is None else "begge",
        }
        for m in MEASURES:
            va = a.get(m) if a else None
            vb = b.get(m) if b else None
            row[m] = {
                "før": va,
                "nå": vb,
                "endring": round(vb - va, 6) if va is not None and vb is not None else None,
            }
        changes.append(row)
    changes.sort(key=lambda r: -abs(r["betweenness"]["endring"] or 0))
    return {
        "projection": new["projection"],
        "from": old.get("date"),
        "to": new.get("date"),
        "nodes": changes,
    }
