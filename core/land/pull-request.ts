/** Pull-request landing: the commit on an update branch made from the target head, then the pull request. */
import { UserError } from '../errors.js';
import { openOrUpdatePullRequest } from '../github/pulls.js';
import { type Context, commitPlan, failure, paths, restore, trailerEntries } from './git-steps.js';
import { LandError, type LandResult, type PullRequestLanding } from './model.js';
import { checkBranchOwnership } from './ownership.js';

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

export async function landThroughPullRequest(
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

    const opened = await openPullRequest(pr, target);
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

/** Opens the pull request for `pr` into `target`, or updates the one already open; both commit methods use it. */
export function openPullRequest(pr: PullRequestLanding, target: string): ReturnType<typeof openOrUpdatePullRequest> {
  return openOrUpdatePullRequest({
    request: pr.request,
    repository: pr.repository,
    head: pr.branch,
    base: target,
    title: pr.title,
    body: pr.body,
    labels: pr.labels,
    reviewers: pr.reviewers,
  });
}
