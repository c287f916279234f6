import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LandError, type LandResult, landChanges } from '../../core/land/index.js';
import { MemoryLogger } from '../../core/logger.js';
import {
  bareRemote,
  basicAuthHeader,
  cloneRemote,
  commitTo,
  git,
  remoteLog,
  startGitHttpServer,
  tempDir,
} from '../support/git.js';
import { prepareLanding } from './fake-planner.js';

const TOKEN = 'test-token-7f3a9c2e41b8d605';

async function serve() {
  const root = await tempDir('gitops-http-');
  const { bare: seed } = await bareRemote({ 'apps/a.yaml': 'tag: v1\n', 'apps/b.yaml': 'tag: v1\n' });
  const bare = join(root, 'org', 'gitops.git');
  await git(root, 'clone', '--quiet', '--bare', seed, bare);
  const server = await startGitHttpServer({ root, token: TOKEN });
  return { bare, server, url: `${server.url}/org/gitops.git` };
}

/** Everything a user could see: every log line, the result, the error with its problems. */
function everything(logger: MemoryLogger, result?: LandResult, error?: unknown): string {
  const e = error as { message?: string; problems?: unknown; stack?: string } | undefined;
  return JSON.stringify({ lines: logger.lines, result, message: e?.message, problems: e?.problems, stack: e?.stack });
}

const forms = [TOKEN, basicAuthHeader(TOKEN).replace(/^AUTHORIZATION: basic /, '')];

describe('landChanges over HTTP with credentials persisted as actions/checkout does', () => {
  it('pushes (after the remote moved) and never shows the token', async () => {
    const { bare, server, url } = await serve();
    try {
      const clone = await cloneRemote(url, { token: TOKEN });
      // The remote URL carries no credential; the extraheader in local config does the auth.
      expect(await git(clone, 'remote', 'get-url', 'origin')).toBe(url);
      const logger = new MemoryLogger();
      const { options } = await prepareLanding(clone, [{ path: 'apps/a.yaml', line: 1, value: 'tag: v2' }], {
        logger,
      });
      await commitTo(bare, { 'apps/b.yaml': 'tag: v5\n' }, 'other app');
      const result = await landChanges(options);
      expect(result).toMatchObject({ pushed: true, attempts: 2 });
      expect((await remoteLog(bare))[0]!.sha).toBe(result.commitSha);
      expect(await git(bare, 'show', 'main:apps/a.yaml')).toBe('tag: v2');
      expect(server.requests.some((r) => r.method === 'POST' && r.path.endsWith('/git-receive-pack'))).toBe(true);
      expect(logger.messages('debug').some((m) => m.startsWith('git push'))).toBe(true);
      const seen = everything(logger, result);
      for (const form of forms) expect(seen).not.toContain(form);
    } finally {
      await server.close();
    }
  });

  it('fails at once on a bad credential, without prompting, and without showing it', async () => {
    const { bare, server, url } = await serve();
    try {
      const clone = await cloneRemote(url, { token: TOKEN });
      const wrong = 'wrong-token-0a1b2c3d4e5f';
      await git(clone, 'config', '--local', `http.${server.url}/.extraheader`, basicAuthHeader(wrong));
      const logger = new MemoryLogger();
      const { options } = await prepareLanding(clone, [{ path: 'apps/a.yaml', line: 1, value: 'tag: v2' }], {
        logger,
        secrets: [wrong],
      });
      const error = await landChanges(options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LandError);
      expect((error as LandError).kind).toBe('auth-failed');
      expect((error as LandError).attempts).toBe(1);
      expect((error as Error).message).toMatch(/persist-credentials/);
      const seen = everything(logger, undefined, error);
      for (const form of [...forms, wrong, basicAuthHeader(wrong).replace(/^AUTHORIZATION: basic /, '')]) {
        expect(seen).not.toContain(form);
      }
      expect(await remoteLog(bare)).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
