/**
 * What git may do while the action runs it: no hooks and no fsmonitor program from the checkout's config, no
 * INPUT_* or token in its environment, and network commands that end when the remote stops answering.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Git, gitEnvironment } from '../../core/git/git.js';
import { classifyPushFailure } from '../../core/git/push-failure.js';
import { bareRemote, cloneRemote, git, tempDir, tryGit, writeTree } from '../support/git.js';

const ENV = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const BOT = { name: 'Bot', email: 'bot@example.com' };
const SECRET = 'limits-test-secret-7f3a9c1e5b';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A TCP server that accepts and never answers; `closed` resolves when a client's connection ends. */
async function hungServer(): Promise<{ url: string; accepted: () => number; closed: Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let onClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    onClosed = resolve;
  });
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      onClosed();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/org/gitops.git`,
    accepted: () => accepted,
    closed,
  };
}

async function clone() {
  const { bare } = await bareRemote({ 'a.txt': 'a\n' });
  return { bare, dir: await cloneRemote(bare) };
}

describe('git network commands have time limits', () => {
  it('a push to a remote that never answers stops at the low-speed limit and says so', async () => {
    const { dir } = await clone();
    const hung = await hungServer();
    const g = new Git(dir, {
      env: ENV,
      network: { lowSpeedLimitBytes: 1000, lowSpeedTimeSeconds: 1, killAfterMs: 120_000 },
    });
    const result = await g.tryPush(hung.url, 'HEAD', 'main');
    expect(result.exitCode).not.toBe(0);
    const sentence = `git push ${hung.url} HEAD:refs/heads/main timed out: less than 1000 bytes/s for 1 s (http.lowSpeedLimit, http.lowSpeedTime)`;
    expect(result.timedOut).toBe(sentence);
    expect(result.stderr.split('\n')[0]).toBe(sentence);
    expect(result.stderr).toMatch(/Operation too slow/); // git's own words follow
    expect(classifyPushFailure(result.stderr).kind).toBe('timed-out');
    expect(hung.accepted()).toBeGreaterThan(0);
  });

  it('the kill timer stops git and its remote helper, and names the command and the limit', async () => {
    const { dir } = await clone();
    const hung = await hungServer();
    const g = new Git(dir, { env: ENV, network: { lowSpeedTimeSeconds: 600, killAfterMs: 200 } });
    const pushed = await g.tryPush(hung.url, 'HEAD', 'main');
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.timedOut).toBe(
      `git push ${hung.url} HEAD:refs/heads/main timed out: stopped after 0.2 s (the time limit of a git network command)`,
    );
    // The connection was held by git-remote-http, a child of git: it is gone too.
    await hung.closed;

    await git(dir, 'remote', 'add', 'hung', hung.url);
    const fetched = await g.tryFetch('hung', 'main');
    expect(fetched.timedOut).toMatch(/^git fetch --no-tags --quiet hung \S+ timed out: stopped after 0\.2 s/);
    const listed = await g.tryRemoteBranchSha('hung', 'main');
    expect(listed.timedOut).toBe(
      'git ls-remote --heads hung refs/heads/main timed out: stopped after 0.2 s (the time limit of a git network command)',
    );
    expect(listed.sha).toBeUndefined();
  });

  it('a push that answers in time is untouched by the limits', async () => {
    const { bare, dir } = await clone();
    await writeTree(dir, { 'b.txt': 'b\n' });
    const g = new Git(dir, { env: ENV, network: { lowSpeedTimeSeconds: 1, killAfterMs: 60_000 } });
    await g.add(['b.txt']);
    const sha = await g.commit('b\n', BOT);
    const result = await g.tryPush('origin', 'HEAD', 'main');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.timedOut).toBeUndefined();
    expect(await git(bare, 'rev-parse', 'main')).toBe(sha);
  });
});

describe('git runs no hook and no fsmonitor program from the checkout', () => {
  const HOOKS = [
    'pre-commit',
    'prepare-commit-msg',
    'commit-msg',
    'post-commit',
    'pre-push',
    'reference-transaction',
    'post-checkout',
    'post-index-change',
  ];

  /** Writes an executable hook per name into `dir` that appends its name and environment to `log`. */
  async function plantHooks(dir: string, log: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (const name of HOOKS) {
      const file = join(dir, name);
      await writeFile(file, `#!/bin/sh\necho "hook ${name}" >> "${log}"\nenv >> "${log}"\nexit 0\n`);
      await chmod(file, 0o755);
    }
  }

  async function everything(g: Git, dir: string): Promise<void> {
    await writeTree(dir, { 'a.txt': 'changed\n' });
    await g.status();
    await g.add(['a.txt']);
    expect(await g.hasStagedChanges()).toBe(true);
    await g.commit('change\n', BOT);
    expect((await g.tryPush('origin', 'HEAD', 'main')).exitCode).toBe(0);
    await g.checkoutNewBranch('update');
    await g.checkout('main');
    await g.resetHard('HEAD~1');
  }

  it.each([
    ['.git/hooks', false],
    ['core.hooksPath (e.g. husky)', true],
  ])('hooks in %s do not run, nor core.fsmonitor', async (_where, viaHooksPath) => {
    const { dir } = await clone();
    const log = join(await tempDir('hook-log-'), 'ran.log');
    const hooksDir = viaHooksPath ? join(dir, '.husky') : join(dir, '.git', 'hooks');
    await plantHooks(hooksDir, log);
    if (viaHooksPath) await git(dir, 'config', '--local', 'core.hooksPath', hooksDir);
    const monitor = join(dir, '.git', 'fsmonitor.sh');
    await writeFile(monitor, `#!/bin/sh\necho "fsmonitor" >> "${log}"\nenv >> "${log}"\nexit 1\n`);
    await chmod(monitor, 0o755);
    await git(dir, 'config', '--local', 'core.fsmonitor', monitor);

    // The trap is live: plain git runs both the fsmonitor program and the hooks.
    await tryGit(dir, ['status', '--porcelain']);
    await tryGit(dir, ['commit', '--allow-empty', '--quiet', '-m', 'probe']);
    expect(existsSync(log)).toBe(true);
    await rm(log);
    await git(dir, 'reset', '--quiet', '--soft', 'HEAD~1');
    await rm(log, { force: true });

    await everything(new Git(dir, { env: ENV }), dir);
    expect(existsSync(log)).toBe(false);
  });
});

describe("git's environment", () => {
  it('holds no INPUT_* variable, no runner token and no variable containing the secret; others are kept', async () => {
    const { dir } = await clone();
    vi.stubEnv('INPUT_TOKEN', SECRET);
    vi.stubEnv('INPUT_RULES', '- name: dev');
    vi.stubEnv('GITHUB_TOKEN', SECRET);
    vi.stubEnv('SOME_URL', `https://x-access-token:${SECRET}@example.com/`);
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', 'runner-token');
    vi.stubEnv('ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'oidc-token');
    vi.stubEnv('GITOPS_HARMLESS', 'kept');
    const g = new Git(dir, { env: ENV, secrets: [SECRET] });
    // What any program git starts (an alias here; a credential helper, ssh or a filter alike) inherits.
    const { stdout } = await g.exec(['-c', 'alias.show-env=!env', 'show-env']);
    const names = stdout.split('\n').map((line) => line.slice(0, line.indexOf('=')));
    expect(names.filter((n) => n.startsWith('INPUT_'))).toEqual([]);
    for (const name of ['GITHUB_TOKEN', 'SOME_URL', 'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN']) {
      expect(names).not.toContain(name);
    }
    expect(stdout).not.toContain(SECRET);
    expect(stdout).toContain('GITOPS_HARMLESS=kept');
  });

  it('gitEnvironment ignores secrets too short to be told apart from ordinary text', () => {
    expect(gitEnvironment({ PATH: '/usr/bin', INPUT_X: 'y' }, { secrets: ['usr'] })).toEqual({ PATH: '/usr/bin' });
  });
});
