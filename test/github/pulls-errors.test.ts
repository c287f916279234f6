/**
 * Pull request calls fail through the client's error path: one GitHubApiError, explained as explain-api.ts explains
 * any other REST failure of the receiver, whether the request function throws (the client, octokit) or returns the
 * status (a plain fetch wrapper).
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { GitHubApiError, type RequestFn } from '../../core/github/client.js';
import { explainApiFailure } from '../../core/github/explain-api.js';
import { openOrUpdatePullRequest } from '../../core/github/pulls.js';

const base = {
  repository: 'org/gitops',
  head: 'gitops-dispatch/prod/app',
  base: 'main',
  title: 'T',
  body: 'B',
  labels: [],
  reviewers: [],
};
const NOT_PERMITTED = { message: 'GitHub Actions is not permitted to create or approve pull requests.' };

/** Answers by route, as a plain fetch wrapper would: the status is returned, never thrown. */
function returning(answers: Record<string, { status: number; data: unknown }[]>): RequestFn & { routes: string[] } {
  const routes: string[] = [];
  const fn = async (route: string) => {
    routes.push(route);
    const answer = answers[route]?.shift();
    if (!answer) throw new Error(`unexpected ${route}`);
    return { status: answer.status, headers: {}, data: answer.data };
  };
  return Object.assign(fn, { routes });
}

/** Throws as octokit does for an HTTP error (a RequestError with status and response). */
function throwing(status: number, data: unknown): RequestFn {
  return async (route) => {
    if (route.startsWith('GET ')) return { status: 200, headers: {}, data: [] };
    throw Object.assign(new Error(`${(data as { message: string }).message} - https://docs.github.com/rest`), {
      status,
      response: { status, headers: { 'X-GitHub-Request-Id': 'AB:CD' }, data },
    });
  };
}

async function failure(request: RequestFn): Promise<GitHubApiError> {
  const error = await openOrUpdatePullRequest({ ...base, request }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GitHubApiError);
  return error as GitHubApiError;
}

describe('openOrUpdatePullRequest failures', () => {
  it.each([
    ['thrown, as octokit does', throwing(403, NOT_PERMITTED)],
    [
      'returned, as a fetch wrapper does',
      returning({
        'GET /repos/{owner}/{repo}/pulls': [{ status: 200, data: [] }],
        'POST /repos/{owner}/{repo}/pulls': [{ status: 403, data: NOT_PERMITTED }],
      }),
    ],
  ])('a 403 %s gets the same explanation, with the setting to change', async (_, request) => {
    const error = await failure(request);
    expect(error.status).toBe(403);
    expect(error.route).toBe('POST /repos/{owner}/{repo}/pulls');
    expect(error.message).toMatch(
      /^Could not open a pull request from gitops-dispatch\/prod\/app into main in org\/gitops: HTTP 403, the token lacks a permission\. GitHub said: "GitHub Actions is not permitted/,
    );
    expect(error.message).toContain('"Pull requests: Read and write"');
    expect(error.message).toContain("'Allow GitHub Actions to create and approve pull requests'");
  });

  it('a 404 names the API URL and the permission', async () => {
    const error = await failure(throwing(404, { message: 'Not Found' }));
    expect(error.message).toMatch(/HTTP 404 from POST \/repos\/\{owner\}\/\{repo\}\/pulls\. Check input 'api-url'/);
    expect(error.message).toContain('"Pull requests: Read and write"');
  });

  it('a 422 other than "already exists" quotes GitHub\'s details', async () => {
    const error = await failure(
      throwing(422, {
        message: 'Validation Failed',
        errors: [{ resource: 'PullRequest', code: 'invalid', field: 'base' }],
      }),
    );
    expect(error.message).toMatch(
      /HTTP 422, GitHub rejected the request\. GitHub said: "Validation Failed; PullRequest base invalid"/,
    );
  });

  it('no answer at all is explained as such, with the attempts made', async () => {
    const lost = new GitHubApiError('GET /repos/{owner}/{repo}/pulls', undefined, {}, undefined, 'socket hang up');
    lost.attempts = { count: 5, elapsedMs: 152_000, budgetExhausted: false };
    const error = await failure(async () => {
      throw lost;
    });
    expect(error.message).toMatch(
      /^Could not list the open pull requests from gitops-dispatch\/prod\/app in org\/gitops: no answer from GitHub \(socket hang up\) after 5 attempts in 152 s/,
    );
  });

  it('explaining it again (the API landing does) leaves the explanation as it is', async () => {
    const error = await failure(throwing(403, NOT_PERMITTED));
    expect(explainApiFailure(error, { repository: 'org/gitops', action: 'open it', pullRequest: true })).toBe(
      error.message,
    );
  });

  it("passes a caller's own error through unchanged", async () => {
    const own = new UserError({ code: 'github/no-answer', message: 'GitHub did not answer' });
    const error = await openOrUpdatePullRequest({
      ...base,
      request: async () => {
        throw own;
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(own);
  });

  it('a returned 422 "already exists" updates the pull request another run opened', async () => {
    const pull = { number: 7, html_url: 'https://github.com/org/gitops/pull/7' };
    const request = returning({
      'GET /repos/{owner}/{repo}/pulls': [
        { status: 200, data: [] },
        { status: 200, data: [pull] },
      ],
      'POST /repos/{owner}/{repo}/pulls': [
        {
          status: 422,
          data: { message: 'Validation Failed', errors: [{ message: 'A pull request already exists for org:x.' }] },
        },
      ],
      'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': [{ status: 200, data: pull }],
    });
    const result = await openOrUpdatePullRequest({ ...base, request });
    expect(result).toEqual({ url: pull.html_url, number: 7, created: false, warnings: [] });
    expect(request.routes).toEqual([
      'GET /repos/{owner}/{repo}/pulls',
      'POST /repos/{owner}/{repo}/pulls',
      'GET /repos/{owner}/{repo}/pulls',
      'PATCH /repos/{owner}/{repo}/pulls/{pull_number}',
    ]);
  });

  it('an answer without a pull request is refused, not trusted', async () => {
    const request = returning({
      'GET /repos/{owner}/{repo}/pulls': [{ status: 200, data: [] }],
      'POST /repos/{owner}/{repo}/pulls': [{ status: 201, data: { number: '7' } }],
    });
    await expect(openOrUpdatePullRequest({ ...base, request })).rejects.toThrow(/GitHub gave no pull request/);
  });
});
