/**
 * Many receivers at once, each a full run of receive-action/action.yml (its own workspace, its own checkout over
 * authenticated HTTP), all pushing to one remote: every update must land, nothing lost, nothing forced, no token
 * printed.
 */
import { describe, expect, it } from 'vitest';
import { git, remoteLog } from '../support/git.js';
import { expectTokenNeverShown, nativeRules, receive, serveGitops } from './support.js';

const N = 8;
const apps = Array.from({ length: N }, (_, i) => `app-${i}`);
const valuesOf = (app: string, tag: string) =>
  `# ${app}\nimage:\n  repository: ghcr.io/org/${app}\n  tag: ${tag} # set by gitops-dispatch\n`;

describe(`${N} receivers started together against one remote over HTTP`, () => {
  it('lands all updates, one commit each, on a linear history, without printing the token', async () => {
    const tree = Object.fromEntries(apps.map((app) => [`apps/${app}/values.yaml`, valuesOf(app, '1.0.0')]));
    // Every app's rule in every run, as one shared rules input would be: the `image` condition picks the app.
    const rules = nativeRules(
      apps.map((app) => ({
        name: app,
        when: { image: `ghcr\\.io/org/${app}`, docker_image_tag: '[0-9.]+' },
        files: `apps/${app}/values.yaml`,
      })),
    );
    const served = await serveGitops(tree);
    // Records every update of main, so a force push (a move to a non-descendant) would show.
    await git(served.bare, 'config', 'core.logAllRefUpdates', 'always');
    const start = await git(served.bare, 'rev-parse', 'main');

    const runs = await Promise.all(
      apps.map((app, i) =>
        receive(served, {
          // Sleeps are scaled to 0 here, so the jitter that spreads real runs apart is gone: every retry races.
          inputs: { rules, 'max-attempts': String(N + 2) },
          payload: {
            docker_image_tag: `2.${i}.0`,
            image: `ghcr.io/org/${app}`,
            git_branch: 'main',
            commit_message: `build ${i} of ${app}`,
            source: { repository: `org/${app}`, sha: `${i}`.repeat(40) },
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
      expect(await git(served.bare, 'show', `main:apps/${app}/values.yaml`)).toBe(
        valuesOf(app, `2.${i}.0`).replace(/\n$/, ''),
      );
      // Each run's commit-sha output is on main and changed only that run's app.
      const sha = runs[i]!.result.outputs['commit-sha'];
      const commit = log.find((c) => c.sha === sha);
      expect(commit?.files).toEqual([`apps/${app}/values.yaml`]);
      expect(commit?.body).toContain(`Source-Repository: org/${app}`);
    }
    // Never forced: each update of main moved it to a child of its previous value.
    const updates = (await git(served.bare, 'reflog', 'show', '--format=%H', 'main')).split('\n').reverse();
    expect(updates).toHaveLength(N);
    const chain = [start, ...updates];
    for (let k = 1; k < chain.length; k++)
      expect(await git(served.bare, 'rev-parse', `${chain[k]}^`)).toBe(chain[k - 1]);
    // The runs really raced: at least one had to fetch and re-apply.
    const attempts = runs.map((r) => Number(/push attempts: (\d+)\./.exec(r.result.summary)?.[1]));
    expect(attempts.every((a) => a >= 1 && a <= N)).toBe(true);
    expect(Math.max(...attempts)).toBeGreaterThan(1);
  });
});
