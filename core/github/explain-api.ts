/**
 * Explanations for failures of the receiver's API landing (`commit-method: api`): HTTP errors reuse the sender's
 * explanations (explain.ts); GraphQL errors are explained by their `type`.
 */
import { GitHubApiError } from './client.js';
import { explainFailure } from './explain.js';
import { GraphqlError } from './graphql.js';

export interface ApiExplainContext {
  /** owner/repo of the GitOps repository. */
  repository: string;
  /** What was being done, e.g. "commit the update through GitHub's API". */
  action: string;
  /** True when a pull request is involved: the token then also needs Pull requests: Read and write. */
  pullRequest: boolean;
}

const CONTENTS = '"Contents: Read and write"';
const PULLS = '"Pull requests: Read and write"';

function permissions(c: ApiExplainContext): string {
  return c.pullRequest ? `${CONTENTS} and ${PULLS}` : CONTENTS;
}

function scopes(c: ApiExplainContext): string {
  return (
    `A fine-grained token needs ${permissions(c)} on ${c.repository}; a classic token the "repo" scope; a GitHub ` +
    'App the same permissions, installed on the repository. In a workflow, `permissions: contents: write`' +
    `${c.pullRequest ? ' and `pull-requests: write`' : ''} for github.token.`
  );
}

/** Errors made by `explainedApiError`: their message is the explanation already. */
const EXPLAINED = new WeakSet<GitHubApiError>();

/**
 * The same failure (status, route, answer and attempts kept) with its explanation as the message, for a caller that
 * shows only the message; explaining it again returns that message unchanged.
 */
export function explainedApiError(error: GitHubApiError, c: ApiExplainContext): GitHubApiError {
  const copy = new GitHubApiError(error.route, error.status, error.headers, error.data, explainApiFailure(error, c));
  copy.timedOut = error.timedOut;
  copy.attempts = error.attempts;
  EXPLAINED.add(copy);
  return copy;
}

/** A sentence a user can act on, for anything the API landing threw. */
export function explainApiFailure(error: unknown, c: ApiExplainContext): string {
  const head = `Could not ${c.action} in ${c.repository}`;
  if (error instanceof GraphqlError) {
    const said = ` GitHub said: "${error.errors.map((e) => e.message).join('; ')}".`;
    if (error.hasType('FORBIDDEN')) {
      return `${head}: the token may not do this (GraphQL FORBIDDEN).${said} ${scopes(c)}`;
    }
    if (error.hasType('NOT_FOUND')) {
      return (
        `${head}: GitHub found no such repository or branch, or the token cannot see it (GraphQL NOT_FOUND).${said} ` +
        `The repository comes from GITHUB_REPOSITORY; a fine-grained token must list ${c.repository} under ` +
        `"Repository access". Check input 'api-url' when the repository lives on GitHub Enterprise Server.`
      );
    }
    if (error.hasType('RATE_LIMITED')) {
      return `${head}: GitHub's GraphQL rate limit is used up and the wait was too long or retries ran out.${said} Try again later.`;
    }
    if (error.hasType('UNPROCESSABLE') || error.hasType('UNPROCESSABLE_ENTITY')) {
      return `${head}: GitHub refused the change (${error.types.join(', ')}).${said} A protected branch that requires pull requests needs 'pull-request: true'.`;
    }
    return `${head}: GitHub answered with errors (${error.types.join(', ')}).${said}`;
  }
  if (error instanceof GitHubApiError) {
    if (EXPLAINED.has(error)) return error.message;
    if (error.status === 404) {
      return `${head}: HTTP 404 from ${error.route}. Check input 'api-url' (the REST base URL, e.g. https://api.github.com or https://ghe.example.com/api/v3) and that the token can see ${c.repository}${c.pullRequest ? ` and has ${PULLS} on it` : ''}.`;
    }
    const text = explainFailure(error, { mode: 'repository_dispatch', repository: c.repository, action: c.action });
    if (error.status !== 401 && error.status !== 403) return text.replace(/to (\S+): /, 'in $1: ');
    const workflow = c.pullRequest
      ? ` For pull requests it also needs ${PULLS}; in a workflow, \`permissions: contents: write\` and \`pull-requests: write\` for github.token.`
      : '';
    // A repository or organization setting, not a token permission: no token change helps.
    const setting = /not permitted to create or approve pull requests/i.test(error.githubMessage ?? '')
      ? " Here GitHub refuses because of a setting: in the repository's (or organization's) Settings > Actions > General > Workflow permissions, check 'Allow GitHub Actions to create and approve pull requests'."
      : '';
    return `${text.replace(/to (\S+): HTTP/, 'in $1: HTTP')}${workflow}${setting}`;
  }
  return `${head}: ${error instanceof Error ? error.message : String(error)}`;
}
