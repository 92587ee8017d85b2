"""Every Cypher statement Samhandlingsgraf sends, by name.

Queries are parameterised: user input only ever reaches Cypher as a `$parameter`. Where Cypher
cannot take a parameter (labels, relationship types, variable-length bounds) the query is a
template whose slots are filled only from the model's whitelist (`graph.model.NODE_KINDS`,
`REL_KINDS`) or from a bounded integer, by `render()`; anything else is refused.

A query has one text for both backends unless the dialects differ; then it has one text per
backend (`neo4j=` / `falkordb=`). `graph.dialect` explains each difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.model import BASE_LABEL, NODE_KINDS, REL_KINDS

BACKENDS = ("neo4j", "falkordb")


@dataclass(frozen=True)
class Query:
    name: str
    text: str | None = None
    write: bool = False
    neo4j: str | None = None
    falkordb: str | None = None
    #: template slots and what may fill them: "label", "type" or "int:<lo>-<hi>"
    slots: tuple[tuple[str, str], ...] = ()
    doc: str = ""

    def for_backend(self, backend: str) -> str:
        text = getattr(self, backend, None) or self.text
        if text is None:
            raise KeyError(f"query {self.name} has no text for backend {backend}")
        return text


QUERIES: dict[str, Query] = {}


def _q(query: Query) -> Query:
    if query.name in QUERIES:
        raise ValueError(f"duplicate query name {query.name}")
    QUERIES[query.name] = query
    return query


def render(name: str, backend: str, **parts: Any) -> tuple[str, bool]:
    """The text of a named query for a backend, with template slots filled from the whitelist."""
    query = QUERIES[name]
    text = query.for_backend(backend)
    values: dict[str, str] = {}
    for slot, allowed in query.slots:
        if slot not in parts:
            raise ValueError(f"query {name}: slot {slot} not given")
        value = parts[slot]
        if allowed == "label":
            if value not in NODE_KINDS and value != BASE_LABEL:
                raise ValueError(f"query {name}: {value!r} is not a node kind of the model")
        elif allowed == "type":
            if value not in REL_KINDS:
                raise ValueError(f"query {name}: {value!r} is not a relationship kind")
        elif allowed.startswith("int:"):
            lo, hi = (int(x) for x in allowed[4:].split("-"))
            if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
                raise ValueError(f"query {name}: {slot} must be an integer {lo}..{hi}")
        else:  # pragma: no cover - programming error in this module
            raise ValueError(f"unknown slot kind {allowed}")
        values[slot] = str(value)
    if values:
        text = text.format(**values)
    return text, query.write


# --------------------------------------------------------------------------------------------
# Schema (DDL): per backend. FalkorDB's unique constraints are not Cypher; see graph.dialect.

_q(
    Query(
        "schema.node_id",
        neo4j="CREATE CONSTRAINT {label}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE",
        falkordb="CREATE INDEX FOR (n:{label}) ON (n.id)",
        write=True,
        slots=(("label", "label"),),
        doc="Unique id per node kind (Neo4j constraint; FalkorDB index + GRAPH.CONSTRAINT).",
    )
)
_q(
    Query(
        "schema.node_name",
        neo4j="CREATE INDEX {label}_name IF NOT EXISTS FOR (n:{label}) ON (n.name)",
        falkordb="CREATE INDEX FOR (n:{label}) ON (n.name)",
        write=True,
        slots=(("label", "label"),),
    )
)
_q(
    Query(
        "schema.rel_id",
        neo4j="CREATE INDEX {type}_id IF NOT EXISTS FOR ()-[r:{type}]-() ON (r.id)",
        falkordb="CREATE INDEX FOR ()-[r:{type}]-() ON (r.id)",
        write=True,
        slots=(("type", "type"),),
    )
)

_q(
    Query(
        "schema.indexes",
        neo4j="SHOW INDEXES YIELD labelsOrTypes AS label, properties RETURN label, properties",
        falkordb="CALL db.indexes() YIELD label, properties RETURN label, properties",
    )
)

# --------------------------------------------------------------------------------------------
# Writes

_q(
    Query(
        "upsert.nodes",
        text=(
            "UNWIND $rows AS r "
            "MERGE (n:" + BASE_LABEL + ":{label} {{id: r.id}}) "
            "SET n += r.props, n.first_seen = coalesce(n.first_seen, $now), "
            "n.last_seen = $now, n.sources = CASE WHEN n.sources IS NULL THEN r.sources "
            "ELSE n.sources + [s IN r.sources WHERE NOT s IN n.sources] END "
            "RETURN count(n) AS n"
        ),
        write=True,
        slots=(("label", "label"),),
        doc="Create or update nodes of one kind; provenance: sources union, first/last seen.",
    )
)
_q(
    Query(
        "upsert.rels",
        text=(
            "UNWIND $rows AS r "
            "MATCH (a:{from_label} {{id: r.a}}) WITH a, r "
            "MATCH (b:{to_label} {{id: r.b}}) "
            "MERGE (a)-[x:{type} {{id: r.id}}]->(b) "
            "SET x += r.props, x.first_seen = coalesce(x.first_seen, $now), "
            "x.last_seen = $now, x.sources = CASE WHEN x.sources IS NULL THEN r.sources "
            "ELSE x.sources + [s IN r.sources WHERE NOT s IN x.sources] END "
            "RETURN count(x) AS n"
        ),
        write=True,
        slots=(("type", "type"), ("from_label", "label"), ("to_label", "label")),
        doc="Create or update relationships of one type between two kinds (split-MATCH form).",
    )
)
_q(
    Query(
        "bench.bare_nodes",
        text="UNWIND $rows AS r MERGE (n:{label} {{id: r.id}}) SET n += r.props",
        write=True,
        slots=(("label", "label"),),
        doc="Benchmark baseline: the bare batched UNWIND-MERGE loop.",
    )
)
_q(
    Query(
        "bench.bare_rels",
        text=(
            "UNWIND $rows AS r MATCH (a:{from_label} {{id: r.a}}) WITH a, r "
            "MATCH (b:{to_label} {{id: r.b}}) MERGE (a)-[x:{type} {{id: r.id}}]->(b) "
            "SET x += r.props"
        ),
        write=True,
        slots=(("type", "type"), ("from_label", "label"), ("to_label", "label")),
    )
)
_q(
    Query(
        "admin.clear",
        neo4j="MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS",
        falkordb="MATCH (n) DETACH DELETE n",
        write=True,
        doc="Delete everything (Neo4j in batches, auto-commit; FalkorDB in one query).",
    )
)

# --------------------------------------------------------------------------------------------
# Reads

_q(
    Query(
        "stats.nodes",
        text="MATCH (n:" + BASE_LABEL + ") RETURN n.label AS kind, count(n) AS n ORDER BY kind",
    )
)
_q(
    Query(
        "stats.rels",
        text="MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS n ORDER BY type",
    )
)
_q(
    Query(
        "node.by_id",
        text="MATCH (n:" + BASE_LABEL + " {id: $id}) RETURN properties(n) AS props",
    )
)
_q(
    Query(
        "node.neighbours",
        text=(
            "MATCH (n:" + BASE_LABEL + " {id: $id})-[r]->(m:" + BASE_LABEL + ") "
            "RETURN 'out' AS direction, type(r) AS type, properties(r) AS rel, "
            "m.id AS id, m.label AS kind, m.name AS name "
            "UNION ALL "
            "MATCH (n:" + BASE_LABEL + " {id: $id})<-[r]-(m:" + BASE_LABEL + ") "
            "RETURN 'in' AS direction, type(r) AS type, properties(r) AS rel, "
            "m.id AS id, m.label AS kind, m.name AS name"
        ),
        doc="A node's relationships in both directions with the neighbour's id, kind, name.",
    )
)
_q(
    Query(
        "node.index",
        text=(
            "MATCH (n:" + BASE_LABEL + ") "
            "RETURN n.id AS id, n.label AS kind, n.name AS name, n.aliases AS aliases "
            "ORDER BY id"
        ),
        doc=(
            "Id, kind, name and aliases of every node (for fuzzy search in Python). Ordered: "
            "the search ranks equal scores in the order it is given the names, so unordered "
            "rows gave the two backends different hits for people of the same name."
        ),
    )
)
_q(
    Query(
        "graph.nodes",
        text="MATCH (n:" + BASE_LABEL + ") RETURN properties(n) AS props ORDER BY n.id",
    )
)
_q(
    Query(
        "graph.rels",
        text=(
            "MATCH (a:" + BASE_LABEL + ")-[r]->(b:" + BASE_LABEL + ") "
            "RETURN a.id AS a, type(r) AS type, b.id AS b, properties(r) AS props "
            "ORDER BY r.id"
        ),
    )
)
_q(
    Query(
        "graph.ego_ids",
        text=(
            "MATCH (n:" + BASE_LABEL + " {{id: $id}})-[*0..{hops}]-(m:" + BASE_LABEL + ") "
            "RETURN DISTINCT m.id AS id ORDER BY id LIMIT $limit"
        ),
        slots=(("hops", "int:1-3"),),
        doc=(
            "Ids of the nodes within `hops` of a node (bounds cannot be parameters). Ordered "
            "by id, so that a neighbourhood larger than $limit is cut the same way on both "
            "backends (without ORDER BY each engine keeps whichever nodes it meets first)."
        ),
    )
)
_q(
    Query(
        "graph.nodes_by_ids",
        text=(
            "MATCH (n:" + BASE_LABEL + ") WHERE n.id IN $ids "
            "RETURN properties(n) AS props ORDER BY n.id"
        ),
    )
)
_q(
    Query(
        "graph.rels_among",
        text=(
            "MATCH (a:" + BASE_LABEL + ")-[r]->(b:" + BASE_LABEL + ") "
            "WHERE a.id IN $ids AND b.id IN $ids "
            "RETURN a.id AS a, type(r) AS type, b.id AS b, properties(r) AS props "
            "ORDER BY r.id"
        ),
    )
)
_q(
    Query(
        "rel.by_id",
        text=(
            "MATCH (a:" + BASE_LABEL + ")-[r {id: $id}]->(b:" + BASE_LABEL + ") "
            "RETURN a.id AS a, a.name AS a_name, type(r) AS type, b.id AS b, "
            "b.name AS b_name, properties(r) AS props"
        ),
    )
)
_q(
    Query(
        "graph.count",
        text="MATCH (n:" + BASE_LABEL + ") RETURN count(n) AS n",
        doc=(
            "The graph's nodes (/health, `load --if-empty`): those of the model only. On Neo4j "
            "the write lock is a node too (SamgrafLock); counted, it made an empty graph look "
            "non-empty and Neo4j's count one more than FalkorDB's."
        ),
    )
)

# --------------------------------------------------------------------------------------------
# Imports and entity resolution (importers/, graph/resolve): add queries below this line.
_N = "(n:" + BASE_LABEL + " {id: $id})"
_q(
    Query(
        "resolve.node_rels",
        text=(
            "MATCH " + _N + "-[r]->(m:" + BASE_LABEL + ") "
            "RETURN n.id AS a, type(r) AS type, m.id AS b, properties(r) AS props "
            "UNION ALL "
            "MATCH " + _N + "<-[r]-(m:" + BASE_LABEL + ") "
            "RETURN m.id AS a, type(r) AS type, n.id AS b, properties(r) AS props"
        ),
        doc="Every relationship of a node, both directions, with its properties (merge snapshot).",
    )
)
_q(
    Query(
        "resolve.rel_by_id",
        text="MATCH ()-[r:{type} {{id: $id}}]->() RETURN properties(r) AS props",
        slots=(("type", "type"),),
    )
)
_q(
    Query(
        "resolve.set_rel",
        text="MATCH ()-[r:{type} {{id: $id}}]->() SET r = $props RETURN count(r) AS n",
        write=True,
        slots=(("type", "type"),),
        doc="Replace a relationship's properties (merge / undo).",
    )
)
_q(
    Query(
        "resolve.create_rel",
        text=(
            "MATCH (a:" + BASE_LABEL + " {{id: $a}}) MATCH (b:" + BASE_LABEL + " {{id: $b}}) "
            "MERGE (a)-[x:{type} {{id: $props.id}}]->(b) SET x = $props RETURN count(x) AS n"
        ),
        write=True,
        slots=(("type", "type"),),
        doc="Create (or overwrite) a relationship with all its properties, provenance included.",
    )
)
_q(
    Query(
        "resolve.delete_rel",
        text="MATCH ()-[r:{type} {{id: $id}}]->() DELETE r",
        write=True,
        slots=(("type", "type"),),
    )
)
_q(
    Query(
        "resolve.set_node", text="MATCH " + _N + " SET n += $props RETURN count(n) AS n", write=True
    )
)
_q(
    Query(
        "resolve.replace_node",
        text="MATCH " + _N + " SET n = $props RETURN count(n) AS n",
        write=True,
        doc="Replace all properties of a node (undo of a merge).",
    )
)
_q(Query("resolve.delete_node", text="MATCH " + _N + " DETACH DELETE n", write=True))
_q(
    Query(
        "resolve.restore_node",
        text=(
            "MERGE (n:" + BASE_LABEL + ":{label} {{id: $id}}) SET n = $props RETURN count(n) AS n"
        ),
        write=True,
        slots=(("label", "label"),),
        doc="Re-create a node from a snapshot (undo of a merge or of an accepted fact).",
    )
)
_q(
    Query(
        "resolve.index",
        text=(
            "MATCH (n:" + BASE_LABEL + ") WHERE n.label IN $kinds "
            "RETURN n.id AS id, n.label AS kind, n.name AS name, n.aliases AS aliases, "
            "n.orgnr AS orgnr, n.kommunenummer AS kommunenummer, n.saksnummer AS saksnummer, "
            "n.email AS email ORDER BY id"
        ),
        doc=(
            "What entity resolution compares: names, aliases and strong keys of some kinds. "
            "Ordered: blocking and the ranking of equal scores follow the input order, so "
            "unordered rows gave the two backends different duplicate pairs."
        ),
    )
)
_q(
    Query(
        "resolve.context",
        text=(
            "MATCH (p:Person)-[:MEMBER_OF]->(o:" + BASE_LABEL + ") WHERE p.id IN $ids "
            "RETURN p.id AS id, collect(o.id) AS context"
        ),
        doc="The organisations / units people are members of (person resolution context).",
    )
)
_q(
    Query(
        "import.rels_by_ids",
        text=(
            "MATCH ()-[r:{type}]->() WHERE r.id IN $ids RETURN r.id AS id, properties(r) AS props"
        ),
        slots=(("type", "type"),),
    )
)
_q(
    Query(
        "import.nodes_by_source",
        text=(
            "MATCH (n:" + BASE_LABEL + ") WHERE any(s IN n.sources WHERE s STARTS WITH $prefix) "
            "RETURN n.id AS id, n.label AS kind, n.name AS name, n.sources AS sources"
        ),
        doc="Nodes with provenance from one file (prefix 'file:').",
    )
)
_q(
    Query(
        "import.rels_by_source",
        text=(
            "MATCH (a:" + BASE_LABEL + ")-[r]->(b:" + BASE_LABEL + ") "
            "WHERE any(s IN r.sources WHERE s STARTS WITH $prefix) "
            "RETURN r.id AS id, type(r) AS type, a.name AS a, b.name AS b, r.sources AS sources"
        ),
        doc="Relationships with provenance from one file.",
    )
)
_q(
    Query(
        "import.strip_node_sources",
        text=(
            "UNWIND $rows AS r MATCH (n:" + BASE_LABEL + " {id: r.id}) "
            "SET n.sources = [s IN n.sources WHERE NOT s STARTS WITH $prefix OR s IN r.keep] "
            "RETURN count(n) AS n"
        ),
        write=True,
        doc="Drop a file's old row references from nodes before re-importing it.",
    )
)
_q(
    Query(
        "import.strip_rel_sources",
        text=(
            "UNWIND $rows AS r MATCH ()-[x:{type} {{id: r.id}}]->() "
            "SET x.sources = [s IN x.sources WHERE NOT s STARTS WITH $prefix OR s IN r.keep] "
            "RETURN count(x) AS n"
        ),
        write=True,
        slots=(("type", "type"),),
    )
)
_q(
    Query(
        "import.delete_nodes",
        text=("UNWIND $ids AS id MATCH (n:" + BASE_LABEL + " {id: id}) DETACH DELETE n"),
        write=True,
        doc="--prune: delete nodes whose only source was the pruned file.",
    )
)
_q(
    Query(
        "import.delete_rels",
        text=("UNWIND $ids AS id MATCH ()-[x:{type} {{id: id}}]->() DELETE x"),
        write=True,
        slots=(("type", "type"),),
    )
)

# --------------------------------------------------------------------------------------------
# Paths, ego networks, overlaps, missing links, network measures: add queries below this line.

# A found path with what it takes to explain it, so its relationships need no second look-up
# (relationship ids are only indexed per type; a look-up by id alone scans them all).
_PATH_COLUMNS = (
    "[n IN nodes({p}) | n.id] AS ids, [n IN nodes({p}) | n.label] AS kinds, "
    "[n IN nodes({p}) | n.name] AS names, [r IN relationships({p}) | type(r)] AS types, "
    "[r IN relationships({p}) | startNode(r).id] AS starts, "
    "[r IN relationships({p}) | properties(r)] AS rprops"
)
# Paths come back ordered by their nodes' ids, then their relationships' ids (parallel
# relationships make two paths of one route): a total order, so that when there are more paths
# than $limit both backends return the same ones (without it each engine returns the first it
# finds, and k-shortest answers differed between the backends).
_PATH_ORDER = (
    "WITH {p} ORDER BY [n IN nodes({p}) | n.id], [r IN relationships({p}) | r.id] LIMIT $limit "
)
_q(
    Query(
        "path.all_shortest",
        neo4j=(
            "MATCH (a:" + BASE_LABEL + " {{id: $a}}), (b:" + BASE_LABEL + " {{id: $b}}) "
            "MATCH p = allShortestPaths((a)-[*..{hops}]-(b)) "
            "WHERE all(r IN relationships(p) WHERE type(r) IN $types) "
            + _PATH_ORDER.format(p="p")
            + "RETURN "
            + _PATH_COLUMNS.format(p="p")
        ),
        falkordb=(
            "MATCH (a:" + BASE_LABEL + " {{id: $a}}), (b:" + BASE_LABEL + " {{id: $b}}) "
            "CALL algo.SPpaths({{sourceNode: a, targetNode: b, relDirection: 'both', "
            "relTypes: $types, maxLen: {hops}, pathCount: 0}}) YIELD path "
            + _PATH_ORDER.format(p="path")
            + "RETURN "
            + _PATH_COLUMNS.format(p="path")
        ),
        slots=(("hops", "int:1-6"),),
        doc=(
            "All shortest paths (same minimal length) through the given relationship types. "
            "FalkorDB: pathCount 0 (= all shortest); pathCount > 1 skips shorter paths."
        ),
    )
)
_q(
    Query(
        "path.of_length",
        text=(
            "MATCH p = (a:" + BASE_LABEL + " {{id: $a}})-[*{hops}..{hops}]-"
            "(b:" + BASE_LABEL + " {{id: $b}}) "
            "WHERE all(r IN relationships(p) WHERE type(r) IN $types) "
            "AND ($kinds IS NULL OR all(n IN nodes(p)[1..-1] WHERE n.label IN $kinds)) "
            "AND all(i IN range(0, length(p) - 1) WHERE NOT nodes(p)[i] IN nodes(p)[i + 1..]) "
            + _PATH_ORDER.format(p="p")
            + "RETURN "
            + _PATH_COLUMNS.format(p="p")
        ),
        slots=(("hops", "int:1-6"),),
        doc=(
            "Simple paths of exactly `hops` steps, optionally only through nodes of $kinds: "
            "k-shortest paths by iterative deepening."
        ),
    )
)
_q(
    Query(
        "path.rels_by_ids",
        text=(
            "MATCH (a:" + BASE_LABEL + ")-[r]->(b:" + BASE_LABEL + ") WHERE r.id IN $ids "
            "RETURN r.id AS id, a.id AS a, type(r) AS type, b.id AS b, properties(r) AS props"
        ),
        doc="Relationships by their ids, with endpoints (the hops of found paths).",
    )
)
_q(
    Query(
        "ego.expand",
        text=(
            "MATCH (n:" + BASE_LABEL + ")-[r]-(m:" + BASE_LABEL + ") WHERE n.id IN $ids "
            "AND NOT m.id IN $seen "
            "RETURN m.id AS id, m.label AS kind, count(r) AS links "
            "ORDER BY links DESC, id LIMIT $limit"
        ),
        doc=(
            "One step of breadth-first expansion: new neighbours and their links into the set, "
            "best linked first, then by id: the order the ego network lists them in, and what "
            "a step cut at $limit keeps, are the same on both backends."
        ),
    )
)
_q(
    Query(
        "ego.degrees",
        text=(
            "MATCH (n:" + BASE_LABEL + ")-[r]-() WHERE n.id IN $ids "
            "RETURN n.id AS id, count(r) AS degree"
        ),
        doc="Degree of each node (ranking of an ego network that is too large).",
    )
)
_q(
    Query(
        "overlap.shared",
        text=(
            "UNWIND $ids AS x MATCH (i:Initiative {id: x})-[r1]-(n:" + BASE_LABEL + ")-[r2]-"
            "(j:Initiative) "
            "WHERE i.id <> j.id AND type(r1) IN $types AND type(r2) IN $types "
            "RETURN i.id AS i, j.id AS j, n.id AS n, n.label AS kind, n.name AS name, "
            "type(r1) AS t1, type(r2) AS t2, r1.sources AS s1, r2.sources AS s2 "
            "LIMIT $limit"
        ),
        doc=(
            "What initiatives share: one row per (initiative, shared neighbour, other "
            "initiative, relationship pair), through the relationship types that count. "
            "Starts from the index on id (a filter on j here makes FalkorDB scan j first)."
        ),
    )
)
_q(
    Query(
        "overlap.all_pairs",
        text=(
            "MATCH (i:Initiative)-[r1]-(n:" + BASE_LABEL + ")-[r2]-(j:Initiative) "
            "WHERE i.id < j.id AND type(r1) IN $types AND type(r2) IN $types "
            "RETURN i.id AS i, j.id AS j, n.id AS n, n.label AS kind, n.name AS name, "
            "type(r1) AS t1, type(r2) AS t2, r1.sources AS s1, r2.sources AS s2 "
            "LIMIT $limit"
        ),
        doc="Every pair of initiatives sharing a neighbour (missing links).",
    )
)
_q(
    Query(
        "overlap.initiative_degree",
        text=(
            "UNWIND $ids AS x MATCH (n:" + BASE_LABEL + " {id: x})-[r]-(k:Initiative) "
            "WHERE type(r) IN $types "
            "RETURN n.id AS id, count(DISTINCT k) AS degree"
        ),
        doc="How many initiatives each shared neighbour connects (Adamic-Adar weight).",
    )
)
_q(
    Query(
        "overlap.coordination",
        text=(
            "MATCH (i:Initiative)-[r:DEPENDS_ON|PART_OF]->(j:Initiative) "
            "RETURN i.id AS a, type(r) AS type, j.id AS b, properties(r) AS props"
        ),
        doc="Dependencies and the initiative hierarchy (what counts as coordination).",
    )
)
_q(
    Query(
        "overlap.dependencies_of",
        text=(
            "UNWIND $ids AS x MATCH (i:Initiative {id: x})-[:DEPENDS_ON]-(j:Initiative) "
            "RETURN DISTINCT i.id AS a, j.id AS b"
        ),
        doc="Recorded dependencies (either direction) of the given initiatives.",
    )
)
_q(
    Query(
        "overlap.initiatives_of",
        text=(
            "MATCH (n:" + BASE_LABEL + " {id: $id})-[r]-(i:Initiative) "
            "WHERE type(r) IN ['PARTNER_IN', 'PARTICIPATES_IN', 'HAS_ROLE', 'FUNDS'] "
            "RETURN DISTINCT i.id AS id ORDER BY id"
        ),
        doc=(
            "The initiatives a unit, organisation or person takes part in (matrix by unit), "
            "by id: the matrix lists them in this order, the same on both backends."
        ),
    )
)
_q(
    Query(
        "measures.memberships",
        text=(
            "MATCH (a:" + BASE_LABEL + ")-[r]->(c:" + BASE_LABEL + ") "
            "WHERE type(r) IN $types AND a.label IN $member_kinds AND c.label IN $context_kinds "
            "RETURN a.id AS member, a.label AS member_kind, a.name AS member_name, "
            "c.id AS context, c.label AS context_kind, c.name AS context_name, "
            "type(r) AS type"
        ),
        doc="Membership edges (actor → initiative/unit) from which a projection is built.",
    )
)
_q(
    Query(
        "nodes.page",
        text=(
            "MATCH (n:" + BASE_LABEL + ") "
            "WHERE ($kind IS NULL OR n.label = $kind) "
            "AND ($prop IS NULL OR toString(n[$prop]) = $value) "
            "AND ($q IS NULL OR toLower(n.name) CONTAINS $q) "
            "WITH n ORDER BY CASE $sort WHEN 'name' THEN toLower(n.name) WHEN 'kind' "
            "THEN n.label + ' ' + toLower(n.name) ELSE n.id END, n.id "
            "SKIP $offset LIMIT $limit "
            "RETURN properties(n) AS props"
        ),
        doc="A page of nodes filtered by kind, one property and a name substring, sorted.",
    )
)
_q(
    Query(
        "nodes.count",
        text=(
            "MATCH (n:" + BASE_LABEL + ") "
            "WHERE ($kind IS NULL OR n.label = $kind) "
            "AND ($prop IS NULL OR toString(n[$prop]) = $value) "
            "AND ($q IS NULL OR toLower(n.name) CONTAINS $q) "
            "RETURN count(n) AS n"
        ),
    )
)
_q(
    Query(
        "rel.provenance",
        text=(
            "MATCH (a:" + BASE_LABEL + ")-[r]->(b:" + BASE_LABEL + ") WHERE r.id = $id "
            "RETURN a.id AS a, a.label AS a_kind, a.name AS a_name, type(r) AS type, "
            "b.id AS b, b.label AS b_kind, b.name AS b_name, properties(r) AS props"
        ),
        doc="One relationship with its endpoints and provenance.",
    )
)

# --------------------------------------------------------------------------------------------
# Explorer and reports (viz/): add queries below this line.

# --------------------------------------------------------------------------------------------
# Document import (importers/documents): add queries below this line.

_q(
    Query(
        "documents.rels_by_ids",
        text=(
            "MATCH (:" + BASE_LABEL + ")-[r]->(:" + BASE_LABEL + ") WHERE r.id IN $ids "
            "RETURN r.id AS id, properties(r) AS props"
        ),
        doc="Relationships already in the graph, by id: is a proposed fact known?",
    )
)
_q(
    Query(
        "documents.mentions",
        text=(
            "MATCH (e:" + BASE_LABEL + ")-[m:MENTIONED_IN]->(d:Document {id: $id}) "
            "RETURN e.id AS id, e.label AS kind, e.name AS name, m.line AS line, "
            "m.snippet AS snippet ORDER BY m.line, e.name"
        ),
        doc="What a document mentions, line by line.",
    )
)


def lintable() -> dict[str, str]:
    """Every query text as the Neo4j linter should see it, templates expanded over the model.

    FalkorDB-only texts (CALL algo.*, FalkorDB's index DDL) are not Neo4j Cypher; they are
    returned with a ``falkordb:`` prefix in the name so the lint test can treat them apart.
    """
    out: dict[str, str] = {}
    labels = [*NODE_KINDS, BASE_LABEL]
    for q in QUERIES.values():
        for backend in BACKENDS:
            if backend == "neo4j" and q.neo4j is None and q.text is None:
                continue
            if backend == "falkordb" and q.falkordb is None:
                continue  # same text as Neo4j: linted once
            combos: list[dict[str, Any]] = [{}]
            for slot, allowed in q.slots:
                if allowed == "label":
                    choices: list[Any] = labels
                elif allowed == "type":
                    choices = list(REL_KINDS)
                else:
                    lo, hi = (int(x) for x in allowed[4:].split("-"))
                    choices = [lo, hi]
                combos = [{**c, slot: v} for c in combos for v in choices[:3]]
            for i, combo in enumerate(combos):
                text, _ = render(q.name, backend, **combo)
                prefix = "" if backend == "neo4j" else "falkordb:"
                out[f"{prefix}{q.name}#{i}"] = text
    return out


# --------------------------------------------------------------------------------------------
# The write lock on Neo4j (graph.dialect.Dialect.write_lock): a lease on one node outside the
# model (label SamgrafLock, not Node, so no query of the graph sees it). FalkorDB keeps its
# lock in a Redis key instead.

_q(
    Query(
        "schema.lock",
        neo4j=(
            "CREATE CONSTRAINT samgraf_lock_name IF NOT EXISTS "
            "FOR (l:SamgrafLock) REQUIRE l.name IS UNIQUE"
        ),
        falkordb="RETURN 1",
        write=True,
        doc="One lock node per name (MERGE of the lock is safe under concurrency).",
    )
)
_q(
    Query(
        "lock.acquire",
        text=(
            "MERGE (l:SamgrafLock {name: $name}) "
            # the write lock on the node is taken before its holder is read
            "SET l.touched = $now "
            "WITH l WHERE l.holder IS NULL OR l.expires < $now OR l.holder = $token "
            "SET l.holder = $token, l.expires = $until "
            "RETURN l.holder AS holder"
        ),
        write=True,
        doc="Take the lease if it is free, expired or ours (times in ms since the epoch).",
    )
)
_q(
    Query(
        "lock.renew",
        text=(
            "MATCH (l:SamgrafLock {name: $name}) WHERE l.holder = $token "
            "SET l.expires = $until RETURN l.holder AS holder"
        ),
        write=True,
        doc="Extend a held lease (a heartbeat while the holder writes).",
    )
)
_q(
    Query(
        "lock.release",
        text=(
            "MATCH (l:SamgrafLock {name: $name}) WHERE l.holder = $token "
            "SET l.holder = null, l.expires = null"
        ),
        write=True,
        doc="Give the lease back.",
    )
)

_q(
    Query(
        "graph.version",
        text=(
            "MATCH (n:" + BASE_LABEL + ") WITH count(n) AS nodes, max(n.last_seen) AS seen "
            "OPTIONAL MATCH (:" + BASE_LABEL + ")-[r]->(:" + BASE_LABEL + ") "
            "RETURN nodes, seen, count(r) AS rels, max(r.last_seen) AS rseen"
        ),
        doc="What changes when the graph does (counts, newest write): the export cache's key.",
    )
)
