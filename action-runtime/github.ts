/** The one place that builds the toolkit's Octokit; core receives only its request function. */
import { getOctokit } from '@actions/github';
import type { RequestFn } from '../core/github/client.js';

export function createRequestFn(token: string, baseUrl: string): RequestFn {
  const octokit = getOctokit(token, {
    baseUrl,
    // Octokit would print deprecation notices to the console; core's logger reports what matters.
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  return async (route, params) => {
    const response = await octokit.request(route, params);
    return {
      status: response.status,
      headers: response.headers as Record<string, string | number | undefined>,
      data: response.data,
    };
  };
}
