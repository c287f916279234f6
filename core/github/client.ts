/**
 * A small GitHub REST client over a plain request function (octokit.request fits it), so core never imports
 * `@actions/*`. It adds GitHub's media type and API version to every request, gives every attempt a time limit,
 * and retries what is worth retrying within a total time budget.
 */
import type { Endpoints } from '@octokit/types';
import type { Logger } from '../logger.js';
import { jitteredBackoff, realSleep, retry } from '../retry.js';
import { excerpt } from './excerpt.js';

/** `signal` aborts the request when its attempt times out (octokit: `request: { signal }`). */
export type RequestFn = (
  route: string,
  params?: Record<string, unknown>,
  options?: { signal?: AbortSignal },
) => Promise<{ status: number; headers: Record<string, string | number | undefined>; data: unknown }>;

/**
 * What GitHub documents `route` to answer (@octokit/types, for the REST API version in GITHUB_API_HEADERS). Only a
 * type: answers stay `unknown` until checked, since a proxy or an older GitHub Enterprise Server may send otherwise.
 */
export type ResponseData<R extends keyof Endpoints> = Endpoints[R]['response']['data'];

/** A REST route GitHub documents, so a typo in one fails the type check. */
export type Route = keyof Endpoints;

/** Time limits of one request: each attempt, and all attempts together (waits between them included). */
export interface RequestLimits {
  /** One attempt: no complete answer within this many ms counts as a network error (retried). */
  timeoutMs: number;
  /** All attempts of one request, backoff and rate-limit waits included; no attempt starts past it. */
  budgetMs: number;
}

/** About 30 s per attempt; 6 minutes in all, which covers the longest rate-limit wait this client accepts (5 min). */
export const DEFAULT_REQUEST_LIMITS: RequestLimits = { timeoutMs: 30_000, budgetMs: 6 * 60_000 };

/** Seconds for a message: "30 s", "0.05 s". */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Number(s.toPrecision(2))} s`;
}

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
  /** True when the attempt got no complete answer within its time limit. */
  timedOut = false;
  /** Set on the error a retried request finally throws: how many attempts were made, over how long. */
  attempts: { count: number; elapsedMs: number; budgetExhausted: boolean } | undefined;
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
  // octokit makes a text answer (an HTML error page, say) the message: quote only its start.
  return new GitHubApiError(route, status, headers, e?.response?.data, excerpt(message));
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
  /** Time limits per attempt and per request; default DEFAULT_REQUEST_LIMITS. */
  limits?: Partial<RequestLimits>;
  sleep?: (ms: number) => Promise<void>;
  backoffMs?: (attempt: number) => number;
  policy?: Partial<RetryPolicy>;
}

export class GitHubClient {
  private readonly options: GitHubClientOptions;
  private readonly policy: RetryPolicy;
  private readonly limits: RequestLimits;
  constructor(options: GitHubClientOptions) {
    this.options = options;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.limits = { ...DEFAULT_REQUEST_LIMITS, ...options.limits };
  }

  /**
   * Sends `route`, retrying 5xx, network errors, timeouts and rate limits (bounded by attempts and by the time
   * budget); throws GitHubApiError otherwise.
   */
  async request(route: string, params: Record<string, unknown> = {}) {
    const { logger } = this.options;
    const { timeoutMs, budgetMs } = this.limits;
    const maxAttempts = this.options.maxAttempts ?? 5;
    const now = this.policy.now;
    const withHeaders = {
      ...params,
      headers: { ...GITHUB_API_HEADERS, ...(params.headers as Record<string, string> | undefined) },
    };
    const started = now();
    let attempts = 0;
    let budgetExhausted = false;
    try {
      return await retry(
        async () => {
          attempts++;
          // The last attempt gets what is left of the budget, so the whole request never outlasts it.
          const limit = Math.max(1, Math.min(timeoutMs, budgetMs - (now() - started)));
          return this.attempt(route, withHeaders, limit);
        },
        {
          maxAttempts,
          sleep: this.options.sleep ?? realSleep,
          backoffMs: this.options.backoffMs ?? jitteredBackoff(1000, 30_000),
          shouldRetry: (error) => {
            if (!(error instanceof GitHubApiError)) return false;
            const verdict = retryVerdict(error, this.policy);
            if (!verdict.retry) return false;
            const delayMs = verdict.afterMs ?? 0;
            if (now() - started + delayMs >= budgetMs) {
              budgetExhausted = true;
              return false;
            }
            return verdict.afterMs === undefined ? true : { afterMs: verdict.afterMs };
          },
          onRetry: (error, attempt, delayMs) => {
            const verdict = retryVerdict(error as GitHubApiError, this.policy);
            logger.warning(
              `${route} failed (${verdict.reason}); attempt ${attempt + 1} of ${maxAttempts} in ${(delayMs / 1000).toFixed(1)} s`,
            );
          },
        },
      );
    } catch (error) {
      if (error instanceof GitHubApiError) {
        error.attempts = { count: attempts, elapsedMs: now() - started, budgetExhausted };
      }
      throw error;
    }
  }

  /** One attempt with a time limit: the request is aborted, and a timed-out GitHubApiError thrown, when it is hit. */
  private async attempt(route: string, params: Record<string, unknown>, limitMs: number) {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new GitHubApiError(
          route,
          undefined,
          {},
          undefined,
          `${route}: no answer within ${seconds(limitMs)} (time limit of one request)`,
        );
        error.timedOut = true;
        reject(error);
        controller.abort(error);
      }, limitMs);
    });
    try {
      return await Promise.race([
        this.options.request(route, params, { signal: controller.signal }).catch((error: unknown) => {
          throw toGitHubApiError(route, error);
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
