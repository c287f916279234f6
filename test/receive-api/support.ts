/**
 * Shared setup for `commit-method: api` tests: one bare repository served both over git-over-HTTP and through the
 * loopback GraphQL API, and a run of receive-action/action.yml (checkout: false, commit-method: api) against it.
 */
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';
import { actionDir } from '../receive/build.js';
import { type Served, serveGitops, TOKEN } from '../receive-land/support.js';
import { type CompositeRunOptions, type CompositeRunResult, runCompositeAction } from '../support/composite.js';
import { git, tempDir } from '../support/git.js';
import { type GitHubGraphqlServer, startGitHubGraphql } from '../support/github-graphql.js';

export { expectTokenNeverShown, nativeRules, SOURCE_SHA, TOKEN } from '../receive-land/support.js';

export interface ServedBoth extends Served {
  graphql: GitHubGraphqlServer;
}

/** `tree` on main of org/gitops, served over git HTTP and GraphQL; both closed when the test ends. */
export async function serveBoth(tree: Record<string, string>): Promise<ServedBoth> {
  const served = await serveGitops(tree);
  const graphql = await startGitHubGraphql({ root: dirname(dirname(served.bare)), token: TOKEN });
  onTestFinished(() => graphql.close());
  return { ...served, graphql };
}

/** Sets the git mode of `path` on main (e.g. '100755') with a commit, as another writer would. */
export async function setMode(bare: string, path: string, mode: '100755' | '120000'): Promise<string> {
  const dir = await tempDir('receive-api-mode-');
  const work = join(dir, 'w');
  await git(dir, 'clone', '--quiet', bare, work);
  if (mode === '100755') await git(work, 'update-index', '--chmod=+x', path);
  await git(work, 'commit', '--quiet', '-m', `mode ${mode} for ${path}`);
  await git(work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  return git(work, 'rev-parse', 'HEAD');
}

export interface ApiRun {
  result: CompositeRunResult;
  workspace: string;
}

/** One repository_dispatch run of the receive action with `commit-method: api` and no checkout. */
export async function receiveApi(
  served: ServedBoth,
  options: { inputs: Record<string, string>; payload: Record<string, unknown>; github?: CompositeRunOptions['github'] },
): Promise<ApiRun> {
  const workspace = await tempDir('receive-api-ws-');
  const result = await runCompositeAction({
    actionDir,
    workspace,
    inputs: { token: TOKEN, checkout: 'false', 'commit-method': 'api', ...options.inputs },
    github: {
      event_name: 'repository_dispatch',
      event: { action: 'update-gitops-repo', client_payload: options.payload },
      repository: 'org/gitops',
      ref: 'refs/heads/main',
      api_url: served.graphql.base,
      graphql_url: served.graphql.url,
      ...options.github,
    },
    env: { GITOPS_DISPATCH_TEST_ONLY_SLEEP_SCALE: '0', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
  return { result, workspace };
}
