/**
 * A small GitHub REST client over a plain request function (octokit.request fits it), so core never imports
 * `@actions/*`. It adds GitHub's media type and API version to every request and retries what is worth retrying.
 */
import type { Logger } from '../logger.js';
import { jitteredBackoff, realSleep, retry } from '../retry.js';

export type RequestFn = (
  route: string,
  params?: Record<string, unknown>,
) => Promise<{ status: number; headers: Record<string, string | number | undefined>; data: unknown }>;

export type Headers = Record<string, string | number | undefined>;

export const GITHUB_API_HEADERS = {
  accept: 'application/vnd.github+json',
  'x-github-api-version': '2022-11-28',
} as const;

/** A failed request in one shape, whatever threw it (octokit's RequestError carries status and response). */
export class GitHubApiError extends Error {
  readonly status: number | undefined;
  readonly headers: Headers;
  readonly data: unknown;
  readonly route: string;
  constructor(route: string, status: number | undefined, headers: Headers, data: unknown, message: string) {
    super(message);
    this.name = 'GitHubApiError';
    this.route = route;
    this.status = status;
    this.headers = headers;
    this.data = data;
  }

  /** GitHub's own `message` from the error body, when there is one. */
  get githubMessage(): string | undefined {
    const data = this.data as { message?: unknown } | undefined;
    return data && typeof data === 'object' && typeof data.message === 'string' ? data.message : undefined;
  }

  /** True when no HTTP answer arrived (connection refused, reset, DNS): octokit reports these as 500 without a response. */
  get isNetworkError(): boolean {
    return this.status === undefined;
  }
}

export function toGitHubApiError(route: string, error: unknown): GitHubApiError {
  if (error instanceof GitHubApiError) return error;
  const e = error as { status?: unknown; response?: { headers?: Headers; data?: unknown }; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const hasResponse = e?.response !== undefined && e.response !== null;
  const status = typeof e?.status === 'number' && hasResponse ? e.status : undefined;
  const headers = lowerCaseKeys(e?.response?.headers ?? {});
  return new GitHubApiError(route, status, headers, e?.response?.data, message);
}

function lowerCaseKeys(headers: Headers): Headers {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

export type RetryVerdict = { retry: false; reason: string } | { retry: true; reason: string; afterMs?: number };

export interface RetryPolicy {
  /** Longest wait accepted for a rate limit; a longer one fails at once with the time to try again. */
  maxRateLimitWaitMs: number;
  /** Wait for a secondary rate limit without retry-after; GitHub says "at least one minute". */
  secondaryRateLimitWaitMs: number;
  now: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRateLimitWaitMs: 5 * 60_000,
  secondaryRateLimitWaitMs: 60_000,
  now: Date.now,
};

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return value === undefined ? undefined : String(value);
}

/**
 * Rate limit signals as GitHub documents them: `retry-after` (seconds) wins; with `x-ratelimit-remaining: 0` wait
 * until `x-ratelimit-reset` (epoch seconds); a 403/429 that says "secondary rate limit" without either header waits
 * a minute. Returns undefined when the answer is not a rate limit.
 */
export function rateLimitWaitMs(error: GitHubApiError, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number | undefined {
  if (error.status !== 403 && error.status !== 429) return undefined;
  const retryAfter = header(error.headers, 'retry-after');
  if (retryAfter !== undefined && /^\s*\d+\s*$/.test(retryAfter)) return Number(retryAfter) * 1000;
  if (retryAfter !== undefined) {
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - policy.now());
  }
  if (header(error.headers, 'x-ratelimit-remaining') === '0') {
    const reset = Number(header(error.headers, 'x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - policy.now());
  }
  if (error.status === 429 || /rate limit/i.test(error.githubMessage ?? '')) return policy.secondaryRateLimitWaitMs;
  return undefined;
}

/** Which failures are worth another attempt. Never 401, 404, 422 or a permissions 403: they fail the same way again. */
export function retryVerdict(error: GitHubApiError, policy: RetryPolicy = DEFAULT_RETRY_POLICY): RetryVerdict {
  if (error.isNetworkError) return { retry: true, reason: `network error (${error.message})` };
  const status = error.status ?? 0;
  if (status >= 500) return { retry: true, reason: `HTTP ${status}` };
  const waitMs = rateLimitWaitMs(error, policy);
  if (waitMs !== undefined) {
    if (waitMs > policy.maxRateLimitWaitMs) {
      return {
        retry: false,
        reason: `rate limited for ${Math.ceil(waitMs / 1000)} s, longer than the ${Math.round(policy.maxRateLimitWaitMs / 1000)} s this action waits`,
      };
    }
    return { retry: true, reason: `HTTP ${status} rate limit`, afterMs: waitMs };
  }
  return { retry: false, reason: `HTTP ${status}` };
}

export interface GitHubClientOptions {
  request: RequestFn;
  logger: Logger;
  /** Attempts per request, the first included. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  backoffMs?: (attempt: number) => number;
  policy?: Partial<RetryPolicy>;
}

export class GitHubClient {
  private readonly options: GitHubClientOptions;
  private readonly policy: RetryPolicy;
  constructor(options: GitHubClientOptions) {
    this.options = options;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  }

  /** Sends `route`, retrying 5xx, network errors and rate limits (bounded); throws GitHubApiError otherwise. */
  async request(route: string, params: Record<string, unknown> = {}) {
    const { logger } = this.options;
    const withHeaders = {
      ...params,
      headers: { ...GITHUB_API_HEADERS, ...(params.headers as Record<string, string> | undefined) },
    };
    return retry(
      async () => {
        try {
          return await this.options.request(route, withHeaders);
        } catch (error) {
          throw toGitHubApiError(route, error);
        }
      },
      {
        maxAttempts: this.options.maxAttempts ?? 5,
        sleep: this.options.sleep ?? realSleep,
        backoffMs: this.options.backoffMs ?? jitteredBackoff(1000, 30_000),
        shouldRetry: (error) => {
          if (!(error instanceof GitHubApiError)) return false;
          const verdict = retryVerdict(error, this.policy);
          if (!verdict.retry) return false;
          return verdict.afterMs === undefined ? true : { afterMs: verdict.afterMs };
        },
        onRetry: (error, attempt, delayMs) => {
          const verdict = retryVerdict(error as GitHubApiError, this.policy);
          logger.warning(
            `${route} failed (${verdict.reason}); attempt ${attempt + 1} of ${this.options.maxAttempts ?? 5} in ${(delayMs / 1000).toFixed(1)} s`,
          );
        },
      },
    );
  }
}
