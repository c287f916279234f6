import { describe, expect, it } from 'vitest';
import {
  GitHubApiError,
  GitHubClient,
  type RequestFn,
  rateLimitWaitMs,
  retryVerdict,
  toGitHubApiError,
} from '../../core/github/client.js';
import { MemoryLogger } from '../../core/logger.js';

const NOW = 1_700_000_000_000;
const policy = { maxRateLimitWaitMs: 300_000, secondaryRateLimitWaitMs: 60_000, now: () => NOW };

function answer(status: number, headers: Record<string, string> = {}, data: unknown = {}) {
  return { status, response: { headers, data }, message: `HTTP ${status}` };
}

function apiError(status: number, headers: Record<string, string> = {}, data: unknown = {}) {
  return toGitHubApiError('POST /x', answer(status, headers, data));
}

describe('retryVerdict', () => {
  it.each([500, 502, 503, 504])('retries %i with backoff', (status) => {
    expect(retryVerdict(apiError(status), policy)).toEqual({ retry: true, reason: `HTTP ${status}` });
  });

  it('retries network errors (octokit: status 500 without a response)', () => {
    const error = toGitHubApiError('POST /x', { status: 500, message: 'connect ECONNREFUSED 127.0.0.1:1' });
    expect(error.isNetworkError).toBe(true);
    expect(retryVerdict(error, policy)).toMatchObject({ retry: true });
  });

  it.each([400, 401, 404, 409, 422])('never retries %i', (status) => {
    expect(retryVerdict(apiError(status), policy).retry).toBe(false);
  });

  it('does not retry a 403 that is a permissions problem', () => {
    const error = apiError(
      403,
      { 'x-accepted-github-permissions': 'contents=write', 'x-ratelimit-remaining': '4999' },
      { message: 'Resource not accessible by personal access token' },
    );
    expect(retryVerdict(error, policy).retry).toBe(false);
  });

  it('honours retry-after in seconds on 403 and 429', () => {
    expect(retryVerdict(apiError(403, { 'retry-after': '7' }), policy)).toEqual({
      retry: true,
      reason: 'HTTP 403 rate limit',
      afterMs: 7000,
    });
    expect(retryVerdict(apiError(429, { 'retry-after': '3' }), policy)).toMatchObject({ retry: true, afterMs: 3000 });
  });

  it('honours retry-after as an HTTP date', () => {
    const when = new Date(NOW + 12_000).toUTCString();
    expect(rateLimitWaitMs(apiError(429, { 'retry-after': when }), policy)).toBe(12_000);
  });

  it('waits until x-ratelimit-reset when x-ratelimit-remaining is 0', () => {
    const reset = String(NOW / 1000 + 90);
    const error = apiError(
      403,
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      { message: 'API rate limit exceeded' },
    );
    expect(retryVerdict(error, policy)).toMatchObject({ retry: true, afterMs: 90_000 });
  });

  it('waits a minute for a secondary rate limit without headers, and for a bare 429', () => {
    const error = apiError(403, {}, { message: 'You have exceeded a secondary rate limit.' });
    expect(retryVerdict(error, policy)).toMatchObject({ retry: true, afterMs: 60_000 });
    expect(retryVerdict(apiError(429), policy)).toMatchObject({ retry: true, afterMs: 60_000 });
  });

  it('gives up at once when the rate limit would last longer than the bound', () => {
    const verdict = retryVerdict(apiError(429, { 'retry-after': '3600' }), policy);
    expect(verdict.retry).toBe(false);
    expect(verdict.reason).toContain('3600 s');
  });
});

describe('GitHubClient', () => {
  function scripted(replies: ({ status: number; headers?: Record<string, string>; data?: unknown } | Error)[]) {
    const calls: { route: string; params?: Record<string, unknown> }[] = [];
    const request: RequestFn = async (route, params) => {
      calls.push({ route, params });
      const reply = replies.shift();
      if (!reply) throw new Error('no more replies');
      if (reply instanceof Error) throw reply;
      if (reply.status >= 400) throw answer(reply.status, reply.headers, reply.data);
      return { status: reply.status, headers: reply.headers ?? {}, data: reply.data };
    };
    return { calls, request };
  }

  function client(request: RequestFn, sleeps: number[], logger = new MemoryLogger()) {
    return new GitHubClient({
      request,
      logger,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      backoffMs: (attempt) => attempt * 10,
      policy,
    });
  }

  it('sends the GitHub media type and API version on every request, keeping caller params', async () => {
    const { calls, request } = scripted([{ status: 204 }]);
    await client(request, []).request('POST /repos/{owner}/{repo}/dispatches', { owner: 'o', repo: 'r', data: '{}' });
    expect(calls[0]!.params).toMatchObject({
      owner: 'o',
      repo: 'r',
      data: '{}',
      headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
    });
  });

  it('retries 500 and 502, then succeeds, sleeping the injected backoff', async () => {
    const { calls, request } = scripted([{ status: 500 }, { status: 502 }, { status: 204 }]);
    const sleeps: number[] = [];
    const logger = new MemoryLogger();
    const result = await client(request, sleeps, logger).request('POST /x');
    expect(result.status).toBe(204);
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([10, 20]);
    expect(logger.messages('warning')[0]).toContain('HTTP 500');
  });

  it('sleeps retry-after on a 403 secondary rate limit', async () => {
    const { calls, request } = scripted([{ status: 403, headers: { 'retry-after': '2' } }, { status: 204 }]);
    const sleeps: number[] = [];
    await client(request, sleeps).request('POST /x');
    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
  });

  it('stops after maxAttempts and throws the last GitHubApiError', async () => {
    const { calls, request } = scripted(Array.from({ length: 6 }, () => ({ status: 503 })));
    const error = await client(request, [])
      .request('POST /x')
      .catch((e) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error.status).toBe(503);
    expect(calls).toHaveLength(5);
  });

  it.each([401, 404, 422])('sends %i once', async (status) => {
    const { calls, request } = scripted([{ status }, { status: 204 }]);
    const error = await client(request, [])
      .request('POST /x')
      .catch((e) => e);
    expect(error.status).toBe(status);
    expect(calls).toHaveLength(1);
  });
});
