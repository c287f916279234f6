/**
 * Opens the pull request for an update branch, or updates the one already open for it, through GitHub's REST API.
 * The request function is octokit's `request` or anything shaped like it; it may throw on 4xx/5xx (octokit) or
 * return the status (a plain fetch wrapper): both are handled.
 */
import { createHash } from 'node:crypto';
import { GitHubApiError, type RequestFn, type ResponseData, type Route, toGitHubApiError } from './client.js';
import { describeNoAnswer, githubDetails } from './explain.js';
import { explainedApiError } from './explain-api.js';

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

const ROUTES = {
  list: 'GET /repos/{owner}/{repo}/pulls',
  create: 'POST /repos/{owner}/{repo}/pulls',
  update: 'PATCH /repos/{owner}/{repo}/pulls/{pull_number}',
  labels: 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
  reviewers: 'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
} as const satisfies Record<string, Route>;

/** The two fields used from a pull request GitHub returns; `asPull` checks them, the answer is not trusted blindly. */
type PullSummary = Pick<ResponseData<typeof ROUTES.create>, 'number' | 'html_url'>;

/**
 * One request; the answer's data when it succeeded. A failure becomes a GitHubApiError as the client makes them,
 * whether the request function threw it (the client, octokit) or returned the status (a plain fetch wrapper);
 * anything else it threw (a caller's own UserError, say) passes through as it is.
 */
async function send(request: RequestFn, route: string, params: Record<string, unknown>): Promise<unknown> {
  let answer: Awaited<ReturnType<RequestFn>>;
  try {
    answer = await request(route, params);
  } catch (error) {
    const status = (error as { status?: unknown } | null)?.status;
    if (error instanceof GitHubApiError || typeof status === 'number') throw toGitHubApiError(route, error);
    throw error;
  }
  const { status, headers, data } = answer;
  if (status < 200 || status >= 300) {
    throw toGitHubApiError(route, { status, response: { headers, data }, message: `HTTP ${status}` });
  }
  return data;
}

/** `error` with the client's explanation for users as its message; other errors unchanged. */
function explained(error: unknown, repository: string, action: string): unknown {
  if (!(error instanceof GitHubApiError)) return error;
  return explainedApiError(error, { repository, action, pullRequest: true });
}

/** What went wrong, for a warning about an optional step (labels, reviewers). */
function problemOf(error: unknown): string {
  if (!(error instanceof GitHubApiError)) return error instanceof Error ? error.message : String(error);
  return describeNoAnswer(error) ?? `HTTP ${error.status}: ${githubDetails(error) || 'no message'}`;
}

function splitRepository(repository: string): { owner: string; repo: string } {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository);
  if (!match) throw new Error(`Repository is '${repository}'; expected owner/repo`);
  return { owner: match[1]!, repo: match[2]! };
}

function asPull(data: unknown): PullSummary | undefined {
  const d = data as Partial<PullSummary> | null;
  if (d && typeof d.number === 'number' && typeof d.html_url === 'string') {
    return { number: d.number, html_url: d.html_url };
  }
  return undefined;
}

async function findOpen(o: PullRequestOptions, owner: string, repo: string): Promise<PullSummary | undefined> {
  let data: unknown;
  try {
    data = await send(o.request, ROUTES.list, {
      owner,
      repo,
      head: `${owner}:${o.head}`,
      state: 'open',
      per_page: 100,
    });
  } catch (error) {
    throw explained(error, o.repository, `list the open pull requests from ${o.head}`);
  }
  if (!Array.isArray(data)) return undefined;
  for (const item of data) {
    const pull = asPull(item);
    if (pull) return pull;
  }
  return undefined;
}

export async function openOrUpdatePullRequest(o: PullRequestOptions): Promise<PullRequestResult> {
  const { owner, repo } = splitRepository(o.repository);
  const { request } = o;
  const warnings: string[] = [];
  let pull = await findOpen(o, owner, repo);
  let created = false;

  if (!pull) {
    const opening = `open a pull request from ${o.head} into ${o.base}`;
    try {
      const data = await send(request, ROUTES.create, {
        owner,
        repo,
        head: o.head,
        base: o.base,
        title: o.title,
        body: o.body,
      });
      pull = asPull(data);
      created = true;
    } catch (error) {
      // Another run opened it between our list and create: update that one instead.
      const raced =
        error instanceof GitHubApiError && error.status === 422 && /already exists/i.test(githubDetails(error));
      if (!raced) throw explained(error, o.repository, opening);
      pull = await findOpen(o, owner, repo);
    }
    if (!pull) throw new Error(`GitHub gave no pull request for ${owner}:${o.head} when asked to ${opening}`);
  }

  if (!created) {
    try {
      const data = await send(request, ROUTES.update, {
        owner,
        repo,
        pull_number: pull.number,
        title: o.title,
        body: o.body,
      });
      pull = asPull(data) ?? pull;
    } catch (error) {
      throw explained(error, o.repository, `update pull request #${pull.number}`);
    }
  }

  const labels = unique(o.labels.map((l) => l.trim()).filter((l) => l.length > 0));
  if (labels.length > 0) {
    try {
      await send(request, ROUTES.labels, { owner, repo, issue_number: pull.number, labels });
    } catch (error) {
      if (!(error instanceof GitHubApiError)) throw error;
      warnings.push(`Could not add labels ${labels.join(', ')} to #${pull.number}: ${problemOf(error)}`);
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
    try {
      await send(request, ROUTES.reviewers, params);
    } catch (error) {
      if (!(error instanceof GitHubApiError)) throw error;
      warnings.push(
        `Could not request reviews from ${[...people, ...teams].join(', ')} on #${pull.number}: ${problemOf(error)}`,
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
