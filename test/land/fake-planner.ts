/**
 * A tiny planner for landing tests: "set line N of file F to V". It reads the files now in `root`, so a re-plan
 * after a reset sees what the remote holds, exactly like the real planner would.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LandOptions } from '../../core/land/index.js';
import { silentLogger } from '../../core/logger.js';
import type { FileChange, Plan } from '../../core/plan/model.js';

export interface LineEdit {
  path: string;
  /** 1-based */
  line: number;
  value: string;
  pullRequest?: boolean;
}

export function fakePlanner(root: string, edits: LineEdit[], rule = 'test') {
  let calls = 0;
  const plan = async (): Promise<Plan> => {
    calls++;
    const changes: FileChange[] = [];
    const unchanged: string[] = [];
    for (const edit of edits) {
      const before = await readFile(join(root, edit.path), 'utf8');
      const lines = before.split('\n');
      const old = lines[edit.line - 1] ?? '';
      lines[edit.line - 1] = edit.value;
      const after = lines.join('\n');
      if (after === before) {
        unchanged.push(edit.path);
        continue;
      }
      changes.push({
        path: edit.path,
        rules: [rule],
        before,
        after,
        spans: [{ variable: 'docker_image_tag', before: old, after: edit.value, line: edit.line, locator: 'line' }],
        pullRequest: edit.pullRequest ?? false,
      });
    }
    return { matchedRules: [rule], changes, unchanged };
  };
  const apply = async (p: Plan): Promise<void> => {
    for (const change of p.changes) await writeFile(join(root, change.path), change.after);
  };
  return {
    plan,
    apply,
    get calls() {
      return calls;
    },
  };
}

/** Git isolated from the host's ~/.gitconfig, so only what the landing passes (-c user.*) names the author. */
export const ISOLATED_GIT_ENV = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

/** Plans, applies, and returns options for landChanges with test defaults (no real sleeping). */
export async function prepareLanding(
  root: string,
  edits: LineEdit[],
  overrides: Partial<LandOptions> = {},
): Promise<{ options: LandOptions; planner: ReturnType<typeof fakePlanner>; sleeps: number[] }> {
  const planner = fakePlanner(root, edits);
  const plan = await planner.plan();
  await planner.apply(plan);
  const sleeps: number[] = [];
  const options: LandOptions = {
    root,
    logger: silentLogger,
    plan,
    replan: planner.plan,
    apply: planner.apply,
    commitMessage: (p) => `Update ${p.changes.map((c) => c.path).join(', ')}`,
    author: { name: 'Release Bot', email: 'release-bot@example.com' },
    push: true,
    maxAttempts: 5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    env: ISOLATED_GIT_ENV,
    ...overrides,
  };
  return { options, planner, sleeps };
}
