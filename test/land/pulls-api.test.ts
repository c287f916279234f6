import { getOctokit } from '@actions/github';
import { afterEach, describe, expect, it } from 'vitest';
import { GitHubApiError, GitHubClient } from '../../core/github/client.js';
import { openOrUpdatePullRequest, type RequestFn } from '../../core/github/pulls.js';
import { silentLogger } from '../../core/logger.js';
import { type GitHubApi, startGitHubApi } from '../support/github-api.js';

const TOKEN = 'api-token-99aa88bb';
let api: GitHubApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function requestFor(a: GitHubApi): RequestFn {
  const client = new GitHubClient({
    request: getOctokit(TOKEN, { baseUrl: a.url }).request,
    logger: silentLogger,
    sleep: async () => {},
  });
  return (route, params) => client.request(route, params);
}

const base = { repository: 'org/gitops', head: 'gitops-dispatch/dev/app', base: 'main', title: 'T', body: 'B' };

describe('openOrUpdatePullRequest', () => {
  it('updates the pull request another run opened between our list and our create', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const request = requestFor(api);
    const opened = await openOrUpdatePullRequest({ ...base, request, labels: [], reviewers: [] });
    expect(opened.created).toBe(true);
    // Our list sees nothing (the other run's create lands right after); create then answers 422 "already exists".
    api.reply('pulls/list', { status: 200, body: [] });
    const again = await openOrUpdatePullRequest({ ...base, title: 'T2', request, labels: [], reviewers: [] });
    expect(again).toMatchObject({ created: false, number: opened.number, url: opened.url, warnings: [] });
    expect(api.pulls.get(opened.number)!.title).toBe('T2');
    expect(api.requests.map((r) => r.operationId)).toEqual([
      'pulls/list',
      'pulls/create',
      'pulls/list',
      'pulls/create',
      'pulls/list',
      'pulls/update',
    ]);
  });

  it('keeps the pull request when labels or reviewers are refused, and reports them as warnings', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const unprocessable = (message: string) => ({
      status: 422,
      body: { message, documentation_url: 'https://docs.github.com/rest', status: '422' },
    });
    api.reply('issues/add-labels', unprocessable('Validation Failed'));
    api.reply('pulls/request-reviewers', unprocessable('Reviews may only be requested from collaborators.'));
    const result = await openOrUpdatePullRequest({
      ...base,
      request: requestFor(api),
      labels: ['gitops', ' ', 'gitops'],
      reviewers: ['@bob'],
    });
    expect(result.created).toBe(true);
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]).toMatch(/Could not add labels gitops to #1: HTTP 422/);
    expect(result.warnings[1]).toMatch(/Could not request reviews from bob on #1: HTTP 422: .*collaborators/);
    const labels = api.requests.find((r) => r.operationId === 'issues/add-labels');
    expect(labels?.body).toEqual({ labels: ['gitops'] });
  });

  it('fails on a bad token with the reason', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const client = new GitHubClient({
      request: getOctokit('wrong-token', { baseUrl: api.url }).request,
      logger: silentLogger,
      sleep: async () => {},
    });
    const error = await openOrUpdatePullRequest({
      ...base,
      request: (r, p) => client.request(r, p),
      labels: [],
      reviewers: [],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(401);
    expect((error as Error).message).toMatch(
      /^Could not list the open pull requests from gitops-dispatch\/dev\/app in org\/gitops: HTTP 401, the token was rejected: it is invalid, expired or revoked\. GitHub said: "Bad credentials"/,
    );
    expect((error as Error).message).toMatch(/input 'token'.*"Pull requests: Read and write"/);
  });
});
