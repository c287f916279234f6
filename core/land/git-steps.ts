/** The steps of a git landing that the direct push and the pull request share: commit, explain a failure, reset. */
import { UserError } from '../errors.js';
import type { Git, GitResult } from '../git/git.js';
import { classifyPushFailure } from '../git/push-failure.js';
import type { Logger } from '../logger.js';
import type { Plan } from '../plan/model.js';
import { composeCommitMessage } from './message.js';
import { LandError, type LandOptions, listPaths } from './model.js';

export interface Context {
  o: LandOptions;
  git: Git;
  remote: string;
  logger: Logger;
  redact: (text: string) => string;
}

/** Stages only the plan's files, commits them with message + trailers. Returns the sha, or undefined if no diff. */
export async function commitPlan(c: Context, plan: Plan): Promise<string | undefined> {
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

export function failure(c: Context, result: GitResult, what: string, attempts: number): LandError {
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
export async function restore(c: Context, branch: string | undefined, base: string): Promise<boolean> {
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

export function trailerEntries(trailers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(trailers ?? {}).filter(([, v]) => v.trim() !== ''));
}

export function paths(plan: Plan): string[] {
  return plan.changes.map((ch) => ch.path);
}

/** Tracked edits outside the plan are neither committed nor kept by a retry's reset: say so before it happens. */
export async function warnAboutOtherEdits(c: Context, plan: Plan): Promise<void> {
  const planned = new Set(plan.changes.map((ch) => ch.path));
  const others = (await c.git.status()).filter((e) => e.code !== '??' && !planned.has(e.path)).map((e) => e.path);
  if (others.length > 0) {
    c.logger.warning(
      `Files changed outside the plan are not committed, and are discarded if the push has to be retried: ${listPaths(others)}`,
    );
  }
}
