import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getOctokit } from '@actions/github';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { GitHubApiError, GitHubClient } from '../../core/github/client.js';
import { pullRequestBranch } from '../../core/github/pulls.js';
import { LandError, type LandOptions, landChanges, type PullRequestLanding } from '../../core/land/index.js';
import { MemoryLogger, silentLogger } from '../../core/logger.js';
import { bareRemote, cloneRemote, commitTo, git, remoteLog, tempDir } from '../support/git.js';
import { type GitHubApi, startGitHubApi } from '../support/github-api.js';
import { prepareLanding } from './fake-planner.js';

const TOKEN = 'api-token-5d1e2f3a4b';
const BRANCH = 'gitops-dispatch/prod/myapp';
let api: GitHubApi | undefined;

/**
 * Problems with what we sent. The loopback server also checks its own canned replies; at the time of writing its
 * pulls/list reply gives labels a null description, which the schema rejects: that is the fake's problem, not ours.
 */
function requestViolations(a: GitHubApi): string[] {
  return a.violations.filter((v) => !v.includes('loopback default reply'));
}

afterEach(async () => {
  await api?.close();
  api = undefined;
});

function pullRequest(a: GitHubApi, tag: string, overrides: Partial<PullRequestLanding> = {}): PullRequestLanding {
  const octokit = getOctokit(TOKEN, { baseUrl: a.url });
  const client = new GitHubClient({ request: octokit.request, logger: silentLogger, sleep: async () => {} });
  return {
    enabled: true,
    branch: BRANCH,
    title: `Deploy myapp ${tag} to prod`,
    body: `Source commit abc123 of org/myapp.\nTag: ${tag}`,
    labels: ['gitops', 'prod'],
    reviewers: ['alice', 'org/platform'],
    request: (route, params) => client.request(route, params),
    repository: 'org/gitops',
    ...overrides,
  };
}

async function land(clone: string, tag: string, extra: Partial<LandOptions> = {}) {
  const { options } = await prepareLanding(clone, [{ path: 'env/prod/values.yaml', line: 1, value: `tag: ${tag}` }], {
    pullRequest: pullRequest(api!, tag),
    ...extra,
  });
  return landChanges(options);
}

describe('landChanges in pull-request mode', () => {
  it('opens a pull request from an update branch, then updates the same one on the next run', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const { bare } = await bareRemote({ 'env/prod/values.yaml': 'tag: v1\n' });
    const main = await git(bare, 'rev-parse', 'main');
    const clone = await cloneRemote(bare);

    const first = await land(clone, 'v2');
    expect(first).toMatchObject({ committed: true, pushed: true, attempts: 1, pullRequestNumber: 1 });
    expect(first.pullRequestUrl).toBe('https://github.com/org/gitops/pull/1');
    expect(first.reason).toMatch(/^Opened pull request #1 from gitops-dispatch\/prod\/myapp into main/);
    // The update branch starts at the target head; the target branch itself is untouched.
    const prLog = await remoteLog(bare, BRANCH);
    expect(prLog[0]!.sha).toBe(first.commitSha);
    expect(prLog[1]!.sha).toBe(main);
    expect(await git(bare, 'rev-parse', 'main')).toBe(main);
    expect(await git(bare, 'show', `${BRANCH}:env/prod/values.yaml`)).toBe('tag: v2');
    // The checkout is back on main, clean.
    expect(await git(clone, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
    expect(await git(clone, 'status', '--porcelain')).toBe('');

    const stored = api.pulls.get(1)!;
    expect(stored).toMatchObject({ head: BRANCH, base: 'main', title: 'Deploy myapp v2 to prod', state: 'open' });
    expect(stored.labels).toEqual(['gitops', 'prod']);
    const reviewRequest = api.requests.find((r) => r.operationId === 'pulls/request-reviewers');
    expect(reviewRequest?.body).toEqual({ reviewers: ['alice'], team_reviewers: ['platform'] });
    const list = api.requests.find((r) => r.operationId === 'pulls/list');
    expect(list?.query).toMatchObject({ head: `org:${BRANCH}`, state: 'open' });

    // Second run, newer tag: the same pull request is updated, the branch is rebuilt (force) from main.
    const second = await land(clone, 'v3');
    expect(second).toMatchObject({ pushed: true, pullRequestNumber: 1 });
    expect(second.reason).toMatch(/^Updated pull request #1/);
    expect(api.pulls.size).toBe(1);
    expect(api.pulls.get(1)!.title).toBe('Deploy myapp v3 to prod');
    const rebuilt = await remoteLog(bare, BRANCH);
    expect(rebuilt.map((c) => c.sha)).toEqual([second.commitSha, main]);
    expect(await git(bare, 'show', `${BRANCH}:env/prod/values.yaml`)).toBe('tag: v3');
    expect(api.requests.filter((r) => r.operationId === 'pulls/create')).toHaveLength(1);
    expect(api.requests.filter((r) => r.operationId === 'pulls/update')).toHaveLength(1);

    // Third run, same tag again: the branch already holds it, so nothing is pushed; the PR is still updated.
    const third = await land(clone, 'v3');
    expect(third).toMatchObject({ pushed: false, attempts: 0, commitSha: second.commitSha, pullRequestNumber: 1 });
    expect((await remoteLog(bare, BRANCH))[0]!.sha).toBe(second.commitSha);

    expect(requestViolations(api)).toEqual([]);
  });

  it('never replaces an update branch whose head was made for another image, and does for the same one', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const { bare } = await bareRemote({ 'env/prod/values.yaml': 'tag: v1\n' });
    const main = await git(bare, 'rev-parse', 'main');
    const clone = await cloneRemote(bare);
    // Both dispatches are forced onto one branch name (as a hash collision or an old naming scheme would).
    const teamA = { 'Source-Image': 'ghcr.io/team-a/api' };
    const first = await land(clone, 'v2', { trailers: teamA });
    expect(first.pushed).toBe(true);

    const error = await land(clone, 'v3', { trailers: { 'Source-Image': 'ghcr.io/team-b/api' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).problems[0]!.code).toBe('land/pull-request-branch-taken');
    expect((error as Error).message).toContain('it is for image "ghcr.io/team-a/api"');
    expect((error as Error).message).toContain('this update is for image "ghcr.io/team-b/api"');
    // Team A's commit is still the branch head and its pull request was not touched; the checkout is clean on main.
    expect(await git(bare, 'rev-parse', BRANCH)).toBe(first.commitSha);
    expect(api.pulls.get(1)!.title).toBe('Deploy myapp v2 to prod');
    expect(api.requests.filter((r) => r.operationId === 'pulls/update')).toHaveLength(0);
    expect(await git(clone, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
    expect(await git(clone, 'rev-parse', 'HEAD')).toBe(main);
    expect(await git(clone, 'status', '--porcelain')).toBe('');

    // The same image again replaces it and updates the same pull request.
    const again = await land(clone, 'v3', { trailers: teamA });
    expect(again).toMatchObject({ pushed: true, pullRequestNumber: 1 });
    expect(await git(bare, 'rev-parse', BRANCH)).toBe(again.commitSha);
  });

  it('does not overwrite an update branch that moves between its check and the push (lease)', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const { bare } = await bareRemote({ 'env/prod/values.yaml': 'tag: v1\n' });
    const clone = await cloneRemote(bare);
    const first = await land(clone, 'v2');
    expect(first.pushed).toBe(true);
    // Someone else's commit lands on the branch after this run checked it, just before its push arrives: the
    // receive-pack that serves the push moves the branch first.
    const other = await commitTo(bare, { 'env/prod/values.yaml': 'tag: by-hand\n' }, 'by hand', { branch: BRANCH });
    await git(bare, 'update-ref', `refs/heads/${BRANCH}`, first.commitSha);
    const script = join(await tempDir(), 'receive-pack.sh');
    await writeFile(
      script,
      `#!/bin/sh\ngit --git-dir="${bare}" update-ref refs/heads/${BRANCH} ${other}\nexec git-receive-pack "$@"\n`,
    );
    await chmod(script, 0o755);
    await git(clone, 'config', 'remote.origin.receivepack', script);

    const error = await land(clone, 'v3').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LandError);
    expect((error as LandError).problems[0]!.code).toBe('land/pull-request-branch-moved');
    expect((error as Error).message).toMatch(/changed on origin while this run was updating it/);
    expect(await git(bare, 'rev-parse', BRANCH)).toBe(other);
    expect(api.requests.filter((r) => r.operationId === 'pulls/update')).toHaveLength(0);
    expect(await git(clone, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
    expect(await git(clone, 'status', '--porcelain')).toBe('');
  });

  it('uses a pull request when a rule asks for one, even with the input off', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const { bare } = await bareRemote({ 'env/prod/values.yaml': 'tag: v1\n' });
    const main = await git(bare, 'rev-parse', 'main');
    const clone = await cloneRemote(bare);
    const { options } = await prepareLanding(
      clone,
      [{ path: 'env/prod/values.yaml', line: 1, value: 'tag: v2', pullRequest: true }],
      { pullRequest: pullRequest(api, 'v2', { enabled: false, labels: [], reviewers: [] }) },
    );
    const result = await landChanges(options);
    expect(result.pullRequestNumber).toBe(1);
    expect(await git(bare, 'rev-parse', 'main')).toBe(main);
    expect(api.requests.map((r) => r.operationId)).toEqual(['pulls/list', 'pulls/create']);
    expect(requestViolations(api)).toEqual([]);
  });

  it('fails with the permission to grant when the API refuses, and leaves the checkout on main', async () => {
    api = await startGitHubApi({ token: TOKEN });
    api.reply('pulls/create', {
      status: 403,
      body: {
        message: 'GitHub Actions is not permitted to create or approve pull requests.',
        documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
        status: '403',
      },
    });
    const { bare } = await bareRemote({ 'env/prod/values.yaml': 'tag: v1\n' });
    const clone = await cloneRemote(bare);
    const start = await git(clone, 'rev-parse', 'HEAD');
    const logger = new MemoryLogger();
    const error = await land(clone, 'v2', { logger }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(403);
    expect((error as Error).message).toMatch(/not permitted to create or approve pull requests/);
    expect((error as Error).message).toMatch(/pull-requests: write/);
    expect(await git(clone, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
    expect(await git(clone, 'rev-parse', 'HEAD')).toBe(start);
    expect(await git(clone, 'status', '--porcelain')).toBe('');
  });
});

describe('pullRequestBranch', () => {
  it.each([
    [['prod'], 'ghcr.io/org/myapp', /^gitops-dispatch\/prod\/org-myapp-[0-9a-f]{8}$/],
    [['prod', 'dev', 'prod'], 'ghcr.io/org/myapp:1.2', /^gitops-dispatch\/dev\+prod\/org-myapp-[0-9a-f]{8}$/],
    [['prod'], 'ghcr.io/org/my app@sha256:abc', /^gitops-dispatch\/prod\/org-my-app-[0-9a-f]{8}$/],
    [['../x', 'a..b'], 'img.lock', /^gitops-dispatch\/a\.b\+x\/img-lock-[0-9a-f]{8}$/],
    [['prod'], 'localhost:5000/app', /^gitops-dispatch\/prod\/app-[0-9a-f]{8}$/],
    [['prod'], `ghcr.io/${'x'.repeat(300)}/app`, /^gitops-dispatch\/prod\/x{40}-[0-9a-f]{8}$/],
    [[], '', /^gitops-dispatch\/update$/],
  ])('%j + %j -> %s, a valid branch name', async (envs, image, expected) => {
    const branch = pullRequestBranch(envs, image);
    expect(branch).toMatch(expected);
    // git accepts it as a branch name
    const { bare } = await bareRemote({ f: 'x' });
    await git(bare, 'check-ref-format', `refs/heads/${branch}`);
  });

  it('differs for images that differ only by organisation or registry, not by tag, digest or case', () => {
    const branch = (image: string) => pullRequestBranch(['prod'], image);
    const a = branch('ghcr.io/team-a/api');
    expect(branch('ghcr.io/team-b/api')).not.toBe(a);
    expect(branch('docker.io/team-a/api')).not.toBe(a);
    expect(branch('ghcr.io/team-a/api:2.0.0')).toBe(a);
    expect(branch(`ghcr.io/team-a/api@sha256:${'a'.repeat(64)}`)).toBe(a);
    expect(branch('GHCR.io/Team-A/api')).toBe(a);
    expect(pullRequestBranch(['dev'], 'ghcr.io/team-a/api')).not.toBe(a);
  });
});
