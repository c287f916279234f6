/**
 * A loopback stand-in for Argo CD's API server, for integration tests: `GET /api/v1/applications/{name}`
 * (ApplicationService_Get, `?refresh=normal|hard`, `?appNamespace=`) with bearer-token auth, answering
 * v1alpha1Application bodies and runtimeError errors shaped as Argo CD's OpenAPI description says (checked by
 * test/argocd/fake-conformance.test.ts against ../shared/reference/argocd-swagger.json when that file exists).
 *
 * Each Application follows the Git repository the way Argo CD does: a refresh makes it compare against the branch
 * head (`headOf()`), so it turns OutOfSync at the new revision; later reads move it on, one step per read:
 * an auto-sync operation Running (Synced/Progressing), Succeeded, then Healthy, or Degraded, or a Failed operation.
 * Without a refresh it notices the new head only after `autoRefreshAfterReads` reads (its own poll).
 *
 * Also a receiver for Argo CD's Git webhook (`POST /api/webhook`) that checks the GitHub push event it gets: the
 * `X-Hub-Signature-256` HMAC with the shared secret, `X-GitHub-Event: push`, and the fields Argo CD reads.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Outcome = 'healthy' | 'degraded' | 'sync-failed';

export interface FakeAppOptions {
  name: string;
  namespace?: string;
  project?: string;
  repoURL: string;
  path: string;
  targetRevision?: string;
  /** Revision deployed when the test starts. */
  revision: string;
  outcome?: Outcome;
  /** Argo CD's message for Degraded / the failed operation. */
  message?: string;
  /** Reads after which the app notices the head by itself (Argo CD's poll); default never within a test. */
  autoRefreshAfterReads?: number;
}

interface AppState extends Required<Omit<FakeAppOptions, 'autoRefreshAfterReads' | 'message'>> {
  message: string;
  autoRefreshAfterReads: number;
  reads: number;
  /** Steps taken since the app last learnt a new head; -1 = nothing to do. */
  step: number;
  target: string;
  opRevision: string;
  opPhase: string;
  health: string;
  sync: string;
}

export interface ArgoRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Scheme only: `Bearer ***`. */
  authorization: string;
  /** The request carried the expected token. */
  authorized: boolean;
  status: number;
  body: unknown;
}

export interface FakeArgoCd {
  url: string;
  requests: ArgoRequest[];
  apps: Map<string, AppState>;
  /** Next `n` refresh requests answer 500 (Argo CD's runtimeError). */
  failRefreshes(n: number): void;
  close(): Promise<void>;
}

const TIME = '2024-01-02T03:04:05Z';

function runtimeError(res: ServerResponse, status: number, code: number, message: string): unknown {
  const body = { error: message, code, message, details: [] };
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return body;
}

/** The v1alpha1Application body for an app's state. */
export function applicationBody(a: AppState): Record<string, unknown> {
  const source = { repoURL: a.repoURL, path: a.path, targetRevision: a.targetRevision };
  const destination = { server: 'https://kubernetes.default.svc', namespace: a.name };
  const operation = { sync: { revision: a.opRevision }, initiatedBy: { automated: true } };
  const finished = a.opPhase !== 'Running';
  return {
    metadata: {
      name: a.name,
      namespace: a.namespace,
      uid: `00000000-0000-4000-8000-${String(a.name.length).padStart(12, '0')}`,
      resourceVersion: String(1000 + a.reads),
      generation: 1,
      creationTimestamp: TIME,
    },
    spec: {
      project: a.project,
      source,
      destination,
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
    status: {
      sync: { status: a.sync, revision: a.target, comparedTo: { source, destination } },
      health: {
        status: a.health,
        ...(a.health === 'Degraded' ? { message: a.message } : {}),
        lastTransitionTime: TIME,
      },
      operationState: {
        operation,
        phase: a.opPhase,
        message:
          a.opPhase === 'Failed'
            ? a.message
            : finished
              ? 'successfully synced (all tasks run)'
              : 'waiting for healthy state',
        startedAt: TIME,
        ...(finished ? { finishedAt: TIME } : {}),
        syncResult: { revision: a.opRevision, source, resources: [] },
      },
      reconciledAt: TIME,
      sourceType: 'Helm',
      summary: { images: [] },
    },
  };
}

/** One step of the life after a new head: OutOfSync -> Running/Progressing -> Succeeded/Progressing -> outcome. */
function advance(a: AppState): void {
  if (a.step < 0) return;
  a.step += 1;
  if (a.step === 1) {
    a.opRevision = a.target;
    a.opPhase = 'Running';
    a.sync = 'Synced';
    a.health = 'Progressing';
  } else if (a.step === 2) {
    if (a.outcome === 'sync-failed') {
      a.opPhase = 'Failed';
      a.sync = 'OutOfSync';
      a.health = 'Healthy';
      a.step = -1;
      return;
    }
    a.opPhase = 'Succeeded';
  } else if (a.step === 3) {
    a.health = a.outcome === 'degraded' ? 'Degraded' : 'Healthy';
    a.revision = a.target;
    a.step = -1;
  }
}

export async function startArgoCd(options: {
  token: string;
  apps: FakeAppOptions[];
  /** The head of an app's targetRevision in Git, read when the app refreshes. */
  headOf: (app: FakeAppOptions) => Promise<string> | string;
}): Promise<FakeArgoCd> {
  const apps = new Map<string, AppState>();
  for (const o of options.apps) {
    apps.set(`${o.namespace ?? 'argocd'}/${o.name}`, {
      namespace: 'argocd',
      project: 'default',
      targetRevision: 'main',
      outcome: 'healthy',
      ...o,
      message: o.message ?? '',
      autoRefreshAfterReads: o.autoRefreshAfterReads ?? Number.POSITIVE_INFINITY,
      reads: 0,
      step: -1,
      target: o.revision,
      opRevision: o.revision,
      opPhase: 'Succeeded',
      health: 'Healthy',
      sync: 'Synced',
    });
  }
  const requests: ArgoRequest[] = [];
  let failingRefreshes = 0;

  const learnHead = async (a: AppState) => {
    const head = await options.headOf(a);
    if (head !== a.target) {
      a.target = head;
      a.sync = 'OutOfSync';
      a.step = 0;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const auth = req.headers.authorization ?? '';
    const record: ArgoRequest = {
      method: req.method ?? 'GET',
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      authorization: auth.replace(/^(\S+)\s+.*$/, '$1 ***'),
      authorized: auth === `Bearer ${options.token}`,
      status: 0,
      body: undefined,
    };
    requests.push(record);
    const reply = (status: number, body: unknown) => {
      record.status = status;
      record.body = body;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, code: number, message: string) => {
      record.status = status;
      record.body = runtimeError(res, status, code, message);
    };
    if (!record.authorized) return error(401, 16, 'no session information');
    const m = /^\/api\/v1\/applications\/([^/]+)$/.exec(u.pathname);
    if (req.method !== 'GET' || !m) return error(404, 5, 'Not Found');
    const name = decodeURIComponent(m[1]!);
    const namespace = u.searchParams.get('appNamespace') || 'argocd';
    const app = apps.get(`${namespace}/${name}`);
    // Argo CD answers "permission denied" for an app it does not have, so as not to tell whether it exists.
    if (!app)
      return error(403, 7, `permission denied: applications, get, default/${name}, sub: ci, iat: 2024-01-02T03:04:05Z`);
    const refresh = u.searchParams.get('refresh');
    if (refresh !== null && refresh !== 'normal' && refresh !== 'hard') {
      return error(400, 3, `unknown refresh type: ${refresh}`);
    }
    if (refresh !== null && failingRefreshes > 0) {
      failingRefreshes -= 1;
      return error(500, 13, 'rpc error: code = Unavailable desc = connection error: repo-server unavailable');
    }
    app.reads += 1;
    if (refresh !== null || (app.step < 0 && app.reads >= app.autoRefreshAfterReads)) await learnHead(app);
    else advance(app);
    reply(200, applicationBody(app));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    apps,
    failRefreshes(n) {
      failingRefreshes = n;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

// ---- webhook receiver ----------------------------------------------------------------------------------------

export interface WebhookDelivery {
  headers: Record<string, string>;
  rawBody: string;
  body: Record<string, unknown> | undefined;
  signatureValid: boolean;
  /** What Argo CD's handler would refuse or could not use. Empty when the event is good. */
  problems: string[];
}

export interface FakeWebhook {
  /** Argo CD's webhook endpoint, `${base}/api/webhook`. */
  url: string;
  deliveries: WebhookDelivery[];
  /** Answer the next `n` deliveries with 502 (a proxy in front of Argo CD). */
  failNext(n: number): void;
  close(): Promise<void>;
}

const SHA = /^[0-9a-f]{40}$/;

export async function startArgoCdWebhook(options: { secret: string }): Promise<FakeWebhook> {
  const deliveries: WebhookDelivery[] = [];
  let failing = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const problems: string[] = [];
      if (req.method !== 'POST' || req.url !== '/api/webhook')
        problems.push(`${req.method} ${req.url}: not the webhook`);
      if (headers['x-github-event'] !== 'push') problems.push(`X-GitHub-Event is '${headers['x-github-event']}'`);
      if (!/^application\/json\b/.test(headers['content-type'] ?? '')) problems.push('Content-Type is not JSON');
      const expected = Buffer.from(`sha256=${createHmac('sha256', options.secret).update(rawBody).digest('hex')}`);
      const given = Buffer.from(headers['x-hub-signature-256'] ?? '');
      const signatureValid = given.length === expected.length && timingSafeEqual(given, expected);
      if (!signatureValid) problems.push('X-Hub-Signature-256 does not match the body and secret');
      let body: Record<string, unknown> | undefined;
      try {
        body = JSON.parse(rawBody) as Record<string, unknown>;
      } catch {
        problems.push('body is not JSON');
      }
      if (body) {
        const repo = body.repository as Record<string, unknown> | undefined;
        if (typeof repo?.html_url !== 'string' || !URL.canParse(repo.html_url))
          problems.push('repository.html_url missing');
        if (typeof repo?.default_branch !== 'string') problems.push('repository.default_branch missing');
        if (typeof body.ref !== 'string' || !body.ref.startsWith('refs/heads/'))
          problems.push('ref is not refs/heads/...');
        if (typeof body.after !== 'string' || !SHA.test(body.after)) problems.push('after is not a commit SHA');
        if (typeof body.before !== 'string' || !SHA.test(body.before)) problems.push('before is not a commit SHA');
        const commits = body.commits as { id?: unknown; modified?: unknown }[] | undefined;
        if (!Array.isArray(commits) || commits.length === 0) problems.push('commits is empty');
        else {
          for (const c of commits) {
            if (!Array.isArray(c.modified) || !c.modified.every((f) => typeof f === 'string')) {
              problems.push('commits[].modified is not a list of paths');
            }
          }
        }
      }
      deliveries.push({ headers, rawBody, body, signatureValid, problems });
      if (failing > 0) {
        failing -= 1;
        res.writeHead(502);
        res.end('Bad Gateway');
      } else if (!signatureValid) {
        // What Argo CD answers when the HMAC check fails.
        res.writeHead(400);
        res.end('Webhook processing failed: HMAC verification failed');
      } else {
        res.writeHead(200);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhook`,
    deliveries,
    failNext(n) {
      failing = n;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
