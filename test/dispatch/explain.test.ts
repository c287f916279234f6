import { describe, expect, it } from 'vitest';
import { toGitHubApiError } from '../../core/github/client.js';
import { explainFailure } from '../../core/github/explain.js';

function error(status: number | undefined, headers: Record<string, string> = {}, data: unknown = {}) {
  if (status === undefined) return toGitHubApiError('POST /x', { status: 500, message: 'connect ECONNREFUSED' });
  return toGitHubApiError('POST /x', { status, message: `HTTP ${status}`, response: { headers, data } });
}

const repositoryDispatch = {
  mode: 'repository_dispatch' as const,
  repository: 'org/gitops',
  action: 'send the repository_dispatch event',
};
const workflowDispatch = {
  mode: 'workflow_dispatch' as const,
  repository: 'org/gitops',
  workflow: 'receive.yml',
  action: 'start workflow',
};

describe('explainFailure', () => {
  it('401: invalid or expired token, and how to make a new one', () => {
    const text = explainFailure(error(401, {}, { message: 'Bad credentials' }), repositoryDispatch);
    expect(text).toContain('invalid, expired or revoked');
    expect(text).toContain('Bad credentials');
    expect(text).toContain('personal-access-tokens/new');
    expect(text).toContain("input 'token'");
  });

  it('403 repository_dispatch: Contents: Read and write on the target', () => {
    const text = explainFailure(
      error(403, {}, { message: 'Resource not accessible by personal access token' }),
      repositoryDispatch,
    );
    expect(text).toContain('"Contents: Read and write" on org/gitops');
    expect(text).not.toContain('Actions: Read and write');
    expect(text).not.toContain('X-Accepted-GitHub-Permissions');
  });

  it('403 workflow_dispatch: Actions: Read and write', () => {
    const text = explainFailure(error(403), workflowDispatch);
    expect(text).toContain('"Actions: Read and write"');
    expect(text).not.toContain('Contents: Read and write');
  });

  it('403 quotes X-Accepted-GitHub-Permissions when GitHub sends it', () => {
    const text = explainFailure(error(403, { 'x-accepted-github-permissions': 'contents=write' }), repositoryDispatch);
    expect(text).toContain('X-Accepted-GitHub-Permissions): contents=write');
  });

  it('403 with rate limit headers is explained as a rate limit, not a permission', () => {
    const text = explainFailure(error(403, { 'retry-after': '3600' }, { message: 'Forbidden' }), repositoryDispatch);
    expect(text).toContain('rate limited');
    expect(text).not.toContain('Contents: Read and write');
  });

  it('404 names the repository and says a fine-grained token must list it', () => {
    const text = explainFailure(error(404, {}, { message: 'Not Found' }), repositoryDispatch);
    expect(text).toContain('org/gitops');
    expect(text).toContain('must list org/gitops');
    expect(text).not.toContain("input 'workflow'");
  });

  it('404 workflow_dispatch names the workflow file', () => {
    const text = explainFailure(error(404), workflowDispatch);
    expect(text).toContain('input \'workflow\' ("receive.yml")');
  });

  it("422 quotes GitHub's message and each error", () => {
    const text = explainFailure(
      error(
        422,
        {},
        {
          message: 'Validation Failed',
          errors: [{ resource: 'Dispatch', field: 'event_type', code: 'invalid' }, 'Unexpected inputs provided: ["x"]'],
        },
      ),
      workflowDispatch,
    );
    expect(text).toContain('Validation Failed; Dispatch event_type invalid; Unexpected inputs provided: ["x"]');
  });

  it('network failure points at api-url', () => {
    expect(explainFailure(error(undefined), repositoryDispatch)).toContain("input 'api-url'");
  });
});
