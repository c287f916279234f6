/** A direct push that never loses an update: on a moved remote, fetch, re-plan on the new head, commit, push again. */
import { jitteredBackoff, realSleep } from '../retry.js';
import { type Context, commitPlan, failure, paths, restore } from './git-steps.js';
import { DEFAULT_BACKOFF, LandError, type LandResult, listPaths } from './model.js';

export async function pushWithRetry(
  c: Context,
  branch: string,
  startSha: string,
  firstSha: string,
): Promise<LandResult> {
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
