import { describe, expect, it } from 'vitest';
import { landChanges } from '../../core/land/index.js';
import { bareRemote, cloneRemote, git, remoteLog } from '../support/git.js';
import { prepareLanding } from './fake-planner.js';

const N = 8;

describe('concurrent landings against one remote', () => {
  it(`lands all ${N} updates, each in its own commit, on a linear history without force`, async () => {
    const tree: Record<string, string> = {};
    for (let i = 0; i < N; i++) tree[`apps/app-${i}/values.yaml`] = `image:\n  tag: v0\n`;
    const { bare } = await bareRemote(tree);
    // Record every ref update on the remote so a force push (a non-descendant new value) would show.
    await git(bare, 'config', 'core.logAllRefUpdates', 'always');
    const start = await git(bare, 'rev-parse', 'main');

    const landings = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const clone = await cloneRemote(bare);
        const { options } = await prepareLanding(
          clone,
          [{ path: `apps/app-${i}/values.yaml`, line: 2, value: `  tag: v1-app${i}` }],
          { maxAttempts: N + 2, commitMessage: () => `app-${i}: v1-app${i}` },
        );
        return options;
      }),
    );
    const results = await Promise.all(landings.map((options) => landChanges(options)));

    expect(results.every((r) => r.pushed && r.committed)).toBe(true);
    const log = await remoteLog(bare);
    expect(log).toHaveLength(N + 1);
    // Linear: no merge commits, and each commit's parent is the next one in the log.
    expect(await git(bare, 'rev-list', '--min-parents=2', 'main')).toBe('');
    for (let k = 0; k < N; k++) expect(await git(bare, 'rev-parse', `${log[k]!.sha}^`)).toBe(log[k + 1]!.sha);
    // Each landing's commit is on the remote and changed exactly its own file.
    for (const [i, result] of results.entries()) {
      const commit = log.find((c) => c.sha === result.commitSha);
      expect(commit?.files).toEqual([`apps/app-${i}/values.yaml`]);
      expect(await git(bare, 'show', `main:apps/app-${i}/values.yaml`)).toBe(`image:\n  tag: v1-app${i}`);
    }
    // No force push: every update of main moved it to a descendant of its old value.
    const updates = (await git(bare, 'reflog', 'show', '--format=%H', 'main')).split('\n').reverse();
    expect(updates).toHaveLength(N);
    const chain = [start, ...updates];
    for (let k = 1; k < chain.length; k++) expect(await git(bare, 'rev-parse', `${chain[k]}^`)).toBe(chain[k - 1]);
    // Retries happened (8 writers, one remote) and were bounded.
    const attempts = results.map((r) => r.attempts);
    expect(Math.max(...attempts)).toBeGreaterThan(1);
    expect(Math.max(...attempts)).toBeLessThanOrEqual(N);
  });
});
