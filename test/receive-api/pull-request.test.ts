/**
 * Pull-request mode with commit-method api through receive-action/action.yml: the update branch is created (then
 * moved) through GraphQL createRef/updateRef, the commit made on it with createCommitOnBranch, and the pull request
 * opened, then updated, through the loopback REST API. main never moves; no git process touches the remote.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pullRequestBranch } from '../../core/github/pulls.js';
import { commitTo, git, remoteLog } from '../support/git.js';
import { type GitHubApi, startGitHubApi } from '../support/github-api.js';
import { expectTokenNeverShown, nativeRules, receiveApi, SOURCE_SHA, serveBoth, TOKEN } from './support.js';

let rest: GitHubApi | undefined;
afterEach(async () => {
  await rest?.close();
  rest = undefined;
});

// Named from the image, as on the git path (readable part plus a hash of the full reference).
const BRANCH = pullRequestBranch(['prod'], 'ghcr.io/org/myapp');
const payload = (tag: string) => ({
  docker_image_tag: tag,
  git_branch: 'main',
  commit_message: `release ${tag}`,
  image: 'ghcr.io/org/myapp',
  source: { repository: 'org/myapp', sha: SOURCE_SHA, run_url: 'https://github.com/org/myapp/actions/runs/7' },
});

describe('receive-action with commit-method api in pull-request mode', () => {
  it('opens a pull request from a branch made through the API, then updates the same one for a newer tag', async () => {
    const served = await serveBoth({ 'environments/prod/values.yaml': 'image:\n  tag: 1.3.0-stable # prod\n' });
    const main = await git(served.bare, 'rev-parse', 'main');
    rest = await startGitHubApi({ token: TOKEN });
    const rules = nativeRules([
      { name: 'prod', when: { docker_image_tag: '.*-stable' }, files: 'environments/prod/values.yaml' },
    ]);
    const inputs = { rules, 'pull-request': 'true' };
    // REST (pull requests) at GITHUB_API_URL, GraphQL at GITHUB_GRAPHQL_URL, as on a runner.
    const github = { api_url: rest.url, graphql_url: served.graphql.url };

    const first = await receiveApi(served, { inputs, payload: payload('1.4.0-stable'), github });
    expect(first.result.exitCode, first.result.log).toBe(0);
    expect((await remoteLog(served.bare, BRANCH)).map((c) => c.sha)).toEqual([
      first.result.outputs['commit-sha'],
      main,
    ]);
    expect(await git(served.bare, 'show', `${BRANCH}:environments/prod/values.yaml`)).toBe(
      'image:\n  tag: 1.4.0-stable # prod',
    );
    expect(first.result.outputs).toMatchObject({
      'pull-request-url': 'https://github.com/org/gitops/pull/1',
      pushed: 'true',
      'commit-method': 'api',
    });
    expect(rest.pulls.get(1)).toMatchObject({ head: BRANCH, base: 'main', state: 'open' });
    expect(served.graphql.requests.filter((q) => q.operation === 'mutation').map((q) => q.fields[0])).toEqual([
      'createRef',
      'createCommitOnBranch',
    ]);

    const second = await receiveApi(served, { inputs, payload: payload('1.5.0-stable'), github });
    expect(second.result.exitCode, second.result.log).toBe(0);
    expect(second.result.outputs['pull-request-url']).toBe('https://github.com/org/gitops/pull/1');
    expect(rest.pulls.size).toBe(1);
    expect(rest.pulls.get(1)!.title).toContain('1.5.0-stable');
    expect((await remoteLog(served.bare, BRANCH)).map((c) => c.sha)).toEqual([
      second.result.outputs['commit-sha'],
      main,
    ]);
    expect(await git(served.bare, 'show', `${BRANCH}:environments/prod/values.yaml`)).toBe(
      'image:\n  tag: 1.5.0-stable # prod',
    );
    expect(second.result.log).toMatch(/Updated pull request #1/);
    expect(served.graphql.requests.filter((q) => q.operation === 'mutation').map((q) => q.fields[0])).toEqual([
      'createRef',
      'createCommitOnBranch',
      'updateRef',
      'createCommitOnBranch',
    ]);

    // The same dispatch again: the branch already holds it, so nothing is committed and CI is not re-run.
    const again = await receiveApi(served, { inputs, payload: payload('1.5.0-stable'), github });
    expect(again.result.exitCode, again.result.log).toBe(0);
    expect(again.result.outputs['commit-sha']).toBe(second.result.outputs['commit-sha']);
    expect(again.result.outputs.pushed).toBe('false');
    expect(served.graphql.requests.filter((q) => q.operation === 'mutation')).toHaveLength(4);

    expect(await git(served.bare, 'rev-parse', 'main')).toBe(main);
    expect(served.server.requests).toEqual([]);
    expect(served.graphql.violations).toEqual([]);
    expect(rest.violations).toEqual([]);
    for (const r of [first, second, again]) expectTokenNeverShown(r.result);
  });

  it('refuses to move an update branch whose head was not made for this image, changing nothing', async () => {
    const served = await serveBoth({ 'environments/prod/values.yaml': 'image:\n  tag: 1.3.0-stable # prod\n' });
    const main = await git(served.bare, 'rev-parse', 'main');
    // Someone pushed a commit of their own to the update branch (no Source-Image trailer).
    await git(served.bare, 'branch', BRANCH, main);
    const theirs = await commitTo(served.bare, { 'notes.txt': 'by hand\n' }, 'A fix pushed by hand', {
      branch: BRANCH,
    });
    rest = await startGitHubApi({ token: TOKEN });
    const rules = nativeRules([
      { name: 'prod', when: { docker_image_tag: '.*-stable' }, files: 'environments/prod/values.yaml' },
    ]);
    const github = { api_url: rest.url, graphql_url: served.graphql.url };
    const run = await receiveApi(served, {
      inputs: { rules, 'pull-request': 'true' },
      payload: payload('1.4.0-stable'),
      github,
    });
    expect(run.result.exitCode).not.toBe(0);
    expect(run.result.log).toMatch(
      new RegExp(
        `Pull request branch ${BRANCH.replace(/[+.]/g, '\\$&')} already exists on org/gitops, and its last commit ${theirs.slice(0, 12)} was not made for this update`,
      ),
    );
    expect(await git(served.bare, 'rev-parse', BRANCH)).toBe(theirs);
    expect(await git(served.bare, 'rev-parse', 'main')).toBe(main);
    expect(served.graphql.requests.filter((q) => q.operation === 'mutation')).toEqual([]);
    expect(rest.pulls.size).toBe(0);
    expectTokenNeverShown(run.result);
  });
});
