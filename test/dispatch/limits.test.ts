/**
 * Time limits and size limits of the GitHub client: a request that never answers times out per attempt, is retried
 * within a total budget, and ends with a message naming the request and the limit; an error page is quoted only in
 * part; a 404 names the permission the token needs.
 */
import { describe, expect, it, vi } from 'vitest';
import { GitHubApiError, GitHubClient, type RequestFn, toGitHubApiError } from '../../core/github/client.js';
import { excerpt, MAX_QUOTED_CHARS } from '../../core/github/excerpt.js';
import { explainFailure } from '../../core/github/explain.js';
import { MemoryLogger } from '../../core/logger.js';

const repositoryDispatch = {
  mode: 'repository_dispatch' as const,
  repository: 'org/gitops',
  action: 'send the repository_dispatch event',
};

/** A request function that never answers, recording each attempt's abort signal. */
function hung() {
  const signals: AbortSignal[] = [];
  const request: RequestFn = (_route, _params, options) => {
    if (options?.signal) signals.push(options.signal);
    return new Promise(() => {});
  };
  return { signals, request };
}

function client(request: RequestFn, options: Partial<ConstructorParameters<typeof GitHubClient>[0]> = {}) {
  return new GitHubClient({
    request,
    logger: new MemoryLogger(),
    sleep: async () => {},
    backoffMs: () => 0,
    ...options,
  });
}

describe('GitHubClient time limits', () => {
  it('times out each attempt, aborts it, retries, and names the request and the limit', async () => {
    const { signals, request } = hung();
    const logger = new MemoryLogger();
    const error = await client(request, { logger, maxAttempts: 3, limits: { timeoutMs: 20, budgetMs: 60_000 } })
      .request('POST /repos/{owner}/{repo}/dispatches', { owner: 'org', repo: 'gitops' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    const e = error as GitHubApiError;
    expect(e.timedOut).toBe(true);
    expect(e.isNetworkError).toBe(true);
    expect(e.message).toBe(
      'POST /repos/{owner}/{repo}/dispatches: no answer within 0.02 s (time limit of one request)',
    );
    expect(e.attempts).toMatchObject({ count: 3, budgetExhausted: false });
    // Every attempt's request was aborted, so no hung connection stays open.
    expect(signals).toHaveLength(3);
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(logger.messages('warning')).toHaveLength(2);
    expect(logger.messages('warning')[0]).toContain('no answer within 0.02 s');

    const text = explainFailure(e, repositoryDispatch);
    expect(text).toContain('Could not send the repository_dispatch event to org/gitops');
    expect(text).toContain('no answer within 0.02 s');
    expect(text).toContain('after 3 attempts');
    expect(text).toContain('dispatching again is harmless');
  });

  it('stops retrying when the next attempt would start past the total budget', async () => {
    let clock = 0;
    let calls = 0;
    // Each attempt "takes" 100 s on the injected clock and fails without an answer (retryable).
    const request: RequestFn = async () => {
      calls++;
      clock += 100_000;
      throw Object.assign(new Error('socket hang up'), { status: 500 });
    };
    const error = (await client(request, {
      maxAttempts: 10,
      limits: { timeoutMs: 30_000, budgetMs: 250_000 },
      policy: { now: () => clock },
    })
      .request('POST /x')
      .catch((e: unknown) => e)) as GitHubApiError;
    expect(calls).toBe(3);
    expect(error.attempts).toEqual({ count: 3, elapsedMs: 300_000, budgetExhausted: true });
    expect(explainFailure(error, repositoryDispatch)).toContain(
      'after 3 attempts in 300 s (the time budget of one request ran out)',
    );
  });

  it('gives the last attempt only what is left of the budget', async () => {
    const { request } = hung();
    const error = (await client(request, {
      maxAttempts: 1,
      limits: { timeoutMs: 30_000, budgetMs: 40 },
      policy: { now: () => 0 },
    })
      .request('GET /x')
      .catch((e: unknown) => e)) as GitHubApiError;
    expect(error.timedOut).toBe(true);
    expect(error.message).toContain('no answer within 0.04 s');
  });

  it('an answer in time is returned, and its timer is cleared', async () => {
    vi.useFakeTimers();
    try {
      let signal: AbortSignal | undefined;
      const request: RequestFn = async (_route, _params, options) => {
        signal = options?.signal;
        return { status: 204, headers: {}, data: undefined };
      };
      const result = await client(request, { limits: { timeoutMs: 10, budgetMs: 100 } }).request('POST /x');
      expect(result.status).toBe(204);
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(1000);
      expect(signal?.aborted).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('quoting an error body', () => {
  const page = (bytes: number) => {
    const head = '<!DOCTYPE html>\n<html>\n  <head><title>502 Bad Gateway</title></head>\n  <body>\n';
    const tail = '\n  </body>\n</html>\n';
    return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
  };

  it('keeps short text whole, with whitespace collapsed', () => {
    expect(excerpt('Not  Found\n')).toBe('Not Found');
    expect(excerpt('a'.repeat(MAX_QUOTED_CHARS))).toBe('a'.repeat(MAX_QUOTED_CHARS));
  });

  it('cuts a 1 MB page to a few hundred characters and says how big it was', () => {
    const text = page(1_048_576);
    expect(Buffer.byteLength(text)).toBe(1_048_576);
    const quoted = excerpt(text);
    expect(quoted.endsWith('… (1048576 bytes, cut)')).toBe(true);
    expect(quoted.startsWith('<!DOCTYPE html> <html> <head><title>502 Bad Gateway</title></head>')).toBe(true);
    expect(quoted.length).toBeLessThanOrEqual(MAX_QUOTED_CHARS + 30);
  });

  it('never cuts a character in half', () => {
    const quoted = excerpt('🚀'.repeat(MAX_QUOTED_CHARS + 5));
    expect(quoted.startsWith('🚀'.repeat(MAX_QUOTED_CHARS))).toBe(true);
    expect(quoted).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('explainFailure and the error message quote only the start of an HTML error page', () => {
    const body = page(1_048_576);
    // What octokit throws for a text/html error answer: the body as the message and as the data.
    const error = toGitHubApiError('POST /x', {
      status: 502,
      message: body,
      response: { headers: { 'content-type': 'text/html' }, data: body },
    });
    expect(error.message.length).toBeLessThan(400);
    const text = explainFailure(error, repositoryDispatch);
    expect(text).toContain('502 Bad Gateway');
    expect(text).toContain('… (1048576 bytes, cut)');
    expect(text.length).toBeLessThan(800);
  });
});

describe('404 names the permission the token needs', () => {
  const notFound = toGitHubApiError('POST /x', {
    status: 404,
    message: 'Not Found',
    response: { headers: {}, data: { message: 'Not Found' } },
  });

  it('repository_dispatch: Contents: Read and write on the repository, or the classic repo scope', () => {
    const text = explainFailure(notFound, repositoryDispatch);
    expect(text).toContain('HTTP 404');
    expect(text).toContain('the token needs "Contents: Read and write" on org/gitops');
    expect(text).toContain('a classic token needs the "repo" scope');
    expect(text).toContain("Check input 'repository'");
  });

  it('workflow_dispatch: Actions: Read and write', () => {
    const text = explainFailure(notFound, { ...repositoryDispatch, mode: 'workflow_dispatch', workflow: 'r.yml' });
    expect(text).toContain('the token needs "Actions: Read and write" on org/gitops');
    expect(text).not.toContain('Contents: Read and write');
  });
});
