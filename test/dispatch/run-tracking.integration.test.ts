/**
 * Issue 13 through dispatch-action/action.yml (composite harness, the built bundle, the loopback GitHub API with
 * GitHub's schemas): a repository_dispatch's run is found by the dispatch id in its display title, among runs of
 * other dispatches started in the same second; the wait reports its conclusion; a deployment in the application
 * repository follows the documented status sequence. Rebuild first: node scripts/build.mjs dispatch-action
 */

import { afterEach, describe, expect, it } from 'vitest';
import { deploymentStateFor } from '../../core/github/deployments.js';
import { dispatchTitleToken, newDispatchId, RUN_NAME_EXPRESSION } from '../../core/github/runs.js';
import { evaluate } from '../e2e/workflow.js';
import { dispatchActionDir } from '../support/actions.js';
import { type CompositeRunResult, runCompositeAction } from '../support/composite.js';
import { tempDir } from '../support/git.js';
import { type GitHubApi, githubError, type NewRun, startGitHubApi } from '../support/github-api.js';

const actionDir = dispatchActionDir;
const TOKEN = 'github_pat_11AAAAAAA0dispatchSecret_runs';
const APP_TOKEN = 'ghs_appRepoOwnRunToken00000000000000000';
const SHA = 'e'.repeat(40);

let api: GitHubApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

interface Setup {
  /** Runs to add when the dispatch arrives; `ours` gets the dispatch id of the request. */
  onDispatch?: (dispatchId: string, now: string) => NewRun[];
  /** Queues replies before the action runs. */
  before?: (api: GitHubApi) => void;
}

async function runAction(inputs: Record<string, string>, setup: Setup = {}) {
  api = await startGitHubApi({
    token: TOKEN,
    tokenFor: { 'org/app': APP_TOKEN },
    repositories: { 'org/app-gitops': { defaultBranch: 'main' }, 'org/app': { defaultBranch: 'main' } },
  });
  const local = api;
  local.handle('repos/create-dispatch-event', (req) => {
    const id = (req.body as { client_payload: { source: { dispatch_id: string } } }).client_payload.source.dispatch_id;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const run of setup.onDispatch?.(id, now) ?? []) local.addRun(run);
    return { status: 204 };
  });
  setup.before?.(local);
  const result = await runCompositeAction({
    actionDir,
    workspace: await tempDir(),
    inputs: { token: TOKEN, repository: 'org/app-gitops', 'image-tag': '1.4.2-dev', ...inputs },
    github: {
      event_name: 'push',
      event: { head_commit: { message: 'feat: x' } },
      repository: 'org/app',
      sha: SHA,
      ref: 'refs/heads/main',
      ref_name: 'main',
      run_id: '4242',
      server_url: 'https://github.com',
      api_url: local.url,
      actor: 'octocat',
      token: APP_TOKEN,
    },
    env: { GITOPS_DISPATCH_TEST_ONLY_SLEEP_SCALE: '0' },
  });
  return { result, api: local };
}

const gitops = (displayTitle: string, extra: Partial<NewRun> = {}): NewRun => ({
  owner: 'org',
  repo: 'app-gitops',
  displayTitle,
  ...extra,
});

function errorText(result: CompositeRunResult): string {
  return result.annotations
    .filter((a) => a.level === 'error')
    .map((a) => a.message)
    .join('\n');
}

function expectNoSecret(result: CompositeRunResult) {
  const visible = [result.log, result.summary, JSON.stringify(result.outputs), errorText(result)].join('\n');
  for (const secret of [TOKEN, APP_TOKEN]) expect(visible).not.toContain(secret);
  expect(result.masked).toEqual(expect.arrayContaining([TOKEN, APP_TOKEN]));
}

describe("run-name expression (evaluated by GitHub's expression evaluator)", () => {
  const event = (dispatchId: unknown) => ({
    github: { event_name: 'repository_dispatch', event: { client_payload: { source: { dispatch_id: dispatchId } } } },
  });
  const title = (dispatchId: unknown) => evaluate(RUN_NAME_EXPRESSION.slice(3, -2), event(dispatchId)).coerceString();

  it('shows an id of the expected shape as the token the sender looks for, and nothing else', () => {
    const id = newDispatchId();
    expect(title(id)).toBe(`GitOps update ${dispatchTitleToken(id)}`);
    for (const bad of ['abc', '12', '9999999999999999', '1234567890123456 ] x', '', null, '[dispatch 1]', 'é']) {
      expect(title(bad), JSON.stringify(bad)).toBe('GitOps update');
    }
    expect(
      evaluate(RUN_NAME_EXPRESSION.slice(3, -2), { github: { event_name: 'push', event: {} } }).coerceString(),
    ).toBe('GitOps update');
  });
});

describe('dispatch-action: wait for a repository_dispatch run', () => {
  it('finds its own run among runs of other dispatches started in the same second, waits, reports success', async () => {
    let ours = '';
    let other = '';
    const { result, api } = await runAction(
      { wait: 'true', 'wait-timeout': '120' },
      {
        onDispatch: (id, now) => {
          ours = id;
          other = newDispatchId();
          return [
            // Ours appears only on the third look, queued -> in_progress -> completed.
            gitops(`GitOps update ${dispatchTitleToken(id)}`, { createdAt: now, hiddenForLists: 2 }),
            // Another dispatch, same second, created after ours (listed first), already failed.
            gitops(`GitOps update ${dispatchTitleToken(other)}`, {
              createdAt: now,
              steps: [{ status: 'completed', conclusion: 'failure' }],
            }),
            // A title that only contains our digits inside a longer number, and one without an id.
            gitops(`GitOps update [dispatch ${id}9]`, { createdAt: now }),
            gitops('GitOps update', { createdAt: now }),
            // A workflow_dispatch run with our title: not a repository_dispatch.
            gitops(`GitOps update ${dispatchTitleToken(id)}`, { createdAt: now, event: 'workflow_dispatch' }),
          ];
        },
      },
    );
    expect(result.exitCode, result.log).toBe(0);
    expect(api.violations).toEqual([]);
    expect(ours).not.toBe(other);
    const mine = api.runs.find(
      (r) => r.displayTitle.includes(ours) && r.event === 'repository_dispatch' && !r.displayTitle.includes(`${ours}9`),
    )!;
    expect(result.outputs).toMatchObject({
      'run-id': String(mine.id),
      'run-url': mine.htmlUrl,
      'run-conclusion': 'success',
    });
    const lists = api.requests.filter((r) => r.operationId === 'actions/list-workflow-runs-for-repo');
    expect(lists).toHaveLength(3);
    for (const l of lists) {
      expect(l.query.event).toBe('repository_dispatch');
      expect(l.query.created).toMatch(/^>=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    const gets = api.requests.filter((r) => r.operationId === 'actions/get-workflow-run');
    expect(gets.map((g) => g.params.run_id)).toEqual([String(mine.id), String(mine.id), String(mine.id)]);
    expect(result.log).toContain(`Found run ${mine.id} of dispatch ${ours}`);
    expectNoSecret(result);
  });

  it('fails with the run URL when the found run fails, outputs still set', async () => {
    const { result } = await runAction(
      { wait: 'true' },
      {
        onDispatch: (id, now) => [
          gitops(`x ${dispatchTitleToken(id)}`, {
            createdAt: now,
            steps: [{ status: 'completed', conclusion: 'failure' }],
          }),
        ],
      },
    );
    expect(result.exitCode).toBe(1);
    expect(result.outputs['run-conclusion']).toBe('failure');
    expect(errorText(result)).toContain(`conclusion 'failure': ${result.outputs['run-url']}`);
  });

  it('no run within wait-timeout: fails naming the likely causes', async () => {
    const { result, api } = await runAction(
      { wait: 'true', 'wait-timeout': '30', 'event-type': 'app-image' },
      {
        onDispatch: (_id, now) => [gitops(`GitOps update ${dispatchTitleToken(newDispatchId())}`, { createdAt: now })],
      },
    );
    expect(result.exitCode).toBe(1);
    const text = errorText(result);
    expect(text).toMatch(/No run of dispatch \d{16} appeared in org\/app-gitops within 30 s \(input 'wait-timeout'/);
    expect(text).toContain('default branch');
    expect(text).toContain("'app-image' (input 'event-type')");
    expect(text).toContain('Actions are disabled');
    expect(text).toContain('run-name');
    expect(result.outputs['run-id']).toBe('');
    // Looks at 0, 2, 6, 14 and 29 s (backoff 2, 4, 8, 15 s); the next would pass the 30 s limit.
    const lists = api.requests.filter((r) => r.operationId === 'actions/list-workflow-runs-for-repo');
    expect(lists.length).toBe(5);
  });

  it.each([
    [403, 'Resource not accessible by personal access token', 'actions=read'],
    [404, 'Not Found', 'besides "Contents: Read and write"'],
  ])('a %i on the runs list says the token needs "Actions: Read-only"', async (status, message, words) => {
    const { result } = await runAction(
      { wait: 'true' },
      {
        before: (a) =>
          a.reply(
            'actions/list-workflow-runs-for-repo',
            githubError(status, message, status === 403 ? { 'x-accepted-github-permissions': 'actions=read' } : {}),
          ),
      },
    );
    expect(result.exitCode).toBe(1);
    expect(errorText(result)).toContain('"Actions: Read-only"');
    expect(errorText(result)).toContain(words);
    // The dispatch itself was sent and reported before the wait failed.
    expect(result.outputs.payload).toContain('"event_type"');
    expectNoSecret(result);
  });
});

describe('dispatch-action: deployment in the application repository', () => {
  const deploymentInputs = {
    deployment: 'true',
    environment: 'dev',
    'environment-url': 'https://dev.example.com',
    'production-environment': 'true',
    'github-token': APP_TOKEN,
  };

  it('creates the deployment for the source commit, in_progress with the run as log, then success', async () => {
    const { result, api } = await runAction(deploymentInputs, {
      onDispatch: (id, now) => [gitops(`GitOps update ${dispatchTitleToken(id)}`, { createdAt: now })],
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(api.violations).toEqual([]);
    expect(api.deployments.size).toBe(1);
    const d = [...api.deployments.values()][0]!;
    expect(d).toMatchObject({ owner: 'org', repo: 'app' });
    expect(d.request).toMatchObject({
      ref: SHA,
      environment: 'dev',
      auto_merge: false,
      required_contexts: [],
      production_environment: true,
    });
    const runUrl = result.outputs['run-url'];
    expect(runUrl).toMatch(/\/org\/app-gitops\/actions\/runs\/\d+$/);
    expect(d.statuses).toEqual([
      expect.objectContaining({ state: 'in_progress', log_url: runUrl }),
      expect.objectContaining({
        state: 'success',
        log_url: runUrl,
        environment_url: 'https://dev.example.com',
        auto_inactive: true,
      }),
    ]);
    expect(d.statuses[0]).not.toHaveProperty('environment_url');
    // In the order GitHub sees them: dispatch, deployment, find, status, follow, status.
    const ops = api.requests.map((r) => r.operationId);
    expect(ops.indexOf('repos/create-dispatch-event')).toBeLessThan(ops.indexOf('repos/create-deployment'));
    expect(ops.lastIndexOf('actions/get-workflow-run')).toBeLessThan(ops.lastIndexOf('repos/create-deployment-status'));
    expect(result.summary).toContain('deployment to dev: success');
    expectNoSecret(result);
  });

  it.each([
    ['failure', 'failure'],
    ['timed_out', 'failure'],
    ['cancelled', 'error'],
  ])('a run concluding %s sets the deployment to %s and fails the step', async (conclusion, state) => {
    expect(deploymentStateFor(conclusion)).toBe(state);
    const { result, api } = await runAction(deploymentInputs, {
      onDispatch: (id, now) => [
        gitops(`t ${dispatchTitleToken(id)}`, { createdAt: now, steps: [{ status: 'completed', conclusion }] }),
      ],
    });
    expect(result.exitCode).toBe(1);
    const d = [...api.deployments.values()][0]!;
    expect(d.statuses.map((s) => s.state)).toEqual(['in_progress', state]);
  });

  it('no run found: the deployment ends in error, saying why', async () => {
    const { result, api } = await runAction({ ...deploymentInputs, 'wait-timeout': '10' });
    expect(result.exitCode).toBe(1);
    const d = [...api.deployments.values()][0]!;
    expect(d.statuses.map((s) => s.state)).toEqual(['error']);
    expect(String(d.statuses[0]!.description)).toMatch(/^No conclusion: No run of dispatch/);
    expect(String(d.statuses[0]!.description).length).toBeLessThanOrEqual(140);
  });

  it('a refused deployment (409, then 403 without the permission) only warns; the dispatch and wait go on', async () => {
    for (const [reply, words] of [
      [githubError(409, 'Conflict: Commit status checks failed for main.'), 'HTTP 409'],
      [githubError(403, 'Resource not accessible by integration'), 'deployments: write'],
    ] as const) {
      const { result, api: local } = await runAction(deploymentInputs, {
        onDispatch: (id, now) => [gitops(`t ${dispatchTitleToken(id)}`, { createdAt: now })],
        before: (a) => a.reply('repos/create-deployment', reply),
      });
      expect(result.exitCode, result.log).toBe(0);
      expect(result.outputs['run-conclusion']).toBe('success');
      const warnings = result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
      expect(warnings.join('\n')).toContain(words);
      expect(warnings.join('\n')).toContain('the image was dispatched');
      expect(local.requests.some((r) => r.operationId === 'repos/create-deployment-status')).toBe(false);
      expectNoSecret(result);
      await local.close();
    }
  });
});
