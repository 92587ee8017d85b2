"""`samgraf import FILE [--mapping M] [--dry-run] [--skip-bad-rows] [--prune] [--diff F]
[--json]`."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

#: files above this size get a progress bar (a few thousand rows)
PROGRESS_BYTES = 512 * 1024


def register(app: typer.Typer) -> None:
    app.command("import")(import_file)


def import_file(
    file: Annotated[Path, typer.Argument(help="CSV-, XLSX-, JSON- eller NDJSON-fil")],
    mapping: Annotated[
        str | None,
        typer.Option(
            "--mapping",
            "-m",
            help="Mapping: navn (prosjektportalen, partners, "
            "person-roles, funding, dependencies) eller sti til en YAML-fil; "
            "standard: gjettes fra filnavnet",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Vis endringene (diff); skriv ingenting")
    ] = False,
    skip_bad_rows: Annotated[
        bool,
        typer.Option(
            "--skip-bad-rows", help="Importer de gode radene; skriv de avviste til en CSV-rapport"
        ),
    ] = False,
    rejected: Annotated[
        Path | None,
        typer.Option(
            "--rejected",
            help="Hvor rapporten over avviste rader skrives "
            "(standard: FIL-avvist.csv ved siden av filen)",
        ),
    ] = None,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Fjern det som forsvant fra filen siden sist "
            "(bare det som kommer fra denne filen)",
        ),
    ] = False,
    diff_file: Annotated[
        Path | None,
        typer.Option(
            "--diff",
            help="Skriv hele diffen til denne filen, én JSON-linje per endring; skjermen og "
            "--json viser da de første 1000 av hvert slag (standard ved --dry-run på en stor "
            "fil: FIL-diff.ndjson ved siden av filen)",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Rapport som JSON på stdout")] = False,
    who: Annotated[str | None, typer.Option("--who", help="Hvem som importerer (logg)")] = None,
) -> None:
    """Importer kommunens egne regneark. Én transaksjon: en feil rad stopper alt (uten
    --skip-bad-rows), og grafen er uendret. Å importere samme fil igjen endrer ingenting."""
    import getpass

    from graph.settings import get_settings
    from graph.store import GraphStore
    from importers.errors import ImportDataError
    from importers.run import run_import, write_rejected

    err = Console(stderr=True)
    settings = get_settings()
    big = file.exists() and file.stat().st_size > PROGRESS_BYTES
    if diff_file is None and dry_run and big:
        # a dry run of a big file lists every change: on disk, not in memory
        diff_file = file.with_name(f"{file.stem}-diff.ndjson")
    with GraphStore.open(settings) as store:
        try:
            do_import = functools.partial(
                run_import,
                store,
                settings,
                file,
                mapping,
                dry_run=dry_run,
                skip_bad_rows=skip_bad_rows,
                prune=prune,
                who=who or getpass.getuser(),
                diff_file=diff_file,
            )
            if big:
                with Progress(
                    SpinnerColumn(),
                    TextColumn("{task.description}"),
                    BarColumn(),
                    TextColumn("{task.completed:,} rader"),
                    TimeElapsedColumn(),
                    console=err,
                    transient=True,
                ) as progress:
                    task = progress.add_task(f"Leser {file.name}", total=None)
                    report = do_import(progress=lambda n: progress.update(task, completed=n))
            else:
                with err.status(f"Leser {file.name} …"):
                    report = do_import()
        except ImportDataError as exc:
            err.print(f"[red]Feil:[/red] {exc}", highlight=False)
            err.print("Ingenting er skrevet; grafen er uendret.")
            raise typer.Exit(1) from None
        except (MemoryError, RecursionError) as exc:
            # a limit in importers/limits.py should have stopped it first; never a traceback
            what = "minne" if isinstance(exc, MemoryError) else "nøsting (rekursjon)"
            err.print(
                f"[red]Feil:[/red] {file.name}: filen krevde for mye {what} til å leses; se "
                "grensene i importers/limits.py (SAMGRAF_LIMIT_*)",
                highlight=False,
            )
            err.print("Ingenting er skrevet; grafen er uendret.")
            raise typer.Exit(1) from None
    data = report.as_dict()
    if diff_file is not None:
        data["diff_file"] = str(diff_file)
    if report.plan.rejected:
        out = rejected or file.with_name(f"{file.stem}-avvist.csv")
        write_rejected(report, out)
        data["rejected_report"] = str(out)
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    print_report(data, Console())


def print_report(d: dict[str, Any], console: Console) -> None:
    title = "Tørrkjøring: ingenting skrevet" if d["dry_run"] else "Importert"
    console.print(f"[bold]{title}[/bold]: {d['file']} (mapping {d['mapping']})", highlight=False)
    if d.get("encoding"):
        console.print(f"  Tegnsett: {d['encoding']}", highlight=False)
    for s in d["sheets"]:
        where = f"ark {s['sheet']}, " if s["sheet"] else ""
        console.print(
            f"  {where}overskrift på rad {s['header_row']}, {s['rows']} rader; "
            f"kolonner: {', '.join(f'{h} → {c}' for c, h in s['columns'].items())}",
            highlight=False,
        )
        for note in s["notes"]:
            console.print(f"    {note}", highlight=False)
    r = d["rows"]
    console.print(
        f"  Rader: {r['read']} lest, {r['imported']} importert, {r['rejected']} avvist",
        highlight=False,
    )
    for rej in d["rejected"][:20]:
        console.print(f"    [red]avvist[/red] {rej['location']}: {rej['reason']}", highlight=False)
    if d.get("rejected_report"):
        console.print(
            f"  Avviste rader skrevet til {d['rejected_report']} (rett og importer på nytt)",
            highlight=False,
        )
    diff = d["diff"]
    t = Table(title="Endringer" + (" (ville blitt gjort)" if d["dry_run"] else ""))
    for col in ("", "opprettes", "endres", "uendret"):
        t.add_column(col, justify="right" if col else "left")
    for label, key in (("noder", "nodes"), ("relasjoner", "relationships")):
        part = diff[key]
        t.add_row(label, str(part["created"]), str(part["changed"]), str(part["unchanged"]))
    console.print(t)
    if d.get("diff_file"):
        console.print(
            f"  Hele diffen er skrevet til {d['diff_file']} (én JSON-linje per endring)",
            highlight=False,
        )
    for n in diff["nodes"]["create"][:30]:
        console.print(f"  [green]+[/green] {n['kind']} {n['name']}", highlight=False)
    for r_ in diff["relationships"]["create"][:30]:
        console.print(f"  [green]+[/green] {r_['from']} –{r_['type']}→ {r_['to']}", highlight=False)
    for n in diff["nodes"]["change"] + diff["relationships"]["change"]:
        what = n.get("name") or f"{n.get('from')} –{n.get('type')}→ {n.get('to')}"
        for prop, (old, new) in n["changes"].items():
            console.print(
                f"  [yellow]~[/yellow] {what}: {prop}: {old!r} → {new!r}", highlight=False
            )
    for m in d["merges"]:
        console.print(
            f"  [cyan]slås sammen[/cyan] «{m['loser']['name']}» → "
            f"«{m['winner']['name']}» ({m['score']}: "
            f"{'; '.join(e['detail'] for e in m['evidence'])})",
            highlight=False,
        )
    for m in d["reapplied"]:
        console.print(
            f"  [cyan]tidligere godtatt[/cyan] «{m['loser']['name']}» = «{m['winner']['name']}»",
            highlight=False,
        )
    for m in d["review"]:
        console.print(
            f"  [magenta]til gjennomgang[/magenta] «{m['loser']['name']}» / "
            f"«{m['winner']['name']}» ({m['score']})",
            highlight=False,
        )
    missing = diff["missing"]
    if missing["nodes"] or missing["relationships"]:
        verb = "fjernet" if d["pruned"] else "finnes ikke lenger i filen (fjernes med --prune)"
        console.print(
            f"  {len(missing['nodes'])} noder og {len(missing['relationships'])} "
            f"relasjoner {verb}:",
            highlight=False,
        )
        for n in missing["nodes"][:20]:
            console.print(f"    [red]-[/red] {n['kind']} {n['name']}", highlight=False)
        for r_ in missing["relationships"][:20]:
            console.print(
                f"    [red]-[/red] {r_['from']} –{r_['type']}→ {r_['to']}", highlight=False
            )
    for w in d["warnings"]:
        console.print(f"  [yellow]Advarsel:[/yellow] {w}", highlight=False)
    if d["proposals"]:
        console.print(
            f"  {len(d['proposals'])} forslag i gjennomgangskøen: samgraf review list",
            highlight=False,
        )
