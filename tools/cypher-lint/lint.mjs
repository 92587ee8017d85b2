#!/usr/bin/env node
// Offline Cypher linter for Samhandlingsgraf.
//
// stdin : {"queries": {"name": "cypher text", ...}}
// stdout: {"name": [{"severity": "error"|"warning", "message": "...", "line": n, "column": n}], ...}
//
// line and column are 1-based. Exit code 0 whenever linting ran (whatever it
// found); non-zero only on bad input or an internal crash (message on stderr).
//
// Uses Neo4j's own parser + semantic analyser from @neo4j-cypher/language-support.
// No network access and no database: the schema below is static.

import { createRequire } from 'node:module';

// The package's ESM build uses extension-less relative imports that Node cannot
// resolve, so load its self-contained CommonJS bundle instead.
const require = createRequire(import.meta.url);
const { lintCypherQuery, parserWrapper, testData } = require('@neo4j-cypher/language-support');

const CYPHER_VERSION = 'CYPHER 5';

const LABELS = [
  'Initiative',
  'Organisation',
  'Unit',
  'Person',
  'Municipality',
  'County',
  'TargetGroup',
  'Theme',
  'FundingSource',
  'Document',
];

const RELATIONSHIP_TYPES = [
  'PART_OF',
  'DEPENDS_ON',
  'HAS_ROLE',
  'MEMBER_OF',
  'PARTNER_IN',
  'FUNDS',
  'TARGETS',
  'ADDRESSES',
  'PARTICIPATES_IN',
  'LOCATED_IN',
  'IN_COUNTY',
  'SUCCEEDED_BY',
  'MENTIONED_IN',
];

// Built-in Neo4j functions and procedures. The package ships a registry dumped
// from a real Neo4j server (exported as testData.mockSchema); that server also
// had the APOC and GDS plugins, which our neo4j:5-community image does not, so
// keep only the built-ins. Anything else (e.g. FalkorDB's algo.*) is reported
// as "not present in the database".
function builtinRegistries() {
  const mock = testData?.mockSchema ?? {};
  const plugin = /^(apoc|gds)\./;
  const functions = {};
  for (const [name, fn] of Object.entries(mock.functions?.[CYPHER_VERSION] ?? {})) {
    if (fn.isBuiltIn && !plugin.test(name)) functions[name] = fn;
  }
  const procedures = {};
  for (const [name, proc] of Object.entries(mock.procedures?.[CYPHER_VERSION] ?? {})) {
    if (!plugin.test(name)) procedures[name] = proc;
  }
  if (Object.keys(functions).length === 0 || Object.keys(procedures).length === 0) {
    // Without a registry every function call would be flagged; fail loudly
    // rather than produce misleading output.
    throw new Error('built-in function/procedure registry not found in @neo4j-cypher/language-support');
  }
  return { functions, procedures };
}

const { functions, procedures } = builtinRegistries();

// Queries are parameterised at run time, so every $parameter that a query uses
// is declared (otherwise the linter reports "Parameter $x is not defined").
function declaredParameters(query) {
  const params = {};
  const parsed = parserWrapper.parse(query);
  for (const statement of parsed.statementsParsing ?? []) {
    for (const p of statement.collectedParameters ?? []) {
      const name = p.name.replace(/^`|`$/g, '');
      params[name] = null;
    }
  }
  return params;
}

function schemaFor(query) {
  return {
    labels: LABELS,
    relationshipTypes: RELATIONSHIP_TYPES,
    functions: { [CYPHER_VERSION]: functions },
    procedures: { [CYPHER_VERSION]: procedures },
    parameters: declaredParameters(query),
    defaultLanguage: CYPHER_VERSION,
  };
}

// LSP DiagnosticSeverity: 1 Error, 2 Warning, 3 Information, 4 Hint.
function severityName(n) {
  return n === 1 ? 'error' : 'warning';
}

function lintOne(query) {
  const result = lintCypherQuery(query, schemaFor(query));
  // Later 2.0.0-next releases return {diagnostics, symbolTables} (and no longer
  // export parserWrapper), so upgrading the pin needs more than a version bump.
  const diagnostics = Array.isArray(result) ? result : result?.diagnostics ?? [];
  return diagnostics.map((d) => ({
    severity: severityName(d.severity),
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
  }));
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  let input;
  try {
    input = JSON.parse(await readStdin());
  } catch (e) {
    process.stderr.write(`cypher-lint: stdin is not valid JSON: ${e.message}\n`);
    process.exit(2);
  }
  const queries = input?.queries;
  if (queries === null || typeof queries !== 'object' || Array.isArray(queries)) {
    process.stderr.write('cypher-lint: expected {"queries": {"name": "cypher text", ...}} on stdin\n');
    process.exit(2);
  }
  const out = {};
  for (const [name, query] of Object.entries(queries)) {
    if (typeof query !== 'string') {
      process.stderr.write(`cypher-lint: query ${JSON.stringify(name)} is not a string\n`);
      process.exit(2);
    }
    try {
      out[name] = lintOne(query);
    } catch (e) {
      process.stderr.write(`cypher-lint: linter crashed on query ${JSON.stringify(name)}: ${e?.stack ?? e}\n`);
      process.exit(1);
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(`cypher-lint: ${e?.stack ?? e}\n`);
  process.exit(1);
});
