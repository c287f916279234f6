/**
 * Issue 13, section 3, through receive-action/action.yml: after a direct push the rules' Argo CD Applications are
 * refreshed (loopback Argo CD API with bearer auth) and, with argocd-wait, followed to Synced/Healthy at the landed
 * commit; or Argo CD's webhook gets the signed push event. The Argo CD credentials appear in no output.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { type FakeArgoCd, type Outcome, startArgoCd, startArgoCdWebhook } from '../support/argocd-api.js';
import type { CompositeRunResult } from '../support/composite.js';
import { git } from '../support/git.js';
import { startGitHubApi } from '../support/github-api.js';
import { expectTokenNeverShown, nativeRules, receive, type Served, SOURCE_SHA, serveGitops } from './support.js';

const ARGOCD_TOKEN = 'argocd-secret-token-3c9e1f7a';
const WEBHOOK_SECRET = 'argocd-webhook-secret-8d2b';

const tree = {
  'environments/dev/values.yaml': 'image:\n  repository: ghcr.io/org/myapp\n  tag: 1.3.0-dev\n',
  'environments/prod/values.yaml': 'image:\n  repository: ghcr.io/org/myapp\n  tag: 1.3.0-stable\n',
};
const rules = nativeRules([
  {
    name: 'dev',
    when: { docker_image_tag: '.*-dev' },
    files: 'environments/dev/values.yaml',
    extra: ['argocd-app: myapp-dev'],
  },
  {
    name: 'prod',
    when: { docker_image_tag: '.*-stable' },
    files: 'environments/prod/values.yaml',
    extra: ['argocd-app: myapp-prod', 'pull-request: true'],
  },
]);
const payload = (tag: string) => ({
  docker_image_tag: tag,
  git_branch: 'main',
  commit_message: 'feat: x',
  image: 'ghcr.io/org/myapp',
  source: {
    repository: 'org/myapp',
    sha: SOURCE_SHA,
    run_id: '1',
    run_url: 'https://github.com/org/myapp/actions/runs/1',
    actor: 'octocat',
  },
});

async function argo(served: Served, outcome: Outcome = 'healthy', message = ''): Promise<FakeArgoCd> {
  const fake = await startArgoCd({
    token: ARGOCD_TOKEN,
    apps: ['dev', 'prod'].map((env) => ({
      name: `myapp-${env}`,
      repoURL: served.url,
      path: `environments/${env}`,
      revision: 'previous',
      outcome,
      message,
    })),
    headOf: () => git(served.bare, 'rev-parse', 'refs/heads/main'),
  });
  onTestFinished(() => fake.close());
  return fake;
}

function expectArgoSecretsNeverShown(r: CompositeRunResult) {
  expectTokenNeverShown(r);
  const stdout = r.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  const text = JSON.stringify({
    stdout,
    stderr: r.stderr,
    log: r.log,
    outputs: r.outputs,
    summary: r.summary,
    a: r.annotations,
  });
  for (const secret of [ARGOCD_TOKEN, WEBHOOK_SECRET]) expect(text).not.toContain(secret);
}

describe('receive-action + Argo CD API', () => {
  it("refreshes the rule's app with the bearer token and waits until it runs the landed commit", async () => {
    const served = await serveGitops(tree);
    const fake = await argo(served);
    const { result: r } = await receive(served, {
      inputs: { rules, 'argocd-server': fake.url, 'argocd-token': ARGOCD_TOKEN, 'argocd-wait': 'true' },
      payload: payload('1.4.0-dev'),
    });
    expect(r.exitCode, r.log).toBe(0);
    const landed = await git(served.bare, 'rev-parse', 'refs/heads/main');
    expect(r.outputs['commit-sha']).toBe(landed);
    expect(fake.requests[0]).toMatchObject({
      path: '/api/v1/applications/myapp-dev',
      query: { refresh: 'normal' },
      authorization: 'Bearer ***',
      authorized: true,
    });
    expect(fake.requests.every((q) => q.authorized && q.path === '/api/v1/applications/myapp-dev')).toBe(true);
    expect(fake.apps.get('argocd/myapp-dev')!.revision).toBe(landed);
    // The other environment's app was left alone.
    expect(fake.apps.get('argocd/myapp-prod')!.reads).toBe(0);
    expect(r.log).toContain(`is Synced and Healthy at ${landed.slice(0, 12)}`);
    expect(r.summary).toContain(`| [myapp-dev](${fake.url}/applications/myapp-dev) | yes | Synced, Healthy |`);
    expect(r.masked).toContain(ARGOCD_TOKEN);
    expectArgoSecretsNeverShown(r);
  });

  it("Degraded fails the step with the app's message and URL; the commit stays landed and reported", async () => {
    const served = await serveGitops(tree);
    const fake = await argo(served, 'degraded', 'Deployment "myapp" exceeded its progress deadline');
    const { result: r } = await receive(served, {
      inputs: { rules, 'argocd-server': fake.url, 'argocd-token': ARGOCD_TOKEN, 'argocd-wait': 'true' },
      payload: payload('1.4.0-dev'),
    });
    expect(r.exitCode).toBe(1);
    const error = r.annotations
      .filter((a) => a.level === 'error')
      .map((a) => a.message)
      .join('\n');
    expect(error).toContain('health is Degraded: Deployment "myapp" exceeded its progress deadline');
    expect(error).toContain(`${fake.url}/applications/myapp-dev`);
    expect(r.outputs).toMatchObject({ pushed: 'true', 'commit-sha': await git(served.bare, 'rev-parse', 'main') });
    expectArgoSecretsNeverShown(r);
  });

  it('a 500 on refresh only warns', async () => {
    const served = await serveGitops(tree);
    const fake = await argo(served);
    fake.failRefreshes(1);
    const { result: r } = await receive(served, {
      inputs: { rules, 'argocd-server': fake.url, 'argocd-token': ARGOCD_TOKEN },
      payload: payload('1.4.0-dev'),
    });
    expect(r.exitCode, r.log).toBe(0);
    const warnings = r.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings.join('\n')).toMatch(/Could not refresh Argo CD Application 'myapp-dev' .*HTTP 500/);
    expect(fake.requests).toHaveLength(1);
    expect(r.summary).toContain('| no (see the warnings) | not waited for |');
    expectArgoSecretsNeverShown(r);
  });

  it('a pull-request landing asks Argo CD for nothing', async () => {
    const served = await serveGitops(tree);
    const fake = await argo(served);
    const api = await startGitHubApi();
    onTestFinished(() => api.close());
    const { result: r } = await receive(served, {
      inputs: { rules, 'argocd-server': fake.url, 'argocd-token': ARGOCD_TOKEN, 'argocd-wait': 'true' },
      payload: payload('1.4.0-stable'),
      github: { api_url: api.url },
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs['pull-request-url']).not.toBe('');
    expect(fake.requests).toEqual([]);
  });

  it('checks the Argo CD inputs before changing anything', async () => {
    const served = await serveGitops(tree);
    const before = await git(served.bare, 'rev-parse', 'main');
    const { result: r } = await receive(served, {
      inputs: { rules, 'argocd-wait': 'maybe', 'argocd-server': 'ftp://argocd', 'argocd-wait-timeout': '0' },
      payload: payload('1.4.0-dev'),
    });
    expect(r.exitCode).toBe(1);
    const error = r.annotations
      .filter((a) => a.level === 'error')
      .map((a) => a.message)
      .join('\n');
    for (const input of ['argocd-server', 'argocd-token', 'argocd-wait', 'argocd-wait-timeout']) {
      expect(error).toContain(`Input '${input}'`);
    }
    expect(await git(served.bare, 'rev-parse', 'main')).toBe(before);
  });
});

describe('receive-action + Argo CD webhook', () => {
  it('sends the signed GitHub push event for the landed commit', async () => {
    const served = await serveGitops(tree);
    const hook = await startArgoCdWebhook({ secret: WEBHOOK_SECRET });
    onTestFinished(() => hook.close());
    const start = await git(served.bare, 'rev-parse', 'main');
    const { result: r } = await receive(served, {
      inputs: { rules, 'argocd-webhook-url': hook.url, 'argocd-webhook-secret': WEBHOOK_SECRET },
      payload: payload('1.4.0-dev'),
      github: { server_url: 'https://github.example.com' },
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(hook.deliveries).toHaveLength(1);
    const d = hook.deliveries[0]!;
    expect(d.problems).toEqual([]);
    expect(d.signatureValid).toBe(true);
    expect(d.headers['x-github-event']).toBe('push');
    expect(d.body).toMatchObject({
      ref: 'refs/heads/main',
      before: start,
      after: r.outputs['commit-sha'],
      repository: { html_url: 'https://github.example.com/org/gitops', default_branch: 'main' },
      commits: [{ id: r.outputs['commit-sha'], modified: ['environments/dev/values.yaml'] }],
    });
    expect(r.masked).toContain(WEBHOOK_SECRET);
    expect(r.summary).toContain('Argo CD webhook: push event delivered');
    expectArgoSecretsNeverShown(r);
  });
});
