/** Turns a failed GitHub answer into a message a user can act on without searching. */
import type { DispatchMode } from '../payload/model.js';
import { type GitHubApiError, rateLimitWaitMs, seconds } from './client.js';
import { excerpt } from './excerpt.js';

export interface ExplainContext {
  mode: DispatchMode;
  /** owner/repo of the target. */
  repository: string;
  /** workflow_dispatch: the workflow file name or id. */
  workflow?: string;
  /** What was being done, e.g. "send the repository_dispatch event". */
  action: string;
  /** The permission this request needs, when it is not the mode's dispatch permission (e.g. reading runs). */
  permission?: string;
}

const NEW_TOKEN =
  "Create a new fine-grained token at https://github.com/settings/personal-access-tokens/new (or on your GitHub Enterprise Server: Settings > Developer settings > Personal access tokens), then update the secret passed as input 'token'";

function permissionFor(mode: DispatchMode): string {
  return mode === 'workflow_dispatch' ? '"Actions: Read and write"' : '"Contents: Read and write"';
}

function classicScope(): string {
  return 'a classic token needs the "repo" scope (or "public_repo" for a public repository)';
}

/**
 * GitHub's message plus any `errors` details of a 422, as GitHub wrote them; only the start of a long answer (an
 * HTML error page from a proxy can be megabytes).
 */
export function githubDetails(error: GitHubApiError): string {
  return excerpt(fullDetails(error));
}

function fullDetails(error: GitHubApiError): string {
  const data = error.data as { message?: unknown; errors?: unknown; documentation_url?: unknown } | undefined;
  if (!data || typeof data !== 'object') return typeof error.data === 'string' && error.data ? error.data : '';
  const parts: string[] = [];
  if (typeof data.message === 'string') parts.push(data.message);
  if (Array.isArray(data.errors)) {
    for (const item of data.errors) {
      if (typeof item === 'string') parts.push(item);
      else if (item && typeof item === 'object') {
        const e = item as { message?: unknown; field?: unknown; code?: unknown; resource?: unknown };
        const text = [e.resource, e.field, e.code, e.message].filter((x) => typeof x === 'string').join(' ');
        parts.push(text || JSON.stringify(item));
      }
    }
  }
  return parts.join('; ');
}

/** " after 5 attempts in 152 s", with a note when the time budget stopped the retries; '' when not retried. */
function attemptsMade(error: GitHubApiError): string {
  const a = error.attempts;
  if (!a) return '';
  const budget = a.budgetExhausted ? ' (the time budget of one request ran out)' : '';
  return ` after ${a.count} attempt${a.count === 1 ? '' : 's'} in ${seconds(a.elapsedMs)}${budget}`;
}

/**
 * For a request that got no answer (timeout or network error): what happened, e.g. "GET /repos/{owner}/{repo}/pulls:
 * no answer within 30 s (time limit of one request) after 5 attempts in 152 s". Undefined for an HTTP answer.
 */
export function describeNoAnswer(error: GitHubApiError): string | undefined {
  if (error.status !== undefined) return undefined;
  const what = error.message.startsWith(error.route) ? error.message : `${error.route}: ${error.message}`;
  return `${what}${attemptsMade(error)}`;
}

export function explainFailure(error: GitHubApiError, context: ExplainContext): string {
  const head = `Could not ${context.action} to ${context.repository}`;
  const said = githubDetails(error);
  const quote = said ? ` GitHub said: "${said}".` : '';
  switch (error.status) {
    case undefined: {
      const tried = attemptsMade(error);
      if (error.timedOut) {
        return `${head}: GitHub did not answer in time (${error.message})${tried}. Check input 'api-url' and the runner's network, or https://www.githubstatus.com, then run the job again. GitHub may have received the request even so; dispatching again is harmless (the receiver makes no commit when the files already hold the tag).`;
      }
      return `${head}: no answer from GitHub (${error.message})${tried}. Check input 'api-url' and the runner's network; the request was retried and kept failing.`;
    }
    case 401:
      return `${head}: HTTP 401, the token was rejected: it is invalid, expired or revoked.${quote} ${NEW_TOKEN}. Fine-grained tokens need ${context.permission ?? permissionFor(context.mode)} on ${context.repository}.`;
    case 403: {
      const accepted = error.headers['x-accepted-github-permissions'];
      const wanted = context.permission ?? permissionFor(context.mode);
      const acceptedText =
        accepted !== undefined && String(accepted) !== ''
          ? ` GitHub accepts these permissions for this request (X-Accepted-GitHub-Permissions): ${String(accepted)}.`
          : '';
      if (rateLimitWaitMs(error) !== undefined) {
        return `${head}: HTTP 403, rate limited and the wait was too long or retries ran out.${quote} Try again later.`;
      }
      return `${head}: HTTP 403, the token lacks a permission.${quote}${acceptedText} A fine-grained token needs ${wanted} on ${context.repository} (edit it at https://github.com/settings/personal-access-tokens); ${classicScope()}. A GitHub App needs the same permission and must be installed on ${context.repository}.`;
    }
    case 404: {
      const workflowPart =
        context.mode === 'workflow_dispatch'
          ? ` For workflow_dispatch, also check that input 'workflow' (${JSON.stringify(context.workflow ?? '')}) is the file name of a workflow in .github/workflows of ${context.repository} (e.g. gitops-receive.yml) that has a workflow_dispatch trigger on the default branch.`
          : '';
      return `${head}: HTTP 404, GitHub says the repository ${context.repository} does not exist or the token cannot see it.${quote} Check input 'repository' (owner/repo). GitHub answers 404 instead of 403 for private repositories a token cannot see: the token needs ${context.permission ?? permissionFor(context.mode)} on ${context.repository}: a fine-grained token must list ${context.repository} under "Repository access" (its resource owner must be ${context.repository.split('/')[0]}) and grant that permission; a classic token needs the "repo" scope.${workflowPart}`;
    }
    case 422:
      return `${head}: HTTP 422, GitHub rejected the request.${quote}${context.mode === 'workflow_dispatch' ? " For workflow_dispatch, every key sent must be declared under on.workflow_dispatch.inputs of the target workflow, and input 'ref' must be an existing branch or tag." : ''}`;
    case 429:
      return `${head}: HTTP 429, rate limited and the wait was too long or retries ran out.${quote} Try again later.`;
    default:
      return `${head}: HTTP ${error.status}.${quote}${error.status >= 500 ? ' GitHub kept failing after retries; try again later or check https://www.githubstatus.com.' : ''}`;
  }
}
