/**
 * `commit-method: api`: lands a plan with GitHub's GraphQL `createCommitOnBranch`, with no clone.
 *
 * The plan is made over files read from the branch head through the API, and the commit is sent with
 * `expectedHeadOid` = that head: an exact compare-and-swap. When the branch moved meanwhile (STALE_DATA), the new
 * head is read, the files read again, the plan made again, and the commit sent again (bounded, jittered, like the
 * git path). When the answer is lost (timeout, 5xx), the mutation may have been applied: the branch history is read
 * first, and a commit of this dispatch on the head we sent counts as landed, so a dispatch lands exactly once. The
 * target branch is never forced; in pull-request mode only the update branch is (it belongs to this tool).
 */
import { ProblemList, UserError } from '../../errors.js';
import { GitHubApiError } from '../../github/client.js';
import { explainApiFailure } from '../../github/explain-api.js';
import { type GitHubGraphql, GraphqlError } from '../../github/graphql.js';
import type { Logger } from '../../logger.js';
import type { Plan } from '../../plan/model.js';
import type { FileSource } from '../../plan/source.js';
import { jitteredBackoff, realSleep } from '../../retry.js';
import { composeCommitMessage } from '../message.js';
import { DEFAULT_BACKOFF, LandError, type LandResult, nothingToChange, type PullRequestLanding } from '../model.js';
import { checkBranchOwnership } from '../ownership.js';
import { openPullRequest } from '../pull-request.js';
import {
  type BranchHead,
  createCommitOnBranch,
  readBranchHead,
  readFilesAt,
  readHistory,
  setBranch,
  splitRepository,
} from './repository.js';
import { type ApiFileSource, apiFileSource, MODE_FILE, modeProblem } from './source.js';

/** A plan made on one head, and the source it was read from. */
export interface ApiStart {
  head: BranchHead;
  source: ApiFileSource;
  plan: Plan;
}

/** Reads the head of `branch` (default: the default branch) and plans over its files. */
export async function planThroughApi(
  api: GitHubGraphql,
  repository: string,
  branch: string | undefined,
  plan: (source: FileSource) => Promise<Plan>,
): Promise<ApiStart> {
  const { head, source } = await openHead(api, repository, branch);
  return { head, source, plan: await plan(source) };
}

/** The head of `branch` (default: the default branch) and a source over its files. */
export async function openHead(
  api: GitHubGraphql,
  repository: string,
  branch: string | undefined,
): Promise<{ head: BranchHead; source: ApiFileSource }> {
  const repo = splitRepository(repository);
  const head = await readBranchHead(api, repo, branch);
  if (head.oid === '') {
    throw new UserError({
      code: 'api/no-branch',
      message: `Branch ${JSON.stringify(head.branch)} does not exist in ${repository}, or has no commit; expected the branch the receiver lands on (the workflow's ref)`,
    });
  }
  return { head, source: apiFileSource(api, repo, head.oid) };
}

export interface ApiLandOptions {
  api: GitHubGraphql;
  /** owner/repo */
  repository: string;
  /** Target branch; default the repository's default branch. */
  branch?: string;
  logger: Logger;
  /** Plans over `source` (the same rules and variables each time). */
  plan: (source: FileSource) => Promise<Plan>;
  /** The first plan, when the caller made it already (main plans first for dry runs and outputs). */
  start?: ApiStart;
  commitMessage: (plan: Plan) => string;
  /** e.g. { 'Source-Repository': 'o/r', ... }; empty values are left out. */
  trailers?: Record<string, string>;
  /** Trailers the commit-message template ends with (`templateTrailers`), before ours, as on the git path. */
  messageTrailers?: [string, string][];
  maxAttempts: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  backoff?: { baseMs: number; capMs: number };
  pullRequest?: PullRequestLanding;
  /** How many recent commits are searched for this dispatch's commit after a lost answer. Default 20. */
  historyDepth?: number;
}

export interface CommitMessageParts {
  headline: string;
  body: string;
  /** As GitHub will store it: headline, blank line, body. */
  full: string;
}

/** The message of the git path (template text + trailers), split as createCommitOnBranch takes it. */
export function apiCommitMessage(
  rendered: string,
  trailers: Record<string, string> | undefined,
  leading: [string, string][] = [],
): CommitMessageParts {
  if (rendered.trim() === '') {
    throw new UserError({
      code: 'land/empty-commit-message',
      input: 'commit-message',
      message: "Input 'commit-message' rendered to an empty message; expected a template that gives some text",
    });
  }
  // The git path's message exactly (neutralised body, our trailers as the final paragraph), split as GitHub stores it.
  const text = composeCommitMessage(rendered, trailers ?? {}, leading).replace(/\s+$/, '');
  const newline = text.indexOf('\n');
  const headline = newline < 0 ? text : text.slice(0, newline).trimEnd();
  const body = newline < 0 ? '' : text.slice(newline + 1).replace(/^\s*\n/, '');
  return { headline, body, full: body === '' ? headline : `${headline}\n\n${body}` };
}

/** `Key: value` trailers of a commit message (last paragraph). */
function trailersOf(message: string): Record<string, string> {
  const paragraphs = message.trimEnd().split(/\n\s*\n/);
  const out: Record<string, string> = {};
  for (const line of (paragraphs[paragraphs.length - 1] ?? '').split('\n')) {
    const match = /^([A-Za-z0-9][A-Za-z0-9-]*):\s?(.*)$/.exec(line);
    if (match) out[match[1]!] = match[2]!.trim();
  }
  return out;
}

/** True when `message` is this dispatch's: the same Source-* trailers, or (without any) the same message. */
export function isOurCommit(message: string, ours: CommitMessageParts, trailers: Record<string, string>): boolean {
  const source = Object.entries(trailers).filter(([k, v]) => k.startsWith('Source-') && v.trim() !== '');
  if (source.length > 0) {
    const theirs = trailersOf(message);
    return source.every(([k, v]) => theirs[k] === v) && message.split('\n')[0]?.trimEnd() === ours.headline;
  }
  return message.replace(/\s+$/, '') === ours.full;
}

/** Refuses (all at once, nothing written) files the commit would turn into mode 100644. */
function checkModes(start: ApiStart): void {
  const problems = new ProblemList();
  for (const change of start.plan.changes) {
    const mode = start.source.entry(change.path)?.mode ?? MODE_FILE;
    if (mode !== MODE_FILE) problems.add(modeProblem(change.path, mode));
  }
  problems.throwIfAny();
}

type Failure = { kind: 'moved' } | { kind: 'unknown'; afterMs?: number; reason: string };

/** STALE_DATA: the head moved. A lost or failed answer: the mutation may have been applied. Else undefined. */
function classify(api: GitHubGraphql, error: unknown): Failure | undefined {
  if (error instanceof GraphqlError) {
    if (error.hasType('STALE_DATA')) return { kind: 'moved' };
    if (error.hasType('RATE_LIMITED')) {
      const verdict = api.retryVerdict(error);
      return verdict.retry ? { kind: 'unknown', afterMs: verdict.afterMs, reason: 'RATE_LIMITED' } : undefined;
    }
    return undefined;
  }
  if (error instanceof GitHubApiError) {
    const verdict = api.retryVerdict(error);
    return verdict.retry ? { kind: 'unknown', afterMs: verdict.afterMs, reason: verdict.reason } : undefined;
  }
  return undefined;
}

export async function landThroughApi(o: ApiLandOptions): Promise<LandResult> {
  const { api, logger } = o;
  const repo = splitRepository(o.repository);
  const trailers = o.trailers ?? {};
  const sleep = o.sleep ?? realSleep;
  const { baseMs, capMs } = o.backoff ?? DEFAULT_BACKOFF;
  const backoff = jitteredBackoff(baseMs, capMs, o.random ?? Math.random);
  const none = { committed: false, commitSha: '', modifiedFiles: [], pushed: false, attempts: 0, pullRequestUrl: '' };

  let start = o.start ?? (await planThroughApi(api, o.repository, o.branch, o.plan));
  if (start.plan.changes.length === 0) return { ...none, reason: nothingToChange(start.plan) };
  const usePullRequest = Boolean(o.pullRequest?.enabled || start.plan.changes.some((ch) => ch.pullRequest));
  const pr = usePullRequest ? o.pullRequest : undefined;
  if (usePullRequest && !pr) {
    const rules = [...new Set(start.plan.changes.filter((ch) => ch.pullRequest).flatMap((ch) => ch.rules))];
    throw new UserError({
      code: 'land/pull-request-unavailable',
      input: 'pull-request',
      message: `Rule(s) ${rules.join(', ')} ask for a pull request, but no pull request settings were given`,
    });
  }
  const target = start.head.branch;
  if (
    pr &&
    (pr.branch === target || !/^[A-Za-z0-9._/+-]+$/.test(pr.branch) || /(^|\/)\.|\.\.|\.lock$|\/$/.test(pr.branch))
  ) {
    throw new UserError({
      code: 'land/pull-request-branch',
      message: `Pull request branch ${JSON.stringify(pr.branch)} is not usable; expected a valid branch name other than the target branch ${target}`,
    });
  }
  const commitBranch = pr ? pr.branch : target;
  const explain = (error: unknown, action: string) =>
    new Error(explainApiFailure(error, { repository: o.repository, action, pullRequest: Boolean(pr) }), {
      cause: error,
    });

  const landed = async (sha: string, attempt: number, pushed: boolean, note = ''): Promise<LandResult> => {
    const result = {
      committed: true,
      commitSha: sha,
      modifiedFiles: start.plan.changes.map((c) => c.path),
      pushed,
      attempts: attempt,
    };
    if (!pr) {
      const reason = `${attempt === 1 ? `Committed to ${target}` : `Committed to ${target} after ${attempt} attempts`} through GitHub's API${note}.`;
      logger.info(`${reason} (${sha.slice(0, 12)})`);
      return { ...result, pullRequestUrl: '', reason };
    }
    let opened: Awaited<ReturnType<typeof openPullRequest>>;
    try {
      opened = await openPullRequest(pr, target);
    } catch (error) {
      throw explain(error, `open the pull request from ${pr.branch}`);
    }
    for (const warning of opened.warnings) logger.warning(warning);
    const reason = `${opened.created ? 'Opened' : 'Updated'} pull request #${opened.number} from ${pr.branch} into ${target}${pushed ? '' : ' (branch already up to date)'}${note}.`;
    logger.info(`${reason} ${opened.url}`);
    return { ...result, pullRequestUrl: opened.url, pullRequestNumber: opened.number, reason };
  };

  for (let attempt = 1; ; attempt++) {
    checkModes(start);
    const message = apiCommitMessage(o.commitMessage(start.plan), trailers, o.messageTrailers);
    const expected = start.head.oid;
    let failure: Failure | undefined;
    let step = `commit to ${commitBranch} through GitHub's API`;
    try {
      if (pr) {
        step = `move ${pr.branch} to ${target}`;
        const branchHead = { ...(await readBranchHead(api, repo, pr.branch)), repositoryId: start.head.repositoryId };
        if (await holdsPlan(branchHead.oid, expected)) {
          logger.info(
            `${pr.branch} already holds this update (${branchHead.oid.slice(0, 12)}); not committing it again.`,
          );
          return landed(branchHead.oid, attempt, false);
        }
        if (branchHead.oid !== '' && branchHead.oid !== expected) {
          // The update branch is moved (forced) below: only when its head was made for this image.
          const [head] = await readHistory(api, repo, pr.branch, 1);
          checkBranchOwnership({
            branch: pr.branch,
            where: o.repository,
            head: branchHead.oid,
            theirs: trailersOf(head?.message ?? ''),
            ours: trailers,
          });
        }
        await setBranch(api, branchHead, pr.branch, expected);
        step = `commit to ${pr.branch} through GitHub's API`;
      }
      const sha = await createCommitOnBranch(api, {
        repository: o.repository,
        branch: commitBranch,
        expectedHeadOid: expected,
        headline: message.headline,
        body: message.body,
        additions: start.plan.changes.map((c) => ({ path: c.path, contents: Buffer.from(c.after, 'utf8') })),
      });
      return landed(sha, attempt, true);
    } catch (error) {
      failure = classify(api, error);
      if (!failure) throw explain(error, step);
      if (failure.kind === 'unknown') {
        logger.warning(`No clear answer to the commit (${failure.reason}); checking whether it was applied.`);
        const ours = await findOurCommit(commitBranch, expected, message);
        if (ours) {
          logger.info(`The commit was applied before the answer was lost: ${ours.slice(0, 12)} is this dispatch's.`);
          return landed(ours, attempt, true, ' (confirmed after a lost answer)');
        }
      }
      if (attempt >= o.maxAttempts) {
        throw new LandError(
          {
            code: 'land/attempts-exhausted',
            input: 'max-attempts',
            message:
              `${commitBranch} could not be committed to in ${attempt} attempts (${failure.kind === 'moved' ? 'other runs kept moving it' : failure.reason}); nothing was committed. ` +
              `Raise 'max-attempts' (now ${o.maxAttempts}) or give concurrent runs their own concurrency group per image.`,
          },
          'attempts-exhausted',
          attempt,
        );
      }
      const delay = failure.kind === 'unknown' && failure.afterMs !== undefined ? failure.afterMs : backoff(attempt);
      logger.info(
        failure.kind === 'moved'
          ? `${commitBranch} moved since it was read; reading it again and planning again in ${delay} ms.`
          : `The commit was not applied; reading ${target} again and trying again in ${delay} ms.`,
      );
      await sleep(delay);
    }
    try {
      start = await planThroughApi(api, o.repository, target, o.plan);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw explain(error, `read ${target} again through GitHub's API`);
    }
    if (start.plan.changes.length === 0) {
      const reason = `Another run already wrote these values to ${target} (${start.head.oid.slice(0, 12)}); nothing left to commit.`;
      logger.info(reason);
      return { ...none, attempts: attempt, reason };
    }
  }

  /** The commit of this dispatch whose parent is `expected`, among the newest commits of `branch`. */
  async function findOurCommit(
    branch: string,
    expected: string,
    message: CommitMessageParts,
  ): Promise<string | undefined> {
    const history = await readHistory(api, repo, branch, o.historyDepth ?? 20);
    return history.find((c) => c.parents[0] === expected && isOurCommit(c.message, message, trailers))?.oid;
  }

  /** True when the update branch's head is one commit on `base` holding exactly the planned files. */
  async function holdsPlan(branchOid: string, base: string): Promise<boolean> {
    if (branchOid === '') return false;
    const history = await readHistory(api, repo, pr!.branch, 1);
    if (history[0]?.oid !== branchOid || history[0].parents[0] !== base || history[0].parents.length !== 1)
      return false;
    const texts = await readFilesAt(
      api,
      repo,
      branchOid,
      start.plan.changes.map((c) => c.path),
    );
    return start.plan.changes.every((c) => texts.get(c.path) === c.after);
  }
}
