/**
 * receive-action/action.yml with commit: true against misbehaving or hostile surroundings: a git server that never
 * answers a push, a dispatch that arrives twice, and a checkout whose config plants hooks, an fsmonitor program
 * and a filter. Time limits are scaled down through the test-only variable (action-runtime/timeouts.ts).
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { git, readTree, remoteLog, tempDir, tryGit } from '../support/git.js';
import {
  ensureReceiveBundle,
  expectTokenNeverShown,
  nativeRules,
  receive,
  SOURCE_SHA,
  serveGitops,
  TOKEN,
  TOKEN_BASE64,
} from './support.js';

beforeAll(() => ensureReceiveBundle(), 240_000);

const tree = {
  'environments/prod/values.yaml': '# prod\nimage:\n  repository: ghcr.io/org/myapp\n  tag: 1.3.0-stable # by CI\n',
};
const rules = nativeRules([
  { name: 'prod', when: { docker_image_tag: '.*-stable' }, files: 'environments/prod/values.yaml' },
]);
const payload = (tag: string) => ({
  docker_image_tag: tag,
  git_branch: 'main',
  commit_message: 'Release',
  image: 'ghcr.io/org/myapp',
  source: {
    repository: 'org/myapp',
    sha: SOURCE_SHA,
    run_id: '4242',
    run_url: 'https://github.com/org/myapp/actions/runs/4242',
    actor: 'octocat',
  },
});

function errors(r: { annotations: { level: string; message: string }[] }): string[] {
  return r.annotations
    .filter((a) => a.level === 'error' && !a.message.startsWith('Process completed'))
    .map((a) => a.message);
}

describe('receive-action: a git server that never answers', () => {
  it('the push is stopped by its time limit; the error names it; remote and checkout are as they were', async () => {
    const served = await serveGitops(tree, {
      // Clone and fetch work; every push hangs at its first request.
      stall: (r) => r.path.endsWith('/info/refs') && r.query === 'service=git-receive-pack',
    });
    const start = await git(served.bare, 'rev-parse', 'main');
    const { result: r, workspace } = await receive(served, {
      inputs: { rules },
      payload: payload('1.4.0-stable'),
      // 5 minutes of kill timer -> 0.3 s; the 60 s low-speed time -> 1 s (git's smallest).
      env: { GITOPS_DISPATCH_TEST_ONLY_TIMEOUT_SCALE: '0.001' },
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.stepResults.receive?.outcome).toBe('failure');
    const [error, ...more] = errors(r);
    expect(more).toEqual([]);
    // The kill timer (0.3 s) normally ends it; on a starved machine git's own low-speed limit (1 s) may come first.
    expect(error).toMatch(
      /git push origin HEAD:refs\/heads\/main timed out: (stopped after 0\.3 s \(the time limit of a git network command\)|less than 1000 bytes\/s for 1 s)/,
    );
    expect(error).toContain('The remote stopped answering');
    // The push really was attempted, and hung.
    expect(served.server.requests.some((q) => q.path.endsWith('/info/refs') && !q.path.includes('upload'))).toBe(true);
    expect(await git(served.bare, 'rev-parse', 'main')).toBe(start);
    expect(await git(workspace, 'rev-parse', 'HEAD')).toBe(start);
    expect(await git(workspace, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(r.outputs.pushed ?? '').not.toBe('true');
    expectTokenNeverShown(r);
  });
});

/** An "API" that accepts connections and never answers; closed when the test ends. */
async function hungApi(): Promise<{ url: string; requests: string[] }> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('data', (chunk: Buffer) => requests.push(chunk.toString('latin1').split('\r\n')[0] ?? ''));
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests };
}

describe('receive-action: a GitHub API that never answers (pull-request mode)', () => {
  it('each request times out; the run fails naming the request, the limit and what a rerun does', async () => {
    const served = await serveGitops(tree);
    const api = await hungApi();
    const start = await git(served.bare, 'rev-parse', 'main');
    const { result: r, workspace } = await receive(served, {
      inputs: { rules, 'pull-request': 'true' },
      payload: payload('1.4.0-stable'),
      github: { api_url: api.url },
      // 30 s per request -> 0.3 s; git's 5 minutes -> 3 s, ample for the update branch's push on loopback.
      env: { GITOPS_DISPATCH_TEST_ONLY_TIMEOUT_SCALE: '0.01' },
    });
    expect(r.exitCode).not.toBe(0);
    const [error, ...more] = errors(r);
    expect(more).toEqual([]);
    expect(error).toContain(`GitHub's API at ${api.url} did not answer while opening the pull request`);
    expect(error).toMatch(
      /GET \/repos\/\{owner\}\/\{repo\}\/pulls: no answer within 0\.3 s \(time limit of one request\) after \d attempts? in /,
    );
    expect(error).toContain('the rerun finds the update branch');
    const attempts = Number(/after (\d+) attempts?/.exec(error ?? '')?.[1]);
    // An attempt can be given up on before its request is on the wire: the server sees at most that many.
    expect(api.requests.length).toBeGreaterThanOrEqual(1);
    expect(api.requests.length).toBeLessThanOrEqual(attempts);
    for (const line of api.requests) expect(line).toMatch(/^GET \/repos\/org\/gitops\/pulls\?/);
    // The target branch never moved, and the checkout is back on it, clean.
    expect(await git(served.bare, 'rev-parse', 'main')).toBe(start);
    expect(await git(workspace, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
    expect(await git(workspace, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    expectTokenNeverShown(r);
  });
});

describe('receive-action: the same dispatch twice (a sender retried after a timeout)', () => {
  it('the second run finds the files already at the tag: no commit, nothing pushed, exit 0', async () => {
    const served = await serveGitops(tree);
    const first = await receive(served, { inputs: { rules }, payload: payload('1.4.0-stable') });
    expect(first.result.exitCode, first.result.log).toBe(0);
    expect(first.result.outputs.pushed).toBe('true');
    const afterFirst = await remoteLog(served.bare);
    expect(afterFirst).toHaveLength(2);

    const second = await receive(served, { inputs: { rules }, payload: payload('1.4.0-stable') });
    expect(second.result.exitCode, second.result.log).toBe(0);
    expect(second.result.outputs).toMatchObject({ pushed: 'false', 'commit-sha': '', total_modified_files: '0' });
    expect(await remoteLog(served.bare)).toEqual(afterFirst);
    expect(served.server.requests.filter((q) => q.path.endsWith('/git-receive-pack'))).toHaveLength(1);
    const notices = second.result.annotations.filter((a) => a.level === 'notice').map((a) => a.message);
    expect(notices.some((m) => /already/.test(m) && m.includes('environments/prod/values.yaml'))).toBe(true);
    expect(await readTree(second.workspace)).toEqual(await readTree(first.workspace));
  });
});

describe('receive-action: hooks, fsmonitor and git environment', () => {
  it('runs no hook or fsmonitor program of the checkout; what git does run sees no INPUT_* and no token', async () => {
    const served = await serveGitops(tree);
    const logs = await tempDir('receive-land-probe-');
    const hookLog = join(logs, 'hooks.log');
    const envLog = join(logs, 'filter-env.log');
    const hooks = [
      'pre-commit',
      'prepare-commit-msg',
      'commit-msg',
      'post-commit',
      'pre-push',
      'reference-transaction',
      'post-checkout',
      'post-index-change',
    ];
    const plant = async (workspace: string): Promise<void> => {
      // As husky does it: hooks in a folder of the checkout, core.hooksPath pointing there.
      const husky = join(workspace, '.husky');
      await mkdir(husky, { recursive: true });
      for (const name of hooks) {
        await writeFile(join(husky, name), `#!/bin/sh\necho "${name}" >> "${hookLog}"\nenv >> "${hookLog}"\n`);
        await chmod(join(husky, name), 0o755);
      }
      await git(workspace, 'config', '--local', 'core.hooksPath', husky);
      const monitor = join(logs, 'fsmonitor.sh');
      await writeFile(monitor, `#!/bin/sh\necho fsmonitor >> "${hookLog}"\nenv >> "${hookLog}"\nexit 1\n`);
      await chmod(monitor, 0o755);
      await git(workspace, 'config', '--local', 'core.fsmonitor', monitor);
      // A clean filter is a program git runs on purpose (like git-lfs): it must see a clean environment.
      const filter = join(logs, 'filter.sh');
      await writeFile(filter, `#!/bin/sh\nenv >> "${envLog}"\ncat\n`);
      await chmod(filter, 0o755);
      await writeFile(join(logs, 'attributes'), '*.yaml filter=probe\n');
      await git(workspace, 'config', '--local', 'core.attributesFile', join(logs, 'attributes'));
      await git(workspace, 'config', '--local', 'filter.probe.clean', filter);
    };
    const { result: r, workspace } = await receive(served, {
      inputs: { rules },
      payload: payload('1.4.0-stable'),
      afterCheckout: plant,
      // A workflow that also exports the token under another name.
      env: { GITHUB_TOKEN: TOKEN },
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs.pushed).toBe('true');
    expect(existsSync(hookLog)).toBe(false);
    const filterEnv = await readFile(envLog, 'utf8');
    expect(filterEnv).toContain('GITHUB_WORKSPACE='); // the filter ran, inside the action's step
    expect(filterEnv).not.toMatch(/^INPUT_/m);
    expect(filterEnv).not.toContain(TOKEN);
    expect(filterEnv).not.toContain(TOKEN_BASE64);
    expectTokenNeverShown(r);

    // The trap was live: plain git in the same checkout runs the hooks.
    await tryGit(workspace, ['commit', '--allow-empty', '--quiet', '-m', 'probe']);
    expect(existsSync(hookLog)).toBe(true);
  });
});
