/** Turns a failed GitHub answer into a message a user can act on without searching. */
import type { DispatchMode } from '../payload/model.js';
import { type GitHubApiError, rateLimitWaitMs } from './client.js';

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

/** GitHub's message plus any `errors` details of a 422, as GitHub wrote them. */
function githubDetails(error: GitHubApiError): string {
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

export function explainFailure(error: GitHubApiError, context: ExplainContext): string {
  const head = `Could not ${context.action} to ${context.repository}`;
  const said = githubDetails(error);
  const quote = said ? ` GitHub said: "${said}".` : '';
  switch (error.status) {
    case undefined:
      return `${head}: no answer from GitHub (${error.message}). Check input 'api-url' and the runner's network; the request was retried and kept failing.`;
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
      const permissionPart = context.permission
        ? ` The token also needs ${context.permission} on ${context.repository}.`
        : '';
      return `${head}: HTTP 404, GitHub says the repository ${context.repository} does not exist or the token cannot see it.${quote} Check input 'repository' (owner/repo). GitHub answers 404 instead of 403 for private repositories a token cannot see: a fine-grained token must list ${context.repository} under "Repository access" and its resource owner must be ${context.repository.split('/')[0]}.${workflowPart}${permissionPart}`;
    }
    case 422:
      return `${head}: HTTP 422, GitHub rejected the request.${quote}${context.mode === 'workflow_dispatch' ? " For workflow_dispatch, every key sent must be declared under on.workflow_dispatch.inputs of the target workflow, and input 'ref' must be an existing branch or tag." : ''}`;
    case 429:
      return `${head}: HTTP 429, rate limited and the wait was too long or retries ran out.${quote} Try again later.`;
    default:
      return `${head}: HTTP ${error.status}.${quote}${error.status >= 500 ? ' GitHub kept failing after retries; try again later or check https://www.githubstatus.com.' : ''}`;
  }
}
