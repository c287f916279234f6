/**
 * Shared setup for the receive action's landing tests: a GitOps repository served over authenticated HTTP, and a
 * run of receive-action/action.yml (checkout: true, commit: true) against it through the composite harness.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { actionDir } from '../receive/build.js';
import {
  type CompositeRunOptions,
  type CompositeRunResult,
  checkoutStub,
  runCompositeAction,
  type UsesStub,
} from '../support/composite.js';
import { bareRemote, basicAuthHeader, startGitHttpServer, tempDir } from '../support/git.js';
import type { GitHttpServer } from '../support/git-http-server.js';

export { ensureReceiveBundle } from '../receive/build.js';

/** Not a GitHub token format on purpose: only the action's own masking (not a pattern) can hide it. */
export const TOKEN = 'receive-land-secret-4b7d1e9a0c2f';
/** The credential as it travels in the extraheader actions/checkout persists. */
export const TOKEN_BASE64 = basicAuthHeader(TOKEN).replace(/^AUTHORIZATION: basic /, '');

export const SOURCE_SHA = '9fceb02d0ae598e95dc970b74767f19372d61af8';

export interface Served {
  /** The bare repository behind the server (read it with git directly). */
  bare: string;
  server: GitHttpServer;
  /** http://127.0.0.1:PORT/org/gitops.git */
  url: string;
}

/** A bare repository holding `tree` on main, served over HTTP with TOKEN required; closed when the test ends. */
export async function serveGitops(
  tree: Record<string, string>,
  options: { stall?: Parameters<typeof startGitHttpServer>[0]['stall'] } = {},
): Promise<Served> {
  const root = await tempDir('receive-land-http-');
  const { bare } = await bareRemote(tree, { at: join(root, 'org', 'gitops.git') });
  const server = await startGitHttpServer({ root, token: TOKEN, stall: options.stall });
  onTestFinished(() => server.close());
  return { bare, server, url: `${server.url}/org/gitops.git` };
}

/** A pre-receive hook that refuses pushes to main with GitHub's protected-branch wording. */
export async function protectMain(bare: string): Promise<void> {
  const hook = join(bare, 'hooks', 'pre-receive');
  await writeFile(
    hook,
    [
      '#!/bin/sh',
      'while read old new ref; do',
      '  if [ "$ref" = refs/heads/main ]; then',
      '    echo "error: GH006: Protected branch update failed for refs/heads/main." >&2',
      '    echo "error: Changes must be made through a pull request." >&2',
      '    exit 1',
      '  fi',
      'done',
      '',
    ].join('\n'),
  );
  await chmod(hook, 0o755);
}

export interface ReceiveRun {
  result: CompositeRunResult;
  /** The checkout the action made (GITHUB_WORKSPACE). */
  workspace: string;
}

/**
 * Runs receive-action/action.yml for one repository_dispatch event with the checkout stubbed by a real clone over
 * HTTP. `afterCheckout` runs right after the clone (e.g. another writer pushes), before the bundle starts.
 */
export async function receive(
  served: Served,
  options: {
    inputs: Record<string, string>;
    payload: Record<string, unknown>;
    afterCheckout?: (workspace: string) => Promise<void>;
    github?: CompositeRunOptions['github'];
    /** Extra workflow env (e.g. a test-only time limit scale). */
    env?: Record<string, string>;
  },
): Promise<ReceiveRun> {
  const workspace = await tempDir('receive-land-ws-');
  const checkout = checkoutStub({ remoteUrl: served.url, token: TOKEN });
  const stub: UsesStub = async (ctx) => {
    const out = await checkout(ctx);
    await options.afterCheckout?.(workspace);
    return out;
  };
  const result = await runCompositeAction({
    actionDir,
    workspace,
    inputs: { token: TOKEN, ...options.inputs },
    github: {
      event_name: 'repository_dispatch',
      event: { action: 'update-gitops-repo', client_payload: options.payload },
      repository: 'org/gitops',
      ...options.github,
    },
    env: {
      GITOPS_DISPATCH_TEST_ONLY_SLEEP_SCALE: '0',
      // The host's git config must not change what the bundle's git does.
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      ...options.env,
    },
    uses: { 'actions/checkout': stub },
  });
  return { result, workspace };
}

/** The token, raw or base64, appears nowhere a user could see it, except the line that registers the mask. */
export function expectTokenNeverShown(r: CompositeRunResult): void {
  const stdout = r.stdout
    .split('\n')
    .filter((line) => line !== `::add-mask::${TOKEN}`)
    .join('\n');
  const seen = { stdout, stderr: r.stderr, log: r.log, outputs: r.outputs, summary: r.summary, a: r.annotations };
  const text = JSON.stringify(seen);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(TOKEN_BASE64);
  // It was registered, so the runner would hide it even if something printed it later.
  expect(r.masked).toContain(TOKEN);
}

/** A native rule list: one rule per entry, each a yaml-path edit of image.tag. */
export function nativeRules(
  rules: { name: string; when: Record<string, string>; files: string; extra?: string[] }[],
): string {
  const lines: string[] = [];
  for (const rule of rules) {
    lines.push(`- name: ${rule.name}`);
    const when = Object.entries(rule.when)
      .map(([k, v]) => `${k}: '${v.replace(/'/g, "''")}'`)
      .join(', ');
    lines.push(`  when: { ${when} }`);
    for (const extra of rule.extra ?? []) lines.push(`  ${extra}`);
    lines.push('  update:', `    - files: ${rule.files}`, '      yaml-path: image.tag');
  }
  return `${lines.join('\n')}\n`;
}
