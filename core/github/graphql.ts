/**
 * A small client for GitHub's GraphQL API over `fetch`, so core never imports `@actions/*`.
 *
 * Failures come in two shapes, as GitHub sends them: an HTTP error (401, 403 with or without retry-after, 5xx, no
 * answer at all) becomes a `GitHubApiError` like the REST client's; an HTTP 200 whose body holds `errors` becomes a
 * `GraphqlError`, matched by each error's `type` (STALE_DATA, NOT_FOUND, FORBIDDEN, RATE_LIMITED, ...), never by its
 * message text. Queries are retried (5xx, network, rate limits: the REST client's policy); a mutation is sent once,
 * because an error after sending may mean it was applied: the caller decides what to check before trying again.
 */
import type { Logger } from '../logger.js';
import { jitteredBackoff, realSleep, retry } from '../retry.js';
import { DEFAULT_RETRY_POLICY, GitHubApiError, type RetryPolicy, retryVerdict } from './client.js';

export interface GraphqlErrorItem {
  type?: string;
  message: string;
  path?: (string | number)[];
}

/** An answer whose body held `errors` (HTTP 200 in GitHub's GraphQL API). */
export class GraphqlError extends Error {
  readonly errors: GraphqlErrorItem[];
  readonly data: unknown;
  readonly headers: Record<string, string>;
  constructor(errors: GraphqlErrorItem[], data: unknown, headers: Record<string, string>) {
    super(errors.map((e) => (e.type ? `${e.type}: ${e.message}` : e.message)).join('; '));
    this.name = 'GraphqlError';
    this.errors = errors;
    this.data = data;
    this.headers = headers;
  }

  hasType(type: string): boolean {
    return this.errors.some((e) => e.type === type);
  }

  get types(): string[] {
    return [...new Set(this.errors.map((e) => e.type ?? 'UNKNOWN'))];
  }
}

/** One POST of a GraphQL document; returns the HTTP answer, or throws when none arrived (network, timeout). */
export type GraphqlTransport = (body: {
  query: string;
  variables: Record<string, unknown>;
}) => Promise<{ status: number; headers: Record<string, string>; body: unknown }>;

/**
 * The GraphQL endpoint for `apiUrl`: `<server>/api/graphql` for GitHub Enterprise Server's `<server>/api/v3`, else
 * `<apiUrl>/graphql` (https://api.github.com -> https://api.github.com/graphql).
 */
export function graphqlUrlFor(apiUrl: string): string {
  const base = apiUrl.replace(/\/+$/, '');
  return /\/api\/v3$/.test(base) ? base.replace(/\/v3$/, '/graphql') : `${base}/graphql`;
}

export interface FetchTransportOptions {
  url: string;
  token: string;
  /** Per request; a request that takes longer is aborted and reported as a network error. Default 60 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  userAgent?: string;
}

export function fetchTransport(o: FetchTransportOptions): GraphqlTransport {
  const doFetch = o.fetch ?? fetch;
  return async (body) => {
    const response = await doFetch(o.url, {
      method: 'POST',
      headers: {
        authorization: `bearer ${o.token}`,
        'content-type': 'application/json',
        accept: 'application/vnd.github+json',
        'user-agent': o.userAgent ?? 'gitops-dispatch',
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(o.timeoutMs ?? 60_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (an HTML error page from a proxy): kept as text for the error message
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    return { status: response.status, headers, body: parsed };
  };
}

export interface GraphqlClientOptions {
  transport: GraphqlTransport;
  logger: Logger;
  /** Attempts per query, the first included (default 5). Mutations are sent once. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  backoffMs?: (attempt: number) => number;
  policy?: Partial<RetryPolicy>;
}

const ROUTE = 'POST /graphql';

export class GitHubGraphql {
  private readonly o: GraphqlClientOptions;
  private readonly policy: RetryPolicy;
  /** Documents sent, the retried ones included (benchmarks and tests count them). */
  requests = 0;
  constructor(options: GraphqlClientOptions) {
    this.o = options;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  }

  /** One attempt: the `data` of an answer without errors, else GitHubApiError / GraphqlError. */
  async send<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    this.requests++;
    let answer: Awaited<ReturnType<GraphqlTransport>>;
    try {
      answer = await this.o.transport({ query, variables });
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new GitHubApiError(ROUTE, undefined, {}, undefined, reason);
    }
    const { status, headers, body } = answer;
    if (status < 200 || status >= 300) {
      const message = (body as { message?: unknown } | undefined)?.message;
      throw new GitHubApiError(
        ROUTE,
        status,
        headers,
        body,
        `HTTP ${status}${typeof message === 'string' ? `: ${message}` : ''}`,
      );
    }
    const b = (body ?? {}) as { data?: unknown; errors?: unknown };
    if (Array.isArray(b.errors) && b.errors.length > 0) {
      const errors = b.errors.map((e): GraphqlErrorItem => {
        const item = (e ?? {}) as { type?: unknown; message?: unknown; path?: unknown };
        return {
          type: typeof item.type === 'string' ? item.type : undefined,
          message: typeof item.message === 'string' ? item.message : JSON.stringify(e),
          path: Array.isArray(item.path) ? (item.path as (string | number)[]) : undefined,
        };
      });
      throw new GraphqlError(errors, b.data, headers);
    }
    if (b.data === undefined || b.data === null) {
      throw new GitHubApiError(ROUTE, status, headers, body, `HTTP ${status} without data`);
    }
    return b.data as T;
  }

  /** A read: retried on 5xx, network errors and rate limits (HTTP or RATE_LIMITED), bounded. */
  query<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const maxAttempts = this.o.maxAttempts ?? 5;
    return retry(() => this.send<T>(query, variables), {
      maxAttempts,
      sleep: this.o.sleep ?? realSleep,
      backoffMs: this.o.backoffMs ?? jitteredBackoff(1000, 30_000),
      shouldRetry: (error) => {
        const verdict = this.retryVerdict(error);
        if (!verdict.retry) return false;
        return verdict.afterMs === undefined ? true : { afterMs: verdict.afterMs };
      },
      onRetry: (error, attempt, delayMs) => {
        this.o.logger.warning(
          `GitHub GraphQL query failed (${this.retryVerdict(error).reason}); attempt ${attempt + 1} of ${maxAttempts} in ${(delayMs / 1000).toFixed(1)} s`,
        );
      },
    });
  }

  /** Whether `error` is worth another attempt of the same request, and after how long. */
  retryVerdict(error: unknown): { retry: boolean; reason: string; afterMs?: number } {
    if (error instanceof GitHubApiError) return retryVerdict(error, this.policy);
    if (error instanceof GraphqlError && error.hasType('RATE_LIMITED')) {
      const reset = Number(error.headers['x-ratelimit-reset']);
      const waitMs = Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - this.policy.now()) : 60_000;
      if (waitMs > this.policy.maxRateLimitWaitMs) {
        return { retry: false, reason: `rate limited for ${Math.ceil(waitMs / 1000)} s` };
      }
      return { retry: true, reason: 'RATE_LIMITED', afterMs: waitMs };
    }
    return { retry: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
