#!/usr/bin/env node
// Extracts the few GitHub REST operations the project talks to from @octokit/openapi into a small fixture,
// so the loopback GitHub API in tests validates against GitHub's own schemas without a 385 MB dependency.
//
//   npm install --prefix /tmp/openapi @octokit/openapi
//   node scripts/extract-openapi.mjs /tmp/openapi/node_modules/@octokit/openapi [out-file]
//
// Output is deterministic (sorted keys, no descriptions or examples), so re-running gives the same bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const OPERATIONS = [
  'repos/create-dispatch-event',
  'actions/create-workflow-dispatch',
  'actions/get-workflow-run',
  'repos/get',
  'pulls/list',
  'pulls/create',
  'pulls/update',
  'issues/add-labels',
  'pulls/request-reviewers',
  // Issue 13: finding and following the run a repository_dispatch started; deployments in the application repo.
  'actions/list-workflow-runs-for-repo',
  'repos/create-deployment',
  'repos/create-deployment-status',
];

// Documentation-only keywords: dropping them keeps the fixture small and does not change what validates.
const DROP = new Set([
  'description',
  'examples',
  'example',
  'externalDocs',
  'summary',
  'title',
  'x-github',
  'x-github-breaking-changes',
]);

const packageDir = process.argv[2];
if (!packageDir) {
  console.error('usage: node scripts/extract-openapi.mjs <path to node_modules/@octokit/openapi> [out-file]');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const outFile = resolve(process.argv[3] ?? join(here, '..', 'test', 'fixtures', 'github-openapi', 'operations.json'));

const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const specFile = join(packageDir, 'generated', 'api.github.com.json');
const spec = JSON.parse(readFileSync(specFile, 'utf8'));

function lookup(ref) {
  if (!ref.startsWith('#/')) throw new Error(`external $ref not supported: ${ref}`);
  let node = spec;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node?.[key];
    if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
  }
  return node;
}

// Inlines every $ref. A schema that refers to itself (directly or not) becomes `{}` at the point of recursion,
// which accepts anything there rather than looping. `names` is true inside `properties` maps, whose keys are
// property names (a property called "description" must stay), not keywords.
const cycles = [];
function inline(node, stack = [], names = false) {
  if (Array.isArray(node)) return node.map((item) => inline(item, stack));
  if (node === null || typeof node !== 'object') return node;
  if (!names && typeof node.$ref === 'string') {
    if (stack.includes(node.$ref)) {
      cycles.push([...stack, node.$ref].join(' -> '));
      return {};
    }
    return inline(lookup(node.$ref), [...stack, node.$ref]);
  }
  const out = {};
  for (const key of Object.keys(node).sort()) {
    if (!names && DROP.has(key)) continue;
    out[key] = inline(node[key], stack, !names && (key === 'properties' || key === 'patternProperties'));
  }
  return out;
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}

const found = new Map();
for (const [path, item] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (op && typeof op === 'object' && OPERATIONS.includes(op.operationId))
      found.set(op.operationId, { path, method, op, item });
  }
}
const missing = OPERATIONS.filter((id) => !found.has(id));
if (missing.length > 0) {
  console.error(`operations not found in ${specFile}: ${missing.join(', ')}`);
  process.exit(1);
}

const operations = {};
for (const id of [...OPERATIONS].sort()) {
  const { path, method, op, item } = found.get(id);
  const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => {
    const resolved = p.$ref ? lookup(p.$ref) : p;
    return {
      in: resolved.in,
      name: resolved.name,
      required: resolved.required === true,
      schema: inline(resolved.schema ?? {}),
    };
  });
  const bodyContent = op.requestBody?.content?.['application/json'];
  const responses = {};
  for (const [status, response] of Object.entries(op.responses ?? {})) {
    const resolved = response.$ref ? lookup(response.$ref) : response;
    const schema = resolved.content?.['application/json']?.schema;
    responses[status] = schema ? { schema: inline(schema) } : {};
  }
  operations[id] = {
    operationId: id,
    method: method.toUpperCase(),
    path,
    parameters,
    requestBody: bodyContent
      ? { required: op.requestBody.required === true, schema: inline(bodyContent.schema) }
      : null,
    responses,
    // Dated API versions that change this operation (e.g. 2026-03-10 drops the 204 of workflow dispatch).
    breakingChanges: (op['x-github-breaking-changes'] ?? []).map((c) => c.version).sort(),
  };
}

const fixture = sortKeys({
  source: `${pkg.name}@${pkg.version} generated/api.github.com.json`,
  operations,
});
// One operation per line: small (no indentation) yet a schema change still shows as a one-operation diff.
const lines = Object.entries(fixture.operations).map(([id, op]) => `  ${JSON.stringify(id)}: ${JSON.stringify(op)}`);
writeFileSync(
  outFile,
  `{\n "operations": {\n${lines.join(',\n')}\n },\n "source": ${JSON.stringify(fixture.source)}\n}\n`,
);
const size = readFileSync(outFile).length;
console.log(`wrote ${outFile}: ${Object.keys(operations).length} operations, ${size} bytes`);
if (cycles.length > 0) console.log(`recursive $refs left open: ${[...new Set(cycles)].length}`);
