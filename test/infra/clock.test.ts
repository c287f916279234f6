/** action-runtime/sleep.ts scaledClock: deadlines pass in tests as they would in a workflow. */
import { describe, expect, it } from 'vitest';
import { scaledClock, TEST_SLEEP_SCALE_VARIABLE } from '../../action-runtime/sleep.js';

describe('scaledClock', () => {
  it('with the test scale 0 the clock moves by every wait asked for', async () => {
    const { sleep, now } = scaledClock({ [TEST_SLEEP_SCALE_VARIABLE]: '0' });
    const t0 = now();
    await sleep(600_000);
    await sleep(15_000);
    expect(now() - t0).toBeGreaterThanOrEqual(615_000);
  });

  it('without the variable it is the real clock', () => {
    const { now } = scaledClock({});
    const before = Date.now();
    const read = now();
    expect(read).toBeGreaterThanOrEqual(before);
    expect(read).toBeLessThanOrEqual(Date.now());
  });
});
