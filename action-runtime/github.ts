/** The one place that builds an Octokit; core receives only its request function. */
import { Octokit } from '@octokit/core';
import type { RequestFn } from '../core/github/index.js';

/** The variables through which @actions/http-client finds a proxy (it also reads no_proxy, only when one is set). */
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'];

// Octokit would print deprecation notices to the console; core's logger reports what matters.
const log = { debug() {}, info() {}, warn() {}, error() {} };

type Request = (
  route: string,
  params?: Record<string, unknown>,
) => Promise<{ status: number; headers: object; data: unknown }>;

/**
 * Without a proxy: @octokit/core over Node's own fetch, as @actions/github's getOctokit would build it (the same
 * `token` authorization and user agent; its REST and pagination plugins add methods these actions do not call).
 * Loading @actions/github costs its HTTP client (a bundled undici) and every REST route at each start, and its
 * fetch compiles the HTTP parser's WebAssembly again, which the process then waits for at exit.
 * With a proxy: @actions/github, loaded then, whose fetch goes through the proxy.
 */
export function createRequestFn(token: string, baseUrl: string, env: NodeJS.ProcessEnv = process.env): RequestFn {
  const useProxy = PROXY_VARIABLES.some((name) => env[name]);
  let request: Request | Promise<Request>;
  if (useProxy) {
    request = import('@actions/github').then(
      ({ getOctokit }) => getOctokit(token, { baseUrl, log }).request as unknown as Request,
    );
    // A failed load is reported by the first request that awaits it, not as an unhandled rejection before.
    request.catch(() => {});
  } else {
    const userAgent = orchestrationUserAgent(env);
    request = new Octokit({
      baseUrl,
      auth: `token ${token}`,
      ...(userAgent ? { userAgent } : {}),
      request: { fetch: globalThis.fetch },
      log,
    }).request as unknown as Request;
  }
  return async (route, params, options) => {
    // The client's time limit aborts the fetch itself, so a hung connection is closed, not left open.
    const extra = options?.signal ? { ...(params?.request as object | undefined), signal: options.signal } : undefined;
    const response = await (await request)(route, extra ? { ...params, request: extra } : params);
    return {
      status: response.status,
      headers: response.headers as Record<string, string | number | undefined>,
      data: response.data,
    };
  };
}

/** The user agent @actions/github adds on a runner that sets ACTIONS_ORCHESTRATION_ID (undefined elsewhere). */
export function orchestrationUserAgent(env: NodeJS.ProcessEnv): string | undefined {
  const id = env.ACTIONS_ORCHESTRATION_ID?.trim();
  return id ? `actions_orchestration_id/${id.replace(/[^a-z0-9_.-]/gi, '_')}` : undefined;
}
