import { DEFAULT_GIT_NETWORK_LIMITS, type GitNetworkLimits } from '../core/git/index.js';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../core/github/index.js';

/**
 * Test-only: multiplies every time limit (GitHub API request timeout and budget, git's kill timer and low-speed
 * time) by this factor in (0, 1], so the integration tests of the bundles see a hung server time out in
 * milliseconds. Never set it in a workflow.
 */
export const TEST_TIMEOUT_SCALE_VARIABLE = 'GITOPS_DISPATCH_TEST_ONLY_TIMEOUT_SCALE';

function scale(env: NodeJS.ProcessEnv): number {
  const raw = env[TEST_TIMEOUT_SCALE_VARIABLE];
  const factor = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(factor) && factor > 0 && factor <= 1 ? factor : 1;
}

export function requestLimits(env: NodeJS.ProcessEnv): RequestLimits {
  const f = scale(env);
  return {
    timeoutMs: Math.max(1, Math.round(DEFAULT_REQUEST_LIMITS.timeoutMs * f)),
    budgetMs: Math.max(1, Math.round(DEFAULT_REQUEST_LIMITS.budgetMs * f)),
  };
}

export function gitNetworkLimits(env: NodeJS.ProcessEnv): GitNetworkLimits {
  const f = scale(env);
  return {
    ...DEFAULT_GIT_NETWORK_LIMITS,
    // git takes whole seconds here.
    lowSpeedTimeSeconds: Math.max(1, Math.round(DEFAULT_GIT_NETWORK_LIMITS.lowSpeedTimeSeconds * f)),
    killAfterMs: Math.max(1, Math.round(DEFAULT_GIT_NETWORK_LIMITS.killAfterMs * f)),
  };
}
