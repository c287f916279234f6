/** Sends a prepared dispatch and, for workflow_dispatch, follows the run it started. */
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { LIMITS } from '../payload/model.js';
import type { PreparedDispatch } from '../payload/prepare.js';
import { utf8Bytes } from '../payload/serialize.js';
import { realSleep } from '../retry.js';
import { GitHubApiError, type GitHubClient, type ResponseData, type Route } from './client.js';
import { type ExplainContext, explainFailure } from './explain.js';
import { findDispatchedRun, type RunSummary, waitForRunCompletion } from './runs.js';

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
  /** Called once GitHub accepted the event (e.g. to create a deployment); must not throw. */
  onAccepted?: () => Promise<void>;
  /** Called when the started run is known (e.g. to set the deployment in progress); must not throw. */
  onRun?: (run: { id: number; htmlUrl?: string }) => Promise<void>;
  /** Called with the waited run's conclusion, before a failed run throws; must not throw. */
  onConclusion?: (conclusion: string) => Promise<void>;
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
} as const satisfies Record<string, Route>;

/** As GitHub documents them; each field read is checked before use. */
type Repository = ResponseData<typeof ROUTES.getRepository>;
type RunDetails = ResponseData<typeof ROUTES.workflowDispatch>;

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

  const now = options.now ?? Date.now;
  // wait-timeout bounds the whole wait, the search for a repository_dispatch's run included.
  const startedAt = now();
  const runWait = () => ({
    owner: prepared.owner,
    repo: prepared.repo,
    deadline: startedAt + options.waitTimeoutMs,
    timeoutSeconds: Math.round(options.waitTimeoutMs / 1000),
    sleep: options.sleep ?? realSleep,
    now,
    logger,
    pollIntervalMs: options.pollIntervalMs,
  });

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
    await options.onAccepted?.();
    if (!options.wait) return { body };
    const dispatchId = prepared.payload.source?.dispatch_id;
    if (!dispatchId) {
      throw new UserError({
        code: 'run/no-dispatch-id',
        input: 'wait',
        message: "Input 'wait' is true but the payload has no source.dispatch_id to find the run by",
      });
    }
    const runsCall = (route: string, params: Record<string, unknown>, action: string) =>
      callRuns(client, route, params, action, repository);
    const found: RunSummary = await findDispatchedRun(runsCall, dispatchId, startedAt, prepared.eventType, runWait());
    outputs.set('run-id', String(found.id));
    if (found.htmlUrl) outputs.set('run-url', found.htmlUrl);
    await options.onRun?.(found);
    const conclusion = await waitForRunCompletion(runsCall, found, runWait());
    return finishRun(outputs, logger, options, repository, {
      body,
      runId: found.id,
      runUrl: found.htmlUrl,
      conclusion,
    });
  }

  let ref = prepared.ref;
  if (!ref) {
    const answer = await call(
      ROUTES.getRepository,
      { owner: prepared.owner, repo: prepared.repo },
      "look up the default branch (input 'ref' is empty)",
    );
    const defaultBranch = (answer.data as Partial<Repository> | undefined)?.default_branch;
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

  const details = answer.status === 200 ? (answer.data as Partial<RunDetails> | undefined) : undefined;
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
  await options.onAccepted?.();
  if (!options.wait) return { body, ref, runId, runUrl };
  await options.onRun?.({ id: runId, htmlUrl: runUrl });

  const conclusion = await waitForRunCompletion(call, { id: runId, htmlUrl: runUrl }, runWait());
  return finishRun(outputs, logger, options, repository, { body, ref, runId, runUrl, conclusion });
}

async function finishRun(
  outputs: OutputSink,
  logger: Logger,
  options: DispatchOptions,
  repository: string,
  result: DispatchResult & { runId: number; conclusion: string },
): Promise<DispatchResult> {
  const { runId, runUrl, conclusion } = result;
  outputs.set('run-conclusion', conclusion);
  await options.onConclusion?.(conclusion);
  if (conclusion !== 'success') {
    throw new UserError({
      code: 'run/not-successful',
      message: `The dispatched run finished with conclusion '${conclusion}': ${runUrl || `run ${runId} in ${repository}`}`,
    });
  }
  logger.info(`The dispatched run succeeded: ${runUrl || runId}`);
  return result;
}

/** Reading runs needs "Actions: Read-only" on the target, which a dispatch-only token may lack: say so. */
async function callRuns(
  client: GitHubClient,
  route: string,
  params: Record<string, unknown>,
  action: string,
  repository: string,
) {
  try {
    return await client.request(route, params);
  } catch (error) {
    if (error instanceof GitHubApiError) {
      throw new UserError({
        code: `github/${error.status ?? 'network'}`,
        input: error.status === 403 || error.status === 404 ? 'token' : undefined,
        message: explainFailure(error, {
          mode: 'repository_dispatch',
          repository,
          action,
          permission:
            '"Actions: Read-only" (to find and follow the run; input \'wait\' is true) besides "Contents: Read and write"',
        }),
      });
    }
    throw error;
  }
}
