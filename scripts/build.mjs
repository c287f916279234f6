// Bundles each entry point with ncc into the dist/ folder that is committed beside it.
// Usage: node scripts/build.mjs [dispatch-action|receive-action|generator ...]
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const parts = ['dispatch-action', 'receive-action', 'generator'];
const selected = process.argv.length > 2 ? process.argv.slice(2) : parts;

for (const part of selected) {
  if (!parts.includes(part)) {
    console.error(`Unknown part '${part}'; expected one of: ${parts.join(', ')}`);
    process.exit(2);
  }
  const entry = join(root, part, 'src', 'index.ts');
  if (!existsSync(entry)) {
    console.log(`${part}: no src/index.ts yet, skipped`);
    continue;
  }
  const out = join(root, part, 'dist');
  rmSync(out, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'),
      'build',
      entry,
      '-o',
      out,
      '--license',
      'licenses.txt',
      '--quiet',
    ],
    { stdio: 'inherit', cwd: root },
  );
  console.log(`${part}: built ${out}`);
}
