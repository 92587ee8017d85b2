"""The side-by-side table of a run: one row per benchmark figure, per store the absolute figure
and its ratio to the bare baseline on the same store in the same run, and the target.

Written to benchmarks/results/side_by_side.json and side_by_side.md. A run of some of the
benchmarks replaces their rows and keeps the other benchmarks' rows from earlier runs (each
section says when it was measured).
"""

from __future__ import annotations

import json
import os
import platform
import time
from typing import Any

from benchmarks.common import BACKENDS, RESULTS, STORE_NAMES

JSON = RESULTS / "side_by_side.json"
MD = RESULTS / "side_by_side.md"
COLUMNS = [
    "figure",
    *(f"{STORE_NAMES[b]} {part}" for b in BACKENDS for part in ("abs", "ratio")),
    "target",
]


def _number(value: float | str) -> str:
    if isinstance(value, str):
        return value
    if abs(value) >= 1000:
        return f"{value:,.0f}".replace(",", " ")
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def cells(r: dict[str, Any]) -> list[str]:
    out = [r["figure"]]
    for b in BACKENDS:
        v = r["stores"].get(b)
        if v is None:
            out += ["–", "–"]
            continue
        out.append(
            _number(v["abs"]) if isinstance(v["abs"], str) else f"{_number(v['abs'])} {r['unit']}"
        )
        out.append("–" if v["ratio"] is None else f"{v['ratio']:g}×")
    verdicts = [
        f"{STORE_NAMES[b]} {'pass' if ok else 'FAIL'}"
        for b in BACKENDS
        if (ok := r["met"].get(b)) is not None
    ]
    out.append(r["target"] + (f" ({', '.join(verdicts)})" if verdicts else ""))
    return out


def table(sections: dict[str, Any], markdown: bool) -> str:
    rows = [cells(r) for s in sections.values() for r in s["rows"]]
    if markdown:
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(c) + " |" for c in rows]
        return "\n".join(lines)
    widths = [max(len(x) for x in col) for col in zip(COLUMNS, *rows, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    fmt = fmt[: fmt.rfind("{")] + "{}"  # the target column: left-aligned, not padded
    lines = [fmt.format(*COLUMNS), fmt.format(*("-" * w for w in widths))]
    return "\n".join([*lines, *(fmt.format(*c) for c in rows)])


def write(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Merge this run's rows into the stored table, print it and write the two files."""
    try:
        stored = json.loads(JSON.read_text())
    except (OSError, ValueError):
        stored = {}
    sections: dict[str, Any] = stored.get("benchmarks", {})
    when = time.strftime("%Y-%m-%dT%H:%M:%S")
    for name, figures in results.items():
        if figures.get("side_by_side"):
            sections[name] = {"when": when, "rows": figures["side_by_side"]}
    order = ["load", "import", "queries", "api"]
    sections = dict(
        sorted(sections.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    )
    doc = {
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "note": "ratio = the figure divided by the bare baseline on the same store, measured "
        "in the same run (throughput: higher is better; latency and memory: lower is better)",
        "benchmarks": sections,
    }
    RESULTS.mkdir(exist_ok=True)
    JSON.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    stamps = ", ".join(f"{n} {s['when']}" for n, s in sections.items())
    MD.write_text(
        "# Side by side: FalkorDB (embedded) and Neo4j 5\n\n"
        f"Measured on {platform.machine()}, {os.cpu_count()} CPUs ({stamps}). {doc['note']}.\n\n"
        + table(sections, markdown=True)
        + "\n"
    )
    if sections:
        print("\n== side by side (ratio = figure ÷ bare baseline, same store, same run) ==")
        print(table(sections, markdown=False))
    return doc
