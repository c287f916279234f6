import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bareRemote,
  basicAuthHeader,
  cloneRemote,
  commitTo,
  GitError,
  git,
  readTree,
  remoteLog,
  tempDir,
  tryGit,
  writeTree,
} from '../support/git.js';

describe('git helpers', () => {
  let kept = '';
  it('tempDir makes a folder that is removed after the test', async () => {
    kept = await tempDir();
    expect(existsSync(kept)).toBe(true);
  });
  it('... and it is gone in the next test', () => {
    expect(kept).not.toBe('');
    expect(existsSync(kept)).toBe(false);
  });

  it('writeTree and readTree round-trip bytes, nested paths, and skip .git', async () => {
    const dir = await tempDir();
    const tree = {
      'a.txt': 'no newline at end',
      'nested/deep/b.yaml': 'image:\n  tag: "1.0"  # keep me\r\n',
      'unicode.md': 'ünïcødé ✓\n',
    };
    await writeTree(dir, tree);
    await git(dir, 'init', '--quiet');
    expect(existsSync(join(dir, '.git'))).toBe(true);
    expect(await readTree(dir)).toEqual(tree);
    expect(Object.keys(await readTree(dir))).toEqual(['a.txt', 'nested/deep/b.yaml', 'unicode.md']);
  });

  it('git throws GitError carrying stderr; tryGit returns the exit code', async () => {
    const dir = await tempDir();
    const error = await git(dir, 'rev-parse', 'HEAD').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).stderr).toMatch(/not a git repository/);
    expect((error as GitError).message).toMatch(/git rev-parse HEAD/);
    const result = await tryGit(dir, ['rev-parse', 'HEAD']);
    expect(result.exitCode).not.toBe(0);
  });

  it('bareRemote seeds one commit on main with a fixed identity', async () => {
    const { bare, branch } = await bareRemote({ 'environments/dev/values.yaml': 'image:\n  tag: old\n' });
    expect(branch).toBe('main');
    const log = await remoteLog(bare);
    expect(log).toHaveLength(1);
    expect(log[0]?.files).toEqual(['environments/dev/values.yaml']);
    expect(await git(bare, 'log', '-1', '--format=%an <%ae>|%cn', 'main')).toBe(
      'Test Writer <test-writer@example.com>|Test Writer',
    );
  });

  it('bareRemote honours another branch name', async () => {
    const { bare, branch } = await bareRemote({ 'x.txt': 'x' }, { branch: 'gitops' });
    expect(branch).toBe('gitops');
    expect(await git(bare, 'symbolic-ref', 'HEAD')).toBe('refs/heads/gitops');
  });

  it('cloneRemote + commitTo + remoteLog: another writer moves the remote; subjects and bodies survive', async () => {
    const { bare } = await bareRemote({ 'a.txt': 'one\n' });
    const clone = await cloneRemote(bare);
    expect(await readTree(clone)).toEqual({ 'a.txt': 'one\n' });

    const message = 'Update "dev" to 1.2.3-dev\n\nBody line with `backticks` and $dollar\nsecond line';
    const sha = await commitTo(bare, { 'a.txt': 'two\n', 'b/c.txt': 'new\n' }, message);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    const log = await remoteLog(bare, 'main');
    expect(log).toHaveLength(2);
    expect(log[0]).toEqual({
      sha,
      subject: 'Update "dev" to 1.2.3-dev',
      body: 'Body line with `backticks` and $dollar\nsecond line',
      files: ['a.txt', 'b/c.txt'],
    });
    expect(log[1]?.subject).toBe('Initial commit');

    // The earlier clone is now behind: a plain push would be rejected non-fast-forward.
    await writeTree(clone, { 'a.txt': 'mine\n' });
    await git(clone, 'commit', '--quiet', '-am', 'mine');
    const push = await tryGit(clone, ['push', 'origin', 'HEAD:main']);
    expect(push.exitCode).not.toBe(0);
    expect(push.stderr).toMatch(/rejected|fetch first|non-fast-forward/);
  });

  it('cloneRemote with a token persists the actions/checkout extraheader, not the token in the URL', async () => {
    const { bare } = await bareRemote({ 'a.txt': 'a' });
    // A file path has no origin: pass serverUrl explicitly, as tests against the HTTP server would.
    const clone = await cloneRemote(bare, { token: 's3cr3t', serverUrl: 'http://127.0.0.1:1' });
    const config = await readFile(join(clone, '.git', 'config'), 'utf8');
    expect(config).toContain('[http "http://127.0.0.1:1/"]');
    expect(await git(clone, 'config', '--get', 'http.http://127.0.0.1:1/.extraheader')).toBe(basicAuthHeader('s3cr3t'));
    expect(basicAuthHeader('s3cr3t')).toBe(
      `AUTHORIZATION: basic ${Buffer.from('x-access-token:s3cr3t').toString('base64')}`,
    );
    expect(await git(clone, 'remote', 'get-url', 'origin')).toBe(bare);
    await expect(cloneRemote(bare, { token: 'x' })).rejects.toThrow(/needs an http\(s\) URL or serverUrl/);
  });

  it('GitError never shows the credential header', async () => {
    const dir = await tempDir();
    const header = basicAuthHeader('top-secret');
    const error = (await git(dir, '-c', `http.http://127.0.0.1:1/.extraheader=${header}`, 'fetch', 'nowhere').catch(
      (e: unknown) => e,
    )) as GitError;
    expect(error).toBeInstanceOf(GitError);
    expect(error.message).toContain('AUTHORIZATION: basic ***');
    expect(error.message).not.toContain(header.split(' ').pop());
    expect(error.args.join(' ')).not.toContain(header.split(' ').pop());
  });
});

describe('tempDir outside a test', () => {
  let shared = '';
  beforeAll(async () => {
    shared = await tempDir('gitops-shared-');
  });
  it('survives the first test (it belongs to the file, removed after its last test)', () => {
    expect(existsSync(shared)).toBe(true);
  });
  it('... and is still there for the next one', () => {
    expect(existsSync(shared)).toBe(true);
  });
});
