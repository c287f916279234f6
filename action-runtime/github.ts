/** The one place that builds the toolkit's Octokit; core receives only its request function. */
import { getOctokit } from '@actions/github';
import type { RequestFn } from '../core/github/client.js';

export function createRequestFn(token: string, baseUrl: string): RequestFn {
  const octokit = getOctokit(token, {
    baseUrl,
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
