/**
 * receive-action/action.yml with checkout: true and commit: true against a bare repository served over
 * authenticated HTTP: what lands on the remote, what the outputs and the summary say, and that the token is never
 * printed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { commitTo, git, readTree, remoteLog } from '../support/git.js';
import {
  ensureReceiveBundle,
  expectTokenNeverShown,
  nativeRules,
  protectMain,
  receive,
  SOURCE_SHA,
  serveGitops,
} from './support.js';

beforeAll(() => ensureReceiveBundle(), 240_000);

const tree = {
  'Chart.yaml': 'apiVersion: v2\nname: myapp\nversion: 0.1.0\n',
  'environments/dev/values.yaml': '# dev\nimage:\n  repository: ghcr.io/org/myapp\n  tag: 1.3.0-dev # by CI\n',
  'environments/prod/values.yaml': '# prod\nimage:\n  repository: ghcr.io/org/myapp\n  tag: 1.3.0-stable # by CI\n',
};
const rules = nativeRules([
  { name: 'dev', when: { docker_image_tag: '.*-dev' }, files: 'environments/dev/values.yaml' },
  { name: 'prod', when: { docker_image_tag: '.*-stable' }, files: 'environments/prod/values.yaml' },
]);
const source = {
  repository: 'org/myapp',
  sha: SOURCE_SHA,
  run_id: '4242',
  run_url: 'https://github.com/org/myapp/actions/runs/4242',
  actor: 'octocat',
};
const payload = (tag: string, extra: Record<string, unknown> = {}) => ({
  docker_image_tag: tag,
  git_branch: 'release/1.4',
  commit_message: 'Fix "quoted" names\n\nÜnïcödé — 日本',
  image: 'ghcr.io/org/myapp',
  source,
  ...extra,
});
const prodWith = (tag: string) => tree['environments/prod/values.yaml'].replace('1.3.0-stable', tag);

describe('receive-action lands its commit (checkout over HTTP, commit: true)', () => {
  it('pushes one commit with the rendered message, source trailers, bot author, outputs and summary', async () => {
    const served = await serveGitops(tree);
    const start = await git(served.bare, 'rev-parse', 'main');
    const { result: r, workspace } = await receive(served, { inputs: { rules }, payload: payload('1.4.0-stable') });
    expect(r.exitCode, r.log).toBe(0);

    const log = await remoteLog(served.bare);
    expect(log).toHaveLength(2);
    const head = log[0]!;
    expect(await git(served.bare, 'rev-parse', `${head.sha}^`)).toBe(start);
    expect(head.files).toEqual(['environments/prod/values.yaml']);
    expect(await git(served.bare, 'show', 'main:environments/prod/values.yaml')).toBe(
      prodWith('1.4.0-stable').replace(/\n$/, ''),
    );
    expect(await git(served.bare, 'show', 'main:environments/dev/values.yaml')).toBe(
      tree['environments/dev/values.yaml'].replace(/\n$/, ''),
    );
    // The default template, rendered over the payload; quotes, the blank line and non-ASCII kept exactly.
    const message = await git(served.bare, 'log', '-1', '--format=%B', 'main');
    expect(message).toBe(
      [
        'Branch release/1.4 led to updated Docker image \'1.4.0-stable\': Fix "quoted" names',
        '',
        'Ünïcödé — 日本',
        '',
        'Source-Repository: org/myapp',
        `Source-Commit: ${SOURCE_SHA}`,
        'Source-Run: https://github.com/org/myapp/actions/runs/4242',
        'Source-Image: ghcr.io/org/myapp',
        '',
      ].join('\n'),
    );
    expect(await git(served.bare, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', 'main')).toBe(
      'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|' +
        'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>',
    );

    expect(r.outputs).toMatchObject({
      'commit-sha': head.sha,
      pushed: 'true',
      total_modified_files: '1',
      'pull-request-url': '',
    });
    expect(JSON.parse(r.outputs['modified-files']!)).toEqual(['environments/prod/values.yaml']);
    expect(JSON.parse(r.outputs.environments!)).toEqual(['prod']);
    expect(r.summary).toContain(`Commit: [${head.sha.slice(0, 12)}](https://github.com/org/gitops/commit/${head.sha})`);
    expect(r.summary).toContain('Pushed: yes; push attempts: 1.');
    expect(r.summary).toContain('`1.3.0-stable` | `1.4.0-stable`');

    // The checkout is clean, on main, at the pushed commit.
    expect(await git(workspace, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
    expect(await git(workspace, 'rev-parse', 'HEAD')).toBe(head.sha);
    expect(await git(workspace, 'status', '--porcelain')).toBe('');

    // Every request carried the credential (the persisted extraheader), and none of its forms was printed.
    expect(served.server.requests.length).toBeGreaterThan(0);
    expect(served.server.requests.every((q) => q.authorized)).toBe(true);
    expect(served.server.requests.some((q) => q.method === 'POST' && q.path.endsWith('/git-receive-pack'))).toBe(true);
    expectTokenNeverShown(r);
  });

  it('lands on top when the remote moved between checkout and push: both changes, linear history', async () => {
    const served = await serveGitops(tree);
    let other = '';
    const { result: r } = await receive(served, {
      inputs: { rules },
      payload: payload('2.0.0-dev'),
      afterCheckout: async () => {
        other = await commitTo(served.bare, { 'environments/prod/values.yaml': prodWith('1.3.1-stable') }, 'hotfix');
      },
    });
    expect(r.exitCode, r.log).toBe(0);
    const log = await remoteLog(served.bare);
    expect(log.map((c) => c.subject)).toEqual([
      'Branch release/1.4 led to updated Docker image \'2.0.0-dev\': Fix "quoted" names',
      'hotfix',
      'Initial commit',
    ]);
    expect(log[1]!.sha).toBe(other);
    expect(await git(served.bare, 'rev-parse', `${log[0]!.sha}^`)).toBe(other);
    expect(await git(served.bare, 'rev-list', '--min-parents=2', 'main')).toBe('');
    expect(await git(served.bare, 'show', 'main:environments/prod/values.yaml')).toContain('tag: 1.3.1-stable');
    expect(await git(served.bare, 'show', 'main:environments/dev/values.yaml')).toContain('tag: 2.0.0-dev # by CI');
    expect(r.outputs['commit-sha']).toBe(log[0]!.sha);
    expect(r.outputs.pushed).toBe('true');
    expect(r.summary).toContain('push attempts: 2.');
    expect(r.log).toMatch(/main moved on the remote; fetching and applying the update again/);
    expectTokenNeverShown(r);
  });

  it('the same tag already on the remote: no commit, pushed=false, a notice saying why', async () => {
    const served = await serveGitops(tree);
    const start = await git(served.bare, 'rev-parse', 'main');
    const { result: r, workspace } = await receive(served, { inputs: { rules }, payload: payload('1.3.0-stable') });
    expect(r.exitCode, r.log).toBe(0);
    expect(await git(served.bare, 'rev-parse', 'main')).toBe(start);
    expect(r.outputs).toMatchObject({ pushed: 'false', 'commit-sha': '', total_modified_files: '0' });
    expect(JSON.parse(r.outputs.environments!)).toEqual(['prod']);
    const notices = r.annotations.filter((a) => a.level === 'notice').map((a) => a.message);
    expect(
      notices.some((m) => m.includes('environments/prod/values.yaml') && /already/.test(m)),
      r.log,
    ).toBe(true);
    expect(await git(workspace, 'status', '--porcelain')).toBe('');
    expect(await git(workspace, 'rev-parse', 'HEAD')).toBe(start);
  });

  it('a protected branch fails at once, names the fix, and leaves the remote and the checkout as they were', async () => {
    const served = await serveGitops(tree);
    await protectMain(served.bare);
    const start = await git(served.bare, 'rev-parse', 'main');
    const { result: r, workspace } = await receive(served, {
      inputs: { rules, 'max-attempts': '5' },
      payload: payload('1.4.0-stable'),
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.log).toContain('GH006: Protected branch update failed');
    expect(r.log).toContain('`pull-request: true`');
    // One push only: a refusal that is not a moved branch is never retried.
    expect(r.log).toContain('(attempt 1 of 5)');
    const pushes = served.server.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/git-receive-pack'));
    expect(pushes).toHaveLength(1);
    expect(await git(served.bare, 'rev-parse', 'main')).toBe(start);
    expect(await remoteLog(served.bare)).toHaveLength(1);
    expect(await git(workspace, 'rev-parse', 'HEAD')).toBe(start);
    expect(await git(workspace, 'status', '--porcelain')).toBe('');
    expect(await readTree(workspace)).toEqual(tree);
    expectTokenNeverShown(r);
  });

  it('only-newer: an older tag over a newer one makes no commit and warns naming both versions', async () => {
    const served = await serveGitops(tree);
    const start = await git(served.bare, 'rev-parse', 'main');
    const guarded = nativeRules([
      {
        name: 'prod',
        when: { docker_image_tag: '.*-stable' },
        files: 'environments/prod/values.yaml',
        extra: ["only-newer: { strip-suffix: '-stable' }"],
      },
    ]);
    const { result: r, workspace } = await receive(served, {
      inputs: { rules: guarded },
      payload: payload('1.2.0-stable'),
    });
    expect(r.exitCode, r.log).toBe(0);
    const warning = r.annotations.find((a) => a.level === 'warning' && a.message.includes('only-newer'));
    expect(warning?.message).toContain('1.3.0-stable');
    expect(warning?.message).toContain('1.2.0-stable');
    expect(warning?.file).toBe('environments/prod/values.yaml');
    const notice = r.annotations.find((a) => a.level === 'notice');
    expect(notice?.message).toMatch(
      /only-newer: environments\/prod\/values\.yaml keeps "1\.3\.0-stable" \(refused "1\.2\.0-stable"\)/,
    );
    expect(r.outputs).toMatchObject({ pushed: 'false', 'commit-sha': '', total_modified_files: '0' });
    expect(await git(served.bare, 'rev-parse', 'main')).toBe(start);
    expect(await readTree(workspace)).toEqual(tree);
    expect(await git(workspace, 'status', '--porcelain')).toBe('');
  });
});
