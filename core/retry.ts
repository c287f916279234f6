/**
 * Bounded retry with an injected sleep, so tests never wait on a real clock.
 * Hand-written, not a retry package: each failure may set its own wait (GitHub's retry-after, rate-limit reset).
 */
export interface RetryOptions {
  maxAttempts: number;
  /** Decides whether `error` is worth another attempt, and may say how long to wait (ms). */
  shouldRetry: (error: unknown, attempt: number) => boolean | { afterMs: number };
  /** Backoff before attempt `attempt + 1` when `shouldRetry` gives no delay. */
  backoffMs?: (attempt: number) => number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter: random in [0, base * 2^(attempt-1)], capped. */
export function jitteredBackoff(baseMs: number, capMs: number, random: () => number = Math.random) {
  return (attempt: number): number => Math.round(random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  const backoff = options.backoffMs ?? jitteredBackoff(1000, 30_000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.maxAttempts) throw error;
      const verdict = options.shouldRetry(error, attempt);
      if (verdict === false) throw error;
      const delayMs = verdict === true ? backoff(attempt) : verdict.afterMs;
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
