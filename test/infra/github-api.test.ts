import { getOctokit } from '@actions/github';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type GitHubApi,
  githubError,
  OPENAPI_SOURCE,
  OPERATIONS,
  responseProblems,
  startGitHubApi,
} from '../support/github-api.js';

const TOKEN = 'ghs_loopbacktoken123';
const GOOD = {
  authorization: `Bearer ${TOKEN}`,
  accept: 'application/vnd.github+json',
  'x-github-api-version': '2022-11-28',
};

let api: GitHubApi;
afterEach(async () => {
  await api?.close();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = GOOD,
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

describe('fixture', () => {
  it('holds every needed operation, resolved, with its source named', () => {
    expect(OPENAPI_SOURCE).toMatch(/^@octokit\/openapi@\d+\.\d+\.\d+ /);
    expect(Object.keys(OPERATIONS).sort()).toEqual([
      'actions/create-workflow-dispatch',
      'actions/get-workflow-run',
      'actions/list-workflow-runs-for-repo',
      'issues/add-labels',
      'pulls/create',
      'pulls/list',
      'pulls/request-reviewers',
      'pulls/update',
      'repos/create-deployment',
      'repos/create-deployment-status',
      'repos/create-dispatch-event',
      'repos/get',
    ]);
    expect(JSON.stringify(OPERATIONS)).not.toContain('$ref');
    // A run's display title (what run-name sets) is what a repository_dispatch's run is found by.
    const runs = OPERATIONS['actions/list-workflow-runs-for-repo']!.responses['200']!.schema as {
      properties: { workflow_runs: { items: { required: string[] } } };
    };
    expect(runs.properties.workflow_runs.items.required).toContain('display_title');
    // workflow dispatch documents return_run_details and the 200 with run details.
    const wd = OPERATIONS['actions/create-workflow-dispatch']!;
    expect(Object.keys((wd.requestBody!.schema as { properties: object }).properties)).toContain('return_run_details');
    expect(wd.responses['200']?.schema?.required).toEqual(['workflow_run_id', 'run_url', 'html_url']);
  });
});

describe('loopback GitHub API', () => {
  it('accepts a well-formed repository_dispatch and records it', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const body = {
      event_type: 'update-gitops-repo',
      client_payload: { docker_image_tag: '1.2.3-dev', note: 'a "q"\n' },
    };
    const res = await call('POST', '/repos/org/app-gitops/dispatches', body);
    expect(res.status).toBe(204);
    expect(api.violations).toEqual([]);
    expect(api.requests).toHaveLength(1);
    const [req] = api.requests;
    expect(req).toMatchObject({
      operationId: 'repos/create-dispatch-event',
      method: 'POST',
      path: '/repos/org/app-gitops/dispatches',
      params: { owner: 'org', repo: 'app-gitops' },
      body,
    });
    expect(req?.rawBody).toBe(JSON.stringify(body));
    // The credential never sits in the record.
    expect(req?.headers.authorization).toBe('Bearer ***');
    expect(JSON.stringify(api.requests)).not.toContain(TOKEN);
  });

  it('routes the GHES /api/v3 prefix and accepts `token <t>` auth', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const res = await call('GET', '/api/v3/repos/org/app', undefined, { ...GOOD, authorization: `token ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ full_name: 'org/app', default_branch: 'main' });
    expect(api.violations).toEqual([]);
  });

  it('answers 401 Bad credentials to a wrong token, and 401 to none, recording both', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const wrong = await call('GET', '/repos/o/r', undefined, { ...GOOD, authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ message: 'Bad credentials', documentation_url: expect.any(String), status: '401' });
    const { authorization: _, ...noAuth } = GOOD;
    const none = await call('GET', '/repos/o/r', undefined, noAuth);
    expect(none.status).toBe(401);
    expect(api.violations).toHaveLength(2);
  });

  it('records a wrong Accept (the old everest-preview) and a missing API version, still serving', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const res = await call(
      'POST',
      '/repos/o/r/dispatches',
      { event_type: 'x' },
      {
        authorization: `Bearer ${TOKEN}`,
        accept: 'application/vnd.github.everest-preview+json',
      },
    );
    expect(res.status).toBe(204);
    expect(api.violations.join('\n')).toMatch(/Accept is 'application\/vnd\.github\.everest-preview\+json'/);
    expect(api.violations.join('\n')).toMatch(/X-GitHub-Api-Version is missing/);
  });

  it('rejects an unknown API version with 400', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const res = await call('GET', '/repos/o/r', undefined, { ...GOOD, 'x-github-api-version': '2021-01-01' });
    expect(res.status).toBe(400);
    expect(api.violations).toHaveLength(1);
  });

  it('validates bodies with the OpenAPI schema: 422 Invalid request, all problems listed', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i]));
    const res = await call('POST', '/repos/o/r/dispatches', { event_type: '', client_payload: eleven });
    expect(res.status).toBe(422);
    expect((res.json as { message: string }).message).toMatch(/^Invalid request\./);
    expect(api.requests[0]?.violations.length).toBe(2); // minLength of event_type and maxProperties of payload
    expect(api.violations.join('\n')).toMatch(/event_type/);
    expect(api.violations.join('\n')).toMatch(/client_payload/);
  });

  it('rejects a client_payload of 64 KB or more', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const res = await call('POST', '/repos/o/r/dispatches', {
      event_type: 'e',
      client_payload: { a: 'x'.repeat(65536) },
    });
    expect(res.status).toBe(422);
    expect(api.violations.join('\n')).toMatch(/less than 65536/);
  });

  it('answers 400 to a body that is not JSON', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const res = await call('POST', '/repos/o/r/dispatches', '{"event_type": "a",}');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ message: 'Problems parsing JSON' });
  });

  it('answers an unknown route with 404 in GitHub shape and records it', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const res = await call('POST', '/repos/o/r/dispatch', { event_type: 'x' });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ message: 'Not Found', documentation_url: expect.any(String), status: '404' });
    expect(api.violations[0]).toMatch(/no such GitHub API route/);
  });

  it('checks typed path parameters', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const res = await call('GET', '/repos/o/r/actions/runs/not-a-number');
    expect(res.status).toBe(422);
    expect(api.violations.join('\n')).toMatch(/run_id/);
  });

  it('answers 404 for a repository outside options.repositories, and serves its default branch otherwise', async () => {
    api = await startGitHubApi({ token: TOKEN, repositories: { 'org/gitops': { defaultBranch: 'trunk' } } });
    expect((await call('GET', '/repos/org/other')).status).toBe(404);
    const ok = await call('GET', '/repos/Org/GitOps');
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ default_branch: 'trunk' });
    expect(responseProblems('repos/get', 200, ok.json)).toEqual([]);
    expect(api.violations).toEqual([]);
  });

  it('workflow dispatch: 204 by default, 200 with run details when asked, then the run is completed/success', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const path = '/repos/o/r/actions/workflows/gitops-receive.yml/dispatches';
    expect((await call('POST', path, { ref: 'main', inputs: { tag: '1.0' } })).status).toBe(204);
    const res = await call('POST', path, { ref: 'main', return_run_details: true });
    expect(res.status).toBe(200);
    const details = res.json as { workflow_run_id: number; run_url: string; html_url: string };
    expect(details.run_url).toBe(`${api.url}/repos/o/r/actions/runs/${details.workflow_run_id}`);
    expect(details.html_url).toBe(`https://github.com/o/r/actions/runs/${details.workflow_run_id}`);
    const run = await call('GET', `/repos/o/r/actions/runs/${details.workflow_run_id}`);
    expect(run.json).toMatchObject({ id: details.workflow_run_id, status: 'completed', conclusion: 'success' });
    expect(responseProblems('actions/get-workflow-run', 200, run.json)).toEqual([]);
    expect(api.violations).toEqual([]);
  });

  it('workflow dispatch with API version 2026-03-10 always returns run details', async () => {
    api = await startGitHubApi({ token: TOKEN });
    const res = await call(
      'POST',
      '/repos/o/r/actions/workflows/w.yml/dispatches',
      { ref: 'main' },
      {
        ...GOOD,
        'x-github-api-version': '2026-03-10',
      },
    );
    expect(res.status).toBe(200);
    expect(api.violations).toEqual([]);
  });

  it('reply() queues scripted replies in order, then falls back to the default', async () => {
    api = await startGitHubApi({ token: TOKEN });
    api.reply(
      'actions/get-workflow-run',
      { status: 200, body: api.sample('actions/get-workflow-run', { id: 7, status: 'queued', conclusion: null }) },
      { status: 200, body: api.sample('actions/get-workflow-run', { id: 7, status: 'in_progress', conclusion: null }) },
    );
    const statuses: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call('GET', '/repos/o/r/actions/runs/7');
      statuses.push((r.json as { status: string }).status);
      expect(responseProblems('actions/get-workflow-run', 200, r.json)).toEqual([]);
    }
    expect(statuses).toEqual(['queued', 'in_progress', 'completed']);
  });

  it('githubError builds every error GitHub uses, headers included', async () => {
    api = await startGitHubApi({ token: TOKEN });
    api.reply(
      'repos/create-dispatch-event',
      githubError(403, 'Resource not accessible by integration', { 'x-accepted-github-permissions': 'contents=write' }),
      githubError(403, 'API rate limit exceeded', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1700000123' }),
      githubError(403, 'You have exceeded a secondary rate limit', { 'retry-after': '3' }),
      githubError(429, 'Too many requests', { 'retry-after': '1' }),
      githubError(500, 'Server Error'),
      githubError(502, 'Bad Gateway'),
    );
    const seen: [number, string | null, string | null][] = [];
    for (let i = 0; i < 7; i++) {
      const r = await call('POST', '/repos/o/r/dispatches', { event_type: 'e' });
      seen.push([r.status, r.headers.get('retry-after'), r.headers.get('x-ratelimit-remaining')]);
      if (i === 0) {
        expect(r.headers.get('x-accepted-github-permissions')).toBe('contents=write');
        expect(r.json).toEqual({
          message: 'Resource not accessible by integration',
          documentation_url: expect.any(String),
          status: '403',
        });
      }
    }
    expect(seen).toEqual([
      [403, null, '4999'],
      [403, null, '0'],
      [403, '3', '4999'],
      [429, '1', '4999'],
      [500, null, '4999'],
      [502, null, '4999'],
      [204, null, '4999'],
    ]);
  });

  it('handle() replaces the default reply and sees the recorded request', async () => {
    api = await startGitHubApi({ token: TOKEN });
    api.handle('repos/create-dispatch-event', (req) =>
      (req.body as { event_type: string }).event_type === 'boom' ? githubError(500, 'Server Error') : { status: 204 },
    );
    expect((await call('POST', '/repos/o/r/dispatches', { event_type: 'boom' })).status).toBe(500);
    expect((await call('POST', '/repos/o/r/dispatches', { event_type: 'ok' })).status).toBe(204);
  });

  it('pull requests: create, list by head, duplicate refused, update, labels, reviewers — all schema-valid', async () => {
    api = await startGitHubApi({ token: TOKEN });
    expect((await call('GET', '/repos/o/r/pulls?state=open&head=o:gitops/dev')).json).toEqual([]);
    const created = await call('POST', '/repos/o/r/pulls', {
      title: 'Update dev to 1.2.3-dev',
      head: 'gitops/dev',
      base: 'main',
      body: 'text',
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      number: 1,
      html_url: 'https://github.com/o/r/pull/1',
      head: { ref: 'gitops/dev' },
      base: { ref: 'main' },
      state: 'open',
    });
    expect(responseProblems('pulls/create', 201, created.json)).toEqual([]);
    const listed = await call('GET', '/repos/o/r/pulls?state=open&head=o:gitops/dev');
    expect((listed.json as { number: number }[]).map((p) => p.number)).toEqual([1]);
    expect(responseProblems('pulls/list', 200, listed.json)).toEqual([]);
    expect((await call('GET', '/repos/o/r/pulls?head=o:other')).json).toEqual([]);

    const dup = await call('POST', '/repos/o/r/pulls', { title: 't', head: 'gitops/dev', base: 'main' });
    expect(dup.status).toBe(422);
    expect(JSON.stringify(dup.json)).toMatch(/already exists/);

    const updated = await call('PATCH', '/repos/o/r/pulls/1', { title: 'Update dev to 1.2.4-dev' });
    expect(updated.json).toMatchObject({ title: 'Update dev to 1.2.4-dev' });
    const labels = await call('POST', '/repos/o/r/issues/1/labels', { labels: ['gitops', 'dev'] });
    expect(labels.status).toBe(200);
    expect((labels.json as { name: string }[]).map((l) => l.name)).toEqual(['gitops', 'dev']);
    const reviewers = await call('POST', '/repos/o/r/pulls/1/requested_reviewers', { reviewers: ['octocat'] });
    expect(reviewers.status).toBe(201);
    expect(reviewers.json).toMatchObject({ requested_reviewers: [{ login: 'octocat' }] });
    expect(api.pulls.get(1)).toMatchObject({ labels: ['gitops', 'dev'], reviewers: ['octocat'] });
    // Listed again, now with labels and reviewers: still valid under the list ("simple") schema.
    const relisted = await call('GET', '/repos/o/r/pulls?head=o:gitops/dev');
    expect(relisted.json).toMatchObject([{ number: 1, labels: [{ name: 'gitops' }, { name: 'dev' }] }]);
    expect(responseProblems('pulls/list', 200, relisted.json)).toEqual([]);
    // Closed PRs leave the open list.
    await call('PATCH', '/repos/o/r/pulls/1', { state: 'closed' });
    expect((await call('GET', '/repos/o/r/pulls?head=o:gitops/dev')).json).toEqual([]);
    expect(api.violations).toEqual([]);
  });

  it('refuses a pulls/create body without head/base and a bad state enum', async () => {
    api = await startGitHubApi({ token: TOKEN });
    expect((await call('POST', '/repos/o/r/pulls', { title: 't' })).status).toBe(422);
    expect((await call('GET', '/repos/o/r/pulls?state=merged')).status).toBe(422);
    expect(api.violations).toHaveLength(3);
  });

  it('responseProblems catches a body that does not match the schema', () => {
    expect(responseProblems('pulls/create', 201, { number: 1 }).length).toBeGreaterThan(0);
    expect(responseProblems('actions/get-workflow-run', 200, { status: 'done' }).join('\n')).toMatch(/required/);
  });

  it('works with @actions/github: Octokit defaults are flagged, a before-request hook fixes them', async () => {
    api = await startGitHubApi({ token: TOKEN });
    // Octokit sends application/vnd.github.v3+json and no API version unless told; GitHub asks for both.
    const plain = getOctokit(TOKEN, { baseUrl: api.url });
    await plain.rest.repos.createDispatchEvent({ owner: 'o', repo: 'r', event_type: 'e' });
    expect(api.violations.length).toBe(2);
    api.violations.length = 0;

    const octokit = getOctokit(TOKEN, { baseUrl: api.url });
    octokit.hook.before('request', (options) => {
      options.headers.accept = 'application/vnd.github+json';
      options.headers['x-github-api-version'] = '2022-11-28';
    });
    await octokit.rest.repos.createDispatchEvent({ owner: 'o', repo: 'r', event_type: 'e', client_payload: { a: 1 } });
    const run = await octokit.rest.actions.getWorkflowRun({ owner: 'o', repo: 'r', run_id: 42 });
    expect(run.data.conclusion).toBe('success');
    // Without the repositories option every repository exists, on `main`.
    expect((await octokit.rest.repos.get({ owner: 'o', repo: 'any' })).data.default_branch).toBe('main');
    expect(api.violations).toEqual([]);
  });
});
