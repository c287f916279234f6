/**
 * The seam for `commit: true`: commit the planned edits and push them (or open a pull request), re-planning on the
 * fresh remote head when the push is rejected. Another module (core/land) fills this in; until then it fails loudly
 * and changes nothing, so nobody mistakes an edited work tree for a landed change.
 */
import { UserError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Plan } from '../../core/plan/model.js';
import type { Variables } from '../../core/rules/model.js';
import type { ReceiveInputs } from './inputs.js';

export interface LandOptions {
  /** Repository root (the checkout). */
  root: string;
  /** The plan made on the current work tree; nothing has been written yet. */
  plan: Plan;
  /** Plans again on the work tree as it is now (after a fetch/reset to the remote head). */
  replan: () => Promise<Plan>;
  inputs: ReceiveInputs;
  variables: Variables;
  logger: Logger;
}

export interface LandResult {
  /** Repo-relative paths changed by the commit that landed. */
  modifiedFiles: string[];
  commitSha: string;
  pushed: boolean;
  pullRequestUrl: string;
}

export async function landChanges(options: LandOptions): Promise<LandResult> {
  void options;
  throw new UserError({
    code: 'land/not-implemented',
    input: 'commit',
    message:
      "commit: true is not implemented yet; set 'commit: false' and commit in a later step. Nothing was changed.",
  });
}
