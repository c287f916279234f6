/** core/github/dispatch.ts through the real Octokit wiring of the action, against the loopback GitHub API. */
import { afterEach, describe, expect, it } from 'vitest';
import { createRequestFn } from '../../action-runtime/github.js';
import { ProblemList, UserError } from '../../core/errors.js';
import { GitHubClient } from '../../core/github/client.js';
import { type DispatchOutputName, sendDispatch } from '../../core/github/dispatch.js';
import { MemoryLogger } from '../../core/logger.js';
import { type DispatchSpec, prepareDispatch } from '../../core/payload/prepare.js';
import { type GitHubApi, githubError, startGitHubApi } from '../support/github-api.js';

const TOKEN = 'ghp_dispatchTestToken123';
let api: GitHubApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function prepared(overrides: Partial<DispatchSpec> = {}) {
  const problems = new ProblemList();
  const p = prepareDispatch(
    {
      mode: 'repository_dispatch',
      repository: 'org/gitops',
      eventType: 'update-gitops-repo',
      fields: { dockerImageTag: '2.0.0-stable', gitBranch: 'main', commitMessage: 'a "quoted"\nmessage' },
      userKeys: {},
      ...overrides,
    },
    problems,
    new MemoryLogger(),
  );
  problems.throwIfAny();
  return p!;
}

async function send(
  overrides: Partial<DispatchSpec>,
  options: { wait?: boolean; waitTimeoutMs?: number; baseSuffix?: string } = {},
) {
  api ??= await startGitHubApi({ token: TOKEN, repositories: { 'org/gitops': { defaultBranch: 'trunk' } } });
  const logger = new MemoryLogger();
  const outputs: Partial<Record<DispatchOutputName, string>> = {};
  let clock = 0;
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock += ms;
  };
  const client = new GitHubClient({
    request: createRequestFn(TOKEN, api.url + (options.baseSuffix ?? '')),
    logger,
    sleep,
  });
  const run = sendDispatch(
    prepared(overrides),
    client,
    logger,
    { set: (n, v) => (outputs[n] = v) },
    {
      wait: options.wait ?? false,
      waitTimeoutMs: options.waitTimeoutMs ?? 600_000,
      pollIntervalMs: 5000,
      sleep,
      now: () => clock,
    },
  );
  const result = await run.catch((error: unknown) => error);
  return { result, outputs, logger, sleeps, api };
}

const WF = { mode: 'workflow_dispatch' as const, workflow: 'receive.yml' };

describe('sendDispatch', () => {
  it('repository_dispatch: one schema-valid request with the exact serialised body, via a GHES base URL', async () => {
    const { result, outputs, api } = await send({}, { baseSuffix: '/api/v3' });
    expect(result).not.toBeInstanceOf(Error);
    expect(api.violations).toEqual([]);
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request!.path).toBe('/api/v3/repos/org/gitops/dispatches');
    expect(request!.headers.accept).toBe('application/vnd.github+json');
    expect(request!.headers['x-github-api-version']).toBe('2022-11-28');
    expect(request!.rawBody).toBe(prepared().body());
    expect(outputs.payload).toBe(request!.rawBody);
  });

  it('workflow_dispatch without ref: looks up the default branch, sends string inputs, sets run outputs', async () => {
    const { result, outputs, api } = await send(WF);
    expect(result).toMatchObject({ ref: 'trunk', runId: 1000 });
    expect(api.violations).toEqual([]);
    expect(api.requests.map((r) => r.operationId)).toEqual(['repos/get', 'actions/create-workflow-dispatch']);
    const body = api.requests[1]!.body as { ref: string; inputs: Record<string, string>; return_run_details: boolean };
    expect(body.ref).toBe('trunk');
    expect(body.return_run_details).toBe(true);
    expect(body.inputs.commit_message).toBe('a "quoted"\nmessage');
    expect(outputs).toMatchObject({ 'run-id': '1000', 'run-url': 'https://github.com/org/gitops/actions/runs/1000' });
    expect(outputs['run-conclusion']).toBeUndefined();
  });

  it('wait: polls queued -> in_progress -> completed and reports success', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const run = (status: string, conclusion: string | null) => ({
      status: 200,
      body: api!.sample('actions/get-workflow-run', { id: 1000, status, conclusion }),
    });
    api.reply('actions/get-workflow-run', run('queued', null), run('in_progress', null), run('completed', 'success'));
    const { result, outputs, sleeps, logger } = await send({ ...WF, ref: 'main' }, { wait: true });
    expect(result).toMatchObject({ conclusion: 'success' });
    expect(outputs['run-conclusion']).toBe('success');
    expect(sleeps).toEqual([5000, 5000]);
    expect(logger.messages('info').filter((m) => m.startsWith('Run 1000 is'))).toEqual([
      'Run 1000 is queued',
      'Run 1000 is in_progress',
      'Run 1000 is completed',
    ]);
  });

  it('wait: a failed run fails, naming the run URL, and still sets the outputs', async () => {
    api = await startGitHubApi({ token: TOKEN });
    api.reply('actions/get-workflow-run', {
      status: 200,
      body: api.sample('actions/get-workflow-run', { id: 1000, status: 'completed', conclusion: 'failure' }),
    });
    const { result, outputs } = await send({ ...WF, ref: 'main' }, { wait: true });
    expect(result).toBeInstanceOf(UserError);
    expect((result as UserError).problems[0]!.code).toBe('run/not-successful');
    expect((result as Error).message).toContain("conclusion 'failure'");
    expect((result as Error).message).toContain('https://github.com/org/gitops/actions/runs/1000');
    expect(outputs).toMatchObject({ 'run-id': '1000', 'run-conclusion': 'failure' });
  });

  it('wait: gives up after wait-timeout with the last status', async () => {
    api = await startGitHubApi({ token: TOKEN });
    api.handle('actions/get-workflow-run', () => ({
      status: 200,
      body: api!.sample('actions/get-workflow-run', { id: 1000, status: 'in_progress', conclusion: null }),
    }));
    const { result, sleeps } = await send({ ...WF, ref: 'main' }, { wait: true, waitTimeoutMs: 20_000 });
    expect((result as UserError).problems[0]).toMatchObject({ code: 'run/timeout', input: 'wait-timeout' });
    expect((result as Error).message).toContain("last status 'in_progress'");
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20_000);
  });

  it('wait on a server that answers 204 without run details fails clearly', async () => {
    api = await startGitHubApi({ token: TOKEN });
    api.reply('actions/create-workflow-dispatch', { status: 204 });
    const { result } = await send({ ...WF, ref: 'main' }, { wait: true });
    expect((result as UserError).problems[0]).toMatchObject({ code: 'github/no-run-details', input: 'wait' });
  });

  it('an explained failure is a UserError with the status in its code, after exactly one request', async () => {
    api = await startGitHubApi({ token: TOKEN });
    api.reply('repos/create-dispatch-event', githubError(404, 'Not Found'));
    const { result, api: server } = await send({});
    expect((result as UserError).problems[0]!.code).toBe('github/404');
    expect((result as Error).message).toContain('org/gitops');
    expect(server.requests).toHaveLength(1);
  });

  it('network errors are retried, then explained pointing at api-url', async () => {
    const closed = await startGitHubApi();
    const deadUrl = closed.url;
    await closed.close();
    const logger = new MemoryLogger();
    const sleeps: number[] = [];
    const client = new GitHubClient({
      request: createRequestFn(TOKEN, deadUrl),
      logger,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const outputs: Record<string, string> = {};
    const error = await sendDispatch(
      prepared(),
      client,
      logger,
      { set: (n, v) => (outputs[n] = v) },
      {
        wait: false,
        waitTimeoutMs: 1000,
      },
    ).catch((e: unknown) => e);
    expect((error as UserError).problems[0]!.code).toBe('github/network');
    expect((error as Error).message).toContain("input 'api-url'");
    expect(sleeps).toHaveLength(4);
    expect(outputs).toEqual({});
  });

  it('a wrong token is answered 401 by the server and explained', async () => {
    api = await startGitHubApi({ token: 'another-token' });
    const { result } = await send({});
    expect((result as UserError).problems[0]!.code).toBe('github/401');
  });
});
