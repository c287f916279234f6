import { realSleep } from '../core/retry.js';

/**
 * Test-only: multiplies every wait (retry backoff, rate-limit waits, run polling) by this factor in [0, 1], so the
 * integration tests of the bundles never sleep seconds. Never set it in a workflow.
 */
export const TEST_SLEEP_SCALE_VARIABLE = 'GITOPS_DISPATCH_TEST_ONLY_SLEEP_SCALE';

export function scaledSleep(env: NodeJS.ProcessEnv): (ms: number) => Promise<void> {
  const raw = env[TEST_SLEEP_SCALE_VARIABLE];
  const scale = Number(raw);
  const factor = raw !== undefined && raw !== '' && Number.isFinite(scale) && scale >= 0 && scale <= 1 ? scale : 1;
  return (ms: number) => realSleep(ms * factor);
}

/**
 * A sleep and a clock that agree: the clock moves on by every wait asked for, also by the part the test-only scale
 * skipped, so deadlines (wait-timeout) pass in tests as they would in a workflow. Without the test variable it is
 * the real clock and the real sleep.
 */
export function scaledClock(env: NodeJS.ProcessEnv): { sleep: (ms: number) => Promise<void>; now: () => number } {
  const raw = env[TEST_SLEEP_SCALE_VARIABLE];
  const scale = Number(raw);
  const factor = raw !== undefined && raw !== '' && Number.isFinite(scale) && scale >= 0 && scale <= 1 ? scale : 1;
  let skipped = 0;
  return {
    sleep: (ms: number) => {
      skipped += ms * (1 - factor);
      return realSleep(ms * factor);
    },
    now: () => Date.now() + skipped,
  };
}
