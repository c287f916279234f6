import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutStub, runCompositeAction } from '../support/composite.js';
import {
  bareRemote,
  basicAuthHeader,
  cloneRemote,
  commitTo,
  git,
  readTree,
  remoteLog,
  startGitHttpServer,
  tempDir,
  tryGit,
  writeTree,
} from '../support/git.js';

const TOKEN = 'ghs_gitHttpToken42';

let server: Awaited<ReturnType<typeof startGitHttpServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(tree: Record<string, string> = { 'environments/dev/values.yaml': 'image:\n  tag: old\n' }) {
  const root = await tempDir('gitops-http-root-');
  const { bare } = await bareRemote(tree, { at: join(root, 'org', 'gitops.git') });
  server = await startGitHttpServer({ root, token: TOKEN });
  return { root, bare, url: `${server.url}/org/gitops.git`, server };
}

describe('git over HTTP (git http-backend behind a loopback server)', () => {
  it('clones and pushes with the token persisted the way actions/checkout does', async () => {
    const { bare, url, server } = await setup();
    const clone = await cloneRemote(url, { token: TOKEN });
    expect(await readTree(clone)).toEqual({ 'environments/dev/values.yaml': 'image:\n  tag: old\n' });
    await writeTree(clone, { 'environments/dev/values.yaml': 'image:\n  tag: new\n' });
    await git(clone, 'commit', '--quiet', '-am', 'Update dev');
    await git(clone, 'push', '--quiet', 'origin', 'HEAD:main');
    const log = await remoteLog(bare);
    expect(log.map((c) => c.subject)).toEqual(['Update dev', 'Initial commit']);
    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.every((r) => r.authorized)).toBe(true);
    expect(server.requests.some((r) => r.path === '/org/gitops.git/git-receive-pack')).toBe(true);
    expect(JSON.stringify(server.requests)).not.toContain(TOKEN);
  });

  it('refuses a clone without credentials and with a wrong token (401, Basic realm)', async () => {
    const { url, server } = await setup();
    const dir = await tempDir();
    const none = await tryGit(dir, ['clone', url, 'a']);
    expect(none.exitCode).not.toBe(0);
    expect(none.stderr).toMatch(/Authentication failed|could not read Username|401/);

    const wrong = await tryGit(dir, [
      '-c',
      `http.${server.url}/.extraheader=${basicAuthHeader('nope')}`,
      'clone',
      url,
      'b',
    ]);
    expect(wrong.exitCode).not.toBe(0);
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
    expect(server.requests.every((r) => !r.authorized)).toBe(true);

    const res = await fetch(`${url}/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="GitHub"');
  });

  it('refuses a push with a wrong token, leaving the remote unchanged', async () => {
    const { bare, url } = await setup();
    const clone = await cloneRemote(url, { token: TOKEN });
    await git(clone, 'config', `http.${new URL(url).origin}/.extraheader`, basicAuthHeader('stale'));
    await writeTree(clone, { 'x.txt': 'x' });
    await git(clone, 'add', 'x.txt');
    await git(clone, 'commit', '--quiet', '-m', 'x');
    const push = await tryGit(clone, ['push', 'origin', 'HEAD:main']);
    expect(push.exitCode).not.toBe(0);
    expect(await remoteLog(bare)).toHaveLength(1);
  });

  it('a pre-receive hook can reject a push, and its message reaches the pusher', async () => {
    const { bare, url } = await setup();
    const hook = join(bare, 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "protected branch: main needs a pull request" >&2\nexit 1\n');
    await chmod(hook, 0o755);
    const clone = await cloneRemote(url, { token: TOKEN });
    await writeTree(clone, { 'y.txt': 'y' });
    await git(clone, 'add', 'y.txt');
    await git(clone, 'commit', '--quiet', '-m', 'y');
    const push = await tryGit(clone, ['push', 'origin', 'HEAD:main']);
    expect(push.exitCode).not.toBe(0);
    expect(push.stderr).toContain('remote: protected branch: main needs a pull request');
    expect(push.stderr).toMatch(/pre-receive hook declined/);
    expect(await remoteLog(bare)).toHaveLength(1);
  });

  it('streams a large (chunked) push', async () => {
    const { bare, url, server } = await setup();
    const clone = await cloneRemote(url, { token: TOKEN });
    // Incompressible 3 MB is above git's 1 MB http.postBuffer, so the pack goes chunked (no Content-Length).
    await writeFile(join(clone, 'big.bin'), randomBytes(3 * 1024 * 1024));
    await git(clone, 'add', 'big.bin');
    await git(clone, 'commit', '--quiet', '-m', 'big');
    await git(clone, 'push', '--quiet', 'origin', 'HEAD:main');
    expect((await remoteLog(bare))[0]?.files).toEqual(['big.bin']);
    expect(server.requests.some((r) => r.chunked && r.path.endsWith('/git-receive-pack'))).toBe(true);
  });

  // git gzips a fetch negotiation only when it is large, which depends on git's version and the history; the server's
  // part (telling http-backend the encoding) is asserted with a gzip'd request made here.
  it('answers a gzip-encoded fetch negotiation', async () => {
    const { bare, url, server } = await setup();
    const head = await git(bare, 'rev-parse', 'HEAD');
    const pkt = (line: string) => `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;
    const negotiation = `${pkt(`want ${head} ofs-delta\n`)}0000${pkt('done\n')}`;
    const response = await fetch(`${url}/git-upload-pack`, {
      method: 'POST',
      headers: {
        authorization: basicAuthHeader(TOKEN).replace(/^AUTHORIZATION: /, ''),
        'content-type': 'application/x-git-upload-pack-request',
        'content-encoding': 'gzip',
      },
      body: gzipSync(negotiation),
    });
    const body = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(body.toString('latin1')).toContain('NAK');
    expect(body.includes(Buffer.from('PACK'))).toBe(true);
    expect(server.requests.at(-1)?.contentEncoding).toBe('gzip');
  });
});

describe('checkoutStub through the composite harness', () => {
  const action = `name: co
description: checkout then push using the persisted credential
inputs:
  ref: { description: r, default: '' }
  token: { description: t, default: '\${{ github.token }}' }
outputs:
  branch: { description: b, value: '\${{ steps.push.outputs.branch }}' }
runs:
  using: composite
  steps:
    - uses: actions/checkout@v4
      with:
        ref: \${{ inputs.ref }}
        token: \${{ inputs.token }}
    - id: push
      shell: bash
      run: |
        echo "branch=$(git rev-parse --abbrev-ref HEAD)" >> "$GITHUB_OUTPUT"
        echo "changed" > changed.txt
        git add changed.txt
        git -c user.name=bot -c user.email=bot@example.com commit --quiet -m "From the action"
        git push --quiet origin "HEAD:$(git rev-parse --abbrev-ref HEAD)"
`;

  it('clones over HTTP with the job token, and later steps push with the persisted header', async () => {
    const { bare, url } = await setup();
    const actionDir = await tempDir('gitops-action-');
    await writeTree(actionDir, { 'action.yml': action });
    const ws = await tempDir('gitops-ws-');
    const result = await runCompositeAction({
      actionDir,
      inputs: {},
      workspace: ws,
      github: { token: TOKEN },
      uses: { 'actions/checkout': checkoutStub({ remoteUrl: url, token: 'unused-default' }) },
    });
    expect(result.stderr).toBe('');
    expect(result.conclusion).toBe('success');
    expect(result.outputs.branch).toBe('main');
    expect((await remoteLog(bare))[0]?.subject).toBe('From the action');
    const config = await readFile(join(ws, '.git', 'config'), 'utf8');
    expect(config).toContain(basicAuthHeader(TOKEN).replace('AUTHORIZATION: ', ''));
    expect(result.log).not.toContain(TOKEN);
  });

  it('honours with.ref (a non-default branch) and fails with a wrong with.token', async () => {
    const { bare, url } = await setup();
    await commitTo(bare, {}, 'seed release', { branch: 'main' });
    await git(bare, 'branch', 'release', 'main');
    const actionDir = await tempDir('gitops-action-');
    await writeTree(actionDir, { 'action.yml': action });
    const stub = checkoutStub({ remoteUrl: url, token: TOKEN });

    const ok = await runCompositeAction({
      actionDir,
      inputs: { ref: 'release', token: TOKEN },
      workspace: await tempDir('gitops-ws-'),
      uses: { 'actions/checkout': stub },
    });
    expect(ok.conclusion).toBe('success');
    expect(ok.outputs.branch).toBe('release');
    expect((await remoteLog(bare, 'release'))[0]?.subject).toBe('From the action');
    expect((await remoteLog(bare, 'main'))[0]?.subject).toBe('seed release');

    const bad = await runCompositeAction({
      actionDir,
      inputs: { token: 'wrong-token' },
      workspace: await tempDir('gitops-ws-'),
      uses: { 'actions/checkout': stub },
    });
    expect(bad.conclusion).toBe('failure');
    expect(bad.stderr).toMatch(/checkout: git fetch/);
    expect(bad.stderr).not.toContain('wrong-token');
  });
});
