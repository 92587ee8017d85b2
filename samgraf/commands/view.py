"""`samgraf view`: a self-contained interactive graph, with the explorer's filters."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from viz.filters import PRESETS


class SizeBy(StrEnum):
    grad = "grad"
    mellomhet = "mellomhet"


Preset = StrEnum("Preset", {k: k for k in PRESETS})  # type: ignore[misc]
PRESET_HELP = "Utvalg: " + "; ".join(f"{k} = {p.label_no.lower()}" for k, p in PRESETS.items())


def view(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML-fil som skrives")] = Path(
        "out/samhandlingsgraf.html"
    ),
    focus: Annotated[
        str | None, typer.Option("--focus", help="Sentrer på en node (navn eller id)")
    ] = None,
    hops: Annotated[int, typer.Option("--hops", min=1, max=3, help="Antall steg fra fokus")] = 2,
    preset: Annotated[Preset, typer.Option("--utvalg", "--preset", help=PRESET_HELP)] = Preset(
        "alt"
    ),
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", "--nodetype", help="Bare disse nodetypene (gjentas), f.eks. Person"),
    ] = None,
    rel: Annotated[
        list[str] | None,
        typer.Option(
            "--rel", "--relasjon", help="Bare disse relasjonstypene (gjentas), f.eks. HAS_ROLE"
        ),
    ] = None,
    size_by: Annotated[
        SizeBy, typer.Option("--size-by", "--storrelse", help="Nodestørrelse etter grad/mellomhet")
    ] = SizeBy.grad,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="Høyst så mange noder (de best tilknyttede)")
    ] = 5000,
) -> None:
    """Skriv en selvstendig, interaktiv HTML-graf (virker uten nett), med utforskerens filtre."""
    from samgraf.cli import _fail, _open_store, console
    from viz.filters import FilterError
    from viz.views import ViewError, ViewOptions, write_view

    opts = ViewOptions(
        focus=focus,
        hops=hops,
        preset=str(preset.value),
        kinds=kind or [],
        rels=rel or [],
        limit=limit,
        size_by="betweenness" if size_by == SizeBy.mellomhet else "degree",
    )
    with _open_store() as store:
        try:
            path = write_view(store, output, options=opts)
        except (ViewError, FilterError) as exc:
            _fail(str(exc))
            return
    console.print(f"Skrev {path}")


def register(app: typer.Typer) -> None:
    app.command()(view)
