/**
 * Real-git helpers for tests: temporary folders that clean themselves up, a git runner with a fixed identity,
 * bare remotes seeded with one commit, and readers for comparing trees and remote history byte for byte.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { onTestFinished } from 'vitest';

/** Fixed identity and no prompts, so commits are reproducible and a bad credential fails instead of hanging. */
export const GIT_IDENTITY = {
  name: 'Test Writer',
  email: 'test-writer@example.com',
} as const;

export function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    GIT_AUTHOR_NAME: GIT_IDENTITY.name,
    GIT_AUTHOR_EMAIL: GIT_IDENTITY.email,
    GIT_COMMITTER_NAME: GIT_IDENTITY.name,
    GIT_COMMITTER_EMAIL: GIT_IDENTITY.email,
    GIT_TERMINAL_PROMPT: '0',
    // The host's ~/.gitconfig and /etc/gitconfig must not change behaviour (default branch, hooks, credentials).
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    LC_ALL: 'C',
  };
  return { ...env, ...extra };
}

export class GitError extends Error {
  readonly args: string[];
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  constructor(args: string[], cwd: string, exitCode: number | null, stdout: string, stderr: string) {
    // The credential header is a secret even base64-encoded: never put it in an error message.
    const shown = args.map((a) => a.replace(/(AUTHORIZATION:\s*\S+\s+)\S+/i, '$1***'));
    super(`git ${shown.join(' ')} (in ${cwd}) failed with exit code ${exitCode}:\n${stderr.trim() || stdout.trim()}`);
    this.name = 'GitError';
    this.args = shown;
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

/** Like `git`, but returns the exit code and both streams instead of throwing (for asserting on failures). */
export function tryGit(
  cwd: string,
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd, env: gitEnv(options.env), maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && typeof (error as NodeJS.ErrnoException).code === 'string') {
          reject(error); // spawn failure (git missing, cwd missing), not a git exit code
          return;
        }
        const exitCode = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ exitCode, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs git in `cwd`; returns stdout with the trailing newline removed; throws GitError (with stderr) on failure. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await tryGit(cwd, args);
  if (result.exitCode !== 0) throw new GitError(args, cwd, result.exitCode, result.stdout, result.stderr);
  return result.stdout.replace(/\n$/, '');
}

/** What `git interpret-trailers --parse` reads as the trailers of `message`: one `Key: value` per line. */
export async function parsedTrailers(cwd: string, message: string): Promise<string[]> {
  const result = await tryGit(cwd, ['interpret-trailers', '--parse'], { input: message });
  if (result.exitCode !== 0) throw new Error(`git interpret-trailers failed: ${result.stderr}`);
  return result.stdout.split('\n').filter((line) => line !== '');
}

/**
 * A fresh folder under os.tmpdir(), removed when the current test finishes. Created outside a test (beforeAll,
 * describe), it is removed after the test file's last test instead.
 */
export async function tempDir(prefix = 'gitops-dispatch-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  removeWhenDone(dir);
  return dir;
}

/** Removes `dir` when the current test finishes, or after the test file's last test when called outside a test. */
export function removeWhenDone(dir: string): void {
  try {
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
  } catch {
    fileScoped.add(dir);
  }
}

const fileScoped = new Set<string>();
/**
 * Removes the folders made outside a test. test/support/setup.ts runs it after every test file: a hook registered
 * here would run for the first file only when files share this module (the unit project does not isolate them).
 */
export function removeFileScoped(): void {
  for (const dir of fileScoped) rmSync(dir, { recursive: true, force: true });
  fileScoped.clear();
}
// Whatever is left (a script importing this module, a file that ended early) goes when the process exits.
process.once('exit', removeFileScoped);

/** Writes files (creating folders); paths use `/` and are relative to `dir`. */
export async function writeTree(dir: string, tree: Record<string, string | Buffer>): Promise<void> {
  for (const [path, contents] of Object.entries(tree)) {
    const target = join(dir, ...path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, contents);
  }
}

/** Every file under `dir` except `.git/`, keyed by `/`-separated relative path, contents as UTF-8, sorted by path. */
export async function readTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === '.git' && current === dir) continue;
        await walk(full);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        out[relative(dir, full).split(sep).join('/')] = await readFile(full, 'utf8');
      }
    }
  };
  await walk(dir);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * A bare repository whose branch (default `main`) holds one commit with `tree`. `at` places it at an exact path
 * (e.g. `${root}/org/gitops.git` for startGitHttpServer); by default it goes in a fresh temp folder.
 */
export async function bareRemote(
  tree: Record<string, string>,
  options: { branch?: string; at?: string } = {},
): Promise<{ bare: string; branch: string }> {
  const branch = options.branch ?? 'main';
  const root = await tempDir('gitops-remote-');
  const bare = options.at ?? join(root, 'remote.git');
  const work = join(root, 'seed');
  await mkdir(dirname(bare), { recursive: true });
  await git(root, 'init', '--bare', '--quiet', `--initial-branch=${branch}`, bare);
  await git(root, 'init', '--quiet', `--initial-branch=${branch}`, work);
  await writeTree(work, tree);
  await git(work, 'add', '--all');
  await git(work, 'commit', '--quiet', '--allow-empty', '-m', 'Initial commit');
  await git(work, 'push', '--quiet', bare, `HEAD:refs/heads/${branch}`);
  await rm(work, { recursive: true, force: true });
  return { bare, branch };
}

/**
 * Clones `url` (a path or http URL) into a fresh temp folder and returns it. With `token`, the credential is
 * persisted the way actions/checkout does it (an extraheader scoped to `serverUrl`, default the URL's origin),
 * so later fetch/push in the clone authenticate without the token appearing in the remote URL.
 */
export async function cloneRemote(
  url: string,
  options: { branch?: string; token?: string; serverUrl?: string } = {},
): Promise<string> {
  const dir = await tempDir('gitops-clone-');
  const target = join(dir, 'repo');
  const args: string[] = [];
  let key: string | undefined;
  if (options.token) {
    const scope = options.serverUrl ?? (/^https?:\/\//.test(url) ? new URL(url).origin : undefined);
    if (!scope) throw new Error(`cloneRemote: a token needs an http(s) URL or serverUrl; got ${url}`);
    key = `http.${scope.replace(/\/+$/, '')}/.extraheader`;
    args.push('-c', `${key}=${basicAuthHeader(options.token)}`);
  }
  args.push('clone', '--quiet');
  if (options.branch) args.push('--branch', options.branch);
  args.push(url, target);
  await git(dir, ...args);
  if (key && options.token) await git(target, 'config', '--local', key, basicAuthHeader(options.token));
  return target;
}

/** The header value actions/checkout persists: `AUTHORIZATION: basic base64("x-access-token:" + token)`. */
export function basicAuthHeader(token: string): string {
  return `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64')}`;
}

/**
 * Another writer's commit on `bare` (default branch: the bare repo's HEAD), made through a throwaway clone so the
 * bare repository moves exactly as it would when someone else pushes. Returns the new commit's sha.
 */
export async function commitTo(
  bare: string,
  files: Record<string, string>,
  message: string,
  options: { branch?: string } = {},
): Promise<string> {
  const branch = options.branch ?? (await headBranch(bare));
  const dir = await tempDir('gitops-writer-');
  const work = join(dir, 'w');
  await git(dir, 'clone', '--quiet', '--branch', branch, bare, work);
  await writeTree(work, files);
  await git(work, 'add', '--all');
  await git(work, 'commit', '--quiet', '--allow-empty', '-m', message);
  await git(work, 'push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`);
  return git(work, 'rev-parse', 'HEAD');
}

async function headBranch(bare: string): Promise<string> {
  const ref = await git(bare, 'symbolic-ref', 'HEAD');
  return ref.replace(/^refs\/heads\//, '');
}

/** History of `branch` (default HEAD's branch) in `bare`, newest first, with each commit's changed files. */
export async function remoteLog(
  bare: string,
  branch?: string,
): Promise<{ sha: string; subject: string; body: string; files: string[] }[]> {
  const ref = `refs/heads/${branch ?? (await headBranch(bare))}`;
  // NUL/RS separators: subjects and bodies may contain any printable text, including newlines in bodies.
  const raw = await git(bare, 'log', '--format=%x1e%H%x00%s%x00%b%x00', '--name-only', '-z', ref, '--');
  const commits: { sha: string; subject: string; body: string; files: string[] }[] = [];
  for (const record of raw.split('\x1e')) {
    if (record.trim() === '') continue;
    const parts = record.split('\x00');
    const [sha = '', subject = '', body = '', ...rest] = parts;
    const files = rest.map((f) => f.replace(/^\n/, '')).filter((f) => f.length > 0);
    commits.push({ sha, subject, body: body.replace(/\n$/, ''), files });
  }
  return commits;
}

export { startGitHttpServer } from './git-http-server.js';
