// Fails when a workflow or action file puts `github.event.client_payload` (or the whole event) into a `run:` script.
// Usage: node scripts/check-workflows.mjs <file.yml ...>
// Exit codes: 0 clean, 1 findings, 2 usage.
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';

// Kept in step with generator/src/check-workflow.ts (tests cover that one); plain JS so it runs without a build.
function findPayloadInRun(text) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const findings = [];
  const visit = (node, path) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        if (key === 'run' && isScalar(pair.value) && typeof pair.value.value === 'string') {
          for (const m of pair.value.value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
            const inner = m[1];
            if (/client_payload/.test(inner) || /github\s*\.\s*event\s*(\)|$|\|\||&&)/.test(inner.trim())) {
              findings.push({
                path: [...path, key].join('.'),
                line: lineCounter.linePos(pair.value.range[0]).line,
                expression: m[0],
              });
            }
          }
        } else visit(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        visit(item, [...path, String(i)]);
      });
    }
  };
  visit(doc.contents, []);
  return findings;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('Usage: node scripts/check-workflows.mjs <workflow.yml ...>');
  process.exit(2);
}
let found = 0;
for (const file of files) {
  for (const f of findPayloadInRun(readFileSync(file, 'utf8'))) {
    found++;
    console.error(
      `${file}:${f.line}: ${f.path} uses ${f.expression} inside a run: script; pass it through env: instead`,
    );
  }
}
process.exit(found > 0 ? 1 : 0);
