/**
 * One small wrapper around the git CLI (after peter-evans/create-pull-request's GitCommandManager): a single
 * `exec`, methods that may fail are named `try...` and return the result instead of throwing.
 *
 * Git never prompts, never gets a token in argv or a URL (the checkout's persisted http extraheader does the auth),
 * speaks English (so push failures can be classified), and the identity of a commit is passed as `-c` options,
 * never written into anyone's git config.
 *
 * Git runs no program the checkout's config or a step before could have planted for it: hooks (`.git/hooks`,
 * `core.hooksPath`, e.g. husky's) and `core.fsmonitor` are switched off on every command. What git does run on
 * purpose (a credential helper, `core.sshCommand`, an LFS filter, a signing program) gets an environment without
 * the action's inputs (`INPUT_*`), the runner's own tokens, or any variable holding a secret the caller named.
 *
 * Every network command (fetch, push, ls-remote, clone) has a time limit: git's low-speed limit (HTTP transfers
 * slower than `lowSpeedLimitBytes` per second for `lowSpeedTimeSeconds` are abandoned) and a kill timer on the
 * process; the result then says which command timed out and after how long.
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { redactSecrets } from './redact.js';

export interface GitResult {
  exitCode: number;
  stdout: string;
  /** When the command timed out, the first line says which one and after how long. */
  stderr: string;
  /** Set when a time limit stopped the command: the sentence also at the top of stderr. */
  timedOut?: string;
}

export interface GitNetworkLimits {
  /** http.lowSpeedLimit: bytes per second below which a transfer counts as stalled. */
  lowSpeedLimitBytes: number;
  /** http.lowSpeedTime: how many whole seconds a transfer may stay below that before git gives up. */
  lowSpeedTimeSeconds: number;
  /** The process (and its remote helper) is stopped after this long, whatever the protocol. */
  killAfterMs: number;
}

export const DEFAULT_GIT_NETWORK_LIMITS: GitNetworkLimits = {
  lowSpeedLimitBytes: 1000,
  lowSpeedTimeSeconds: 60,
  killAfterMs: 5 * 60_000,
};

/** Commands that talk to a remote and so get the time limits. */
const NETWORK_COMMANDS = new Set(['fetch', 'push', 'ls-remote', 'clone', 'pull']);

/** On every command: no hooks (a path that cannot hold any) and no fsmonitor program. */
export const SAFE_GIT_CONFIG: readonly string[] = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false'];

/** The runner's own credentials: git never needs them. */
const RUNNER_SECRETS = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_RUNTIME_URL',
];

/**
 * `base` without the variables git must not see: the action's inputs (INPUT_*, the token among them), the
 * runner's credentials, `dropped`, and any variable whose value contains one of `secrets` (e.g. a GITHUB_TOKEN
 * set to the same token). Git authenticates through the checkout's persisted http extraheader, not the environment.
 */
export function gitEnvironment(
  base: NodeJS.ProcessEnv,
  options: { secrets?: readonly string[]; dropped?: readonly string[] } = {},
): Record<string, string> {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 8);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (/^INPUT_/i.test(key) || RUNNER_SECRETS.includes(key) || options.dropped?.includes(key)) continue;
    if (secrets.some((secret) => value.includes(secret))) continue;
    out[key] = value;
  }
  return out;
}

/** The git command of `args` (after leading options such as `-c key=value`), e.g. `push`. */
function commandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-c' || arg === '-C') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Number(s.toPrecision(2))} s`;
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

export interface GitOptions {
  /** Extra variables (tests isolate git from the host's config with them); kept as given. */
  env?: Record<string, string>;
  logger?: Logger;
  /** Values (the token) that no variable of git's environment may contain. */
  secrets?: readonly string[];
  /** Time limits of network commands; default DEFAULT_GIT_NETWORK_LIMITS. */
  network?: Partial<GitNetworkLimits>;
}

export class Git {
  readonly cwd: string;
  private readonly env: Record<string, string>;
  private readonly logger: Logger;
  private readonly network: GitNetworkLimits;

  constructor(cwd: string, options: GitOptions = {}) {
    this.cwd = cwd;
    this.logger = options.logger ?? silentLogger;
    this.network = { ...DEFAULT_GIT_NETWORK_LIMITS, ...options.network };
    const base = gitEnvironment(process.env, { secrets: options.secrets, dropped: DROPPED_ENV });
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
    const shown = `git ${redactSecrets(args.join(' '))}`;
    this.logger.debug(shown);
    const limits = this.network;
    const networked = NETWORK_COMMANDS.has(commandOf(args) ?? '');
    const spawnArgs = [...SAFE_GIT_CONFIG];
    if (networked) {
      spawnArgs.push('-c', `http.lowSpeedLimit=${limits.lowSpeedLimitBytes}`);
      spawnArgs.push('-c', `http.lowSpeedTime=${limits.lowSpeedTimeSeconds}`);
    }
    spawnArgs.push(...args);
    // Its own process group, so the kill timer also stops the remote helper (git-remote-https) git started.
    const group = process.platform !== 'win32';
    return new Promise((resolve, reject) => {
      const child = spawn('git', spawnArgs, {
        cwd: this.cwd,
        env: this.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: group,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let killed: string | undefined;
      const stop = (signal: NodeJS.Signals): void => {
        try {
          if (group && child.pid !== undefined) process.kill(-child.pid, signal);
          else child.kill(signal);
        } catch {
          // already gone
        }
      };
      let graceTimer: NodeJS.Timeout | undefined;
      const killTimer = networked
        ? setTimeout(() => {
            killed = `${shown} timed out: stopped after ${seconds(limits.killAfterMs)} (the time limit of a git network command)`;
            stop('SIGTERM'); // lets git remove its lock files
            graceTimer = setTimeout(() => stop('SIGKILL'), 2000);
          }, limits.killAfterMs)
        : undefined;
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.stdin.on('error', () => {}); // git may exit before reading its input
      child.on('error', (error) => {
        clearTimeout(killTimer);
        clearTimeout(graceTimer);
        reject(error); // git missing or cwd gone: not a git exit code
      });
      child.on('close', (code, signal) => {
        clearTimeout(killTimer);
        clearTimeout(graceTimer);
        const stderr = Buffer.concat(err).toString('utf8');
        let timedOut = killed;
        if (!timedOut && networked && code !== 0 && /Operation too slow/i.test(stderr)) {
          timedOut =
            `${shown} timed out: less than ${limits.lowSpeedLimitBytes} bytes/s for ` +
            `${limits.lowSpeedTimeSeconds} s (http.lowSpeedLimit, http.lowSpeedTime)`;
        }
        const result: GitResult = {
          exitCode: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: timedOut ? `${timedOut}\n${stderr}` : stderr,
        };
        if (timedOut) result.timedOut = timedOut;
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
    // No external diff program or textconv filter from the config: only the exit code matters.
    const args = ['diff', '--cached', '--quiet', '--no-ext-diff', '--no-textconv'];
    const result = await this.exec(args, { allowFailure: true });
    if (result.exitCode > 1) throw new GitCommandError(args, result);
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
        '--no-verify',
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
