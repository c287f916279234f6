/**
 * One small wrapper around the git CLI (after peter-evans/create-pull-request's GitCommandManager): a single
 * `exec`, methods that may fail are named `try...` and return the result instead of throwing.
 *
 * Git never prompts, never gets a token in argv or a URL (the checkout's persisted http extraheader does the auth),
 * speaks English (so push failures can be classified), and the identity of a commit is passed as `-c` options,
 * never written into anyone's git config.
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { redactSecrets } from './redact.js';

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Identity {
  name: string;
  email: string;
}

/** A git command that failed; the message holds git's own words, with anything token-like removed. */
export class GitCommandError extends Error {
  readonly args: string[];
  readonly result: GitResult;
  constructor(args: string[], result: GitResult) {
    const output = redactSecrets((result.stderr.trim() || result.stdout.trim()).slice(0, 4000));
    super(`git ${redactSecrets(args.join(' '))} failed (exit code ${result.exitCode}): ${output}`);
    this.name = 'GitCommandError';
    this.args = args;
    this.result = result;
  }
}

/** Variables that make git ask a human, or that would override the `-c user.*` identity of a commit. */
const DROPPED_ENV = [
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_COMMITTER_DATE',
  'GIT_EDITOR',
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
];

export class Git {
  readonly cwd: string;
  private readonly env: Record<string, string>;
  private readonly logger: Logger;

  constructor(cwd: string, options: { env?: Record<string, string>; logger?: Logger } = {}) {
    this.cwd = cwd;
    this.logger = options.logger ?? silentLogger;
    const base: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !DROPPED_ENV.includes(key)) base[key] = value;
    }
    this.env = {
      ...base,
      ...options.env,
      GIT_TERMINAL_PROMPT: '0',
      GCM_INTERACTIVE: 'never',
      // English messages: push failures are classified by git's wording.
      LC_ALL: 'C',
      LANGUAGE: 'C',
      GIT_EDITOR: 'true',
    };
  }

  exec(args: string[], options: { allowFailure?: boolean; input?: string } = {}): Promise<GitResult> {
    this.logger.debug(`git ${redactSecrets(args.join(' '))}`);
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, { cwd: this.cwd, env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.stdin.on('error', () => {}); // git may exit before reading its input
      child.on('error', reject); // git missing or cwd gone: not a git exit code
      child.on('close', (code, signal) => {
        const result: GitResult = {
          exitCode: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        };
        if (result.exitCode !== 0 && !options.allowFailure) reject(new GitCommandError(args, result));
        else resolve(result);
      });
      child.stdin.end(options.input ?? '');
    });
  }

  /** The checked-out branch's short name, or undefined when HEAD is detached. */
  async currentBranch(): Promise<string | undefined> {
    const result = await this.exec(['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFailure: true });
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  }

  async headSha(): Promise<string> {
    return this.revParse('HEAD');
  }

  async revParse(ref: string): Promise<string> {
    return (await this.exec(['rev-parse', '--verify', '--end-of-options', ref])).stdout.trim();
  }

  async tryRevParse(ref: string): Promise<string | undefined> {
    const result = await this.exec(['rev-parse', '--verify', '--quiet', '--end-of-options', ref], {
      allowFailure: true,
    });
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  }

  /** Fetches one branch into its remote-tracking ref (forced: the tracking ref follows the remote). */
  tryFetch(remote: string, branch: string): Promise<GitResult> {
    return this.exec(
      ['fetch', '--no-tags', '--quiet', remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`],
      { allowFailure: true },
    );
  }

  async resetHard(ref: string): Promise<void> {
    await this.exec(['reset', '--hard', '--quiet', ref]);
  }

  /** Moves (or creates) `branch` to the current HEAD and checks it out, keeping the work tree as it is. */
  async checkoutNewBranch(branch: string): Promise<void> {
    await this.exec(['checkout', '--quiet', '-B', branch]);
  }

  async checkout(ref: string): Promise<void> {
    await this.exec(['checkout', '--quiet', ref, '--']);
  }

  /** `git status --porcelain` entries: `XY path` per file (renames give the new path). */
  async status(): Promise<{ code: string; path: string }[]> {
    const { stdout } = await this.exec(['status', '--porcelain=v1', '-z', '--untracked-files=all']);
    const entries: { code: string; path: string }[] = [];
    const parts = stdout.split('\0');
    for (let i = 0; i < parts.length; i++) {
      const entry = parts[i] ?? '';
      if (entry.length < 4) continue;
      const code = entry.slice(0, 2);
      entries.push({ code, path: entry.slice(3) });
      if (code.includes('R') || code.includes('C')) i++; // the next part is the rename's source path
    }
    return entries;
  }

  async add(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    // Literal: a path like `apps/[x]/values.yaml` must not act as a glob that also stages `apps/x/values.yaml`.
    await this.exec(['--literal-pathspecs', 'add', '--', ...paths]);
  }

  /** True when the index differs from HEAD (something would be committed). */
  async hasStagedChanges(): Promise<boolean> {
    const result = await this.exec(['diff', '--cached', '--quiet'], { allowFailure: true });
    if (result.exitCode > 1) throw new GitCommandError(['diff', '--cached', '--quiet'], result);
    return result.exitCode === 1;
  }

  /**
   * Commits the index with `message` exactly as given (no comment stripping, no editor), author and committer
   * both `identity`. Returns the new commit's sha.
   */
  async commit(message: string, identity: Identity): Promise<string> {
    await this.exec(
      [
        '-c',
        `user.name=${identity.name}`,
        '-c',
        `user.email=${identity.email}`,
        'commit',
        '--quiet',
        '--no-edit',
        '--cleanup=verbatim',
        '--file=-',
      ],
      { input: message },
    );
    return this.headSha();
  }

  /** Adds `Key: value` trailers to `message` the way git parses them (joins an existing trailer block). */
  async addTrailers(message: string, trailers: Record<string, string>): Promise<string> {
    const entries = Object.entries(trailers);
    if (entries.length === 0) return message;
    const args = ['interpret-trailers', '--no-divider', '--where=end', '--if-exists=addIfDifferent'];
    for (const [key, value] of entries) args.push('--trailer', `${key}: ${value}`);
    return (await this.exec(args, { input: message })).stdout;
  }

  /** Pushes `source` to `refs/heads/<branch>` of `remote`; `force` only where the caller owns the branch. */
  tryPush(remote: string, source: string, branch: string, options: { force?: boolean } = {}): Promise<GitResult> {
    const args = ['push'];
    if (options.force) args.push('--force');
    args.push(remote, `${source}:refs/heads/${branch}`);
    return this.exec(args, { allowFailure: true });
  }

  /** The sha `refs/heads/<branch>` has on `remote`, or undefined when the branch does not exist there. */
  async tryRemoteBranchSha(remote: string, branch: string): Promise<GitResult & { sha?: string }> {
    const result = await this.exec(['ls-remote', '--heads', remote, `refs/heads/${branch}`], { allowFailure: true });
    const line = result.stdout.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
    return { ...result, sha: line?.split('\t')[0] };
  }
}
