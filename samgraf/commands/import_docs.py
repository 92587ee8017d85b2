"""`samgraf import-docs PATH… [--dry-run] [--json]`: proposed facts from documents."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table


def register(app: typer.Typer) -> None:
    app.command("import-docs")(import_docs)


def import_docs(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Dokumenter (.docx, .pdf, .txt, .md) eller mapper med dem", metavar="STI"
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Vis hva som ville blitt lagt til; skriv ingenting")
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Skriv de foreslåtte faktaene som JSON-linjer på stdout"),
    ] = False,
    date: Annotated[
        str | None,
        typer.Option("--date", help="Dokumentets dato (ÅÅÅÅ-MM-DD); overstyrer datoen i teksten"),
    ] = None,
    max_pages: Annotated[
        int | None,
        typer.Option(
            "--max-pages",
            min=1,
            help="Høyeste antall sider per dokument (standard 300, eller SAMGRAF_LIMIT_MAX_PAGES)",
        ),
    ] = None,
    skip_bad: Annotated[
        bool,
        typer.Option("--skip-bad", help="Hopp over dokumenter som ikke kan leses, importer resten"),
    ] = False,
) -> None:
    """Les styringsdokumenter, referater og presentasjoner og foreslå fakta med linjenummer.

    Fakta fra gjenkjente tabeller med høy sikkerhet går rett inn i grafen (kilde «fil:linje»);
    resten sendes til gjennomgangskøen. Å importere samme dokument igjen foreslår ikke noe nytt.
    """
    from graph.settings import get_settings
    from graph.store import GraphStore
    from importers.documents.pipeline import import_documents
    from importers.errors import ImportDataError

    err = Console(stderr=True)
    missing = [p for p in paths if not p.exists()]
    if missing:  # before starting the database
        for p in missing:
            err.print(f"[red]Feil:[/red] {p}: filen finnes ikke", highlight=False)
        err.print("Ingenting er skrevet.")
        raise typer.Exit(1)
    settings = get_settings()
    with err.status("Leser dokumentene …"), GraphStore.open(settings) as store:
        try:
            report = import_documents(
                paths,
                store,
                settings,
                dry_run=dry_run,
                date=date,
                max_pages=max_pages,
                skip_bad=skip_bad,
            )
        except ImportDataError as exc:
            for line in str(exc).splitlines():
                err.print(f"[red]Feil:[/red] {line}", highlight=False)
            err.print("Ingenting er skrevet.")
            raise typer.Exit(1) from None
        except (MemoryError, RecursionError) as exc:
            # a limit in importers/limits.py should have stopped it first; never a traceback
            err.print(f"[red]Feil:[/red] {_resource_error(exc)}", highlight=False)
            err.print("Ingenting er skrevet.")
            raise typer.Exit(1) from None
    if as_json:
        for fact in report.facts:
            sys.stdout.write(json.dumps(fact.as_json(), ensure_ascii=False) + "\n")
    _print_summary(report, Console(stderr=as_json))


def _resource_error(exc: BaseException) -> str:
    what = "minne" if isinstance(exc, MemoryError) else "nøsting (rekursjon)"
    return (
        f"dokumentene krevde for mye {what} til å leses; del dem opp, eller se grensene i "
        "importers/limits.py (SAMGRAF_LIMIT_*)"
    )


def _print_summary(report: object, console: Console) -> None:
    from importers.documents.pipeline import ImportReport

    assert isinstance(report, ImportReport)
    for skipped in report.skipped:
        console.print(f"[yellow]Hoppet over:[/yellow] {skipped}", highlight=False)
    for r in report.documents:
        ex = r.extraction
        console.print(
            f"[bold]{ex.doc.name}[/bold] ({ex.doc.format}, {ex.doc.pages} s., dato "
            f"{ex.document_date or 'ukjent'}, kommunenumre per {ex.municipality_date})"
            + (
                f" – ny versjon (forrige sha256 {r.previous_sha256[:12]}…)"
                if r.previous_sha256
                else ""
            ),
            highlight=False,
        )
        if ex.main is not None:
            console.print(f"  Hovedsatsing: {ex.main.name} ({ex.main.id})", highlight=False)
        kinds = [f"{t.type} (linje {t.line})" for t in ex.tables]
        if kinds:
            console.print("  Tabeller: " + ", ".join(kinds), highlight=False)
        for w in ex.warnings:
            console.print(f"  [yellow]Merk:[/yellow] {w}", highlight=False)
    table = Table(
        title="Foreslåtte fakta" + (" (tørrkjøring: ingenting skrevet)" if report.dry_run else "")
    )
    table.add_column("")
    for col in ("noder", "relasjoner", "omtaler"):
        table.add_column(col, justify="right")
    for label, route in (
        ("rett inn i grafen", "graph"),
        ("til gjennomgang", "review"),
        ("finnes fra før", "known"),
    ):
        table.add_row(
            label, *(str(report.count(route, k)) for k in ("node", "relationship", "mention"))
        )
    console.print(table)
    if not report.dry_run:
        console.print(
            f"Skrev {report.written['nodes']} noder og {report.written['relationships']} "
            f"relasjoner; sendte {report.review_sent} forslag til gjennomgang.",
            highlight=False,
        )
    if report.review_note:
        console.print(f"[yellow]Merk:[/yellow] {report.review_note}", highlight=False)
    new = [f for f in report.facts if f.status == "new" and f.kind != "mention"]
    for f in new[:25]:
        what = (
            f"{f.from_ref.name} –{f.rel.type}→ {f.to_ref.name}"
            if f.rel is not None and f.from_ref and f.to_ref
            else f"{f.node.kind} {f.node.name}"
            if f.node is not None
            else f.id
        )
        console.print(
            f"  {f.route:6} {f.confidence:.2f} {f.source}  {what}", highlight=False, soft_wrap=True
        )
    if len(new) > 25:
        console.print(f"  … og {len(new) - 25} til (se --json)")
