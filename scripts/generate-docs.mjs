// Writes the input/output tables of each action into the Markdown files that show them, between markers:
//   <!-- action-docs:dispatch-action:inputs -->  ...  <!-- /action-docs -->
// so the docs cannot drift from action.yml. `--check` changes nothing and exits 1 when a table is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const documents = ['README.md', 'dispatch-action/README.md', 'receive-action/README.md'];
const actions = ['dispatch-action', 'receive-action'];

const cell = (text) =>
  String(text ?? '')
    .trim()
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|');

function table(action, kind) {
  const manifest = parse(readFileSync(join(root, action, 'action.yml'), 'utf8'));
  const entries = Object.entries(manifest[kind] ?? {});
  if (kind === 'inputs') {
    const rows = entries.map(([name, spec]) => {
      const fallback = spec.default === undefined ? '' : `\`${cell(spec.default)}\``;
      return `| \`${name}\` | ${spec.required ? 'yes' : 'no'} | ${fallback} | ${cell(spec.description)} |`;
    });
    return ['| input | required | default | description |', '| --- | --- | --- | --- |', ...rows].join('\n');
  }
  const rows = entries.map(([name, spec]) => `| \`${name}\` | ${cell(spec.description)} |`);
  return ['| output | description |', '| --- | --- |', ...rows].join('\n');
}

const marker = /<!-- action-docs:([a-z-]+):(inputs|outputs) -->[\s\S]*?<!-- \/action-docs -->/g;
const stale = [];
for (const doc of documents) {
  const path = join(root, doc);
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    continue;
  }
  const updated = text.replace(marker, (_all, action, kind) => {
    if (!actions.includes(action)) throw new Error(`${doc}: unknown action '${action}' in an action-docs marker`);
    return `<!-- action-docs:${action}:${kind} -->\n${table(action, kind)}\n<!-- /action-docs -->`;
  });
  if (updated !== text) {
    if (check) stale.push(doc);
    else writeFileSync(path, updated);
  }
}
if (stale.length > 0) {
  console.error(
    `Input/output tables are stale in: ${stale.join(', ')}. Run 'node scripts/generate-docs.mjs' and commit.`,
  );
  process.exit(1);
}
console.log(check ? 'action docs are up to date' : 'action docs written');
