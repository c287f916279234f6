/**
 * Pull-request mode through receive-action/action.yml: the update branch goes to the remote over authenticated
 * HTTP, the pull request is opened (then updated) through the loopback GitHub API, and the target branch, which
 * a pre-receive hook protects, never moves.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { git, readTree, remoteLog } from '../support/git.js';
import { type GitHubApi, startGitHubApi } from '../support/github-api.js';
import {
  ensureReceiveBundle,
  expectTokenNeverShown,
  nativeRules,
  protectMain,
  receive,
  type Served,
  SOURCE_SHA,
  serveGitops,
  TOKEN,
} from './support.js';

beforeAll(() => ensureReceiveBundle(), 240_000);

let api: GitHubApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const BRANCH = 'gitops-dispatch/prod/myapp';
const tree = {
  'environments/dev/values.yaml': 'image:\n  tag: 1.3.0-dev\n',
  'environments/prod/values.yaml': 'image:\n  tag: 1.3.0-stable # prod\n',
};
const payload = (tag: string) => ({
  docker_image_tag: tag,
  git_branch: 'main',
  commit_message: `release ${tag}`,
  image: 'ghcr.io/org/myapp',
  source: { repository: 'org/myapp', sha: SOURCE_SHA, run_url: 'https://github.com/org/myapp/actions/runs/7' },
});

async function setup(): Promise<{ served: Served; api: GitHubApi; main: string }> {
  const served = await serveGitops(tree);
  // Any push to main would fail the run: the test proves the target branch is never pushed to.
  await protectMain(served.bare);
  api = await startGitHubApi({ token: TOKEN });
  return { served, api, main: await git(served.bare, 'rev-parse', 'main') };
}

/** Everything the checkout and the remote's main must still be after a pull-request landing. */
async function expectTargetUntouched(served: Served, main: string, workspace: string): Promise<void> {
  expect(await git(served.bare, 'rev-parse', 'main')).toBe(main);
  expect(await git(workspace, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
  expect(await git(workspace, 'rev-parse', 'HEAD')).toBe(main);
  expect(await git(workspace, 'status', '--porcelain')).toBe('');
  expect(await readTree(workspace)).toEqual(tree);
}

describe('receive-action in pull-request mode (checkout over HTTP, loopback API)', () => {
  it('opens a pull request with labels and reviewers, then updates the same one for a newer tag', async () => {
    const { served, main } = await setup();
    const rules = nativeRules([
      { name: 'prod', when: { docker_image_tag: '.*-stable' }, files: 'environments/prod/values.yaml' },
    ]);
    const inputs = { rules, 'pull-request': 'true', labels: 'gitops, prod', reviewers: 'alice\norg/platform' };
    const github = { api_url: api!.url };

    const first = await receive(served, { inputs, payload: payload('1.4.0-stable'), github });
    expect(first.result.exitCode, first.result.log).toBe(0);
    const branchLog = await remoteLog(served.bare, BRANCH);
    expect(branchLog.map((c) => c.sha)).toEqual([first.result.outputs['commit-sha'], main]);
    expect(branchLog[0]!.files).toEqual(['environments/prod/values.yaml']);
    expect(await git(served.bare, 'show', `${BRANCH}:environments/prod/values.yaml`)).toBe(
      'image:\n  tag: 1.4.0-stable # prod',
    );
    expect(first.result.outputs).toMatchObject({
      'pull-request-url': 'https://github.com/org/gitops/pull/1',
      pushed: 'true',
      total_modified_files: '1',
    });
    expect(first.result.summary).toContain('Pull request: https://github.com/org/gitops/pull/1');

    const pr = api!.pulls.get(1)!;
    expect(pr).toMatchObject({ owner: 'org', repo: 'gitops', head: BRANCH, base: 'main', state: 'open' });
    expect(pr.title).toContain('1.4.0-stable');
    expect(pr.body).toContain('1.4.0-stable');
    expect(pr.body).toContain(SOURCE_SHA);
    expect(pr.labels).toEqual(['gitops', 'prod']);
    const review = api!.requests.find((q) => q.operationId === 'pulls/request-reviewers');
    expect(review?.body).toEqual({ reviewers: ['alice'], team_reviewers: ['platform'] });
    expect(api!.violations).toEqual([]);
    await expectTargetUntouched(served, main, first.workspace);
    expectTokenNeverShown(first.result);
    // The API saw the token as a credential only, never in a body.
    for (const q of api!.requests) expect(q.rawBody).not.toContain(TOKEN);

    const second = await receive(served, { inputs, payload: payload('1.5.0-stable'), github });
    expect(second.result.exitCode, second.result.log).toBe(0);
    expect(second.result.outputs['pull-request-url']).toBe('https://github.com/org/gitops/pull/1');
    expect(api!.pulls.size).toBe(1);
    expect(api!.requests.filter((q) => q.operationId === 'pulls/create')).toHaveLength(1);
    expect(api!.pulls.get(1)!.title).toContain('1.5.0-stable');
    expect(api!.pulls.get(1)!.body).toContain('1.5.0-stable');
    // The branch was rebuilt from main: one commit on top of it, holding the newer tag.
    expect((await remoteLog(served.bare, BRANCH)).map((c) => c.sha)).toEqual([
      second.result.outputs['commit-sha'],
      main,
    ]);
    expect(await git(served.bare, 'show', `${BRANCH}:environments/prod/values.yaml`)).toBe(
      'image:\n  tag: 1.5.0-stable # prod',
    );
    expect(second.result.log).toMatch(/Updated pull request #1/);
    expect(api!.violations).toEqual([]);
    await expectTargetUntouched(served, main, second.workspace);
    expectTokenNeverShown(second.result);
  });

  it('a rule with `pull-request: true` opens a pull request although the input is false', async () => {
    const { served, main } = await setup();
    const rules = nativeRules([
      {
        name: 'prod',
        when: { docker_image_tag: '.*-stable' },
        files: 'environments/prod/values.yaml',
        extra: ['pull-request: true'],
      },
    ]);
    const { result: r, workspace } = await receive(served, {
      inputs: { rules, 'pull-request': 'false' },
      payload: payload('1.4.0-stable'),
      github: { api_url: api!.url },
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs['pull-request-url']).toBe('https://github.com/org/gitops/pull/1');
    expect(await git(served.bare, 'show', `${BRANCH}:environments/prod/values.yaml`)).toBe(
      'image:\n  tag: 1.4.0-stable # prod',
    );
    expect(api!.pulls.get(1)).toMatchObject({ head: BRANCH, base: 'main', labels: [], reviewers: [] });
    expect(api!.requests.map((q) => q.operationId)).toEqual(['pulls/list', 'pulls/create']);
    expect(api!.violations).toEqual([]);
    await expectTargetUntouched(served, main, workspace);
    expectTokenNeverShown(r);
  });
});
