/** Sends a prepared dispatch and, for workflow_dispatch, follows the run it started. */
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { LIMITS } from '../payload/model.js';
import type { PreparedDispatch } from '../payload/prepare.js';
import { utf8Bytes } from '../payload/serialize.js';
import { realSleep } from '../retry.js';
import { GitHubApiError, type GitHubClient } from './client.js';
import { type ExplainContext, explainFailure } from './explain.js';

export type DispatchOutputName = 'payload' | 'run-id' | 'run-url' | 'run-conclusion';

/** Outputs are written as soon as they are known, so a later failure (say, a failed run) still leaves them set. */
export interface OutputSink {
  set(name: DispatchOutputName, value: string): void;
}

export interface DispatchOptions {
  wait: boolean;
  waitTimeoutMs: number;
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface DispatchResult {
  /** The exact request body that GitHub accepted. */
  body: string;
  ref?: string;
  runId?: number;
  runUrl?: string;
  conclusion?: string;
}

const ROUTES = {
  repositoryDispatch: 'POST /repos/{owner}/{repo}/dispatches',
  workflowDispatch: 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
  getRepository: 'GET /repos/{owner}/{repo}',
  getRun: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
} as const;

export async function sendDispatch(
  prepared: PreparedDispatch,
  client: GitHubClient,
  logger: Logger,
  outputs: OutputSink,
  options: DispatchOptions,
): Promise<DispatchResult> {
  const repository = `${prepared.owner}/${prepared.repo}`;
  const context = (action: string): ExplainContext => ({
    mode: prepared.mode,
    repository,
    workflow: prepared.workflow,
    action,
  });
  const call = async (route: string, params: Record<string, unknown>, action: string) => {
    try {
      return await client.request(route, params);
    } catch (error) {
      if (error instanceof GitHubApiError) {
        throw new UserError({
          code: `github/${error.status ?? 'network'}`,
          message: explainFailure(error, context(action)),
        });
      }
      throw error;
    }
  };

  if (prepared.mode === 'repository_dispatch') {
    const body = prepared.body();
    logger.info(`Sending repository_dispatch '${prepared.eventType}' to ${repository} (${utf8Bytes(body)} bytes)`);
    await call(
      ROUTES.repositoryDispatch,
      { owner: prepared.owner, repo: prepared.repo, data: body },
      'send the repository_dispatch event',
    );
    outputs.set('payload', body);
    logger.info(`GitHub accepted the repository_dispatch event for ${repository}`);
    return { body };
  }

  let ref = prepared.ref;
  if (!ref) {
    const answer = await call(
      ROUTES.getRepository,
      { owner: prepared.owner, repo: prepared.repo },
      "look up the default branch (input 'ref' is empty)",
    );
    const defaultBranch = (answer.data as { default_branch?: unknown } | undefined)?.default_branch;
    if (typeof defaultBranch !== 'string' || defaultBranch === '') {
      throw new UserError({
        code: 'github/no-default-branch',
        input: 'ref',
        message: `GitHub did not report a default branch for ${repository}; set input 'ref' to the branch the workflow should run on`,
      });
    }
    ref = defaultBranch;
    logger.info(`Input 'ref' is empty; using ${repository}'s default branch ${JSON.stringify(ref)}`);
  }
  const body = prepared.body(ref);
  if (utf8Bytes(body) > LIMITS.maxBodyBytes) {
    throw new UserError({
      code: 'payload/too-large',
      input: 'ref',
      message: `The request body with ref ${JSON.stringify(ref)} is ${utf8Bytes(body)} bytes; GitHub requires less than 64 KB`,
    });
  }
  logger.info(
    `Sending workflow_dispatch of ${prepared.workflow} on ${ref} to ${repository} (${utf8Bytes(body)} bytes)`,
  );
  const answer = await call(
    ROUTES.workflowDispatch,
    { owner: prepared.owner, repo: prepared.repo, workflow_id: prepared.workflow, data: body },
    `start workflow ${JSON.stringify(prepared.workflow)} with workflow_dispatch`,
  );
  outputs.set('payload', body);

  const details = answer.status === 200 ? (answer.data as Record<string, unknown> | undefined) : undefined;
  const runId = typeof details?.workflow_run_id === 'number' ? details.workflow_run_id : undefined;
  const runUrl = typeof details?.html_url === 'string' ? details.html_url : undefined;
  if (runId === undefined) {
    const why = `GitHub answered ${answer.status} without run details (GitHub Enterprise Server versions without return_run_details do this)`;
    if (options.wait) {
      throw new UserError({
        code: 'github/no-run-details',
        input: 'wait',
        message: `The workflow_dispatch was accepted, but input 'wait' is true and ${why}, so the run cannot be followed. Set 'wait' to false on this server`,
      });
    }
    logger.info(`The workflow_dispatch was accepted; ${why}`);
    return { body, ref };
  }
  outputs.set('run-id', String(runId));
  if (runUrl) outputs.set('run-url', runUrl);
  logger.info(`Started run ${runId}${runUrl ? `: ${runUrl}` : ''}`);
  if (!options.wait) return { body, ref, runId, runUrl };

  const conclusion = await waitForRun(prepared, runId, runUrl, call, logger, options);
  outputs.set('run-conclusion', conclusion);
  if (conclusion !== 'success') {
    throw new UserError({
      code: 'run/not-successful',
      message: `The dispatched run finished with conclusion '${conclusion}': ${runUrl ?? `run ${runId} in ${repository}`}`,
    });
  }
  logger.info(`The dispatched run succeeded: ${runUrl ?? runId}`);
  return { body, ref, runId, runUrl, conclusion };
}

async function waitForRun(
  prepared: PreparedDispatch,
  runId: number,
  runUrl: string | undefined,
  call: (route: string, params: Record<string, unknown>, action: string) => Promise<{ data: unknown }>,
  logger: Logger,
  options: DispatchOptions,
): Promise<string> {
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const interval = options.pollIntervalMs ?? 10_000;
  const started = now();
  let lastStatus = '';
  for (;;) {
    const answer = await call(
      ROUTES.getRun,
      { owner: prepared.owner, repo: prepared.repo, run_id: runId },
      `read the status of run ${runId}`,
    );
    const run = (answer.data ?? {}) as { status?: unknown; conclusion?: unknown };
    const status = typeof run.status === 'string' ? run.status : 'unknown';
    if (status !== lastStatus) logger.info(`Run ${runId} is ${status}`);
    lastStatus = status;
    if (status === 'completed') {
      return typeof run.conclusion === 'string' && run.conclusion ? run.conclusion : 'unknown';
    }
    const elapsed = now() - started;
    if (elapsed + interval > options.waitTimeoutMs) {
      throw new UserError({
        code: 'run/timeout',
        input: 'wait-timeout',
        message: `Run ${runId} did not complete within ${Math.round(options.waitTimeoutMs / 1000)} s (input 'wait-timeout'); last status '${status}'. See ${runUrl ?? `run ${runId}`}`,
      });
    }
    await sleep(interval);
  }
}
