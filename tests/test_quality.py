"""ruff (lint + format) and mypy on the packages, as part of the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graph.settings import REPO_ROOT

PACKAGES = ["graph", "api", "importers", "viz", "samgraf"]
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_lint() -> None:
    r = _run(str(BIN / "ruff"), "check", *PACKAGES, "benchmarks", "tests")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format() -> None:
    r = _run(str(BIN / "ruff"), "format", "--check", *PACKAGES, "benchmarks", "tests")
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy() -> None:
    r = _run(str(BIN / "mypy"), *PACKAGES)
    assert r.returncode == 0, r.stdout + r.stderr
