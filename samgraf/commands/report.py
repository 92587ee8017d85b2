"""`samgraf report`: a self-contained HTML report about an initiative, programme or unit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def report(
    initiative: Annotated[
        str | None, typer.Option("--initiative", help="Satsingen rapporten handler om")
    ] = None,
    programme: Annotated[
        str | None, typer.Option("--programme", help="Programmet rapporten handler om")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Enheten rapporten handler om")] = None,
    hops: Annotated[int, typer.Option("--hops", min=1, max=3, help="Antall steg i nettverket")] = 2,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML-fil som skrives")] = Path(
        "rapport.html"
    ),
    png: Annotated[
        bool, typer.Option("--png", help="Skriv også et bilde av grafen (PNG) ved siden av")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Skriv et sammendrag som JSON på stdout")
    ] = False,
) -> None:
    """Skriv en rapport (én selvstendig HTML-fil) om en satsing, et program eller en enhet:
    nettverket, partnere, personer og roller, avhengigheter, overlapp og manglende koblinger."""
    from samgraf.cli import _fail, _open_store, _progress, console
    from viz.browser import BrowserMissing
    from viz.png import write_png
    from viz.report import ReportError, write_report

    chosen = [
        (k, v)
        for k, v in (("initiative", initiative), ("programme", programme), ("unit", unit))
        if v
    ]
    if len(chosen) != 1:
        _fail("oppgi nøyaktig én av --initiative, --programme og --unit")
        return
    as_, name = chosen[0]
    picture: Path | None = None
    with _open_store() as store:
        try:
            with _progress() as progress:
                progress.add_task("Skriver rapporten …")
                path, rep = write_report(store, name, output, as_=as_, hops=hops)
            if png:
                with _progress() as progress:
                    progress.add_task("Tegner bildet i Chromium …")
                    picture = write_png(
                        rep.nodes,
                        rep.rels,
                        output.with_suffix(".png"),
                        title=rep.title,
                        subtitle=f"{rep.kind_label} · {len(rep.nodes)} noder innen {hops} steg",
                        focus=rep.subject["id"],
                    )
        except (ReportError, BrowserMissing) as exc:
            _fail(str(exc))
            return
    summary = {
        "html": str(path),
        "png": str(picture) if picture else None,
        "subject": {"id": rep.subject["id"], "name": rep.subject["name"], "kind": rep.kind_label},
        "nodes": len(rep.nodes),
        "relationships": len(rep.rels),
        "partners": len(rep.partners),
        "people": len(rep.people),
        "dependencies": len(rep.dependencies),
        "overlaps": len(rep.overlaps),
        "missing_links": len(rep.missing_links),
    }
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    console.print(f"Skrev {path}" + (f" og {picture}" if picture else ""))


def register(app: typer.Typer) -> None:
    app.command()(report)
