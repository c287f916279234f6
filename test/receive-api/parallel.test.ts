/**
 * 16 receivers with commit-method api racing on one branch through receive-action/action.yml: the loopback API holds
 * the first 16 commits until all have arrived (a barrier, no sleeps), so 15 get STALE_DATA and must re-read, re-plan
 * and retry. Every update lands exactly once, on a linear history, and no git process touches the remote.
 */
import { describe, expect, it } from 'vitest';
import { git, remoteLog } from '../support/git.js';
import { expectTokenNeverShown, nativeRules, receiveApi, serveBoth } from './support.js';

const N = 16;
const apps = Array.from({ length: N }, (_, i) => `app-${i}`);
const valuesOf = (app: string, tag: string) => `# ${app}\nimage:\n  tag: ${tag} # set by gitops-dispatch\n`;

describe(`${N} api-mode receivers racing on one branch`, () => {
  it('all land, each exactly once, with no git request on the remote', async () => {
    const served = await serveBoth(
      Object.fromEntries(apps.map((a) => [`apps/${a}/values.yaml`, valuesOf(a, '1.0.0')])),
    );
    await git(served.bare, 'config', 'core.logAllRefUpdates', 'always');
    const start = await git(served.bare, 'rev-parse', 'main');
    const rules = nativeRules(
      apps.map((app) => ({ name: app, when: { image: `ghcr\\.io/org/${app}` }, files: `apps/${app}/values.yaml` })),
    );
    served.graphql.holdMutations(N);
    const runs = await Promise.all(
      apps.map((app, i) =>
        receiveApi(served, {
          inputs: { rules, 'max-attempts': String(N + 2) },
          payload: {
            docker_image_tag: `2.${i}.0`,
            image: `ghcr.io/org/${app}`,
            git_branch: 'main',
            commit_message: `build ${i}`,
            source: {
              repository: `org/${app}`,
              sha: `${i % 10}`.repeat(40),
              run_url: `https://github.com/org/${app}/actions/runs/${i}`,
            },
          },
        }),
      ),
    );
    for (const { result } of runs) {
      expect(result.exitCode, result.log).toBe(0);
      expect(result.outputs.pushed).toBe('true');
      expectTokenNeverShown(result);
    }
    const log = await remoteLog(served.bare);
    expect(log).toHaveLength(N + 1);
    expect(log[N]!.sha).toBe(start);
    expect(await git(served.bare, 'rev-list', '--min-parents=2', 'main')).toBe('');
    for (const [i, app] of apps.entries()) {
      expect(await git(served.bare, 'show', `main:apps/${app}/values.yaml`)).toBe(valuesOf(app, `2.${i}.0`).trimEnd());
      const commit = log.find((c) => c.sha === runs[i]!.result.outputs['commit-sha']);
      expect(commit?.files).toEqual([`apps/${app}/values.yaml`]);
      const run = `Source-Run: https://github.com/org/${app}/actions/runs/${i}`;
      expect(log.filter((c) => c.body.split('\n').includes(run))).toHaveLength(1);
    }
    // Never forced: each update of main moved it to a child of its previous value.
    const updates = (await git(served.bare, 'reflog', 'show', '--format=%H', 'main')).split('\n').reverse();
    const chain = [start, ...updates];
    expect(updates).toHaveLength(N);
    for (let k = 1; k < chain.length; k++)
      expect(await git(served.bare, 'rev-parse', `${chain[k]}^`)).toBe(chain[k - 1]);
    // The barrier made them race: all but one of the first commits were stale.
    const stale = served.graphql.requests.filter((q) => q.errorTypes.includes('STALE_DATA'));
    expect(stale.length).toBeGreaterThanOrEqual(N - 1);
    expect(served.server.requests).toEqual([]);
    expect(served.graphql.violations).toEqual([]);
  }, 300_000); // 16 action runs at once on a small shared machine
});
