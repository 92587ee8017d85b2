"""Paths, overlaps, missing links, brokers and export on the command line.

`samgraf paths A B`, `samgraf overlaps NAVN`, `samgraf matrix …`, `samgraf missing-links`,
`samgraf brokers`, `samgraf export`. Names are resolved with the fuzzy search (an id works
too). `--json` prints the same shapes as /api/v1 (documented in the README).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _resolve(store: Any, name: str, kind: str | None = None) -> str:
    from graph.search import resolve_one
    from samgraf.cli import _fail

    hit = resolve_one(store, name, kind=kind)
    if hit is None:
        _fail(f"fant ingen {'satsing' if kind == 'Initiative' else 'node'} som heter «{name}»")
        raise AssertionError  # unreachable: _fail exits
    return hit.id


def _split(values: list[str] | None) -> list[str] | None:
    out = [v.strip() for value in values or [] for v in value.split(",") if v.strip()]
    return out or None


def paths(
    source: Annotated[str, typer.Argument(metavar="FRA", help="Fra: navn eller id")],
    target: Annotated[str, typer.Argument(metavar="TIL", help="Til: navn eller id")],
    k: Annotated[int, typer.Option("--k", "-k", help="Antall stier (høyst 5)")] = 1,
    max_hops: Annotated[int, typer.Option("--max-hops", help="Maks antall steg (høyst 6)")] = 4,
    via: Annotated[
        list[str] | None,
        typer.Option("--via", help="Bare gjennom disse nodetypene, f.eks. Person"),
    ] = None,
    rel_types: Annotated[
        list[str] | None, typer.Option("--rel-types", help="Bare disse relasjonstypene")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON på stdout")] = False,
) -> None:
    """Hvordan henger to personer, enheter eller satsinger sammen? Korteste stier, forklart."""
    from graph.limits import QueryLimitError, RequestError
    from graph.paths import find_paths
    from samgraf.cli import _fail, _open_store

    with _open_store() as store:
        a, b = _resolve(store, source), _resolve(store, target)
        try:
            found = [
                p.as_dict()
                for p in find_paths(
                    store,
                    a,
                    b,
                    k=k,
                    max_hops=max_hops,
                    rel_types=_split(rel_types),
                    via_kinds=_split(via),
                )
            ]
        except (QueryLimitError, RequestError) as exc:
            _fail(str(exc))
            return
    if as_json:
        _print_json({"from": a, "to": b, "paths": found})
        return
    out = Console()
    if not found:
        out.print(f"Ingen sti på høyst {max_hops} steg.")
        raise typer.Exit(1)
    for n, p in enumerate(found, 1):
        names = " → ".join(x["name"] for x in p["nodes"])
        out.print(f"[bold]Sti {n}[/bold] ({p['length']} steg): {names}", highlight=False)
        for hop in p["hops"]:
            out.print(
                f"  • {hop['explanation']}  [dim]({', '.join(hop['sources'])})[/dim]",
                highlight=False,
            )


def overlaps(
    name: Annotated[str, typer.Argument(help="Satsingen: navn eller id")],
    limit: Annotated[int, typer.Option("--limit", help="Maks antall")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="JSON på stdout")] = False,
) -> None:
    """Hvilke satsinger overlapper med denne, og i hva? Rangert, forklart punkt for punkt."""
    from graph.overlap import overlaps as find_overlaps
    from samgraf.cli import _open_store

    with _open_store() as store:
        initiative = _resolve(store, name, kind="Initiative")
        found = [o.as_dict() for o in find_overlaps(store, initiative, limit=limit)]
    if as_json:
        _print_json({"initiative": initiative, "overlaps": found})
        return
    table = Table("Poeng", "Satsing", "Deler", "Avhengighet", title=f"Overlapp med {name}")
    for o in found:
        table.add_row(
            f"{o['score']:.2f}",
            o["initiative"]["name"],
            o["explanation"],
            "ja" if o["has_dependency"] else "nei",
        )
    Console().print(table)


def matrix(
    names: Annotated[list[str] | None, typer.Argument(help="Satsinger: navn eller id")] = None,
    programme: Annotated[
        str | None, typer.Option("--programme", help="Alle satsinger i et program")
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Alle satsinger en enhet deltar i")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON på stdout")] = False,
) -> None:
    """Overlappmatrise for et sett satsinger (gitt, et program, eller en enhets satsinger)."""
    from graph.limits import QueryLimitError
    from graph.overlap import initiatives_of, overlap_matrix
    from samgraf.cli import _fail, _open_store

    with _open_store() as store:
        if programme:
            ids = initiatives_of(store, _resolve(store, programme, kind="Initiative"))
        elif unit:
            ids = initiatives_of(store, _resolve(store, unit))
        elif names:
            ids = [_resolve(store, n, kind="Initiative") for n in names]
        else:
            _fail("oppgi satsinger, --programme eller --unit")
            return
        try:
            result = overlap_matrix(store, ids)
        except QueryLimitError as exc:
            _fail(str(exc))
            return
    if as_json:
        _print_json(result)
        return
    out = Console()
    out.print("Satsinger: " + ", ".join(i["name"] for i in result["initiatives"]))
    if not result["pairs"]:
        out.print("Ingen av dem deler noe.")
    for p in result["pairs"]:
        out.print(
            f"{p['score']:.2f}  {p['a']['name']} ↔ {p['b']['name']}: {p['explanation']}",
            highlight=False,
        )


def missing_links(
    limit: Annotated[int, typer.Option("--limit", help="Maks antall")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="JSON på stdout")] = False,
) -> None:
    """Par av satsinger som overlapper, men uten registrert avhengighet eller koordinering."""
    from graph.overlap import missing_links as find_missing
    from samgraf.cli import _open_store

    with _open_store() as store:
        found = find_missing(store, limit=limit)
    if as_json:
        _print_json(found)
        return
    table = Table("Poeng", "Satsing", "Satsing", "Hvorfor", title="Manglende koblinger")
    for m in found:
        table.add_row(f"{m['score']:.2f}", m["a"]["name"], m["b"]["name"], m["explanation"])
    Console().print(table)


def brokers(
    projection: Annotated[
        str, typer.Option("--projection", help="person, organisation eller initiative")
    ] = "organisation",
    scope: Annotated[
        str | None, typer.Option("--scope", help="Bare nettverket rundt denne satsingen")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Antall meglere som vises")] = 10,
    snapshot: Annotated[
        bool, typer.Option("--snapshot", help="Lagre målene som dagens øyeblikksbilde")
    ] = False,
    compare: Annotated[
        str | None, typer.Option("--compare", help="Sammenlign med øyeblikksbildet fra DATO")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON på stdout")] = False,
) -> None:
    """Meglere og struktur: betweenness, degree, PageRank, Burts constraint og fellesskap."""
    from graph import snapshots
    from graph.analysis import AnalysisError, measures
    from graph.analysis import brokers as top_brokers
    from graph.overlap import initiatives_of
    from graph.settings import get_settings
    from samgraf.cli import _fail, _open_store, console

    settings = get_settings()
    with _open_store() as store:
        scope_id = _resolve(store, scope, kind="Initiative") if scope else None
        try:
            result = measures(
                store, projection, scope=initiatives_of(store, scope_id) if scope_id else None
            )
        except AnalysisError as exc:
            _fail(str(exc))
            return
    if snapshot:
        path = snapshots.save(settings, result, scope_key=scope_id)
        console.print(f"Lagret øyeblikksbilde {path}")
    diff = None
    if compare:
        try:
            old = snapshots.load(settings, projection, compare, scope_id)
        except snapshots.SnapshotError as exc:
            _fail(str(exc))
            return
        diff = snapshots.compare(old, {**result, "date": "nå"})
    top = top_brokers(result, limit)
    if as_json:
        _print_json({**result, "brokers": top, **({"comparison": diff} if diff else {})})
        return
    table = Table(
        "Navn",
        "Type",
        "Betweenness",
        "Constraint",
        "Degree",
        "PageRank",
        "Fellesskap",
        title=f"Meglere ({result['description']})",
    )
    for b in top:
        table.add_row(
            b["name"],
            b["kind_label"],
            f"{b['betweenness']:.3f}",
            "–" if b["constraint"] is None else f"{b['constraint']:.3f}",
            str(b["degree"]),
            f"{b['pagerank']:.3f}",
            str(b["community"]),
        )
    Console().print(table)
    if diff:
        changes = Table(
            "Navn", "Status", "Betweenness før", "nå", "endring", title=f"Endring siden {compare}"
        )
        for row in diff["nodes"][:limit]:
            bt = row["betweenness"]
            changes.add_row(
                row["name"] or row["id"],
                row["status"],
                str(bt["før"]),
                str(bt["nå"]),
                str(bt["endring"]),
            )
        Console().print(changes)


def export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="json, graphml, gexf eller xlsx")
    ] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Fil (standard: stdout for json)")
    ] = None,
    internal: Annotated[
        bool, typer.Option("--internal", help="Ta med e-post og telefon (intern bruk)")
    ] = False,
) -> None:
    """Eksporter hele grafen (GraphML/GEXF for Gephi, XLSX, JSON)."""
    from graph.export import FORMATS
    from graph.export import export as write
    from samgraf.cli import _fail, _open_store, console

    if fmt not in FORMATS:
        _fail(f"ukjent format {fmt!r}; tillatte: {', '.join(FORMATS)}")
        return
    with _open_store() as store:
        body = write(store, fmt, public=not internal)
    if output is None:
        if fmt != "json":
            _fail(f"{fmt} er binært eller XML: oppgi --output FIL")
            return
        sys.stdout.write(body.decode("utf-8") + "\n")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(body)
    console.print(f"Skrev {output} ({len(body)} byte)")


def register(app: typer.Typer) -> None:
    app.command()(paths)
    app.command()(overlaps)
    app.command()(matrix)
    app.command("missing-links")(missing_links)
    app.command()(brokers)
    app.command()(export)
