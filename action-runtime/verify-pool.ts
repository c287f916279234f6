/**
 * Reads edits back on several threads. On a large run the read-back (four YAML readings per edited file) is most of
 * the CPU, and each check is independent. Workers run the action's own bundle (`entry`), which serves checks instead
 * of running the action when it starts as one (`serveVerifyJobs`). Small runs stay on the main thread: a worker
 * costs a bundle load.
 */
import { availableParallelism } from 'node:os';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type EditVerifier, type VerifyJob, verifyHere, verifyJob } from '../core/edit/index.js';
import type { Problem } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

const ROLE = 'gitops-dispatch:verify';
/** Below this many edits the main thread checks them all: starting a worker costs more than it saves. */
export const THREADED_MIN_JOBS = 200;
const BATCH = 25;
const MAX_WORKERS = 3;

type Verdict = Problem[] | undefined;
type Reply = { batch: number; verdicts: Verdict[] } | { batch: number; error: string };

/** True when this thread was started by `threadedVerifier` to check edits. */
export function isVerifyWorker(): boolean {
  return !isMainThread && (workerData as { role?: unknown } | null)?.role === ROLE;
}

/** The worker's side: check each batch sent, answer with its verdicts. */
export function serveVerifyJobs(): void {
  parentPort!.on('message', ({ batch, jobs }: { batch: number; jobs: VerifyJob[] }) => {
    let reply: Reply;
    try {
      reply = { batch, verdicts: jobs.map(verifyJob) };
    } catch (error) {
      reply = { batch, error: error instanceof Error ? error.message : String(error) };
    }
    parentPort!.postMessage(reply);
  });
}

/**
 * Batches go to whichever thread is free, the main thread included, so a slow worker start costs nothing. A worker
 * that fails to start or dies leaves its batch to the main thread.
 */
export function threadedVerifier(entry: URL, logger: Logger): EditVerifier {
  return async (jobs) => {
    const spare = Math.min(availableParallelism() - 1, MAX_WORKERS);
    if (jobs.length < THREADED_MIN_JOBS || spare < 1) return verifyHere(jobs);
    const verdicts: Verdict[] = new Array(jobs.length);
    const batches: number[] = [];
    for (let start = 0; start < jobs.length; start += BATCH) batches.push(start);
    let next = 0;
    let done = 0;
    let failure: Error | undefined;
    // Resolves the main thread's wait once it has nothing left to check itself.
    let wake: (() => void) | undefined;
    const settle = (batch: number, found: Verdict[]) => {
      found.forEach((v, i) => {
        verdicts[batch + i] = v;
      });
      done += 1;
      wake?.();
    };
    const runHere = (batch: number) => settle(batch, jobs.slice(batch, batch + BATCH).map(verifyJob));
    const workers: Worker[] = [];
    let workerBatches = 0;
    const startWorker = () => {
      const worker = new Worker(entry, { workerData: { role: ROLE } });
      workers.push(worker);
      let current: number | undefined;
      const feed = () => {
        if (next >= batches.length) {
          current = undefined;
          return;
        }
        current = batches[next++]!;
        worker.postMessage({ batch: current, jobs: jobs.slice(current, current + BATCH) });
      };
      worker.on('message', (reply: Reply) => {
        if ('error' in reply) {
          failure ??= new Error(`A read-back thread failed: ${reply.error}`);
          wake?.();
        } else {
          settle(reply.batch, reply.verdicts);
          workerBatches += 1;
        }
        feed();
      });
      const lost = () => {
        // Whatever it held is checked here instead.
        if (current !== undefined) runHere(current);
        current = undefined;
      };
      worker.on('error', lost);
      worker.on('exit', lost);
      feed();
    };
    try {
      for (let i = 0; i < spare; i++) startWorker();
      while (done < batches.length) {
        if (failure) throw failure;
        if (next < batches.length) {
          runHere(batches[next++]!);
          // Let worker replies in (and hand them their next batch) between the main thread's own batches.
          await yieldToEvents();
        } else {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
      }
      if (failure) throw failure;
    } finally {
      for (const worker of workers) {
        worker.removeAllListeners('exit');
        void worker.terminate();
      }
    }
    logger.debug(
      `Read back ${jobs.length} edits on ${spare + 1} threads (${workerBatches} of ${batches.length} batches on workers)`,
    );
    return verdicts;
  };
}
