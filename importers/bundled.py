"""Load the bundled Kristiansand dataset (or another folder in the same format) into a store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from graph.settings import Settings
from graph.store import GraphStore, UpsertResult
from importers.dataset import default_paths, plan_dataset


@dataclass
class LoadReport:
    files: list[str]
    before: dict[str, dict[str, int]]
    after: dict[str, dict[str, int]]
    written: UpsertResult
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "files": self.files,
            "before": self.before,
            "after": self.after,
            "written": {"nodes": self.written.nodes, "relationships": self.written.relationships},
            "warnings": self.warnings,
        }


def load_dataset(
    store: GraphStore, settings: Settings, sources: list[Path] | None = None
) -> LoadReport:
    folder, reference, seeds = default_paths(settings.data_dir)
    files: list[str] = []
    warnings: list[str] = []
    before = store.stats()
    plans = [plan_dataset(src, reference, seeds) for src in (sources or [folder])]
    # validate everything first, then write everything in one transaction
    from graph.records import GraphBatch

    batch = GraphBatch()
    for plan in plans:
        files += [str(f) for f in plan.files]
        warnings += plan.warnings
        for node in plan.batch.nodes.values():
            batch.add_node(node)
        for rel in plan.batch.rels.values():
            batch.add_rel(rel)
    written = store.upsert(batch)
    return LoadReport(files, before, store.stats(), written, warnings)
