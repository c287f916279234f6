/** core/argocd against the loopback Argo CD API and webhook receiver (test/support/argocd-api.ts). */
import { afterEach, describe, expect, it } from 'vitest';
import { ArgoCdClient, parseAppRef } from '../../core/argocd/client.js';
import { followArgoCd, judge } from '../../core/argocd/wait.js';
import { pushEvent, sendPushWebhook, signature256 } from '../../core/argocd/webhook.js';
import { UserError } from '../../core/errors.js';
import { MemoryLogger } from '../../core/logger.js';
import { type FakeAppOptions, type FakeArgoCd, startArgoCd, startArgoCdWebhook } from '../support/argocd-api.js';

const TOKEN = 'argocd-api-token-5f0c9d2e7b1a';
const OLD = 'a'.repeat(40);
const NEW = 'b'.repeat(40);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function argo(apps: Partial<FakeAppOptions>[] = [{}]): Promise<FakeArgoCd> {
  const fake = await startArgoCd({
    token: TOKEN,
    apps: apps.map((a, i) => ({
      name: `app-${i}`,
      repoURL: 'https://github.com/org/gitops.git',
      path: `environments/env-${i}`,
      revision: OLD,
      ...a,
    })),
    headOf: () => NEW,
  });
  closers.push(() => fake.close());
  return fake;
}

function follow(fake: FakeArgoCd, o: { apps?: string[]; wait?: boolean; timeoutMs?: number; token?: string } = {}) {
  const logger = new MemoryLogger();
  let clock = 0;
  const sleeps: number[] = [];
  const run = followArgoCd({
    client: new ArgoCdClient({ server: fake.url, token: o.token ?? TOKEN }),
    server: fake.url,
    apps: (o.apps ?? ['app-0']).map((a) => parseAppRef(a)!),
    revision: NEW,
    wait: o.wait ?? true,
    timeoutMs: o.timeoutMs ?? 300_000,
    pollIntervalMs: 5000,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    logger,
  });
  return run.then(
    (outcomes) => ({ outcomes, error: undefined, logger, sleeps }),
    (error: unknown) => ({ outcomes: undefined, error: error as UserError, logger, sleeps }),
  );
}

describe('Argo CD refresh and wait', () => {
  it('refreshes with the bearer token, then waits until Synced and Healthy at the landed revision', async () => {
    const fake = await argo();
    const { outcomes, error, logger } = await follow(fake);
    expect(error).toBeUndefined();
    expect(outcomes).toEqual([{ app: 'app-0', url: `${fake.url}/applications/app-0`, refreshed: true, healthy: true }]);
    expect(fake.requests[0]).toMatchObject({
      method: 'GET',
      path: '/api/v1/applications/app-0',
      query: { refresh: 'normal' },
      authorization: 'Bearer ***',
      authorized: true,
    });
    // Refresh, then one read per step: Running/Progressing, Succeeded/Progressing, Healthy.
    expect(fake.requests.map((r) => r.query.refresh ?? '-')).toEqual(['normal', '-', '-', '-']);
    expect(fake.apps.get('argocd/app-0')!.revision).toBe(NEW);
    expect(logger.messages('info').some((m) => m.includes('Synced and Healthy at bbbbbbbbbbbb'))).toBe(true);
  });

  it("Degraded at the landed revision fails with Argo CD's message and the app URL", async () => {
    const fake = await argo([{ outcome: 'degraded', message: 'Deployment "web" exceeded its progress deadline' }]);
    const { error } = await follow(fake);
    expect(error).toBeInstanceOf(UserError);
    expect(error!.problems[0]!.code).toBe('argocd/failed');
    expect(error!.message).toContain('health is Degraded: Deployment "web" exceeded its progress deadline');
    expect(error!.message).toContain(`${fake.url}/applications/app-0`);
  });

  it('a failed sync operation for the revision fails with the operation message', async () => {
    const fake = await argo([{ outcome: 'sync-failed', message: 'one or more objects failed to apply' }]);
    const { error } = await follow(fake);
    expect(error!.message).toContain('the sync operation failed: one or more objects failed to apply');
  });

  it('a 500 on refresh only warns, and the wait still ends when Argo CD polls the repository itself', async () => {
    const fake = await argo([{ autoRefreshAfterReads: 3 }]);
    fake.failRefreshes(1);
    const { error, outcomes, logger } = await follow(fake);
    expect(error).toBeUndefined();
    expect(outcomes![0]).toMatchObject({ refreshed: false, healthy: true });
    const warning = logger.messages('warning')[0]!;
    expect(warning).toContain("Could not refresh Argo CD Application 'app-0'");
    expect(warning).toContain('HTTP 500');
    expect(warning).toContain('next poll');
  });

  it('times out naming the input, the last state and the URL', async () => {
    const fake = await argo([{ autoRefreshAfterReads: Number.POSITIVE_INFINITY }]);
    fake.failRefreshes(1);
    const { error, sleeps } = await follow(fake, { timeoutMs: 20_000 });
    expect(error!.problems[0]).toMatchObject({ code: 'argocd/timeout', input: 'argocd-wait-timeout' });
    expect(error!.message).toContain('within 20 s');
    expect(error!.message).toContain('sync Synced at aaaaaaaaaaaa, health Healthy');
    expect(sleeps).toEqual([5000, 5000, 5000, 5000]);
  });

  it('without wait: refresh only, no polling; several apps each refreshed once', async () => {
    const fake = await argo([{}, {}]);
    const { outcomes } = await follow(fake, { apps: ['app-0', 'app-1'], wait: false });
    expect(outcomes!.map((o) => o.refreshed)).toEqual([true, true]);
    expect(fake.requests.map((r) => `${r.path}?${r.query.refresh}`)).toEqual([
      '/api/v1/applications/app-0?normal',
      '/api/v1/applications/app-1?normal',
    ]);
  });

  it('a wrong token or an unknown app: the wait fails at once, explaining RBAC and the app name', async () => {
    const fake = await argo();
    const denied = await follow(fake, { token: 'wrong' });
    expect(denied.error!.message).toContain("HTTP 401, input 'argocd-token' was rejected");
    const unknown = await follow(fake, { apps: ['nope'] });
    expect(unknown.error!.message).toContain("'argocd-app'");
    expect(unknown.error!.message).toContain('applications, get, <project>/nope, allow');
  });

  it('an unreachable server says the runner must reach Argo CD', async () => {
    const fake = await argo();
    const url = fake.url;
    await fake.close();
    const logger = new MemoryLogger();
    const error = await followArgoCd({
      client: new ArgoCdClient({ server: url, token: TOKEN }),
      server: url,
      apps: [{ name: 'app-0' }],
      revision: NEW,
      wait: false,
      timeoutMs: 1000,
      sleep: async () => {},
      now: () => 0,
      logger,
    }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(Error);
    expect(logger.messages('warning')[0]).toContain('self-hosted runner');
  });

  it('judge ignores an old failed operation and Degraded health of an older revision', () => {
    expect(
      judge(
        {
          status: {
            sync: { status: 'OutOfSync', revision: NEW },
            health: { status: 'Degraded', message: 'old' },
            operationState: { phase: 'Failed', message: 'old', syncResult: { revision: OLD } },
          },
        },
        NEW,
      ),
    ).toEqual({ waiting: 'sync OutOfSync at bbbbbbbbbbbb, health Degraded, operation Failed' });
    expect(
      judge({ status: { sync: { status: 'Synced', revision: OLD }, health: { status: 'Degraded' } } }, NEW),
    ).toHaveProperty('waiting');
  });

  it('parses app names as Argo CD allows them', () => {
    expect(parseAppRef('web-dev')).toEqual({ name: 'web-dev' });
    expect(parseAppRef('team-a/web.dev')).toEqual({ namespace: 'team-a', name: 'web.dev' });
    for (const bad of ['Web', 'a/b/c', '-x', 'x-', '', 'a b']) expect(parseAppRef(bad), bad).toBeUndefined();
  });
});

describe('Argo CD webhook', () => {
  const SECRET = 'webhook-secret-1f2e3d4c';
  const event = pushEvent({
    repository: 'org/gitops',
    serverUrl: 'https://github.com',
    branch: 'main',
    defaultBranch: 'main',
    before: OLD,
    after: NEW,
    message: 'Update "web" to 1.2.3\n\nSource-Commit: x',
    author: { name: 'bot', email: 'bot@example.com' },
    modified: ['environments/dev/values.yaml'],
    timestamp: '2024-01-02T03:04:05+00:00',
  });

  it('sends the signed push event with the fields Argo CD reads', async () => {
    const hook = await startArgoCdWebhook({ secret: SECRET });
    closers.push(() => hook.close());
    const logger = new MemoryLogger();
    expect(await sendPushWebhook({ url: hook.url, secret: SECRET, event, logger, sleep: async () => {} })).toBe(true);
    expect(hook.deliveries).toHaveLength(1);
    const d = hook.deliveries[0]!;
    expect(d.problems).toEqual([]);
    expect(d.headers['x-hub-signature-256']).toBe(signature256(d.rawBody, SECRET));
    expect(d.body).toMatchObject({
      ref: 'refs/heads/main',
      after: NEW,
      before: OLD,
      repository: { html_url: 'https://github.com/org/gitops', default_branch: 'main' },
      commits: [{ id: NEW, modified: ['environments/dev/values.yaml'] }],
    });
    expect(JSON.stringify(logger.lines)).not.toContain(SECRET);
  });

  it('retries a 502, and a wrong secret (400 from Argo CD) only warns', async () => {
    const hook = await startArgoCdWebhook({ secret: SECRET });
    closers.push(() => hook.close());
    hook.failNext(1);
    const sleeps: number[] = [];
    const logger = new MemoryLogger();
    const ok = await sendPushWebhook({
      url: hook.url,
      secret: SECRET,
      event,
      logger,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(ok).toBe(true);
    expect(hook.deliveries).toHaveLength(2);
    expect(sleeps).toEqual([1000]);
    const wrong = await sendPushWebhook({ url: hook.url, secret: 'other', event, logger, sleep: async () => {} });
    expect(wrong).toBe(false);
    expect(hook.deliveries.at(-1)!.signatureValid).toBe(false);
    const warning = logger.messages('warning').at(-1)!;
    expect(warning).toContain('HTTP 400');
    expect(warning).toContain('webhook.github.secret');
    expect(warning).not.toContain('other');
  });
});
