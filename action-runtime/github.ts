/** The one place that builds the toolkit's Octokit; core receives only its request function. */
import { getOctokit } from '@actions/github';
import type { RequestFn } from '../core/github/index.js';

/** The variables through which @actions/http-client finds a proxy (it also reads no_proxy, only when one is set). */
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'];

export function createRequestFn(token: string, baseUrl: string, env: NodeJS.ProcessEnv = process.env): RequestFn {
  // Without a proxy, Node's own fetch: the toolkit's fetch (a bundled undici, for proxy support) compiles its HTTP
  // parser's WebAssembly again, and the process then waits ~75 ms at exit for that background compile.
  const useProxy = PROXY_VARIABLES.some((name) => env[name]);
  const octokit = getOctokit(token, {
    baseUrl,
    ...(useProxy ? {} : { request: { fetch: globalThis.fetch } }),
    // Octokit would print deprecation notices to the console; core's logger reports what matters.
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  return async (route, params, options) => {
    // The client's time limit aborts the fetch itself, so a hung connection is closed, not left open.
    const request = options?.signal
      ? { ...(params?.request as object | undefined), signal: options.signal }
      : undefined;
    const response = await octokit.request(route, request ? { ...params, request } : params);
    return {
      status: response.status,
      headers: response.headers as Record<string, string | number | undefined>,
      data: response.data,
    };
  };
}
