/** Rebuilds receive-action/dist when any source it bundles is newer, so action tests always run current code. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const actionDir = join(repoRoot, 'receive-action');

function newest(dir: string): number {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) max = Math.max(max, newest(full));
    else max = Math.max(max, statSync(full).mtimeMs);
  }
  return max;
}

export function ensureReceiveBundle(): void {
  const bundle = join(actionDir, 'dist', 'index.js');
  const sources = Math.max(newest(join(repoRoot, 'core')), newest(join(actionDir, 'src')));
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), 'receive-action'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
}
