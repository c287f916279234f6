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
  const realRoot = realpathSync(root);
  const staged: { tmp: string; target: string }[] = [];
  try {
    for (const change of plan.changes) {
      if (change.after === change.before) continue;
      const target = realpathSync(join(root, change.path));
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
      const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
      writeFileSync(tmp, change.after, { flag: 'wx', mode });
      staged.push({ tmp, target });
      chmodSync(tmp, mode); // the umask may have narrowed it
    }
  } catch (error) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    throw error;
  }
  for (const s of staged) renameSync(s.tmp, s.target);
}
