/**
 * Writes a plan's changes. Every target is checked (inside the repository, unchanged since planning) and every new
 * content is written to a temporary file beside its target before the first rename, so a failure leaves the tree as
 * it was. Each file is replaced by rename (atomic on one filesystem) and keeps its mode.
 */
import { randomBytes } from 'node:crypto';
// Sync calls on purpose, as in the planner: many small files, and no other work to overlap with.
import { chmodSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import type { Plan } from './model.js';
import { isInside } from './source.js';

export async function applyPlan(root: string, plan: Plan): Promise<void> {
  const realRoot = realpathSync.native(root);
  const staged: { tmp: string; target: string }[] = [];
  // One random name per run, numbered per file: unguessable, without a call into crypto per file.
  const run = randomBytes(6).toString('hex');
  const umask = currentUmask();
  try {
    for (const [index, change] of plan.changes.entries()) {
      if (change.after === change.before) continue;
      const target = realpathSync.native(join(root, change.path));
      if (!isInside(realRoot, target)) {
        throw new UserError({
          code: 'plan/outside-repository',
          message: `${change.path} resolves to ${target}, outside the repository; not written`,
          file: change.path,
        });
      }
      const current = readFileSync(target, 'utf8');
      if (current !== change.before) {
        throw new UserError({
          code: 'apply/changed-since-plan',
          message: `${change.path} changed on disk after it was planned; nothing was written`,
          file: change.path,
        });
      }
      const mode = statSync(target).mode & 0o7777;
      const tmp = join(dirname(target), `.${basename(target)}.${run}-${index}.tmp`);
      writeFileSync(tmp, change.after, { flag: 'wx', mode });
      staged.push({ tmp, target });
      if ((mode & ~umask) !== mode) chmodSync(tmp, mode); // the umask narrowed it
    }
  } catch (error) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    throw error;
  }
  for (const s of staged) renameSync(s.tmp, s.target);
}

/**
 * The process's umask. The no-argument read is deprecated in Node's docs only (it briefly sets the mask in other
 * threads' view), but it is the one read that also works in worker threads; an unknown mask means chmod always.
 */
function currentUmask(): number {
  try {
    return process.umask();
  } catch {
    return 0o7777;
  }
}
