/**
 * Lands a plan that is already applied to the work tree: one commit, then a push that never loses an update.
 *
 * Direct push: when the remote moved meanwhile, fetch, reset onto the new remote head, plan and apply again, commit
 * again, push again (bounded, jittered). Never force-pushes the target branch. Any other refusal fails at once with
 * git's reason (redacted) and the fix.
 *
 * Pull-request mode: the commit goes on an update branch made from the target branch head, which is force-pushed
 * (only that branch), and the pull request for it is opened or updated.
 *
 * "Clean" after a failure: the local branch is reset to the commit the run's own commit was built on (the start,
 * or the remote head fetched last), so the work tree is clean and holds no unpushed commit of this run. A rerun in
 * the same checkout plans from scratch and lands normally; nothing half-done makes it believe the update is there.
 */
import { quoted } from '../display.js';
import { type Problem, ProblemList, UserError } from '../errors.js';
import { Git, type GitNetworkLimits, type GitResult } from '../git/git.js';
import { classifyPushFailure, type PushFailureKind } from '../git/push-failure.js';
import { redactSecrets } from '../git/redact.js';
import { openOrUpdatePullRequest, type RequestFn } from '../github/pulls.js';
import type { Logger } from '../logger.js';
import { hasControlCharacter } from '../oci.js';
import type { Plan } from '../plan/model.js';
import { jitteredBackoff, realSleep } from '../retry.js';
import { checkAuthor, checkMaxAttempts } from './identity.js';
import { composeCommitMessage } from './message.js';
import { checkBranchOwnership } from './ownership.js';

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

const TRAILER_KEY = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

function validate(o: LandOptions): void {
  const problems = new ProblemList();
  checkAuthor(o.author.name, o.author.email, problems);
  checkMaxAttempts(o.maxAttempts, problems);
  for (const [key, value] of [...(o.messageTrailers ?? []), ...Object.entries(o.trailers ?? {})]) {
    if (!TRAILER_KEY.test(key) || hasControlCharacter(value)) {
      problems.add({
        code: 'land/trailer',
        message: `Commit trailer ${quoted(key)}: ${quoted(value)} is not valid; expected a key of letters, digits and '-' and a one-line value`,
      });
    }
  }
  problems.throwIfAny();
}

function trailerEntries(trailers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(trailers ?? {}).filter(([, v]) => v.trim() !== ''));
}

function paths(plan: Plan): string[] {
  return plan.changes.map((ch) => ch.path);
}

function listPaths(paths: string[]): string {
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

interface Context {
  o: LandOptions;
  git: Git;
  remote: string;
  logger: Logger;
  redact: (text: string) => string;
}

/** Stages only the plan's files, commits them with message + trailers. Returns the sha, or undefined if no diff. */
async function commitPlan(c: Context, plan: Plan): Promise<string | undefined> {
  const files = paths(plan);
  await c.git.add(files);
  if (!(await c.git.hasStagedChanges())) return undefined;
  let message = c.o.commitMessage(plan);
  if (message.trim() === '') {
    throw new UserError({
      code: 'land/empty-commit-message',
      input: 'commit-message',
      message: "Input 'commit-message' rendered to an empty message; expected a template that gives some text",
    });
  }
  // Our trailers are the final paragraph and the only trailer block; payload lines cannot pose as trailers.
  message = composeCommitMessage(message, trailerEntries(c.o.trailers), c.o.messageTrailers);
  const sha = await c.git.commit(message, c.o.author);
  c.logger.info(`Committed ${sha.slice(0, 12)}: ${listPaths(files)}`);
  return sha;
}

function failure(c: Context, result: GitResult, what: string, attempts: number): LandError {
  const output = `${result.stderr}\n${result.stdout}`;
  const verdict = classifyPushFailure(output);
  const said = c.redact(result.stderr.trim() || result.stdout.trim() || `exit code ${result.exitCode}`);
  return new LandError(
    { code: `land/${verdict.kind}`, message: `${what} failed: ${said}\n${verdict.fix}` },
    verdict.kind,
    attempts,
  );
}

/** Puts `branch` back on `base` with a clean work tree; best effort, since it runs while another error is thrown. */
async function restore(c: Context, branch: string | undefined, base: string): Promise<boolean> {
  try {
    if (branch && (await c.git.currentBranch()) !== branch) {
      await c.git.exec(['checkout', '--quiet', '--force', branch]);
    }
    await c.git.resetHard(base);
    return true;
  } catch (error) {
    c.logger.warning(`Could not reset the checkout to ${base.slice(0, 12)}: ${c.redact(String(error))}`);
    return false;
  }
}

export async function landChanges(o: LandOptions): Promise<LandResult> {
  validate(o);
  const logger = o.logger;
  const secrets = o.secrets ?? [];
  const c: Context = {
    o,
    git: new Git(o.root, { env: o.env, logger, secrets, network: o.network }),
    remote: o.remote ?? 'origin',
    logger,
    redact: (text) => redactSecrets(text, secrets),
  };
  const none = { committed: false, commitSha: '', modifiedFiles: [], pushed: false, attempts: 0, pullRequestUrl: '' };

  if (o.plan.changes.length === 0) return { ...none, reason: nothingToChange(o.plan) };

  const usePullRequest = Boolean(o.pullRequest?.enabled || o.plan.changes.some((ch) => ch.pullRequest));
  const branch = o.branch ?? (await c.git.currentBranch());
  if (o.push && !branch) {
    throw new LandError(
      {
        code: 'land/detached-head',
        message:
          `HEAD is detached in ${o.root}, so there is no branch to push to. Check out the target branch first ` +
          '(actions/checkout with `ref: <branch>`, or `git checkout <branch>`), or let the receive action check out ' +
          '(`checkout: true`).',
      },
      'detached-head',
      0,
    );
  }
  if (o.push && usePullRequest && !o.pullRequest) {
    const rules = [...new Set(o.plan.changes.filter((ch) => ch.pullRequest).flatMap((ch) => ch.rules))];
    throw new UserError({
      code: 'land/pull-request-unavailable',
      input: 'pull-request',
      message: `Rule(s) ${rules.join(', ')} ask for a pull request, but no pull request settings were given`,
    });
  }

  const startSha = await c.git.headSha();
  await warnAboutOtherEdits(c, o.plan);

  if (o.push && usePullRequest && o.pullRequest && branch) {
    return landThroughPullRequest(c, o.pullRequest, branch, startSha);
  }

  const first = await commitPlan(c, o.plan);
  if (!first) {
    return { ...none, reason: 'Nothing to commit: the planned files already match the last commit.' };
  }
  if (!o.push) {
    return {
      ...none,
      committed: true,
      commitSha: first,
      modifiedFiles: paths(o.plan),
      reason: 'Committed locally; push is off.',
    };
  }
  return pushWithRetry(c, branch!, startSha, first);
}

/** Tracked edits outside the plan are neither committed nor kept by a retry's reset: say so before it happens. */
async function warnAboutOtherEdits(c: Context, plan: Plan): Promise<void> {
  const planned = new Set(plan.changes.map((ch) => ch.path));
  const others = (await c.git.status()).filter((e) => e.code !== '??' && !planned.has(e.path)).map((e) => e.path);
  if (others.length > 0) {
    c.logger.warning(
      `Files changed outside the plan are not committed, and are discarded if the push has to be retried: ${listPaths(others)}`,
    );
  }
}

async function pushWithRetry(c: Context, branch: string, startSha: string, firstSha: string): Promise<LandResult> {
  const { o, git, remote, logger } = c;
  const sleep = o.sleep ?? realSleep;
  const { baseMs, capMs } = o.backoff ?? DEFAULT_BACKOFF;
  const backoff = jitteredBackoff(baseMs, capMs, o.random ?? Math.random);
  let base = startSha; // the commit our commit sits on: where a failure resets to
  let sha = firstSha;
  let files = paths(o.plan);
  let attempt = 0;
  const notPushed = (reason: string): LandResult => {
    logger.info(reason);
    return {
      committed: false,
      commitSha: '',
      modifiedFiles: [],
      pushed: false,
      attempts: attempt,
      pullRequestUrl: '',
      reason,
    };
  };
  try {
    for (;;) {
      attempt++;
      const pushed = await git.tryPush(remote, 'HEAD', branch);
      if (pushed.exitCode === 0) {
        const reason = attempt === 1 ? `Pushed to ${branch}.` : `Pushed to ${branch} after ${attempt} attempts.`;
        logger.info(`${reason} (${sha.slice(0, 12)})`);
        return {
          committed: true,
          commitSha: sha,
          modifiedFiles: files,
          pushed: true,
          attempts: attempt,
          pullRequestUrl: '',
          reason,
        };
      }
      const error = failure(c, pushed, `Pushing to ${branch} (attempt ${attempt} of ${o.maxAttempts})`, attempt);
      if (error.kind !== 'remote-moved') throw error;
      if (attempt >= o.maxAttempts) {
        throw new LandError(
          {
            code: 'land/attempts-exhausted',
            input: 'max-attempts',
            message:
              `${branch} moved before each of ${attempt} push attempts (other runs kept pushing); nothing was ` +
              `pushed. Raise 'max-attempts' (now ${o.maxAttempts}) or give concurrent runs their own ` +
              'concurrency group per image.',
          },
          'attempts-exhausted',
          attempt,
        );
      }
      const delay = backoff(attempt);
      logger.info(`${branch} moved on the remote; fetching and applying the update again in ${delay} ms.`);
      await sleep(delay);

      const fetched = await git.tryFetch(remote, branch);
      if (fetched.exitCode !== 0) throw failure(c, fetched, `Fetching ${branch}`, attempt);
      const remoteHead = await git.revParse(`refs/remotes/${remote}/${branch}`);
      await git.resetHard(remoteHead);
      base = remoteHead;

      const plan = await o.replan();
      const already = `Another run already wrote these values to ${branch} (${remoteHead.slice(0, 12)}); nothing left to push.`;
      if (plan.changes.length === 0) {
        return notPushed(
          already + (plan.unchanged.length > 0 ? ` ${listPaths(plan.unchanged)} already at that tag.` : ''),
        );
      }
      await o.apply(plan);
      const again = await commitPlan(c, plan);
      if (!again) return notPushed(already);
      sha = again;
      files = paths(plan);
    }
  } catch (error) {
    if (await restore(c, branch, base)) {
      logger.info(`Reset ${branch} to ${base.slice(0, 12)}: the work tree is clean and a rerun starts afresh.`);
    }
    throw error;
  }
}

/**
 * Refuses to replace an update branch whose head commit was not made for the same image (by its `Source-Image`
 * trailer, or `Source-Repository` when the dispatch names no image): another application's pull request, or a
 * commit someone added by hand, is never force-pushed over.
 */
async function checkBranchOwner(c: Context, branch: string, head: string): Promise<void> {
  const read = await c.git.exec(['log', '-1', '--format=%(trailers:only,unfold)', head], { allowFailure: true });
  if (read.exitCode !== 0) throw failure(c, read, `Reading the last commit of ${branch}`, 0);
  const theirs: Record<string, string> = {};
  for (const line of read.stdout.split('\n')) {
    const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (match && theirs[match[1]!] === undefined) theirs[match[1]!] = match[2]!.trim();
  }
  checkBranchOwnership({ branch, where: c.remote, head, theirs, ours: trailerEntries(c.o.trailers) });
}

async function landThroughPullRequest(
  c: Context,
  pr: PullRequestLanding,
  target: string,
  startSha: string,
): Promise<LandResult> {
  const { git, remote, logger, o } = c;
  const check = await git.exec(['check-ref-format', `refs/heads/${pr.branch}`], { allowFailure: true });
  if (check.exitCode !== 0 || pr.branch === target) {
    throw new UserError({
      code: 'land/pull-request-branch',
      message: `Pull request branch ${JSON.stringify(pr.branch)} is not usable; expected a valid branch name other than the target branch ${target}`,
    });
  }
  try {
    // The update branch starts at the target branch head; the applied edits come along in the work tree.
    await git.checkoutNewBranch(pr.branch);
    const sha = await commitPlan(c, o.plan);
    if (!sha) {
      return {
        committed: false,
        commitSha: '',
        modifiedFiles: [],
        pushed: false,
        attempts: 0,
        pullRequestUrl: '',
        reason: 'Nothing to commit: the planned files already match the last commit.',
      };
    }

    // A branch that already holds the same tree on the same base needs no push (and no new CI run on the PR).
    let pushed = false;
    let attempts = 0;
    let commitSha = sha;
    const existing = await git.tryRemoteBranchSha(remote, pr.branch);
    if (existing.exitCode !== 0) throw failure(c, existing, `Reading ${pr.branch} from ${remote}`, 0);
    let same = false;
    if (existing.sha) {
      const fetched = await git.tryFetch(remote, pr.branch);
      if (fetched.exitCode !== 0) throw failure(c, fetched, `Fetching ${pr.branch}`, 0);
      await checkBranchOwner(c, pr.branch, existing.sha);
      const [theirTree, ourTree, theirParent] = await Promise.all([
        git.tryRevParse(`${existing.sha}^{tree}`),
        git.revParse(`${sha}^{tree}`),
        git.tryRevParse(`${existing.sha}^`),
      ]);
      same = theirTree === ourTree && theirParent === startSha;
    }
    if (same && existing.sha) {
      commitSha = existing.sha;
      logger.info(`${pr.branch} already holds this update (${existing.sha.slice(0, 12)}); not pushing it again.`);
    } else {
      attempts = 1;
      // Force is allowed here only: the update branch belongs to this tool and is rebuilt from the target head.
      // The lease makes it replace exactly the head checked above (or create the branch when there was none), so a
      // commit pushed meanwhile by anyone is never overwritten unseen.
      const result = await git.exec(
        [
          'push',
          `--force-with-lease=refs/heads/${pr.branch}:${existing.sha ?? ''}`,
          remote,
          `HEAD:refs/heads/${pr.branch}`,
        ],
        { allowFailure: true },
      );
      if (result.exitCode !== 0) {
        const error = failure(c, result, `Pushing ${pr.branch}`, 1);
        if (error.kind !== 'remote-moved') throw error;
        throw new LandError(
          {
            code: 'land/pull-request-branch-moved',
            message:
              `${pr.branch} changed on ${remote} while this run was updating it (another run or a person pushed to ` +
              'it); nothing was pushed. Run again: the next run checks the new head before replacing it.',
          },
          'remote-moved',
          1,
        );
      }
      pushed = true;
      logger.info(`Pushed ${pr.branch} (${sha.slice(0, 12)}).`);
    }

    const opened = await openOrUpdatePullRequest({
      request: pr.request,
      repository: pr.repository,
      head: pr.branch,
      base: target,
      title: pr.title,
      body: pr.body,
      labels: pr.labels,
      reviewers: pr.reviewers,
    });
    for (const warning of opened.warnings) logger.warning(warning);
    const verb = opened.created ? 'Opened' : 'Updated';
    const reason = `${verb} pull request #${opened.number} from ${pr.branch} into ${target}${pushed ? '' : ' (branch already up to date)'}.`;
    logger.info(`${reason} ${opened.url}`);
    return {
      committed: true,
      commitSha,
      modifiedFiles: paths(o.plan),
      pushed,
      attempts,
      pullRequestUrl: opened.url,
      pullRequestNumber: opened.number,
      reason,
    };
  } finally {
    // Back on the target branch, as it was: the update lives on the pull request branch.
    await restore(c, target, startSha);
  }
}
