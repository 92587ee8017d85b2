"""`samgraf import` and `samgraf review` run as a user runs them (a subprocess per verb)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.settings import REPO_ROOT
from tests.conftest import cli_env, run_samgraf

EXAMPLES = REPO_ROOT / "data" / "examples"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    db = tmp_path_factory.mktemp("import-cli-db")
    with cli_env(db, "importcli", SAMGRAF_REVIEW_DB=str(db / "review.sqlite")) as e:
        yield e


samgraf = run_samgraf


def test_import_dry_run_import_review_cycle(env: dict[str, str], tmp_path: Path) -> None:
    samgraf(env, "load")
    dry = samgraf(env, "import", str(EXAMPLES / "avhengigheter.csv"), "--dry-run")
    assert "Tørrkjøring" in dry.stdout and "cp1252" in dry.stdout
    out = json.loads(samgraf(env, "import", str(EXAMPLES / "partnere.csv"), "--json").stdout)
    assert out["mapping"] == "partners" and not out["dry_run"]  # guessed from the file name
    assert out["written"]["relationships"] > 0
    again = json.loads(samgraf(env, "import", str(EXAMPLES / "partnere.csv"), "--json").stdout)
    assert again["diff"]["nodes"]["create"] == [] and again["diff"]["nodes"]["change"] == []

    bad = tmp_path / "prosjekter.csv"
    bad.write_text(
        "Tittel;Startdato\nNytt prosjekt;i fjor\nAnnet prosjekt;1.1.2022\n", encoding="utf-8"
    )
    r = samgraf(env, "import", str(bad), check=False)
    assert r.returncode == 1
    assert "prosjekter.csv, linje 2, felt 'Startdato'" in r.stderr
    assert "Ingenting er skrevet" in r.stderr
    r = samgraf(env, "import", str(bad), "--skip-bad-rows", "--json")
    report = json.loads(r.stdout)
    assert report["rows"] == {"read": 2, "imported": 1, "rejected": 1}
    assert Path(report["rejected_report"]).exists()

    partners = tmp_path / "partnere-ny.csv"
    partners.write_text(
        "Partner;Satsing\nStatsforvalteren i Agder;Flere i arbeid\n", encoding="utf-8"
    )
    samgraf(env, "import", str(partners))
    items = json.loads(samgraf(env, "review", "list", "--json").stdout)
    assert len(items) == 1
    item = items[0]["id"]
    shown = samgraf(env, "review", "show", item)
    assert "Statsforvalteren i Agder" in shown.stdout and "Bevis" in shown.stdout
    samgraf(env, "review", "accept", item, "--who", "tester")
    assert json.loads(samgraf(env, "review", "list", "--json").stdout) == []
    r = samgraf(env, "review", "reject", item, check=False)
    assert r.returncode == 1 and "angre" in r.stderr
    samgraf(env, "review", "undo", item, "--who", "tester")
    assert len(json.loads(samgraf(env, "review", "list", "--json").stdout)) == 1


def test_dry_run_writes_the_complete_diff_to_a_file(env: dict[str, str], tmp_path: Path) -> None:
    # asked for: every change, one JSON line each; the screen shows the summary and the file
    out = tmp_path / "diff.ndjson"
    dry = samgraf(env, "import", str(EXAMPLES / "partnere.csv"), "--dry-run", "--diff", str(out))
    assert f"Hele diffen er skrevet til {out}" in dry.stdout
    assert all("change" in json.loads(line) for line in out.read_text().splitlines())
    # a big file's dry run writes it next to the file without being asked
    big = tmp_path / "prosjekter-stor.csv"
    rows = [f"Prosjekt {i:06d};Oppvekst;Idé" for i in range(30_000)]
    big.write_text("Tittel;Tjenesteområde;Fase\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert big.stat().st_size > 512 * 1024
    report = json.loads(samgraf(env, "import", str(big), "--dry-run", "--json").stdout)
    written = tmp_path / "prosjekter-stor-diff.ndjson"
    assert report["diff_file"] == str(written)
    lines = written.read_text(encoding="utf-8").splitlines()
    assert (
        len(lines)
        == report["diff"]["nodes"]["created"] + report["diff"]["relationships"]["created"]
    )
    assert len(report["diff"]["nodes"]["create"]) == 1000  # the first 1,000 listed
