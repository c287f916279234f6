/** What a landing takes and gives, the same for both commit methods (git here, GitHub's API in api/). */
import { type Problem, UserError } from '../errors.js';
import type { GitNetworkLimits } from '../git/git.js';
import type { PushFailureKind } from '../git/push-failure.js';
import type { RequestFn } from '../github/pulls.js';
import type { Logger } from '../logger.js';
import type { Plan } from '../plan/model.js';

export const DEFAULT_AUTHOR = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
} as const;

/** Before attempt k+1: random in [0, min(cap, base * 2^(k-1))]. */
export const DEFAULT_BACKOFF = { baseMs: 1000, capMs: 20_000 } as const;

export interface PullRequestLanding {
  /** Land through a pull request. Also used when any change of the plan comes from a rule with `pull-request`. */
  enabled: boolean;
  /** The update branch, e.g. from `pullRequestBranch(environments, image)`. */
  branch: string;
  title: string;
  body: string;
  labels: string[];
  reviewers: string[];
  request: RequestFn;
  /** owner/repo */
  repository: string;
}

export interface LandOptions {
  root: string;
  logger: Logger;
  /** Already applied to the work tree. */
  plan: Plan;
  /** Plans again against the files now in root. */
  replan: () => Promise<Plan>;
  apply: (plan: Plan) => Promise<void>;
  /** Rendered by the caller (Handlebars template over the variables). */
  commitMessage: (plan: Plan) => string;
  /** e.g. { 'Source-Repository': 'o/r', 'Source-Commit': sha }; empty values are left out. */
  trailers?: Record<string, string>;
  /** Trailers the commit-message template ends with (`templateTrailers`); put before `trailers` in the final block. */
  messageTrailers?: [string, string][];
  author: { name: string; email: string };
  push: boolean;
  maxAttempts: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Full-jitter exponential backoff between push attempts; default DEFAULT_BACKOFF. */
  backoff?: { baseMs: number; capMs: number };
  pullRequest?: PullRequestLanding;
  /** Target branch when HEAD is detached; default the checked-out branch. */
  branch?: string;
  /** Default `origin`. */
  remote?: string;
  /** Extra environment for git (tests isolate it from the host's config). */
  env?: Record<string, string>;
  /** Values to mask wherever git's words are repeated (the token), on top of the built-in patterns. */
  secrets?: string[];
  /** Time limits of git's network commands (fetch, push, ls-remote); default DEFAULT_GIT_NETWORK_LIMITS. */
  network?: Partial<GitNetworkLimits>;
}

export interface LandResult {
  committed: boolean;
  /** The commit this run made and left on the branch ('' when none). */
  commitSha: string;
  /** Repo-relative paths in that commit (after a re-plan they can differ from the first plan's). */
  modifiedFiles: string[];
  pushed: boolean;
  /** Push attempts used (0 when nothing was pushed). */
  attempts: number;
  pullRequestUrl: string;
  pullRequestNumber?: number;
  /** A sentence for the log and the job summary: what happened, or why nothing was pushed. */
  reason: string;
}

/** A landing that failed; `kind` says why, `attempts` how many pushes were tried. */
export class LandError extends UserError {
  readonly kind: PushFailureKind | 'detached-head' | 'attempts-exhausted';
  readonly attempts: number;
  constructor(problem: Problem, kind: LandError['kind'], attempts: number) {
    super(problem);
    this.name = 'LandError';
    this.kind = kind;
    this.attempts = attempts;
  }
}

export function listPaths(paths: string[]): string {
  const shown = paths.slice(0, 5).join(', ');
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more` : shown;
}

/** Why a landing commits nothing; both commit methods say it the same way. */
export function nothingToChange(plan: Plan): string {
  if (plan.matchedRules.length === 0) return 'Nothing to commit: no rule matched, so no file changes.';
  if (plan.unchanged.length > 0) {
    return `Nothing to commit: ${listPaths(plan.unchanged)} already ${plan.unchanged.length === 1 ? 'holds' : 'hold'} these values (already at that tag).`;
  }
  return `Nothing to commit: rules ${plan.matchedRules.join(', ')} matched but selected no file that changes.`;
}
