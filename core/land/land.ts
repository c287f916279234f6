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
import { ProblemList, UserError } from '../errors.js';
import { Git } from '../git/git.js';
import { redactSecrets } from '../git/redact.js';
import { hasControlCharacter } from '../oci.js';
import { type Context, commitPlan, paths, warnAboutOtherEdits } from './git-steps.js';
import { checkAuthor, checkMaxAttempts } from './identity.js';
import { LandError, type LandOptions, type LandResult, nothingToChange } from './model.js';
import { landThroughPullRequest } from './pull-request.js';
import { pushWithRetry } from './push.js';

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
