// Bundles each entry point with ncc into the dist/ folder that is committed beside it.
// Usage: node scripts/build.mjs [--out-root DIR] [dispatch-action|receive-action|generator ...]
//   --out-root DIR  writes DIR/<part>/dist instead (the test suite's global setup builds there, so tests never
//                   rewrite a committed file).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const parts = ['dispatch-action', 'receive-action', 'generator'];
const args = process.argv.slice(2);
const at = args.indexOf('--out-root');
const outRoot = at === -1 ? root : resolve(args[at + 1] ?? '');
if (at !== -1) args.splice(at, 2);
const selected = args.length > 0 ? args : parts;

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
  const out = join(outRoot, part, 'dist');
  mkdirSync(dirname(out), { recursive: true });
  // Built beside dist/ in a folder of its own and swapped in at the end, so neither a test running the bundle nor
  // another build at the same time ever sees a half-written dist/.
  const staging = join(outRoot, part, `.dist-building-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
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
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  console.log(`${part}: built ${out}`);
}
