"""The `samgraf` command line: one verb per capability, mirroring the Python API."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph.settings import get_settings

app = typer.Typer(
    help="Samhandlingsgraf: hvem jobber med hvem i kommunal samhandling.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(
    help="Databasene: den innebygde FalkorDB og en lokal Neo4j.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _open_store() -> Any:
    from graph.store import GraphStore

    return GraphStore.open(get_settings())


def _fail(message: str, code: int = 1) -> None:
    console.print(f"[red]Feil:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(code)


@app.command()
def load(
    sources: Annotated[
        list[Path] | None,
        typer.Argument(help="Datasettmapper eller -filer (standard: det medfølgende)"),
    ] = None,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Last bare om grafen er tom")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Rapport som JSON på stdout")] = False,
) -> None:
    """Last datasettet inn i grafen. Idempotent: å laste to ganger endrer ingenting."""
    from importers.bundled import load_dataset
    from importers.errors import ImportDataError

    settings = get_settings()
    with _progress() as progress:
        progress.add_task("Starter databasen …")
        store = _open_store()
    with store:
        if if_empty and store.run("graph.count")[0]["n"] > 0:
            console.print("Grafen har allerede data; ingenting lastet.")
            return
        try:
            with _progress() as progress:
                progress.add_task("Leser, validerer og skriver datasettet …")
                report = load_dataset(store, settings, sources)
        except ImportDataError as exc:
            _fail(str(exc))
            return
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        n = sum(report.after["nodes"].values())
        r = sum(report.after["relationships"].values())
        console.print(f"Lastet {len(report.files)} filer: grafen har {n} noder og {r} relasjoner.")
    for warning in report.warnings:
        console.print(f"[yellow]Advarsel:[/yellow] {warning}", highlight=False)


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="JSON på stdout")] = False,
) -> None:
    """Antall noder og relasjoner per type."""
    with _open_store() as store:
        s = store.stats()
        backend = store.backend
    out = {
        "backend": backend,
        "nodes": s["nodes"],
        "relationships": s["relationships"],
        "total_nodes": sum(s["nodes"].values()),
        "total_relationships": sum(s["relationships"].values()),
    }
    if as_json:
        print(json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True))
        return
    from graph.model import NODE_KINDS, REL_KINDS

    table = Table(title=f"Samhandlingsgraf ({backend})")
    table.add_column("Type")
    table.add_column("Norsk")
    table.add_column("Antall", justify="right")
    for kind, cls in NODE_KINDS.items():
        table.add_row(kind, cls.label_no, str(s["nodes"].get(kind, 0)))
    table.add_section()
    for rel, spec in REL_KINDS.items():
        table.add_row(rel, spec.label_no, str(s["relationships"].get(rel, 0)))
    Console().print(table)


def _parse_param(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise typer.BadParameter(f"{text!r}: bruk navn=verdi")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


@app.command()
def cypher(
    query: Annotated[str, typer.Argument(help="Cypher-spørring")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Parameter navn=verdi (JSON-verdi eller tekst)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON på stdout")] = False,
    write: Annotated[bool, typer.Option("--write", help="Tillat skriving")] = False,
) -> None:
    """Kjør en Cypher-spørring (bare lesing uten --write)."""
    from graph.dialect import StoreError

    params = dict(_parse_param(p) for p in (param or []))
    with _open_store() as store:
        try:
            rows = store.run_text(query, params, write=write)
        except StoreError as exc:
            _fail(str(exc))
            return
    columns = list(rows[0].keys()) if rows else []
    if as_json:
        print(json.dumps({"columns": columns, "rows": rows}, ensure_ascii=False, indent=2))
        return
    table = Table(*columns)
    for row in rows:
        table.add_row(
            *(
                json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
                for v in row.values()
            )
        )
    Console().print(table)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Adresse (SAMGRAF_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (SAMGRAF_PORT)")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Antall arbeidsprosesser")] = 1,
) -> None:
    """Start API-et og utforskeren (uvicorn)."""
    import uvicorn

    settings = get_settings()
    h, p = host or settings.host, port or settings.port
    console.print(f"API og utforsker: http://{h}:{p}/  (API-dokumentasjon: http://{h}:{p}/docs)")
    uvicorn.run("api.app:app", host=h, port=p, workers=workers, log_level="info")


@app.command()
def demo(
    serve_api: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start API-et til slutt")
    ] = True,
    out: Annotated[Path, typer.Option(help="Mappe for HTML-visningene")] = Path("out"),
) -> None:
    """Last det medfølgende datasettet, skriv visningene og start API-et."""
    from importers.bundled import load_dataset
    from viz.views import write_demo_views

    settings = get_settings()
    with _open_store() as store:
        with _progress() as progress:
            progress.add_task("Laster Kristiansand-datasettet …")
            report = load_dataset(store, settings)
        for warning in report.warnings:
            console.print(f"[yellow]Advarsel:[/yellow] {warning}", highlight=False)
        with _progress() as progress:
            progress.add_task("Skriver HTML-visninger …")
            paths = write_demo_views(store, out)
    for path in paths:
        console.print(f"Visning: {path}")
    if serve_api:
        serve(None, None, 1)


@db_app.command("start")
def db_start(
    neo4j: Annotated[
        bool, typer.Option("--neo4j", help="Start en lokal Neo4j 5 (produksjonsmotoren)")
    ] = False,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Start en skadet innebygd database med det som kan leses (en kopi av "
            "datafilene blir liggende)",
        ),
    ] = False,
) -> None:
    """Start databasen i SAMGRAF_DB_PATH: den innebygde FalkorDB, eller med --neo4j en lokal
    Neo4j Community (trenger Java 17+ og Maven; første start henter ~125 MB)."""
    settings = get_settings()
    if not neo4j:
        from graph.embedded import EmbeddedServer

        sock = EmbeddedServer(settings.db_path, keep=True, repair=repair).ensure()
        print(f"FalkorDB kjører på {sock}")
        return
    from graph.neo4j_local import LocalNeo4j, Neo4jLocalError, local_home

    with _progress() as progress:
        progress.add_task("Starter Neo4j (første gang: henter og kompilerer) …")
        try:
            conn = LocalNeo4j(local_home(settings.db_path)).start()
        except Neo4jLocalError as exc:
            _fail(str(exc))
            return
    print(f"Neo4j {conn.version} kjører på {conn.uri} (pid {conn.pid})")
    print("SAMGRAF_STORE=neo4j finner den selv; andre klienter kan bruke:")
    for key, value in conn.env().items():
        print(f"  export {key}={value}")


@db_app.command("status")
def db_status() -> None:
    """Vis om databasene i SAMGRAF_DB_PATH kjører."""
    from graph.embedded import EmbeddedServer, _alive
    from graph.neo4j_local import local_home, read_connection

    settings = get_settings()
    server = EmbeddedServer(settings.db_path)
    state = "kjører" if _alive(server.sock) else "kjører ikke"
    print(f"FalkorDB i {settings.db_path.resolve()}: {state} ({server.sock})")
    conn = read_connection(local_home(settings.db_path))
    neo = f"kjører på {conn.uri} (pid {conn.pid})" if conn else "kjører ikke"
    print(f"Lokal Neo4j i {local_home(settings.db_path).resolve()}: {neo}")


@db_app.command("stop")
def db_stop(
    neo4j: Annotated[bool, typer.Option("--neo4j", help="Stopp bare den lokale Neo4j")] = False,
) -> None:
    """Stopp databasene i SAMGRAF_DB_PATH (dataene blir liggende)."""
    from graph.embedded import EmbeddedServer
    from graph.neo4j_local import LocalNeo4j, local_home

    settings = get_settings()
    if not neo4j:
        EmbeddedServer(settings.db_path).stop()
    if LocalNeo4j(local_home(settings.db_path)).stop():
        print("Lokal Neo4j stoppet")


def _register_commands() -> None:
    """Each module in samgraf/commands/ adds its verbs to `app` (one file per capability)."""
    import importlib
    import pkgutil

    import samgraf.commands as commands

    for mod in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"samgraf.commands.{mod.name}").register(app)


_register_commands()


def main() -> None:
    from graph.dialect import StoreError
    from graph.embedded import EmbeddedServerError

    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
    except (StoreError, EmbeddedServerError) as exc:
        # the database did not start or answer: a message, never a traceback
        console.print(f"[red]Feil:[/red] {exc}", markup=True, highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
