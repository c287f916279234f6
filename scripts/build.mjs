// Bundles each entry point with ncc into the dist/ folder that is committed beside it.
// Usage: node scripts/build.mjs [dispatch-action|receive-action|generator ...]
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
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
  // Built beside dist/ and swapped in at the end, so a test or bench running the bundle never finds it missing.
  const staging = join(root, part, '.dist-building');
  rmSync(staging, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'),
      'build',
      entry,
      '-o',
      staging,
      '--license',
      'licenses.txt',
      '--quiet',
    ],
    { stdio: 'inherit', cwd: root },
  );
  rmSync(out, { recursive: true, force: true });
  renameSync(staging, out);
  console.log(`${part}: built ${out}`);
}
