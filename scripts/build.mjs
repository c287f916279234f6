// Bundles each entry point with ncc into the dist/ folder that is committed beside it. The parts build at the same
// time (separate ncc processes): the build is CPU-bound and a part waits on nothing from another.
// Usage: node scripts/build.mjs [--out-root DIR] [--transpile-only] [dispatch-action|receive-action|generator ...]
//   --out-root DIR    writes DIR/<part>/dist instead (the test suite's global setup builds there, so tests never
//                     rewrite a committed file).
//   --transpile-only  skips ncc's type check (about three quarters of the build's CPU time); the bundle is byte for
//                     byte the same (.ci/run checks it). For the test suite: `npm run typecheck` checks the types.
import { spawn } from 'node:child_process';
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
const transpileOnly = args.includes('--transpile-only');
const selected = args.filter((a) => a !== '--transpile-only');
if (selected.length === 0) selected.push(...parts);

for (const part of selected) {
  if (!parts.includes(part)) {
    console.error(`Unknown part '${part}'; expected one of: ${parts.join(', ')}`);
    process.exit(2);
  }
}

/** Runs ncc for one part; its output is kept and printed whole at the end, so parallel builds do not interleave. */
function ncc(entry, staging) {
  const nodeArgs = [];
  // ncc's transpile-only mode would emit CommonJS for our ESM sources; the preload makes it emit what the full build
  // emits (see the file).
  if (transpileOnly) nodeArgs.push('--require', join(root, 'scripts', 'ncc-transpile-esm.cjs'));
  nodeArgs.push(join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), 'build', entry, '-o', staging);
  nodeArgs.push('--license', 'licenses.txt', '--quiet');
  if (transpileOnly) nodeArgs.push('--transpile-only');
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, nodeArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (error) => resolvePromise({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal ? 1 : 0), output }));
  });
}

async function build(part) {
  const entry = join(root, part, 'src', 'index.ts');
  if (!existsSync(entry)) return { ok: true, message: `${part}: no src/index.ts yet, skipped` };
  const out = join(outRoot, part, 'dist');
  mkdirSync(dirname(out), { recursive: true });
  // Built beside dist/ in a folder of its own and swapped in at the end, so neither a test running the bundle nor
  // another build at the same time ever sees a half-written dist/.
  const staging = join(outRoot, part, `.dist-building-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const { code, output } = await ncc(entry, staging);
    if (code !== 0) return { ok: false, message: `${output}${part}: ncc failed (exit code ${code})` };
    rmSync(out, { recursive: true, force: true });
    renameSync(staging, out);
    return { ok: true, message: `${output}${part}: built ${out}` };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

const results = await Promise.all(selected.map(build));
for (const { ok, message } of results) (ok ? console.log : console.error)(message.trimEnd());
if (results.some((r) => !r.ok)) process.exit(1);
