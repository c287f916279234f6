/**
 * Following the run a dispatch started. workflow_dispatch reports its run id; a repository_dispatch does not, so the
 * sender puts a unique `source.dispatch_id` in the payload, the receiver's `run-name:` shows it in the run's display
 * title, and the sender finds the run by that title among the target's repository_dispatch runs.
 */
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ResponseData, Route } from './client.js';

/**
 * A dispatch id is a decimal integer in [1e15, 9e15): GitHub's expressions have no regular expressions, but
 * `id >= 1e15 && id < 9e15` coerces a string to a number only when it is a JSON number (written with exponents:
 * actionlint reads integer literals as 32-bit and rejects 1000000000000000),
 * so a receiver's `run-name:` can check the shape before showing it (see RUN_NAME_EXPRESSION).
 */
export const DISPATCH_ID_MIN = 1_000_000_000_000_000n;
export const DISPATCH_ID_MAX = 9_000_000_000_000_000n;
export const DISPATCH_ID_PATTERN = /^[1-8][0-9]{15}$/;

/** A fresh id: 8e15 possible values (about 2^53), so two dispatches in the same second never share one. */
export function newDispatchId(random: (size: number) => Buffer = randomBytes): string {
  const value = random(8).readBigUInt64BE() % (DISPATCH_ID_MAX - DISPATCH_ID_MIN);
  return String(DISPATCH_ID_MIN + value);
}

/** The text a receiver's display title carries for a dispatch: `[dispatch <id>]`. */
export function dispatchTitleToken(dispatchId: string): string {
  return `[dispatch ${dispatchId}]`;
}

/**
 * What the generated receiver (and a hand-written one) sets as `run-name:`: the id only when it has the expected
 * shape, in the form dispatchTitleToken() makes; otherwise a fixed title.
 */
export const RUN_NAME_EXPRESSION =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an Actions expression, written into workflow files as is
  "${{ github.event_name == 'repository_dispatch' && github.event.client_payload.source.dispatch_id >= 1e15 && github.event.client_payload.source.dispatch_id < 9e15 && format('GitOps update [dispatch {0}]', github.event.client_payload.source.dispatch_id) || 'GitOps update' }}";

export interface RunSummary {
  id: number;
  htmlUrl: string;
  displayTitle: string;
  status: string;
  conclusion: string | null;
  createdAt: string;
}

/** True when `title` carries exactly this id (not one that merely starts with the same digits). */
export function titleHasDispatchId(title: string, dispatchId: string): boolean {
  return title.includes(dispatchTitleToken(dispatchId));
}

/** A run as GitHub documents it; every field read is checked, the answer is not trusted blindly. */
type WorkflowRun = ResponseData<typeof ROUTES.getRun>;

export function toRunSummary(raw: unknown): RunSummary | undefined {
  const r = raw as Partial<WorkflowRun> | null;
  if (!r || typeof r !== 'object' || typeof r.id !== 'number') return undefined;
  return {
    id: r.id,
    htmlUrl: typeof r.html_url === 'string' ? r.html_url : '',
    displayTitle: typeof r.display_title === 'string' ? r.display_title : '',
    status: typeof r.status === 'string' ? r.status : 'unknown',
    conclusion: typeof r.conclusion === 'string' ? r.conclusion : null,
    createdAt: typeof r.created_at === 'string' ? r.created_at : '',
  };
}

export type CallFn = (route: string, params: Record<string, unknown>, action: string) => Promise<{ data: unknown }>;

export interface RunWaitOptions {
  owner: string;
  repo: string;
  /** The whole wait ends at this time (ms, `now()` clock): finding the run and waiting for it. */
  deadline: number;
  /** The input that set the limit, named in the timeout error. */
  timeoutSeconds: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  logger: Logger;
  /** Between polls of a found run; default 10 s. */
  pollIntervalMs?: number;
}

export const ROUTES = {
  listRuns: 'GET /repos/{owner}/{repo}/actions/runs',
  getRun: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
} as const satisfies Record<string, Route>;

/** Polls for the search: 2, 4, 8, 15, 15, ... seconds. */
export function searchBackoffMs(attempt: number): number {
  return Math.min(15_000, 2000 * 2 ** attempt);
}

/**
 * Finds the repository_dispatch run whose display title carries `dispatchId`, created at or after `since` (ms;
 * a minute of clock skew allowed). Polls with backoff until `deadline`, then fails naming the likely causes.
 */
export async function findDispatchedRun(
  call: CallFn,
  dispatchId: string,
  since: number,
  eventType: string,
  o: RunWaitOptions,
): Promise<RunSummary> {
  const repository = `${o.owner}/${o.repo}`;
  const created = `>=${new Date(since - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
  o.logger.info(
    `Looking for the run of dispatch ${dispatchId} in ${repository} (display title ${dispatchTitleToken(dispatchId)})`,
  );
  for (let attempt = 0; ; attempt++) {
    const answer = await call(
      ROUTES.listRuns,
      { owner: o.owner, repo: o.repo, event: 'repository_dispatch', created, per_page: 100 },
      'list the workflow runs (to find the run of this dispatch)',
    );
    const listed = (answer.data as Partial<ResponseData<typeof ROUTES.listRuns>> | undefined)?.workflow_runs;
    const runs = (Array.isArray(listed) ? (listed as unknown[]) : [])
      .map(toRunSummary)
      .filter((r): r is RunSummary => r !== undefined);
    const ours = runs.filter((r) => titleHasDispatchId(r.displayTitle, dispatchId));
    if (ours.length > 0) {
      // Several (a re-run keeps its id, a duplicate workflow listens too): the first one created is ours.
      ours.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
      const run = ours[0]!;
      if (ours.length > 1) {
        o.logger.warning(
          `${ours.length} runs in ${repository} carry dispatch ${dispatchId}; following the first, ${run.htmlUrl || run.id}. Are two workflows listening to '${eventType}'?`,
        );
      }
      o.logger.info(`Found run ${run.id} of dispatch ${dispatchId}: ${run.htmlUrl}`);
      return run;
    }
    const delay = searchBackoffMs(attempt);
    if (o.now() + delay > o.deadline) {
      throw new UserError({
        code: 'run/not-found',
        input: 'wait-timeout',
        message: `No run of dispatch ${dispatchId} appeared in ${repository} within ${o.timeoutSeconds} s (input 'wait-timeout'; ${runs.length} other repository_dispatch run(s) seen). The event was accepted, so the likely causes are: the receiving workflow is not on ${repository}'s default branch (GitHub starts repository_dispatch workflows only from there); its 'on: repository_dispatch: types:' does not list '${eventType}' (input 'event-type'); Actions are disabled for ${repository}; or the receiving workflow does not set 'run-name:' with the dispatch id (regenerate it with gitops-dispatch, or add run-name: ${RUN_NAME_EXPRESSION})`,
      });
    }
    await o.sleep(delay);
  }
}

/** Polls a run until it completes or the deadline passes; returns its conclusion. */
export async function waitForRunCompletion(
  call: CallFn,
  run: { id: number; htmlUrl?: string },
  o: RunWaitOptions,
): Promise<string> {
  const interval = o.pollIntervalMs ?? 10_000;
  let lastStatus = '';
  for (;;) {
    const answer = await call(
      ROUTES.getRun,
      { owner: o.owner, repo: o.repo, run_id: run.id },
      `read the status of run ${run.id}`,
    );
    const summary = toRunSummary(answer.data);
    const status = summary?.status ?? 'unknown';
    if (status !== lastStatus) o.logger.info(`Run ${run.id} is ${status}`);
    lastStatus = status;
    if (status === 'completed') return summary?.conclusion || 'unknown';
    if (o.now() + interval > o.deadline) {
      throw new UserError({
        code: 'run/timeout',
        input: 'wait-timeout',
        message: `Run ${run.id} did not complete within ${o.timeoutSeconds} s (input 'wait-timeout'); last status '${status}'. See ${run.htmlUrl || `run ${run.id} in ${o.owner}/${o.repo}`}`,
      });
    }
    await o.sleep(interval);
  }
}
