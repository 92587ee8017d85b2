"""Every named query passes Neo4j's own parser and semantic analyser.

The linter is the npm package @neo4j-cypher/language-support (pinned in
tools/cypher-lint/package.json), run offline under Node. FalkorDB-only texts (names starting
with ``falkordb:``) are not Neo4j Cypher: for them only "procedure/function is not present"
errors for FalkorDB's own procedures are accepted, any syntax error still fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from graph.queries import QUERIES, lintable
from graph.settings import REPO_ROOT

LINT_DIR = REPO_ROOT / "tools" / "cypher-lint"
FALKOR_ONLY = ("algo.", "db.indexes")


def _lint(queries: dict[str, str]) -> dict[str, list[dict[str, object]]]:
    node = shutil.which("node")
    if node is None or not (LINT_DIR / "node_modules").is_dir():
        pytest.fail(
            "Cypher-linteren er ikke installert: kjør `make test` (npm ci i tools/cypher-lint)"
        )
    out = subprocess.run(
        [node, str(LINT_DIR / "lint.mjs")],
        input=json.dumps({"queries": queries}),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout)


def test_the_linter_catches_errors() -> None:
    result = _lint({"bad": "MATCH (a RETURN a", "good": "MATCH (a:Person {id: $id}) RETURN a.name"})
    assert any(d["severity"] == "error" for d in result["bad"])
    assert not [d for d in result["good"] if d["severity"] == "error"]


def test_every_named_query_lints_clean() -> None:
    texts = lintable()
    assert len({name.split("#")[0].removeprefix("falkordb:") for name in texts}) == len(QUERIES)
    result = _lint(texts)
    failures = []
    for name, diags in result.items():
        for d in diags:
            if d["severity"] != "error":
                continue
            msg = str(d["message"])
            if (
                name.startswith("falkordb:")
                and any(p in msg for p in FALKOR_ONLY)
                and "not present" in msg
            ):
                continue
            failures.append(f"{name}: {msg}\n    {texts[name]}")
    assert not failures, "\n".join(failures)
