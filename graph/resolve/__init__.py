"""Entity resolution: which nodes are one entity, decided from data and kept as judgements.

- `normalise`: Norwegian-aware name normalisation (legal forms, kind hints, æøå kept).
- `aliases`: the alias table (data/aliases.yaml) and the historic-municipality table.
- `scoring`: strong keys first, then names (rapidfuzz), to one of three outcomes:
  merge automatically, send to review, keep apart (thresholds in `Thresholds`).
- `blocking`: candidate generation (three passes of character-prefix/suffix blocks, cdist
  within blocks) so that 10,000 × 10,000 names are not all compared.
- `review`: the review queue, a SQLite store of proposals and judgements kept apart from the
  graph (nomenklatura style); `merge`: the reversible merge of two nodes in the graph.
"""
