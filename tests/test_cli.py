"""The `samgraf` command line, run as a user would run it (a subprocess per verb)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import cli_env, run_samgraf


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with cli_env(tmp_path_factory.mktemp("cli-db"), "cli") as e:
        yield e


samgraf = run_samgraf


def test_load_is_idempotent_and_reports_the_59_mismatch(env: dict[str, str]) -> None:
    first = json.loads(samgraf(env, "load", "--json").stdout)
    second = json.loads(samgraf(env, "load", "--json").stdout)
    assert first["after"] == second["before"] == second["after"]
    assert any("59 kommuner" in w for w in first["warnings"])
    stats = json.loads(samgraf(env, "stats", "--json").stdout)
    assert stats["backend"] == "falkordb"
    assert stats["nodes"]["Initiative"] == first["after"]["nodes"]["Initiative"]
    assert stats["total_relationships"] == sum(first["after"]["relationships"].values())


def test_cypher_json_lists_the_five_dependencies(env: dict[str, str]) -> None:
    samgraf(env, "load")
    out = samgraf(
        env, "cypher", "MATCH (a)-[d:DEPENDS_ON]->(b) RETURN a.name, b.name, d.handling", "--json"
    )
    data = json.loads(out.stdout)
    assert data["columns"] == ["a.name", "b.name", "d.handling"]
    assert {r["b.name"] for r in data["rows"]} == {
        "Flere i arbeid",
        "Lederutvikling",
        "Soslokal",
        "Dialogmøter",
        "Nye mønstre",
    }
    assert all(r["d.handling"] for r in data["rows"])


def test_cypher_params_and_read_only(env: dict[str, str]) -> None:
    samgraf(env, "load")
    out = samgraf(
        env,
        "cypher",
        "MATCH (m:Municipality {kommunenummer: $k}) RETURN m.name AS name",
        "--param",
        'k="4204"',
        "--json",
    )
    assert json.loads(out.stdout)["rows"] == [{"name": "Kristiansand"}]
    bad = samgraf(env, "cypher", "CREATE (n:Person {name: 'x'})", check=False)
    assert bad.returncode != 0 and "Feil" in bad.stderr


def test_view_writes_an_offline_file(env: dict[str, str], tmp_path: Path) -> None:
    samgraf(env, "load")
    out = tmp_path / "fia.html"
    samgraf(env, "view", "--focus", "Flere i arbeid", "--hops", "1", "-o", str(out))
    html = out.read_text()
    assert "Flere i arbeid" in html
    # no asset is loaded from the network (licence comments in vis-network name URLs; fine)
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    assert not re.search(r"""url\(\s*["']?https?:""", html)
    assert "<script src=" not in html
    missing = samgraf(env, "view", "--focus", "Finnes ikke qqq", "-o", str(out), check=False)
    assert missing.returncode != 0 and "fant ingen node" in missing.stderr


def test_every_verb_has_help(env: dict[str, str]) -> None:
    for verb in ("load", "stats", "cypher", "view", "serve", "demo"):
        assert samgraf(env, verb, "--help").returncode == 0
