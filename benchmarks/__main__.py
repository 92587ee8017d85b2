"""Run every benchmark (benchmarks/bench_*.py): `python -m benchmarks [name …]`."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def discover() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def main(names: list[str]) -> None:
    for name in names or discover():
        module = importlib.import_module(f"benchmarks.{name}")
        module.run()


if __name__ == "__main__":
    main(sys.argv[1:])
