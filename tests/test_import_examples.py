"""Each example file in data/examples/: load, re-load (no change), an edited copy (exactly the
changes), and the dry-run diff — on every available backend."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from graph.settings import REPO_ROOT, Settings
from graph.store import GraphStore
from tests.import_helpers import imp, isettings, snapshot

EXAMPLES = REPO_ROOT / "data" / "examples"
FILES = [
    "prosjektportalen.xlsx",
    "partnere.csv",
    "personer-roller.csv",
    "finansiering.json",
    "avhengigheter.csv",
]


def test_examples_are_generated_by_the_committed_script(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for path in mod.main(tmp_path):
        if path.suffix != ".xlsx":  # xlsx embeds a timestamp
            assert path.read_bytes() == (EXAMPLES / path.name).read_bytes(), path.name


@pytest.mark.parametrize("name", FILES)
def test_example_loads_and_reloads_without_change(
    name: str, store: GraphStore, settings: Settings, tmp_path: Path
) -> None:
    s = isettings(settings, tmp_path)
    dry = imp(store, s, EXAMPLES / name, dry_run=True)
    assert store.stats() == {"nodes": {}, "relationships": {}}  # dry run wrote nothing
    assert dry.diff.nodes_new and dry.diff.rels_new
    first = imp(store, s, EXAMPLES / name)
    counts = store.stats()
    # the dry run said exactly what the import did
    assert sum(counts["nodes"].values()) == len(dry.diff.nodes_new)
    assert sum(counts["relationships"].values()) == len(dry.diff.rels_new)
    assert first.plan.rows > 0 and not first.plan.rejected
    nodes, rels = snapshot(store)
    # provenance "file:sheet:row" / "file:line" on every node and relationship
    for item in [*nodes.values(), *rels.values()]:
        assert item["sources"], item
        own = [src for src in item["sources"] if src.startswith(f"{name}:")]
        ref = [src for src in item["sources"] if src.startswith("reference/")]
        assert own or ref, item
        for src in own:
            parts = src.split(":")
            assert parts[-1].isdigit(), src
            if name.endswith(".xlsx"):
                assert parts[1] == "Prosjekter" and int(parts[2]) >= 5, src
    again = imp(store, s, EXAMPLES / name)
    assert again.diff.empty, again.diff.as_dict()
    assert not again.diff.missing_nodes and not again.diff.missing_rels
    assert again.diff.provenance_changed == 0
    assert store.stats() == counts
    assert snapshot(store) == (nodes, rels)  # same property values, last_seen aside


def test_report_names_encoding_delimiter_and_header_row(
    store: GraphStore, settings: Settings, tmp_path: Path
) -> None:
    s = isettings(settings, tmp_path)
    xlsx = imp(store, s, EXAMPLES / "prosjektportalen.xlsx", dry_run=True).as_dict()
    assert xlsx["sheets"][0]["sheet"] == "Prosjekter"
    assert xlsx["sheets"][0]["header_row"] == 4
    assert any("Om eksporten" in n for n in xlsx["sheets"][0]["notes"])
    assert xlsx["rows"]["imported"] == 12  # 4 + 7 merged-cell rows + JegEr Ung; no trailing
    dep = imp(store, s, EXAMPLES / "avhengigheter.csv", dry_run=True).as_dict()
    assert dep["encoding"] == "cp1252" and dep["delimiter"] == "\t"
    assert any("cp1252" in n for n in dep["sheets"][0]["notes"])
    part = imp(store, s, EXAMPLES / "partnere.csv", dry_run=True).as_dict()
    assert part["encoding"] == "utf-8-sig" and part["delimiter"] == ";"


def test_merged_cells_belong_to_every_row_of_the_range(
    store: GraphStore, settings: Settings, tmp_path: Path
) -> None:
    imp(store, isettings(settings, tmp_path), EXAMPLES / "prosjektportalen.xlsx")
    parts = [
        r
        for r in store.all_rels()
        if r["type"] == "PART_OF" and r["b"] == "initiative:sak:2021019954-3"
    ]
    # the seven projects of Flere i arbeid, "Overordnet prosjekt" merged down over them
    assert len(parts) == 7
    fra = store.node("initiative:fra-stonad-til-arbeid") or store.node(
        "initiative:fra-stønad-til-arbeid"
    )
    assert fra is not None and fra["phase"] == "Planlegging"
    jeger = store.node("initiative:jeger-ung")
    assert jeger is not None and jeger["start"] == "2022-02-01" and jeger["end"] == "2023-06-30"


# ---------------------------------------------------------------------------------------------
# edited copies: exactly the changes


def _edit_xlsx(src: Path, dst: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(src)
    ws = wb["Prosjekter"]
    for row in ws.iter_rows(min_row=5):
        if row[0].value == "Fra stønad til arbeid":
            row[5].value = "Gjennomføring"  # Fase
        if row[0].value == "JegEr Ung":
            for c in row:
                c.value = None  # the row disappears
    wb.save(dst)


def _edit_csv(
    src: Path, dst: Path, change: Callable[[list[list[str]]], None], enc: str, delim: str
) -> None:
    with open(src, encoding=enc, newline="") as fh:
        rows = list(csv.reader(fh, delimiter=delim))
    change(rows)
    with open(dst, "w", encoding=enc, newline="") as fh:
        csv.writer(fh, delimiter=delim).writerows(rows)


def _partners(rows: list[list[str]]) -> None:
    for r in rows:
        if r[0] == "KS":
            r[6] = "Inn i jobb og Agder-satsingen"  # Merknad (note)
    rows[:] = [r for r in rows if r[0] != "Comte"]


def _people(rows: list[list[str]]) -> None:
    for r in rows:
        if r[0] == "Mette Mannsåker":
            r[3] = "fagdirektør"  # Stilling


def _funding(src: Path, dst: Path) -> None:
    data = json.loads(src.read_text(encoding="utf-8"))
    for row in data["tildelinger"]:
        if row["Finansieringskilde"] == "Statsforvalteren" and row["Mottaker"] == "Flere i arbeid":
            row["Beløp"] = "0,5 mill"
    dst.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _deps(rows: list[list[str]]) -> None:
    for r in rows:
        if r[1] == "Nye mønstre":
            r[4] = "Samarbeid og erfaringsdeling"


EDITS: dict[str, tuple[Callable[[Path, Path], None], dict[str, object]]] = {
    "prosjektportalen.xlsx": (
        _edit_xlsx,
        {
            "node_changes": {"Fra stønad til arbeid": {"phase": ["Planlegging", "Gjennomføring"]}},
            "rel_changes": {},
            "missing_nodes": {"JegEr Ung", "Oppvekst"},
            "missing_rel_types": {"PARTICIPATES_IN", "PART_OF"},
        },
    ),
    "partnere.csv": (
        lambda a, b: _edit_csv(a, b, _partners, "utf-8-sig", ";"),
        {
            "node_changes": {},
            "rel_changes": {
                ("KS", "Flere i arbeid"): {
                    "note": [
                        "blant annet i det nasjonale prosjektet «Inn i jobb»",
                        "Inn i jobb og Agder-satsingen",
                    ]
                }
            },
            "missing_nodes": {"Comte", "Mer treffsikker innsats for arbeidsinkludering"},
            "missing_rel_types": {"PARTNER_IN"},
        },
    ),
    "personer-roller.csv": (
        lambda a, b: _edit_csv(a, b, _people, "utf-8", ","),
        {
            "node_changes": {"Mette Mannsåker": {"title": ["seniorrådgiver", "fagdirektør"]}},
            "rel_changes": {},
            "missing_nodes": set(),
            "missing_rel_types": set(),
        },
    ),
    "finansiering.json": (
        _funding,
        {
            "node_changes": {},
            "rel_changes": {
                ("Statsforvalteren", "Flere i arbeid"): {"amount_nok": [450000, 500000]}
            },
            "missing_nodes": set(),
            "missing_rel_types": set(),
        },
    ),
    "avhengigheter.csv": (
        lambda a, b: _edit_csv(a, b, _deps, "cp1252", "\t"),
        {
            "node_changes": {},
            "rel_changes": {
                (
                    "Samhandlingskommunen Kristiansand – Innbyggerdialog og "
                    "sammenhengende tjenester",
                    "Nye mønstre",
                ): {"handling": ["Samarbeid", "Samarbeid og erfaringsdeling"]}
            },
            "missing_nodes": set(),
            "missing_rel_types": set(),
        },
    ),
}


@pytest.mark.parametrize("name", FILES)
def test_edited_copy_shows_exactly_the_changes(
    name: str, store: GraphStore, settings: Settings, tmp_path: Path
) -> None:
    s = isettings(settings, tmp_path)
    imp(store, s, EXAMPLES / name)
    before = snapshot(store)
    edit, want = EDITS[name]
    edited = tmp_path / "edited" / name  # same file name: the same source
    edited.parent.mkdir()
    edit(EXAMPLES / name, edited)

    dry = imp(store, s, edited, dry_run=True)
    assert snapshot(store) == before  # the dry run wrote nothing
    d = dry.diff
    assert not d.nodes_new and not d.rels_new
    assert {c["name"]: c["changes"] for c in d.nodes_changed} == want["node_changes"]
    assert {(c["from"], c["to"]): c["changes"] for c in d.rels_changed} == want["rel_changes"]
    assert {n["name"] for n in d.missing_nodes} == want["missing_nodes"]
    assert {r["type"] for r in d.missing_rels} == want["missing_rel_types"]

    done = imp(store, s, edited)  # without --prune: reported, not removed
    assert done.diff.as_dict() == d.as_dict()
    nodes, rels = snapshot(store)
    assert set(nodes) == set(before[0]) and set(rels) == set(before[1])
    for nid, props in nodes.items():
        changed = next((c for c in d.nodes_changed if c["id"] == nid), None)
        for key, value in props.items():
            if changed and key in changed["changes"]:
                assert value == changed["changes"][key][1]
            elif key not in ("sources",):
                assert value == before[0][nid].get(key), (nid, key)

    pruned = imp(store, s, edited, prune=True)
    assert pruned.pruned["nodes"] == len(want["missing_nodes"])  # type: ignore[arg-type]
    nodes, _ = snapshot(store)
    assert not ({n["name"] for n in nodes.values()} & want["missing_nodes"])  # type: ignore[operator]
    again = imp(store, s, edited)
    assert again.diff.empty and not again.diff.missing_nodes and not again.diff.missing_rels


def test_rows_that_moved_keep_exact_provenance(
    store: GraphStore, settings: Settings, tmp_path: Path
) -> None:
    """A row inserted at the top moves every row down: references follow, none linger."""
    s = isettings(settings, tmp_path)
    imp(store, s, EXAMPLES / "personer-roller.csv")
    moved = tmp_path / "m" / "personer-roller.csv"
    moved.parent.mkdir()
    lines = (EXAMPLES / "personer-roller.csv").read_text(encoding="utf-8").splitlines()
    lines.insert(1, "Sverre Moos Mangrud,støtte og kompetanse," + lines[3].split(",")[2] + ",,,")
    moved.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = imp(store, s, moved)
    assert len(r.diff.nodes_new) == 1 and r.diff.provenance_changed > 0
    anne = store.node("person:anne-aunevik")
    assert anne is not None
    assert [x for x in anne["sources"] if x.startswith("personer-roller.csv:")] == [
        "personer-roller.csv:3"
    ]


def test_copy_with_another_name_is_another_source(
    store: GraphStore, settings: Settings, tmp_path: Path
) -> None:
    s = isettings(settings, tmp_path)
    imp(store, s, EXAMPLES / "avhengigheter.csv")
    other = tmp_path / "avhengigheter-2023.csv"
    shutil.copy(EXAMPLES / "avhengigheter.csv", other)
    r = imp(store, s, other, mapping="dependencies")
    assert r.diff.empty and r.diff.provenance_changed > 0
    rel = next(x for x in store.all_rels() if x["type"] == "DEPENDS_ON")
    assert {src.split(":")[0] for src in rel["props"]["sources"]} == {
        "avhengigheter.csv",
        "avhengigheter-2023.csv",
    }
