/**
 * Opens the pull request for an update branch, or updates the one already open for it, through GitHub's REST API.
 * The request function is octokit's `request` or anything shaped like it; it may throw on 4xx/5xx (octokit) or
 * return the status (a plain fetch wrapper): both are handled.
 */
import { createHash } from 'node:crypto';
import { GitHubApiError, type RequestFn } from './client.js';

export type { RequestFn };

export interface PullRequestOptions {
  request: RequestFn;
  /** `owner/repo` */
  repository: string;
  /** Branch name in `repository` (not `owner:branch`). */
  head: string;
  base: string;
  title: string;
  body: string;
  labels: string[];
  /** Logins, or `org/team-slug` for teams. */
  reviewers: string[];
}

export interface PullRequestResult {
  url: string;
  number: number;
  created: boolean;
  /** Labels or reviewers that could not be added: the pull request exists, so these do not fail the run. */
  warnings: string[];
}

function apiError(route: string, what: string, reply: Reply): GitHubApiError {
  return new GitHubApiError(
    route,
    reply.status,
    {},
    reply.data,
    `${what} failed with HTTP ${reply.status}: ${apiMessage(reply.data)}${hint(reply.status)}`,
  );
}

const LIST = 'GET /repos/{owner}/{repo}/pulls';
const CREATE = 'POST /repos/{owner}/{repo}/pulls';
const UPDATE = 'PATCH /repos/{owner}/{repo}/pulls/{pull_number}';

interface Reply {
  status: number;
  data: unknown;
}

async function call(request: RequestFn, route: string, params: Record<string, unknown>): Promise<Reply> {
  try {
    const { status, data } = await request(route, params);
    return { status, data };
  } catch (error) {
    // octokit's RequestError: keep the status and GitHub's message, treat it like a returned reply
    const e = error as { status?: unknown; response?: { data?: unknown }; data?: unknown; message?: string };
    if (typeof e.status === 'number') {
      return { status: e.status, data: e.response?.data ?? e.data ?? { message: e.message } };
    }
    throw error;
  }
}

function apiMessage(data: unknown): string {
  if (data && typeof data === 'object') {
    const d = data as { message?: unknown; errors?: unknown };
    const parts: string[] = [];
    if (typeof d.message === 'string') parts.push(d.message);
    if (Array.isArray(d.errors)) {
      for (const item of d.errors) {
        const m = (item as { message?: unknown })?.message;
        if (typeof m === 'string') parts.push(m);
      }
    }
    if (parts.length > 0) return parts.join('; ');
  }
  return typeof data === 'string' && data.length > 0 ? data.slice(0, 300) : 'no message';
}

function hint(status: number): string {
  if (status === 403 || status === 404) {
    return ' (the token needs `permissions: pull-requests: write` and `contents: write` on this repository)';
  }
  if (status === 401) return ' (the token is missing, invalid or expired)';
  return '';
}

function splitRepository(repository: string): { owner: string; repo: string } {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository);
  if (!match) throw new Error(`Repository is '${repository}'; expected owner/repo`);
  return { owner: match[1]!, repo: match[2]! };
}

interface PullSummary {
  number: number;
  html_url: string;
}

function asPull(data: unknown): PullSummary | undefined {
  const d = data as { number?: unknown; html_url?: unknown } | null;
  if (d && typeof d.number === 'number' && typeof d.html_url === 'string') {
    return { number: d.number, html_url: d.html_url };
  }
  return undefined;
}

async function findOpen(
  request: RequestFn,
  owner: string,
  repo: string,
  head: string,
): Promise<PullSummary | undefined> {
  const reply = await call(request, LIST, {
    owner,
    repo,
    head: `${owner}:${head}`,
    state: 'open',
    per_page: 100,
  });
  if (reply.status !== 200) throw apiError(LIST, `Listing open pull requests for ${head}`, reply);
  if (!Array.isArray(reply.data)) return undefined;
  for (const item of reply.data) {
    const pull = asPull(item);
    if (pull) return pull;
  }
  return undefined;
}

export async function openOrUpdatePullRequest(o: PullRequestOptions): Promise<PullRequestResult> {
  const { owner, repo } = splitRepository(o.repository);
  const { request } = o;
  const warnings: string[] = [];
  let pull = await findOpen(request, owner, repo, o.head);
  let created = false;

  if (!pull) {
    const reply = await call(request, CREATE, {
      owner,
      repo,
      head: o.head,
      base: o.base,
      title: o.title,
      body: o.body,
    });
    if (reply.status === 201) {
      pull = asPull(reply.data);
      created = true;
    } else if (reply.status === 422 && /already exists/i.test(apiMessage(reply.data))) {
      // Another run opened it between our list and create: update that one instead.
      pull = await findOpen(request, owner, repo, o.head);
    } else {
      throw apiError(CREATE, `Opening a pull request from ${o.head} into ${o.base}`, reply);
    }
    if (!pull) throw new Error(`GitHub gave no pull request for ${owner}:${o.head} (HTTP ${reply.status})`);
  }

  if (!created) {
    const reply = await call(request, UPDATE, {
      owner,
      repo,
      pull_number: pull.number,
      title: o.title,
      body: o.body,
    });
    if (reply.status !== 200) {
      throw apiError(UPDATE, `Updating pull request #${pull.number}`, reply);
    }
    pull = asPull(reply.data) ?? pull;
  }

  const labels = unique(o.labels.map((l) => l.trim()).filter((l) => l.length > 0));
  if (labels.length > 0) {
    const reply = await call(request, 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
      owner,
      repo,
      issue_number: pull.number,
      labels,
    });
    if (reply.status !== 200) {
      warnings.push(
        `Could not add labels ${labels.join(', ')} to #${pull.number}: HTTP ${reply.status}: ${apiMessage(reply.data)}`,
      );
    }
  }

  const people: string[] = [];
  const teams: string[] = [];
  for (const raw of unique(o.reviewers.map((r) => r.trim().replace(/^@/, '')).filter((r) => r.length > 0))) {
    const slash = raw.indexOf('/');
    if (slash >= 0) teams.push(raw.slice(slash + 1));
    else people.push(raw);
  }
  if (people.length + teams.length > 0) {
    const params: Record<string, unknown> = { owner, repo, pull_number: pull.number };
    if (people.length > 0) params.reviewers = people;
    if (teams.length > 0) params.team_reviewers = teams;
    const reply = await call(request, 'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', params);
    if (reply.status !== 201 && reply.status !== 200) {
      warnings.push(
        `Could not request reviews from ${[...people, ...teams].join(', ')} on #${pull.number}: HTTP ${reply.status}: ` +
          apiMessage(reply.data),
      );
    }
  }

  return { url: pull.html_url, number: pull.number, created, warnings };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/**
 * An image reference without its tag and digest, lower case: `ghcr.io/Org/App:1.2@sha256:...` -> `ghcr.io/org/app`.
 * Undefined when it is not an image reference (a registry host with optional port, then path components of
 * letters, digits and `._-`, at most 255 characters).
 */
export function imageName(image: string): string | undefined {
  const name = withoutTag(image);
  const component = '[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?';
  const pattern = new RegExp(`^${component}(?::[0-9]{1,5})?(?:/${component})*$`);
  return name.length > 0 && name.length <= 255 && pattern.test(name) ? name : undefined;
}

function withoutTag(image: string): string {
  let name = image.trim().toLowerCase();
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) name = name.slice(0, colon);
  return name;
}

/**
 * The branch an update lands on in pull-request mode: one per environment set and image, so a newer tag for the
 * same image and environments updates the open pull request instead of opening another. The last part is the
 * image's path (readable) plus the first 8 hex digits of the SHA-256 of its full name (registry included, tag and
 * digest left out), so `ghcr.io/team-a/api` and `ghcr.io/team-b/api`, or the same path on two registries, never
 * share a branch. `image` may also be a repository `owner/name` (the fallback when the payload has no image).
 * `(['prod'], 'ghcr.io/org/myapp')` -> `gitops-dispatch/prod/org-myapp-<hash>`.
 */
export function pullRequestBranch(environments: string[], image: string): string {
  const envs = unique(environments.map(refSafe).filter((e) => e.length > 0)).sort();
  const parts = ['gitops-dispatch', envs.length > 0 ? envs.join('+') : 'update'];
  const full = withoutTag(image);
  if (full.length > 0) {
    const components = full.split('/');
    // The registry host (a first component with a dot or port, or localhost) is in the hash, not the readable part.
    if (components.length > 1 && /[.:]|^localhost$/.test(components[0]!)) components.shift();
    const readable = refSafe(components.join('-'))
      .slice(0, 40)
      .replace(/[.-]+$/, '');
    const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
    parts.push(readable.length > 0 ? `${readable}-${hash}` : hash);
  }
  return parts.join('/');
}

/** Keeps what `git check-ref-format` accepts in one path component, readable. */
function refSafe(value: string): string {
  return value
    .replace(/[^A-Za-z0-9._+-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .slice(0, 60)
    .replace(/^[.-]+|[.-]+$/g, '')
    .replace(/\.lock$/i, '-lock');
}
