"""`samgraf review list|show|accept|reject|unsure|undo`: the entity-resolution review queue."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

review_app = typer.Typer(
    help="Gjennomgangskøen: mulige duplikater og foreslåtte fakta.", no_args_is_help=True
)
STATUS_NO = {"open": "åpen", "accepted": "godtatt", "rejected": "avvist", "unsure": "usikker"}
WhoOpt = Annotated[str | None, typer.Option("--who", help="Hvem som avgjør (standard: brukeren)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON på stdout")]


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")


def _queue() -> Any:
    from graph.resolve.review import open_queue
    from graph.settings import get_settings

    return open_queue(get_settings())


def _who(who: str | None) -> str:
    import getpass

    return who or getpass.getuser()


def _fail(message: str) -> None:
    Console(stderr=True).print(f"[red]Feil:[/red] {message}", highlight=False)
    raise typer.Exit(1)


def _describe(item: Any) -> str:
    p = item.payload
    if item.kind == "merge":
        return f"«{p['loser']['name']}» = «{p['winner']['name']}»? ({p['winner']['kind']})"
    nodes = ", ".join(f"{n['kind']} {n['name']}" for n in p.get("nodes", []))
    rels = ", ".join(f"{r['type']}" for r in p.get("relationships", []))
    return "; ".join(x for x in (nodes, rels) if x)


@review_app.command("list")
def list_items(
    status: Annotated[
        str, typer.Option(help="open, accepted, rejected, unsure eller all")
    ] = "open",
    kind: Annotated[str | None, typer.Option(help="merge eller fact")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List forslagene i køen (standard: de åpne), sikrest først."""
    items = _queue().list(status=status, kind=kind)
    if as_json:
        print(json.dumps([i.as_dict() for i in items], ensure_ascii=False, indent=2))
        return
    t = Table(title=f"Gjennomgangskøen ({status})")
    for col in ("id", "type", "status", "sikkerhet", "forslag"):
        t.add_column(col)
    for i in items:
        t.add_row(
            i.id, i.kind, STATUS_NO.get(i.status, i.status), f"{i.confidence:.2f}", _describe(i)
        )
    Console().print(t)


@review_app.command("show")
def show(
    item_id: Annotated[str, typer.Argument(help="Forslagets id")], as_json: JsonOpt = False
) -> None:
    """Vis et forslag med bevisene side om side (begge nodene, egenskaper og kilder)."""
    from graph.resolve.review import ReviewError
    from graph.settings import get_settings
    from graph.store import GraphStore

    try:
        item = _queue().get(item_id)
    except ReviewError as exc:
        _fail(str(exc))
        return
    sides: dict[str, Any] = {}
    if item.kind == "merge":
        with GraphStore.open(get_settings()) as store:
            for side in ("winner", "loser"):
                sides[side] = store.node(item.payload[side]["id"])
    if as_json:
        print(json.dumps({**item.as_dict(), "nodes": sides}, ensure_ascii=False, indent=2))
        return
    c = Console()
    c.print(
        f"[bold]{item.id}[/bold] {item.kind} – {STATUS_NO.get(item.status, item.status)}, "
        f"sikkerhet {item.confidence:.2f}",
        highlight=False,
    )
    if item.kind == "merge":
        from graph.model import personal_properties

        hidden = personal_properties()
        a, b = sides.get("winner") or {}, sides.get("loser") or {}
        t = Table("felt", "A (beholdes)", "B (slås inn i A)")
        keys = [k for k in dict.fromkeys([*a, *b]) if k not in hidden]
        t.add_row("id", item.payload["winner"]["id"], item.payload["loser"]["id"])
        for k in keys:
            if k == "id":
                continue
            t.add_row(k, _fmt(a.get(k)), _fmt(b.get(k)))
        c.print(t)
        if not a or not b:
            c.print("[yellow]Merk:[/yellow] en av nodene finnes ikke i grafen nå.")
    else:
        c.print(json.dumps(item.payload, ensure_ascii=False, indent=2), highlight=False)
    c.print("[bold]Bevis[/bold]")
    for e in item.evidence:
        c.print(f"  – {e.get('rule')}: {e.get('detail')}", highlight=False)
    for j in item.judgements:
        undone = f" (angret {j.undone_at} av {j.undone_by})" if j.undone_at else ""
        c.print(f"  {j.at} {j.who}: {j.verdict}{undone}", highlight=False)


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return "\n".join(str(x) for x in v)
    return str(v)


def _judge(item_id: str, verdict: str, who: str | None, as_json: bool) -> None:
    from graph.resolve.review import ReviewError
    from graph.settings import get_settings
    from graph.store import GraphStore

    with GraphStore.open(get_settings()) as store:
        try:
            item = _queue().judge(item_id, verdict, _who(who), store)
        except (ReviewError, LookupError, ValueError) as exc:
            _fail(str(exc))
            return
    if as_json:
        print(json.dumps(item.as_dict(), ensure_ascii=False, indent=2))
    else:
        Console().print(
            f"{item.id}: {STATUS_NO.get(item.status, item.status)} – {_describe(item)}",
            highlight=False,
        )


@review_app.command("accept")
def accept(item_id: str, who: WhoOpt = None, as_json: JsonOpt = False) -> None:
    """Godta: slå sammen de to nodene (eller skriv det foreslåtte faktumet). Kan angres."""
    _judge(item_id, "accept", who, as_json)


@review_app.command("reject")
def reject(item_id: str, who: WhoOpt = None, as_json: JsonOpt = False) -> None:
    """Avvis: paret foreslås aldri igjen."""
    _judge(item_id, "reject", who, as_json)


@review_app.command("unsure")
def unsure(item_id: str, who: WhoOpt = None, as_json: JsonOpt = False) -> None:
    """Usikker: behold hver for seg inntil videre."""
    _judge(item_id, "unsure", who, as_json)


@review_app.command("undo")
def undo(item_id: str, who: WhoOpt = None, as_json: JsonOpt = False) -> None:
    """Angre siste avgjørelse: en sammenslåing deles igjen, med relasjonene til begge."""
    from graph.resolve.review import ReviewError
    from graph.settings import get_settings
    from graph.store import GraphStore

    with GraphStore.open(get_settings()) as store:
        try:
            item = _queue().undo(item_id, _who(who), store)
        except ReviewError as exc:
            _fail(str(exc))
            return
    if as_json:
        print(json.dumps(item.as_dict(), ensure_ascii=False, indent=2))
    else:
        Console().print(
            f"{item.id}: angret; nå {STATUS_NO.get(item.status, item.status)}", highlight=False
        )


@review_app.command("scan")
def scan(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Vis parene; legg ingenting i køen")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Let etter mulige duplikater blant nodene som allerede er i grafen, og legg dem i køen.

    Ingenting slås sammen: hvert par som ikke er avgjort før blir et forslag med bevis."""
    from graph.resolve.aliases import load_aliases
    from graph.resolve.scoring import Thresholds
    from graph.settings import get_settings
    from graph.store import GraphStore
    from importers.reference import load_reference
    from importers.resolution import historic_table, place_names, scan_graph

    settings = get_settings()
    ref = load_reference(settings.data_dir / "reference")
    aliases = load_aliases(settings.data_dir, historic_table(ref), place_names(ref))
    queue = _queue()
    with GraphStore.open(settings) as store:
        pairs = scan_graph(
            store, queue, aliases, Thresholds(auto=settings.er_auto, review=settings.er_review)
        )
    ids: list[str] = []
    if not dry_run:
        ids = queue.propose_many([p.proposal() for p in pairs])
    if as_json:
        print(
            json.dumps(
                {"proposals": ids, "pairs": [p.as_dict() for p in pairs]},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    c = Console()
    for p in pairs:
        c.print(
            f"{p.decision.score:5.1f} «{p.loser.name}» / «{p.winner.name}» ({p.winner.kind}): "
            f"{'; '.join(e['detail'] for e in p.decision.evidence)}",
            highlight=False,
        )
    verb = "ville blitt lagt" if dry_run else "lagt"
    c.print(f"{len(pairs)} mulige duplikater {verb} i gjennomgangskøen.", highlight=False)
