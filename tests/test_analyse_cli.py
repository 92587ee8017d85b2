"""`samgraf paths|overlaps|matrix|missing-links|brokers|export`, run as a user runs them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import cli_env, run_samgraf


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    db = tmp_path_factory.mktemp("analyse-cli-db")
    with cli_env(db, "analyse") as e:
        run(e, "load")
        yield e


run = run_samgraf


def test_paths_overlaps_and_missing_links_by_name(env: dict[str, str]) -> None:
    # styringsdokument lines 165 and 481: see tests/test_paths.py
    out = json.loads(run(env, "paths", "Bente Woldstad", "Flere i arbeid", "--json").stdout)
    assert [n["name"] for n in out["paths"][0]["nodes"]][-1] == "Flere i arbeid"
    assert out["paths"][0]["length"] == 2
    text = run(env, "paths", "Bente Woldstad", "Flere i arbeid").stdout
    assert "er avhengig av Flere i arbeid" in text
    over = json.loads(run(env, "overlaps", "Samhandlingskommunen", "--json").stdout)
    assert over["overlaps"][0]["initiative"]["name"] == "Flere i arbeid"
    m = json.loads(run(env, "matrix", "--programme", "Flere i arbeid", "--json").stdout)
    assert len(m["initiatives"]) == 8
    links = json.loads(run(env, "missing-links", "--limit", "50", "--json").stdout)
    assert any("Agder fylkeskommune" in x["explanation"] for x in links)
    bad = run(env, "paths", "Bente Woldstad", "Flere i arbeid", "-k", "9", check=False)
    assert bad.returncode == 1 and "over grensen k=5" in bad.stderr


def test_brokers_snapshot_and_export(env: dict[str, str], tmp_path: Path) -> None:
    out = json.loads(
        run(env, "brokers", "--scope", "Flere i arbeid", "--snapshot", "--json").stdout
    )
    assert out["brokers"][0]["name"] == "Statsforvalteren"
    snaps = list((Path(env["SAMGRAF_DB_PATH"]) / "snapshots").rglob("*.json"))
    assert len(snaps) == 1
    date = snaps[0].stem
    diff = json.loads(
        run(env, "brokers", "--scope", "Flere i arbeid", "--compare", date, "--json").stdout
    )
    assert {n["status"] for n in diff["comparison"]["nodes"]} == {"begge"}
    target = tmp_path / "graf.graphml"
    run(env, "export", "--format", "graphml", "-o", str(target))
    g = nx.read_graphml(target)
    assert g.number_of_nodes() > 250
