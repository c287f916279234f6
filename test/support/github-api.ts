/**
 * A loopback stand-in for api.github.com. Requests are routed and checked against GitHub's own OpenAPI
 * description (extracted into test/fixtures/github-openapi by scripts/extract-openapi.mjs); every problem a real
 * server would reject (or that GitHub documents as required: Accept, API version) is recorded as a violation, so
 * integration tests can assert `api.violations` is empty. Default replies are built from the response schemas.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';

export interface RecordedRequest {
  operationId: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names. `authorization` keeps its scheme but the credential is replaced by `***`. */
  headers: Record<string, string>;
  rawBody: string;
  body: unknown;
  /** Problems with this request (also appended to `GitHubApi.violations`). */
  violations: string[];
  /** Path parameters by name, e.g. { owner, repo, run_id }. */
  params: Record<string, string>;
}

export interface ApiReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface GitHubApi {
  /** e.g. http://127.0.0.1:PORT (use as api-url / baseUrl). `${url}/api/v3` works too (GHES form). */
  url: string;
  requests: RecordedRequest[];
  /** Every schema/header problem seen, across requests. */
  violations: string[];
  /** Queue replies for an operation: used in order, then the handler/default applies again. */
  reply(operationId: string, ...replies: ApiReply[]): void;
  /** Replace the default reply of an operation. */
  handle(operationId: string, fn: (req: RecordedRequest) => ApiReply | Promise<ApiReply>): void;
  /**
   * A full, schema-valid body for an operation's success response with `overrides` deep-merged in (objects merge,
   * arrays and scalars replace), e.g. `api.sample('actions/get-workflow-run', { status: 'queued', conclusion: null })`.
   */
  sample(operationId: string, overrides?: unknown, status?: number): unknown;
  /** Pull requests created through this server (pulls/create), by number; pulls/list reads them. */
  pulls: Map<number, StoredPull>;
  /**
   * Workflow runs the lists and gets answer from. `steps` is the run's life: each actions/get-workflow-run of the
   * run moves it one step on (the list shows the current step without moving it).
   */
  addRun(run: NewRun): StoredRun;
  runs: StoredRun[];
  /** Deployments created through this server (repos/create-deployment), with the statuses set on each, in order. */
  deployments: Map<number, StoredDeployment>;
  close(): Promise<void>;
}

export interface NewRun {
  owner: string;
  repo: string;
  event?: string;
  displayTitle: string;
  /** ISO time; default now. */
  createdAt?: string;
  steps?: { status: string; conclusion: string | null }[];
  /** Left out of this many list answers first, as a run GitHub has not created yet. */
  hiddenForLists?: number;
}

export interface StoredRun extends Required<NewRun> {
  id: number;
  step: number;
  htmlUrl: string;
}

export interface StoredDeployment {
  id: number;
  owner: string;
  repo: string;
  /** The creating request's body as sent. */
  request: Record<string, unknown>;
  statuses: Record<string, unknown>[];
}

export interface StoredPull {
  number: number;
  owner: string;
  repo: string;
  title: string;
  body: string | null;
  head: string;
  base: string;
  state: 'open' | 'closed';
  draft: boolean;
  labels: string[];
  reviewers: string[];
}

export interface GitHubApiOptions {
  /** When set, only this token is accepted (as `Bearer <token>` or `token <token>`); otherwise any non-empty one. */
  token?: string;
  /** `owner/name` -> settings. When given, other repositories answer 404 like a private repo you cannot see. */
  repositories?: Record<string, { defaultBranch: string }>;
  /** Web URL used in html_url fields. Default https://github.com. */
  serverUrl?: string;
  /** `owner/name` -> the only token accepted for that repository's routes (e.g. an app repo's own GITHUB_TOKEN). */
  tokenFor?: Record<string, string>;
}

interface OperationSpec {
  operationId: string;
  method: string;
  path: string;
  parameters: { in: string; name: string; required: boolean; schema: Schema }[];
  requestBody: { required: boolean; schema: Schema } | null;
  responses: Record<string, { schema?: Schema }>;
  breakingChanges: string[];
}
type Schema = Record<string, unknown>;

const fixtureUrl = new URL('../fixtures/github-openapi/operations.json', import.meta.url);
const fixture = JSON.parse(readFileSync(fixtureUrl, 'utf8')) as {
  source: string;
  operations: Record<string, OperationSpec>;
};
export const OPENAPI_SOURCE = fixture.source;
export const OPERATIONS: Readonly<Record<string, OperationSpec>> = fixture.operations;

/** API versions GitHub accepts in X-GitHub-Api-Version (https://docs.github.com/rest/about-the-rest-api/api-versions). */
export const SUPPORTED_API_VERSIONS = ['2022-11-28', '2026-03-10'] as const;
const DOCS = 'https://docs.github.com/rest';

/** A reply shaped like GitHub's errors: `{ message, documentation_url, status }`. */
export function githubError(status: number, message: string, extraHeaders: Record<string, string> = {}): ApiReply {
  return { status, headers: extraHeaders, body: { message, documentation_url: DOCS, status: String(status) } };
}

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: coerce });
  ajv.addFormat('uri', { type: 'string', validate: (s: string) => URL.canParse(s) });
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s),
  });
  ajv.addFormat('email', { type: 'string', validate: (s: string) => /^[^@\s]+@[^@\s]+$/.test(s) });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('repo.nwo', { type: 'string', validate: (s: string) => /^[\w.-]+\/[\w.-]+$/.test(s) });
  return ajv;
}
const ajv = makeAjv(false);
const paramAjv = makeAjv(true);
const compiled = new Map<string, ValidateFunction>();
function validator(key: string, schema: Schema, forParams = false): ValidateFunction {
  let fn = compiled.get(key);
  if (!fn) {
    fn = (forParams ? paramAjv : ajv).compile(schema);
    compiled.set(key, fn);
  }
  return fn;
}
function describeErrors(fn: ValidateFunction): string[] {
  return (fn.errors ?? []).map((e) => {
    const where = e.instancePath ? `'${e.instancePath}'` : 'the body';
    return `For ${where}, ${e.message ?? 'invalid'}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}.`;
  });
}

// ---- sample bodies from response schemas ----------------------------------------------------------------

const FIXED_TIME = '2024-01-02T03:04:05Z';

function sampleOf(schema: Schema | undefined, name: string, base: string): unknown {
  if (!schema) return null;
  const branches = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (branches?.[0]) return sampleOf(branches[0], name, base);
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...(schema.allOf as Schema[]).map((s) => sampleOf(s, name, base)));
  }
  if (schema.nullable === true) return null; // what GitHub sends for unset optional objects (milestone, auto_merge)
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      for (const key of (schema.required ?? []) as string[]) out[key] = sampleOf(props[key], key, base);
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'string':
      if (schema.format === 'date-time') return FIXED_TIME;
      if (schema.format === 'uri' || name.endsWith('_url') || name === 'url') return `${base}/${name}`;
      if (schema.format === 'email') return 'octocat@example.com';
      if (name === 'sha' || name.endsWith('_sha')) return '0'.repeat(40);
      return name || 'example';
    default:
      return null;
  }
}

/** Fills the schema's missing required fields of `partial` (recursively), keeping everything given. */
function complete(schema: Schema | undefined, partial: unknown, name: string, base: string): unknown {
  if (partial === undefined) return sampleOf(schema, name, base);
  if (!schema || partial === null) return partial;
  const branches = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (branches) {
    const kind = Array.isArray(partial) ? 'array' : typeof partial === 'object' ? 'object' : typeof partial;
    const match = branches.find((b) => b.type === kind || (kind === 'number' && b.type === 'integer'));
    return match ? complete(match, partial, name, base) : partial;
  }
  if (Array.isArray(partial)) {
    return schema.type === 'array'
      ? partial.map((item) => complete(schema.items as Schema, item, name, base))
      : partial;
  }
  if (typeof partial === 'object' && schema.type === 'object') {
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    const given = partial as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of (schema.required ?? []) as string[]) out[key] = complete(props[key], given[key], key, base);
    for (const [key, value] of Object.entries(given)) out[key] = complete(props[key], value, key, base);
    return out;
  }
  return partial;
}

function deepMerge(target: unknown, overrides: unknown): unknown {
  if (overrides === undefined) return target;
  if (
    overrides === null ||
    typeof overrides !== 'object' ||
    Array.isArray(overrides) ||
    target === null ||
    typeof target !== 'object' ||
    Array.isArray(target)
  ) {
    return overrides;
  }
  const out: Record<string, unknown> = { ...(target as Record<string, unknown>) };
  for (const [key, value] of Object.entries(overrides as Record<string, unknown>)) {
    out[key] = deepMerge(out[key], value);
  }
  return out;
}

// ---- routing ---------------------------------------------------------------------------------------------

interface Route {
  spec: OperationSpec;
  pattern: RegExp;
  names: string[];
}
const routes: Route[] = Object.values(OPERATIONS).map((spec) => {
  const names: string[] = [];
  const source = spec.path
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{([^}]+)\}$/.exec(part);
      if (m?.[1]) {
        names.push(m[1]);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { spec, names, pattern: new RegExp(`^(?:/api/v3)?${source}/?$`) };
});

function route(method: string, path: string): { spec: OperationSpec; params: Record<string, string> } | undefined {
  for (const r of routes) {
    if (r.spec.method !== method) continue;
    const m = r.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    r.names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1] ?? '');
    });
    return { spec: r.spec, params };
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function successStatus(spec: OperationSpec): number {
  const codes = Object.keys(spec.responses)
    .map(Number)
    .filter((c) => c >= 200 && c < 300);
  return codes.find((c) => c !== 204) ?? codes[0] ?? 200;
}

/** Starts the loopback API on 127.0.0.1 (random port). Close it in afterEach/onTestFinished. */
export async function startGitHubApi(options: GitHubApiOptions = {}): Promise<GitHubApi> {
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const queues = new Map<string, ApiReply[]>();
  const handlers = new Map<string, (req: RecordedRequest) => ApiReply | Promise<ApiReply>>();
  const pulls = new Map<number, StoredPull>();
  const serverUrl = (options.serverUrl ?? 'https://github.com').replace(/\/$/, '');
  const knownRepos = options.repositories
    ? new Map(Object.entries(options.repositories).map(([k, v]) => [k.toLowerCase(), v]))
    : undefined;
  let nextRunId = 1000;
  let nextPull = 1;
  const runs: StoredRun[] = [];
  const deployments = new Map<number, StoredDeployment>();
  let nextDeployment = 7001;
  let url = '';

  const fromSchema = (schema: Schema | undefined, overrides?: unknown): unknown =>
    complete(schema, deepMerge(sampleOf(schema, '', url), overrides), '', url);
  const responseSchema = (operationId: string, status?: number): Schema | undefined => {
    const spec = OPERATIONS[operationId];
    if (!spec) throw new Error(`unknown operationId ${operationId}; known: ${Object.keys(OPERATIONS).join(', ')}`);
    return spec.responses[String(status ?? successStatus(spec))]?.schema;
  };
  const sample = (operationId: string, overrides?: unknown, status?: number): unknown =>
    fromSchema(responseSchema(operationId, status), overrides);

  const repoUrls = (owner: string, repo: string) => ({
    api: `${url}/repos/${owner}/${repo}`,
    html: `${serverUrl}/${owner}/${repo}`,
  });
  const repositoryBody = (owner: string, repo: string, defaultBranch: string) => {
    const u = repoUrls(owner, repo);
    return {
      name: repo,
      full_name: `${owner}/${repo}`,
      owner: { login: owner, type: 'Organization', html_url: `${serverUrl}/${owner}` },
      default_branch: defaultBranch,
      private: true,
      url: u.api,
      html_url: u.html,
      clone_url: `${u.html}.git`,
    };
  };
  const defaultBranchOf = (owner: string, repo: string): string =>
    knownRepos?.get(`${owner}/${repo}`.toLowerCase())?.defaultBranch ?? 'main';

  // Built from the exact schema it is sent under: the full and the list ("simple") pull request schemas differ
  // in details (e.g. whether a label's description may be null).
  const pullBody = (schema: Schema | undefined, p: StoredPull): unknown => {
    const u = repoUrls(p.owner, p.repo);
    const repo = repositoryBody(p.owner, p.repo, defaultBranchOf(p.owner, p.repo));
    const headRef = p.head.includes(':') ? p.head.slice(p.head.indexOf(':') + 1) : p.head;
    return fromSchema(schema, {
      number: p.number,
      id: 50_000 + p.number,
      title: p.title,
      body: p.body,
      state: p.state,
      draft: p.draft,
      url: `${u.api}/pulls/${p.number}`,
      html_url: `${u.html}/pull/${p.number}`,
      head: { ref: headRef, label: `${p.owner}:${headRef}`, repo },
      base: { ref: p.base, label: `${p.owner}:${p.base}`, repo },
      labels: p.labels.map((name, i) => ({ id: i + 1, name, url: `${u.api}/labels/${encodeURIComponent(name)}` })),
      requested_reviewers: p.reviewers.map((login, i) => ({ login, id: i + 1 })),
    });
  };

  const defaults: Record<string, (req: RecordedRequest) => ApiReply> = {
    'repos/create-dispatch-event': () => ({ status: 204 }),
    'actions/create-workflow-dispatch': (req) => {
      const body = req.body as { return_run_details?: boolean } | undefined;
      // From API version 2026-03-10 GitHub always returns the run details.
      const details = body?.return_run_details === true || req.headers['x-github-api-version'] === '2026-03-10';
      if (!details) return { status: 204 };
      const id = nextRunId++;
      const { owner = '', repo = '' } = req.params;
      return {
        status: 200,
        body: {
          workflow_run_id: id,
          run_url: `${repoUrls(owner, repo).api}/actions/runs/${id}`,
          html_url: `${repoUrls(owner, repo).html}/actions/runs/${id}`,
        },
      };
    },
    'actions/list-workflow-runs-for-repo': (req) => {
      const { owner = '', repo = '' } = req.params;
      const created = req.query.created;
      const since = created?.startsWith('>=') ? Date.parse(created.slice(2)) : Number.NaN;
      const visible = runs.filter((r) => {
        if (r.hiddenForLists <= 0) return true;
        r.hiddenForLists -= 1;
        return false;
      });
      const list = visible
        .filter(
          (r) =>
            r.owner.toLowerCase() === owner.toLowerCase() &&
            r.repo.toLowerCase() === repo.toLowerCase() &&
            (req.query.event === undefined || r.event === req.query.event) &&
            (Number.isNaN(since) || Date.parse(r.createdAt) >= since),
        )
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
      const perPage = Number(req.query.per_page ?? 30);
      const schema = OPERATIONS['actions/list-workflow-runs-for-repo']?.responses['200']?.schema;
      const itemSchema = (schema?.properties as Record<string, Schema> | undefined)?.workflow_runs?.items as Schema;
      return {
        status: 200,
        body: {
          total_count: list.length,
          workflow_runs: list.slice(0, perPage).map((r) => runBody(itemSchema, r)),
        },
      };
    },
    'repos/create-deployment': (req) => {
      const { owner = '', repo = '' } = req.params;
      const b = req.body as Record<string, unknown>;
      const id = nextDeployment++;
      deployments.set(id, { id, owner, repo, request: b, statuses: [] });
      const u = repoUrls(owner, repo);
      return {
        status: 201,
        body: sample(
          'repos/create-deployment',
          {
            id,
            sha: b.ref,
            ref: b.ref,
            task: b.task ?? 'deploy',
            environment: b.environment ?? 'production',
            payload: b.payload ?? {},
            description: b.description ?? null,
            production_environment: b.production_environment ?? false,
            url: `${u.api}/deployments/${id}`,
            statuses_url: `${u.api}/deployments/${id}/statuses`,
            repository_url: u.api,
            creator: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
          },
          201,
        ),
      };
    },
    'repos/create-deployment-status': (req) => {
      const { owner = '', repo = '', deployment_id = '0' } = req.params;
      const d = deployments.get(Number(deployment_id));
      if (!d || d.owner !== owner || d.repo !== repo) return githubError(404, 'Not Found');
      const b = req.body as Record<string, unknown>;
      d.statuses.push(b);
      const u = repoUrls(owner, repo);
      return {
        status: 201,
        body: sample(
          'repos/create-deployment-status',
          {
            id: d.statuses.length,
            state: b.state,
            description: b.description ?? '',
            environment: d.request.environment ?? 'production',
            ...(b.log_url ? { log_url: b.log_url, target_url: b.log_url } : {}),
            ...(b.environment_url ? { environment_url: b.environment_url } : {}),
            deployment_url: `${u.api}/deployments/${d.id}`,
            repository_url: u.api,
            url: `${u.api}/deployments/${d.id}/statuses/${d.statuses.length}`,
            creator: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
          },
          201,
        ),
      };
    },
    'actions/get-workflow-run': (req) => {
      const { owner = '', repo = '', run_id = '0' } = req.params;
      const id = Number(run_id);
      const stored = runs.find((r) => r.id === id && r.owner === owner && r.repo === repo);
      if (stored) {
        const schema = OPERATIONS['actions/get-workflow-run']?.responses['200']?.schema;
        const body = runBody(schema, stored);
        stored.step = Math.min(stored.step + 1, stored.steps.length - 1);
        return { status: 200, body };
      }
      return {
        status: 200,
        body: sample('actions/get-workflow-run', {
          id,
          run_number: 1,
          status: 'completed',
          conclusion: 'success',
          event: 'workflow_dispatch',
          head_branch: defaultBranchOf(owner, repo),
          url: `${repoUrls(owner, repo).api}/actions/runs/${id}`,
          html_url: `${repoUrls(owner, repo).html}/actions/runs/${id}`,
          repository: repositoryBody(owner, repo, defaultBranchOf(owner, repo)),
          head_repository: repositoryBody(owner, repo, defaultBranchOf(owner, repo)),
        }),
      };
    },
    'repos/get': (req) => {
      const { owner = '', repo = '' } = req.params;
      return {
        status: 200,
        body: sample('repos/get', repositoryBody(owner, repo, defaultBranchOf(owner, repo))),
      };
    },
    'pulls/list': (req) => {
      const { owner = '', repo = '' } = req.params;
      const state = req.query.state ?? 'open';
      const list = [...pulls.values()].filter(
        (p) =>
          p.owner.toLowerCase() === owner.toLowerCase() &&
          p.repo.toLowerCase() === repo.toLowerCase() &&
          (state === 'all' || p.state === state) &&
          (req.query.head === undefined || qualifiedHead(p) === req.query.head) &&
          (req.query.base === undefined || p.base === req.query.base),
      );
      const schema = OPERATIONS['pulls/list']?.responses['200']?.schema;
      const itemSchema = schema?.items as Schema | undefined;
      return {
        status: 200,
        body: list.map((p) => pullBody(itemSchema, p)),
      };
    },
    'pulls/create': (req) => {
      const { owner = '', repo = '' } = req.params;
      const b = req.body as { title?: string; body?: string; head: string; base: string; draft?: boolean };
      const p: StoredPull = {
        number: nextPull++,
        owner,
        repo,
        title: b.title ?? '',
        body: b.body ?? null,
        head: b.head,
        base: b.base,
        state: 'open',
        draft: b.draft ?? false,
        labels: [],
        reviewers: [],
      };
      const clash = [...pulls.values()].find(
        (q) => q.state === 'open' && q.owner === owner && q.repo === repo && qualifiedHead(q) === qualifiedHead(p),
      );
      if (clash) {
        return {
          status: 422,
          body: {
            message: 'Validation Failed',
            errors: [
              {
                resource: 'PullRequest',
                code: 'custom',
                message: `A pull request already exists for ${qualifiedHead(p)}.`,
              },
            ],
            documentation_url: `${DOCS}/pulls/pulls#create-a-pull-request`,
            status: '422',
          },
        };
      }
      pulls.set(p.number, p);
      return { status: 201, body: pullBody(responseSchema('pulls/create', 201), p) };
    },
    'pulls/update': (req) => {
      const p = pulls.get(Number(req.params.pull_number));
      if (!p) return githubError(404, 'Not Found');
      const b = req.body as Partial<Pick<StoredPull, 'title' | 'base' | 'state'>> & { body?: string };
      if (b.title !== undefined) p.title = b.title;
      if (b.body !== undefined) p.body = b.body;
      if (b.base !== undefined) p.base = b.base;
      if (b.state !== undefined) p.state = b.state;
      return { status: 200, body: pullBody(responseSchema('pulls/update', 200), p) };
    },
    'issues/add-labels': (req) => {
      const p = pulls.get(Number(req.params.issue_number));
      const given = ((req.body as { labels?: (string | { name: string })[] }).labels ?? []).map((l) =>
        typeof l === 'string' ? l : l.name,
      );
      const labels = p ? p.labels : [];
      for (const name of given) if (!labels.includes(name)) labels.push(name);
      const { owner = '', repo = '' } = req.params;
      return {
        status: 200,
        body: sample(
          'issues/add-labels',
          labels.map((name, i) => ({
            id: i + 1,
            name,
            url: `${repoUrls(owner, repo).api}/labels/${encodeURIComponent(name)}`,
            color: 'ededed',
            description: null,
          })),
        ),
      };
    },
    'pulls/request-reviewers': (req) => {
      const p = pulls.get(Number(req.params.pull_number));
      if (!p) return githubError(404, 'Not Found');
      for (const r of (req.body as { reviewers?: string[] }).reviewers ?? []) {
        if (!p.reviewers.includes(r)) p.reviewers.push(r);
      }
      return { status: 201, body: pullBody(responseSchema('pulls/request-reviewers', 201), p) };
    },
  };

  const runBody = (schema: Schema | undefined, r: StoredRun): unknown => {
    const u = repoUrls(r.owner, r.repo);
    const state = r.steps[r.step] ?? { status: 'completed', conclusion: 'success' };
    const repository = repositoryBody(r.owner, r.repo, defaultBranchOf(r.owner, r.repo));
    return fromSchema(schema, {
      id: r.id,
      name: 'gitops-receive',
      display_title: r.displayTitle,
      run_number: r.id - 999,
      event: r.event,
      status: state.status,
      conclusion: state.conclusion,
      head_branch: defaultBranchOf(r.owner, r.repo),
      created_at: r.createdAt,
      updated_at: r.createdAt,
      url: `${u.api}/actions/runs/${r.id}`,
      html_url: r.htmlUrl,
      repository,
      head_repository: repository,
    });
  };

  const qualifiedHead = (p: StoredPull): string => (p.head.includes(':') ? p.head : `${p.owner}:${p.head}`);

  const check = (req: IncomingMessage, record: RecordedRequest, spec: OperationSpec): ApiReply | undefined => {
    const problem = (message: string): void => {
      const text = `${record.method} ${record.path} (${record.operationId}): ${message}`;
      record.violations.push(text);
      violations.push(text);
    };
    // Authentication first, as GitHub does: a bad token hides everything else.
    const auth = req.headers.authorization;
    const m = auth ? /^(bearer|token)\s+(\S+)$/i.exec(auth) : null;
    if (!auth) {
      problem('no Authorization header');
      return githubError(401, 'Requires authentication');
    }
    const { owner: forOwner, repo: forRepo } = record.params;
    const repoToken =
      forOwner && forRepo
        ? Object.entries(options.tokenFor ?? {}).find(
            ([name]) => name.toLowerCase() === `${forOwner}/${forRepo}`.toLowerCase(),
          )?.[1]
        : undefined;
    const expectedToken = repoToken ?? options.token;
    if (!m || (expectedToken !== undefined && m[2] !== expectedToken)) {
      problem(`Authorization is not 'Bearer <token>' or 'token <token>' with the expected token`);
      return githubError(401, 'Bad credentials');
    }
    const accept = req.headers.accept ?? '';
    if (!accept.split(',').some((a) => a.trim().split(';')[0] === 'application/vnd.github+json')) {
      problem(`Accept is '${accept}'; expected it to include application/vnd.github+json`);
    }
    const version = req.headers['x-github-api-version'];
    if (version === undefined) {
      problem(`X-GitHub-Api-Version is missing; expected one of ${SUPPORTED_API_VERSIONS.join(', ')}`);
    } else if (!(SUPPORTED_API_VERSIONS as readonly string[]).includes(String(version))) {
      problem(`X-GitHub-Api-Version is '${version}'; expected one of ${SUPPORTED_API_VERSIONS.join(', ')}`);
      return githubError(400, `API version ${version} is not supported.`);
    }

    // Path and query parameters (typed, e.g. run_id integer, state enum).
    const paramProblems: string[] = [];
    for (const where of ['path', 'query'] as const) {
      const defs = spec.parameters.filter((p) => p.in === where);
      const values: Record<string, string> = { ...(where === 'path' ? record.params : record.query) };
      if (where === 'query' && spec.operationId === 'actions/list-workflow-runs-for-repo' && values.created) {
        // The schema says date-time, but GitHub documents (and takes) its search syntax here: >=DATE, DATE..DATE.
        const day = '\\d{4}-\\d\\d-\\d\\d(?:T\\d\\d:\\d\\d(?::\\d\\d)?(?:Z|[+-]\\d\\d:\\d\\d)?)?';
        if (!new RegExp(`^(?:(?:>=|<=|>|<)?${day}|${day}\\.\\.${day})$`).test(values.created)) {
          paramProblems.push(
            `query parameter: 'created' is ${JSON.stringify(values.created)}; expected a date qualifier such as >=2024-01-02T03:04:05Z`,
          );
        }
        delete values.created;
      }
      const schema = {
        type: 'object',
        properties: Object.fromEntries(defs.map((d) => [d.name, d.schema])),
        required: defs.filter((d) => d.required).map((d) => d.name),
      };
      const fn = validator(`${spec.operationId}#${where}`, schema, true);
      if (!fn({ ...values })) paramProblems.push(...describeErrors(fn).map((e) => `${where} parameter: ${e}`));
    }
    if (paramProblems.length > 0) {
      for (const p of paramProblems) problem(p);
      return githubError(422, `Invalid request.\n\n${paramProblems.join('\n')}`);
    }

    if (record.rawBody.length > 0) {
      const type = req.headers['content-type'] ?? '';
      if (!/^application\/json\b/i.test(type)) problem(`Content-Type is '${type}'; expected application/json`);
      try {
        record.body = JSON.parse(record.rawBody);
      } catch {
        problem('body is not valid JSON');
        return githubError(400, 'Problems parsing JSON');
      }
    }
    if (spec.requestBody) {
      if (record.body === undefined) {
        if (spec.requestBody.required) {
          problem('request body is required');
          return githubError(422, 'Invalid request.\n\nFor the body, nil is not an object.');
        }
      } else {
        const fn = validator(`${spec.operationId}#body`, spec.requestBody.schema);
        if (!fn(record.body)) {
          const errors = describeErrors(fn);
          for (const e of errors) problem(`request body: ${e}`);
          return githubError(422, `Invalid request.\n\n${errors.join('\n')}`);
        }
      }
      if (spec.operationId === 'repos/create-dispatch-event') {
        // Documented limit the schema cannot express: client_payload must be under 64 KB.
        const size = Buffer.byteLength(
          JSON.stringify((record.body as { client_payload?: unknown }).client_payload ?? {}),
        );
        if (size >= 64 * 1024) {
          problem(`client_payload is ${size} bytes; GitHub requires less than 65536`);
          return githubError(422, 'Invalid request.\n\nclient_payload is too large.');
        }
      }
    } else if (record.body !== undefined) {
      problem('this operation takes no request body');
    }
    return undefined;
  };

  const respond = (res: ServerResponse, reply: ApiReply, version: string): void => {
    const headers: Record<string, string> = {
      'x-github-api-version-selected': version,
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': '1700000000',
      'x-github-request-id': `LOOP:${requests.length}`,
      ...(reply.headers ?? {}),
    };
    if (reply.body !== undefined && reply.status !== 204) {
      headers['content-type'] ??= 'application/json; charset=utf-8';
      res.writeHead(reply.status, headers);
      res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    } else {
      res.writeHead(reply.status, headers);
      res.end();
    }
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const rawBody = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    if (headers.authorization) headers.authorization = headers.authorization.replace(/^(\S+)\s+.*$/, '$1 ***');
    const found = route(method, u.pathname);
    const record: RecordedRequest = {
      operationId: found?.spec.operationId ?? '(unknown)',
      method,
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers,
      rawBody,
      body: undefined,
      violations: [],
      params: found?.params ?? {},
    };
    requests.push(record);
    const version = headers['x-github-api-version'] ?? SUPPORTED_API_VERSIONS[0];
    if (!found) {
      const text = `${method} ${u.pathname}: no such GitHub API route among the extracted operations`;
      record.violations.push(text);
      violations.push(text);
      respond(res, githubError(404, 'Not Found'), version);
      return;
    }
    const rejected = check(req, record, found.spec);
    if (rejected) {
      respond(res, rejected, version);
      return;
    }
    const { owner, repo } = found.params;
    if (knownRepos && owner && repo && !knownRepos.has(`${owner}/${repo}`.toLowerCase())) {
      respond(res, githubError(404, 'Not Found'), version);
      return;
    }
    const queued = queues.get(found.spec.operationId);
    let reply: ApiReply;
    if (queued && queued.length > 0) reply = queued.shift()!;
    else {
      const custom = handlers.get(found.spec.operationId);
      const fallback = defaults[found.spec.operationId];
      reply = custom ? await custom(record) : fallback ? fallback(record) : { status: successStatus(found.spec) };
      if (!custom) {
        // Self-check: default replies must be what GitHub's schema says, or tests would pass against a fiction.
        for (const p of responseProblems(found.spec.operationId, reply.status, reply.body)) {
          violations.push(`${method} ${u.pathname}: loopback default reply does not match the response schema: ${p}`);
        }
      }
    }
    respond(res, reply, version);
  };

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      const text = `${req.method} ${req.url}: loopback API failed: ${error instanceof Error ? error.stack : String(error)}`;
      violations.push(text);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ message: 'Server Error', documentation_url: DOCS, status: '500' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    requests,
    violations,
    pulls,
    runs,
    deployments,
    addRun(run) {
      const id = nextRunId++;
      const stored: StoredRun = {
        event: 'repository_dispatch',
        hiddenForLists: 0,
        createdAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        steps: [
          { status: 'queued', conclusion: null },
          { status: 'in_progress', conclusion: null },
          { status: 'completed', conclusion: 'success' },
        ],
        ...run,
        id,
        step: 0,
        htmlUrl: `${serverUrl}/${run.owner}/${run.repo}/actions/runs/${id}`,
      };
      runs.push(stored);
      return stored;
    },
    reply(operationId, ...replies) {
      if (!OPERATIONS[operationId]) throw new Error(`unknown operationId ${operationId}`);
      queues.set(operationId, [...(queues.get(operationId) ?? []), ...replies]);
    },
    handle(operationId, fn) {
      if (!OPERATIONS[operationId]) throw new Error(`unknown operationId ${operationId}`);
      handlers.set(operationId, fn);
    },
    sample,
    // Idempotent, so both a test and its afterEach may close.
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Validates a reply body against the fixture's response schema; returns problems (empty when it conforms). */
export function responseProblems(operationId: string, status: number, body: unknown): string[] {
  const schema = OPERATIONS[operationId]?.responses[String(status)]?.schema;
  if (!schema) return [];
  const fn = validator(`${operationId}#${status}`, schema);
  return fn(body) ? [] : describeErrors(fn);
}
