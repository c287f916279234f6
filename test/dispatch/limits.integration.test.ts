/**
 * dispatch-action/action.yml (composite harness, bundle) against servers that misbehave: one that accepts the
 * connection and never answers, and one that answers with a 1 MB HTML error page. The time limits are scaled down
 * through the test-only variable (action-runtime/timeouts.ts), so a hang ends in milliseconds.
 * Rebuild first: node scripts/build.mjs dispatch-action
 */
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type CompositeRunResult, runCompositeAction } from '../support/composite.js';
import { tempDir } from '../support/git.js';
import { type GitHubApi, startGitHubApi } from '../support/github-api.js';

const actionDir = fileURLToPath(new URL('../../dispatch-action', import.meta.url));
const TOKEN = 'github_pat_11AAAAAAA0secretTokenValue_limits';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function runAction(apiUrl: string, env: Record<string, string> = {}): Promise<CompositeRunResult> {
  return runCompositeAction({
    actionDir,
    workspace: await tempDir(),
    inputs: { token: TOKEN, repository: 'org/app-gitops', 'image-tag': '1.4.2-dev', 'commit-message': 'm' },
    github: {
      event_name: 'push',
      event: { head_commit: { message: 'm' } },
      repository: 'org/app',
      sha: 'f'.repeat(40),
      ref: 'refs/heads/main',
      ref_name: 'main',
      run_id: '4242',
      server_url: 'https://github.com',
      api_url: apiUrl,
      actor: 'octocat',
    },
    env: { GITOPS_DISPATCH_TEST_ONLY_SLEEP_SCALE: '0', ...env },
  });
}

/** Accepts connections, reads what comes, never answers; counts the HTTP requests that arrived. */
async function startHungServer(): Promise<{ url: string; requests: () => string[] }> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let first = true;
    socket.on('data', (chunk: Buffer) => {
      // One request per connection: the client gives up on it and closes the connection.
      if (first) requests.push(chunk.toString('latin1').split('\r\n')[0] ?? '');
      first = false;
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, requests: () => requests };
}

function errors(result: CompositeRunResult): string[] {
  // The action's own errors, not the runner's closing "Process completed with exit code 1."
  return result.annotations
    .filter((a) => a.level === 'error' && !a.message.startsWith('Process completed'))
    .map((a) => a.message);
}

describe('dispatch-action against a server that misbehaves', () => {
  it('a server that never answers: each attempt times out, and the run fails naming the request and the limit', async () => {
    const hung = await startHungServer();
    // 30 s per attempt -> 30 ms; the 6 minute budget -> 360 ms.
    const result = await runAction(hung.url, { GITOPS_DISPATCH_TEST_ONLY_TIMEOUT_SCALE: '0.001' });
    expect(result.exitCode).toBe(1);
    expect(result.stepResults.dispatch?.outcome).toBe('failure');
    const [error, ...more] = errors(result);
    expect(more).toEqual([]);
    expect(error).toContain('Could not send the repository_dispatch event to org/app-gitops');
    expect(error).toContain('POST /repos/{owner}/{repo}/dispatches: no answer within 0.03 s');
    expect(error).toContain("Check input 'api-url'");
    // Each attempt was given up on by its own time limit, not left waiting for the step's timeout. (An attempt
    // can be given up on before its request is on the wire, so the server may see fewer than were made.)
    const attempts = Number(/after (\d+) attempts?/.exec(error ?? '')?.[1]);
    expect(attempts).toBeGreaterThanOrEqual(1); // retries themselves: test/dispatch/limits.test.ts
    expect(attempts).toBeLessThanOrEqual(5);
    const seen = hung.requests();
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.length).toBeLessThanOrEqual(attempts);
    expect(new Set(seen)).toEqual(new Set(['POST /repos/org/app-gitops/dispatches HTTP/1.1']));
    expect(result.annotations.filter((a) => a.level === 'warning')).toHaveLength(attempts - 1);
    expect(result.outputs.payload).toBe('');
    expect(result.summary).toContain('failed');
    expect(result.log).not.toContain(TOKEN);
  });

  it('a 1 MB HTML error page is quoted only in part, with a note that it was cut', async () => {
    const api: GitHubApi = await startGitHubApi({ token: TOKEN });
    cleanups.push(() => api.close());
    const head = '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>\n';
    const tail = '\nEND-OF-PAGE\n</body></html>\n';
    const page = head + 'lorem ipsum '.repeat(90_000).slice(0, 1_048_576 - head.length - tail.length) + tail;
    expect(Buffer.byteLength(page)).toBe(1_048_576);
    api.handle('repos/create-dispatch-event', () => ({
      status: 502,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: page,
    }));
    const result = await runAction(api.url);
    expect(result.exitCode).toBe(1);
    expect(api.requests).toHaveLength(5); // a 502 is retried; each answer was the whole page
    const [error, ...more] = errors(result);
    expect(more).toEqual([]);
    expect(error).toContain('HTTP 502');
    expect(error).toContain('502 Bad Gateway');
    expect(error).toContain('… (1048576 bytes, cut)');
    expect(error!.length).toBeLessThan(1000);
    // Nowhere in the log, the warnings or the summary does the rest of the page appear.
    for (const text of [result.log, result.summary, JSON.stringify(result.annotations)]) {
      expect(text).not.toContain('END-OF-PAGE');
    }
    expect(result.stdout.split('\n').every((line) => line.length < 2000)).toBe(true);
  });
});
