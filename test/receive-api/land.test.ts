/**
 * `commit-method: api` through receive-action/action.yml: files read and the commit made through the loopback GraphQL
 * API (GitHub's schema), against the same bare repository the git HTTP server serves, which no git process touches.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { receive, serveGitops } from '../receive-land/support.js';
import { commitTo, git, remoteLog } from '../support/git.js';
import {
  expectTokenNeverShown,
  nativeRules,
  receiveApi,
  type ServedBoth,
  SOURCE_SHA,
  serveBoth,
  setMode,
  TOKEN,
} from './support.js';

const RUN_URL = 'https://github.com/org/myapp/actions/runs/42';
const payload = (tag: string, extra: Record<string, unknown> = {}) => ({
  docker_image_tag: tag,
  git_branch: 'main',
  commit_message: 'build "quoted" & $HOME',
  image: 'ghcr.io/org/myapp',
  source: { repository: 'org/myapp', sha: SOURCE_SHA, run_url: RUN_URL },
  ...extra,
});

/** What every api-mode run must leave: no git request on the remote, no schema violation, no token shown. */
function expectApiOnly(served: ServedBoth, result: Parameters<typeof expectTokenNeverShown>[0]): void {
  expect(served.server.requests).toEqual([]);
  expect(served.graphql.violations).toEqual([]);
  expectTokenNeverShown(result);
  for (const q of served.graphql.requests) expect(JSON.stringify(q.variables)).not.toContain(TOKEN);
}

const mutations = (served: ServedBoth) =>
  served.graphql.requests.filter((q) => q.fields.includes('createCommitOnBranch'));

describe('receive-action with commit-method: api', () => {
  it('lands byte-exact edits of several files in one verified-style commit with the git path message and trailers', async () => {
    const tree = {
      'environments/dev/values.yaml': '\uFEFFimage:\r\n  tag: 1.0.0-dev # CRLF and BOM\r\n',
      'environments/dev/kustomization.yaml': 'images:\n  - name: ghcr.io/org/myapp\n    newTag: 1.0.0-dev', // no final newline
      'other/untouched.yaml': 'image:\n  tag: 1.0.0-dev\n',
    };
    const served = await serveBoth(tree);
    const start = await git(served.bare, 'rev-parse', 'main');
    const rules = [
      '- name: dev',
      "  when: { docker_image_tag: '.*-dev' }",
      '  update:',
      '    - files: environments/*/values.yaml',
      '      yaml-path: image.tag',
      '    - files: environments/dev/kustomization.yaml',
      '      kustomize-image: ghcr.io/org/myapp',
      '',
    ].join('\n');
    const { result, workspace } = await receiveApi(served, { inputs: { rules }, payload: payload('1.1.0-dev') });
    expect(result.exitCode, result.log).toBe(0);
    const log = await remoteLog(served.bare);
    expect(log).toHaveLength(2);
    expect(log[1]!.sha).toBe(start);
    expect(log[0]!.files.sort()).toEqual(['environments/dev/kustomization.yaml', 'environments/dev/values.yaml']);
    // Byte for byte: BOM, CRLF and the missing final newline kept; only the tag changed.
    const show = async (path: string) =>
      Buffer.from(await git(served.bare, 'cat-file', 'blob', `main:${path}`)).toString('utf8');
    const raw = async (path: string) => {
      const { execFileSync } = await import('node:child_process');
      return execFileSync('git', ['cat-file', 'blob', `main:${path}`], { cwd: served.bare });
    };
    expect(
      (await raw('environments/dev/values.yaml')).equals(
        Buffer.from('\uFEFFimage:\r\n  tag: 1.1.0-dev # CRLF and BOM\r\n', 'utf8'),
      ),
    ).toBe(true);
    expect((await raw('environments/dev/kustomization.yaml')).toString('utf8')).toBe(
      'images:\n  - name: ghcr.io/org/myapp\n    newTag: 1.1.0-dev',
    );
    expect(await show('other/untouched.yaml')).toBe('image:\n  tag: 1.0.0-dev');
    // The git path's message: the default template, then the Source-* trailers.
    const message = await git(served.bare, 'log', '-1', '--format=%B', 'main');
    expect(message.trimEnd()).toBe(
      [
        `Branch main led to updated Docker image '1.1.0-dev': build "quoted" & $HOME`,
        '',
        'Source-Repository: org/myapp',
        `Source-Commit: ${SOURCE_SHA}`,
        `Source-Run: ${RUN_URL}`,
        'Source-Image: ghcr.io/org/myapp',
      ].join('\n'),
    );
    // Exactly the message the git method writes for the same dispatch.
    const viaGit = await serveGitops(tree);
    const gitRun = await receive(viaGit, { inputs: { rules }, payload: payload('1.1.0-dev') });
    expect(gitRun.result.exitCode, gitRun.result.log).toBe(0);
    expect(await git(viaGit.bare, 'log', '-1', '--format=%B', 'main')).toBe(message);
    // GitHub sets the author (the token's owner); author-name/author-email are for the git method only.
    expect(await git(served.bare, 'log', '-1', '--format=%an <%ae>', 'main')).toBe(
      'octocat <octocat@users.noreply.github.com>',
    );
    expect(result.outputs).toMatchObject({
      'commit-sha': log[0]!.sha,
      pushed: 'true',
      'commit-method': 'api',
      total_modified_files: '2',
      'modified-files': JSON.stringify(['environments/dev/kustomization.yaml', 'environments/dev/values.yaml']),
    });
    expect(mutations(served)).toHaveLength(1);
    expect(mutations(served)[0]!.variables).toMatchObject({ input: { expectedHeadOid: start } });
    // No clone: the workspace stays empty and the git server saw nothing.
    expect(await readdir(workspace)).toEqual([]);
    expectApiOnly(served, result);
  });

  it('re-reads, re-plans and retries when the branch moved between read and commit; both changes survive', async () => {
    const served = await serveBoth({
      'apps/a/values.yaml': 'image:\n  tag: 1.0.0\n',
      'apps/b/values.yaml': 'image:\n  tag: 1.0.0\n',
    });
    const start = await git(served.bare, 'rev-parse', 'main');
    let other = '';
    served.graphql.beforeMutation(async () => {
      other = await commitTo(served.bare, { 'apps/b/values.yaml': 'image:\n  tag: 9.9.9\n' }, 'other writer');
    });
    const rules = nativeRules([{ name: 'a', when: { docker_image_tag: '.*' }, files: 'apps/a/values.yaml' }]);
    const { result } = await receiveApi(served, { inputs: { rules }, payload: payload('2.0.0') });
    expect(result.exitCode, result.log).toBe(0);

    const log = await remoteLog(served.bare);
    expect(log.map((c) => c.sha)).toEqual([result.outputs['commit-sha'], other, start]);
    expect(await git(served.bare, 'show', 'main:apps/a/values.yaml')).toBe('image:\n  tag: 2.0.0');
    expect(await git(served.bare, 'show', 'main:apps/b/values.yaml')).toBe('image:\n  tag: 9.9.9');
    const sent = mutations(served);
    expect(sent.map((q) => q.errorTypes)).toEqual([['STALE_DATA'], []]);
    expect(sent.map((q) => (q.variables.input as { expectedHeadOid: string }).expectedHeadOid)).toEqual([start, other]);
    expect(result.outputs.pushed).toBe('true');
    expect(result.summary).toMatch(/push attempts: 2\./);
    expectApiOnly(served, result);
  });

  it('a 502 after the commit was applied leaves exactly one commit, reported as pushed', async () => {
    const served = await serveBoth({ 'values.yaml': 'image:\n  tag: 1.0.0\n' });
    const start = await git(served.bare, 'rev-parse', 'main');
    served.graphql.failAfterApply(1);
    const rules = nativeRules([{ name: 'all', when: { docker_image_tag: '.*' }, files: 'values.yaml' }]);
    const { result } = await receiveApi(served, { inputs: { rules }, payload: payload('3.0.0') });
    expect(result.exitCode, result.log).toBe(0);
    const log = await remoteLog(served.bare);
    expect(log).toHaveLength(2);
    expect(log[1]!.sha).toBe(start);
    expect(result.outputs['commit-sha']).toBe(log[0]!.sha);
    expect(result.outputs.pushed).toBe('true');
    // One mutation only: the head was read and recognised as this dispatch's commit instead of committing again.
    expect(mutations(served).map((q) => q.status)).toEqual([502]);
    expect(result.log).toMatch(/confirmed after a lost answer/);
    expectApiOnly(served, result);
  });

  it('refuses an executable target, naming the file and its mode, and writes nothing', async () => {
    const served = await serveBoth({ 'deploy/values.yaml': 'image:\n  tag: 1.0.0\n' });
    const head = await setMode(served.bare, 'deploy/values.yaml', '100755');
    const rules = nativeRules([{ name: 'all', when: { docker_image_tag: '.*' }, files: 'deploy/values.yaml' }]);
    const { result } = await receiveApi(served, { inputs: { rules }, payload: payload('4.0.0') });
    expect(result.exitCode).not.toBe(0);
    const error = result.annotations
      .filter((a) => a.level === 'error')
      .map((a) => a.message)
      .join('\n');
    expect(error).toContain('deploy/values.yaml');
    expect(error).toContain('100755');
    expect(error).toContain('commit-method: git');
    expect(await git(served.bare, 'rev-parse', 'main')).toBe(head);
    expect(mutations(served)).toEqual([]);
    expectApiOnly(served, result);
  });

  it('a rejected token fails with the 401 explained, and the token is never shown', async () => {
    const served = await serveBoth({ 'values.yaml': 'image:\n  tag: 1.0.0\n' });
    const rules = nativeRules([{ name: 'all', when: { docker_image_tag: '.*' }, files: 'values.yaml' }]);
    const wrong = 'not-the-right-token-7f3a';
    const { result } = await receiveApi(served, { inputs: { rules, token: wrong }, payload: payload('5.0.0') });
    expect(result.exitCode).not.toBe(0);
    const error = result.annotations
      .filter((a) => a.level === 'error')
      .map((a) => a.message)
      .join('\n');
    expect(error).toMatch(/HTTP 401/);
    expect(error).toContain("input 'token'");
    expect(error).toContain('Contents: Read and write');
    expect(
      JSON.stringify([result.stdout.replace(`::add-mask::${wrong}`, ''), result.stderr, result.log]),
    ).not.toContain(wrong);
    expect(served.server.requests).toEqual([]);
  });

  it('dry-run through a GitHub Enterprise Server api-url plans over the API and changes nothing', async () => {
    const served = await serveBoth({ 'environments/prod/values.yaml': 'image:\n  tag: 1.0.0 # prod\n' });
    const head = await git(served.bare, 'rev-parse', 'main');
    const rules = nativeRules([
      { name: 'prod', when: { docker_image_tag: '.*' }, files: 'environments/*/values.yaml' },
    ]);
    const { result } = await receiveApi(served, {
      // <server>/api/v3 -> GraphQL at <server>/api/graphql; the runner's GraphQL URL points nowhere on purpose.
      inputs: { rules, 'dry-run': 'true', 'api-url': `${served.graphql.base}/api/v3` },
      payload: payload('6.0.0'),
      github: { graphql_url: 'http://127.0.0.1:9/graphql' },
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(result.log).toContain('-  tag: 1.0.0 # prod');
    expect(result.log).toContain('+  tag: 6.0.0 # prod');
    expect(result.outputs).toMatchObject({ pushed: 'false', 'commit-sha': '', 'commit-method': 'api' });
    expect(await git(served.bare, 'rev-parse', 'main')).toBe(head);
    expect(served.graphql.requests.length).toBeGreaterThan(0);
    expect(mutations(served)).toEqual([]);
    expectApiOnly(served, result);
  });

  it("refuses 'commit: false' with commit-method api, naming the input and the fix", async () => {
    const served = await serveBoth({ 'values.yaml': 'image:\n  tag: 1.0.0\n' });
    const rules = nativeRules([{ name: 'all', when: { docker_image_tag: '.*' }, files: 'values.yaml' }]);
    const { result } = await receiveApi(served, { inputs: { rules, commit: 'false' }, payload: payload('5.0.0') });
    expect(result.exitCode).not.toBe(0);
    expect(result.log).toMatch(/Input 'commit' is "false", but 'commit-method' is "api"/);
    expect(served.graphql.requests).toEqual([]);
  });
});
