/**
 * dispatch-action/action.yml itself, run through the composite harness (GitHub's parser and evaluator, real bash,
 * the committed bundle) against the loopback GitHub API whose checks come from GitHub's OpenAPI description.
 * Rebuild first: node scripts/build.mjs dispatch-action
 */

import { afterEach, describe, expect, it } from 'vitest';
import { dispatchActionDir } from '../support/actions.js';
import { type CompositeRunResult, runCompositeAction } from '../support/composite.js';
import { tempDir } from '../support/git.js';
import { type GitHubApi, githubError, startGitHubApi } from '../support/github-api.js';

const actionDir = dispatchActionDir;
const TOKEN = 'github_pat_11AAAAAAA0secretTokenValue_xyz';
const TAG = '1.4.2-dev';

// Everything the seed's curl broke on, except NUL, which no environment variable can carry.
const NASTY_MESSAGE = [
  'fix: "quoted" and \'single\' and back\\slash',
  '',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an Actions expression must arrive as plain text
  'tab\there, $& $1 ${{ github.token }} $(id) `id` %0A %25',
  'Grüße 日本語 🚀👩‍👩‍👧 \u2028\u2029 \u001b[31mred',
  '::error::not a command',
  '',
].join('\n');

let api: GitHubApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function runAction(
  inputs: Record<string, string>,
  options: { event?: Record<string, unknown>; env?: Record<string, string> } = {},
): Promise<{ result: CompositeRunResult; api: GitHubApi }> {
  api ??= await startGitHubApi({ token: TOKEN, repositories: { 'org/app-gitops': { defaultBranch: 'main' } } });
  const workspace = await tempDir();
  const result = await runCompositeAction({
    actionDir,
    workspace,
    inputs: { token: TOKEN, repository: 'org/app-gitops', 'image-tag': TAG, ...inputs },
    github: {
      event_name: 'push',
      event: options.event ?? { head_commit: { message: 'from the push event' } },
      repository: 'org/app',
      sha: 'f'.repeat(40),
      ref: 'refs/heads/release/1.4',
      ref_name: 'release/1.4',
      run_id: '4242',
      server_url: 'https://github.com',
      api_url: api.url,
      actor: 'octocat',
    },
    // Test-only: retries and polling must not sleep in tests (see dispatch-action/src/main.ts).
    env: { GITOPS_DISPATCH_TEST_ONLY_SLEEP_SCALE: '0', ...options.env },
  });
  return { result, api };
}

function expectNoTokenLeak(result: CompositeRunResult) {
  expect(result.masked).toContain(TOKEN);
  expect(result.log).not.toContain(TOKEN);
  expect(JSON.stringify(result.outputs)).not.toContain(TOKEN);
  expect(result.summary).not.toContain(TOKEN);
  for (const a of result.annotations) expect(a.message).not.toContain(TOKEN);
  // Printed once, raw, only inside the ::add-mask:: command itself.
  const rawLines = `${result.stdout}\n${result.stderr}`.split('\n').filter((l) => l.includes(TOKEN));
  expect(rawLines).toEqual([`::add-mask::${TOKEN}`]);
}

function errorText(result: CompositeRunResult): string {
  return result.annotations
    .filter((a) => a.level === 'error')
    .map((a) => a.message)
    .join('\n');
}

describe('dispatch-action (composite, bundle, loopback GitHub API)', () => {
  it('annotates every input problem with its code, then fails with a one-line summary, sending nothing', async () => {
    const { result, api } = await runAction({ wait: 'yes', 'wait-timeout': '0', mode: 'Repository_dispatch' });
    expect(result.exitCode).not.toBe(0);
    const errors = result.annotations.filter((a) => a.level === 'error' && !a.message.startsWith('Process completed'));
    expect(errors.map((a) => a.title)).toEqual(['input/choice', 'input/boolean', 'input/integer', undefined]);
    expect(errors[1]!.message).toBe(
      `Input 'wait' is "yes"; expected true or false (True, TRUE, False and FALSE also work)`,
    );
    expect(errors[3]!.message).toBe('3 problems (listed above)');
    expect(api.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('sends one schema-valid repository_dispatch with every string byte-exact, and reports it', async () => {
    const { result, api } = await runAction({
      'commit-message': NASTY_MESSAGE,
      image: 'ghcr.io/org/app',
      digest: `sha256:${'a'.repeat(64)}`,
      'client-payload': JSON.stringify({ environment: 'dev', nested: { quote: '"', emoji: '🚀' } }),
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(api.violations).toEqual([]);
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request!.operationId).toBe('repos/create-dispatch-event');
    expect(request!.headers.accept).toBe('application/vnd.github+json');
    expect(request!.headers['x-github-api-version']).toBe('2022-11-28');
    const body = request!.body as { event_type: string; client_payload: Record<string, unknown> };
    expect(body.event_type).toBe('update-gitops-repo');
    expect(body.client_payload).toEqual({
      docker_image_tag: TAG,
      git_branch: 'release/1.4',
      commit_message: NASTY_MESSAGE,
      image: 'ghcr.io/org/app',
      digest: `sha256:${'a'.repeat(64)}`,
      source: {
        repository: 'org/app',
        sha: 'f'.repeat(40),
        run_id: '4242',
        run_url: 'https://github.com/org/app/actions/runs/4242',
        actor: 'octocat',
        dispatch_id: expect.stringMatching(/^[1-8][0-9]{15}$/),
      },
      environment: 'dev',
      nested: { quote: '"', emoji: '🚀' },
    });
    expect(Buffer.from(body.client_payload.commit_message as string, 'utf8')).toEqual(
      Buffer.from(NASTY_MESSAGE, 'utf8'),
    );
    expect(result.outputs.payload).toBe(request!.rawBody);
    expect(result.outputs['run-id']).toBe('');
    expect(result.summary).toContain('<table>');
    for (const cell of ['org/app-gitops', 'repository_dispatch: update-gitops-repo', TAG, 'ghcr.io/org/app', 'sent']) {
      expect(result.summary).toContain(cell);
    }
    expectNoTokenLeak(result);
  });

  it('defaults commit_message to the push event head commit', async () => {
    const message = 'feat: from event\n\nwith "body"';
    const { result, api } = await runAction({}, { event: { head_commit: { message } } });
    expect(result.exitCode, result.log).toBe(0);
    expect(
      (api.requests[0]!.body as { client_payload: { commit_message: string } }).client_payload.commit_message,
    ).toBe(message);
  });

  it('shortens a 70 KB commit message to fit under 64 KB, warns, and works through a GHES api-url', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const message = `${'Zeile mit Umlauten äöü und "Anführungszeichen"\n'.repeat(1500)}END`;
    expect(Buffer.byteLength(message)).toBeGreaterThan(70_000);
    const { result } = await runAction({ 'commit-message': message, 'api-url': `${api.url}/api/v3` });
    expect(result.exitCode, result.log).toBe(0);
    expect(api.violations).toEqual([]);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.path).toBe('/api/v3/repos/org/app-gitops/dispatches');
    expect(Buffer.byteLength(api.requests[0]!.rawBody, 'utf8')).toBeLessThan(65_536);
    const sent = (api.requests[0]!.body as { client_payload: { commit_message: string } }).client_payload
      .commit_message;
    expect(sent).toMatch(/\[truncated by gitops-dispatch/);
    expect(message.startsWith(sent.slice(0, sent.indexOf('\n… [truncated')))).toBe(true);
    expect(result.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      expect.stringContaining("Input 'commit-message' was shortened"),
    ]);
  });

  it.each([
    [
      401,
      githubError(401, 'Bad credentials'),
      ['invalid, expired or revoked', 'Bad credentials', 'personal-access-tokens/new'],
    ],
    [
      403,
      githubError(403, 'Resource not accessible by personal access token'),
      ['"Contents: Read and write" on org/app-gitops', 'Resource not accessible'],
    ],
    [
      403,
      githubError(403, 'Resource not accessible by personal access token', {
        'x-accepted-github-permissions': 'contents=write',
      }),
      ['X-Accepted-GitHub-Permissions): contents=write', '"Contents: Read and write"'],
    ],
    [
      404,
      githubError(404, 'Not Found'),
      [
        'org/app-gitops',
        'must list org/app-gitops',
        "input 'repository'",
        'the token needs "Contents: Read and write" on org/app-gitops',
        'a classic token needs the "repo" scope',
      ],
    ],
    [422, githubError(422, 'Invalid request. event_type is too long'), ['HTTP 422', 'event_type is too long']],
  ])('HTTP %i: fails after exactly one request with an explanation', async (_status, reply, expected) => {
    api = await startGitHubApi({ token: TOKEN });
    api.reply('repos/create-dispatch-event', reply);
    const { result } = await runAction({ 'commit-message': 'm' });
    expect(result.exitCode).toBe(1);
    expect(api.requests).toHaveLength(1);
    const text = errorText(result);
    for (const part of expected) expect(text).toContain(part);
    expect(result.outputs.payload).toBe('');
    expect(result.summary).toContain('failed');
    expectNoTokenLeak(result);
  });

  it('retries 500 and 502, then succeeds', async () => {
    api = await startGitHubApi({ token: TOKEN });
    api.reply('repos/create-dispatch-event', githubError(500, 'boom'), githubError(502, 'Bad gateway'), {
      status: 204,
    });
    const { result } = await runAction({ 'commit-message': 'm' });
    expect(result.exitCode, result.log).toBe(0);
    expect(api.requests).toHaveLength(3);
    expect(new Set(api.requests.map((r) => r.rawBody)).size).toBe(1);
    expect(result.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      expect.stringContaining('HTTP 500'),
      expect.stringContaining('HTTP 502'),
    ]);
  });

  it('honours retry-after on a 403 secondary rate limit, then succeeds', async () => {
    api = await startGitHubApi({ token: TOKEN });
    api.reply(
      'repos/create-dispatch-event',
      githubError(403, 'You have exceeded a secondary rate limit.', { 'retry-after': '30' }),
      { status: 204 },
    );
    const { result } = await runAction({ 'commit-message': 'm' });
    expect(result.exitCode, result.log).toBe(0);
    expect(api.requests).toHaveLength(2);
    expect(result.log).toContain('in 30.0 s');
  });

  it('retries 429, and gives up with an explanation when it persists', async () => {
    api = await startGitHubApi({ token: TOKEN });
    api.reply('repos/create-dispatch-event', githubError(429, 'Too many requests', { 'retry-after': '2' }), {
      status: 204,
    });
    expect((await runAction({ 'commit-message': 'm' })).result.exitCode).toBe(0);
    expect(api.requests).toHaveLength(2);

    await api.close();
    api = await startGitHubApi({ token: TOKEN });
    api.handle('repos/create-dispatch-event', () => githubError(429, 'Too many requests', { 'retry-after': '1' }));
    const { result } = await runAction({ 'commit-message': 'm' });
    expect(result.exitCode).toBe(1);
    expect(api.requests).toHaveLength(5);
    expect(errorText(result)).toContain('HTTP 429, rate limited');
  });

  it('bad input: every problem reported, nothing sent', async () => {
    const { result, api } = await runAction({
      repository: 'not-a-repo',
      'image-tag': 'bad tag!',
      digest: 'sha256:123',
      'event-type': 'x'.repeat(101),
      'client-payload': '{"docker_image_tag": "override"}',
    });
    expect(result.exitCode).toBe(1);
    expect(api.requests.length).toBe(0);
    const text = errorText(result);
    for (const input of ['repository', 'image-tag', 'digest', 'event-type', 'client-payload']) {
      expect(text).toContain(`Input '${input}'`);
    }
    expect(text).toContain('"not-a-repo"');
    expectNoTokenLeak(result);
  });

  it('workflow_dispatch with wait: queued -> in_progress -> completed success', async () => {
    api = await startGitHubApi({ token: TOKEN, repositories: { 'org/app-gitops': { defaultBranch: 'trunk' } } });
    const run = (status: string, conclusion: string | null) => ({
      status: 200,
      body: api!.sample('actions/get-workflow-run', { id: 1000, status, conclusion }),
    });
    api.reply('actions/get-workflow-run', run('queued', null), run('in_progress', null), run('completed', 'success'));
    const { result } = await runAction({
      mode: 'workflow_dispatch',
      workflow: 'gitops-receive.yml',
      wait: 'true',
      'commit-message': NASTY_MESSAGE,
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(api.violations).toEqual([]);
    expect(api.requests.map((r) => r.operationId)).toEqual([
      'repos/get',
      'actions/create-workflow-dispatch',
      'actions/get-workflow-run',
      'actions/get-workflow-run',
      'actions/get-workflow-run',
    ]);
    const body = api.requests[1]!.body as { ref: string; inputs: Record<string, string>; return_run_details: boolean };
    expect(body.ref).toBe('trunk');
    expect(body.return_run_details).toBe(true);
    expect(body.inputs.commit_message).toBe(NASTY_MESSAGE);
    expect(JSON.parse(body.inputs.source!)).toMatchObject({ repository: 'org/app', run_id: '4242' });
    expect(api.requests[1]!.path).toBe('/repos/org/app-gitops/actions/workflows/gitops-receive.yml/dispatches');
    expect(result.outputs).toMatchObject({
      'run-id': '1000',
      'run-url': 'https://github.com/org/app-gitops/actions/runs/1000',
      'run-conclusion': 'success',
      payload: api.requests[1]!.rawBody,
    });
    expect(result.summary).toContain('run 1000');
    expectNoTokenLeak(result);
  });

  it('workflow_dispatch with wait: a failed run fails the step, naming the run URL', async () => {
    api = await startGitHubApi({ token: TOKEN });
    api.reply('actions/get-workflow-run', {
      status: 200,
      body: api.sample('actions/get-workflow-run', { id: 1000, status: 'completed', conclusion: 'failure' }),
    });
    const { result } = await runAction({
      mode: 'workflow_dispatch',
      workflow: 'gitops-receive.yml',
      ref: 'main',
      wait: 'true',
      'commit-message': 'm',
    });
    expect(result.exitCode).toBe(1);
    expect(errorText(result)).toContain("conclusion 'failure'");
    expect(errorText(result)).toContain('https://github.com/org/app-gitops/actions/runs/1000');
    expect(result.outputs['run-conclusion']).toBe('failure');
    expect(result.outputs['run-id']).toBe('1000');
  });

  it('workflow_dispatch 403 names Actions: Read and write, 404 names the workflow file', async () => {
    api = await startGitHubApi({ token: TOKEN });
    api.reply('actions/create-workflow-dispatch', githubError(403, 'Resource not accessible by integration'));
    const forbidden = await runAction({
      mode: 'workflow_dispatch',
      workflow: 'gitops-receive.yml',
      ref: 'main',
      'commit-message': 'm',
    });
    expect(errorText(forbidden.result)).toContain('"Actions: Read and write"');
    api.reply('actions/create-workflow-dispatch', githubError(404, 'Not Found'));
    const missing = await runAction({
      mode: 'workflow_dispatch',
      workflow: 'gitops-receive.yml',
      ref: 'main',
      'commit-message': 'm',
    });
    expect(errorText(missing.result)).toContain('"gitops-receive.yml"');
    expect(api.requests).toHaveLength(2);
  });
});
