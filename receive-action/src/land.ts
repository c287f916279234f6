/** `commit: true`: the receive action's inputs turned into a landing (core/land does the work). */
import { createRequestFn } from '../../action-runtime/github.js';
import { gitNetworkLimits, requestLimits } from '../../action-runtime/timeouts.js';
import { UserError } from '../../core/errors.js';
import { GitHubApiError, GitHubClient } from '../../core/github/client.js';
import { describeNoAnswer } from '../../core/github/explain.js';
import { pullRequestBranch } from '../../core/github/pulls.js';
import { type LandResult, landChanges as land, type PullRequestLanding } from '../../core/land/index.js';
import {
  type DispatchSource,
  type MessageTemplate,
  pullRequestText,
  templateTrailers,
} from '../../core/land/message.js';
import type { Logger } from '../../core/logger.js';
import { applyPlan } from '../../core/plan/apply.js';
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
  commitMessage: MessageTemplate;
  /** Validated provenance of the dispatch (readSource). */
  source: DispatchSource;
  trailers: Record<string, string>;
  /** owner/repo of the GitOps repository (GITHUB_REPOSITORY). */
  repository: string;
  apiUrl: string;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
}

/** What a pull-request landing needs, for either commit method: text, branch and an explained API client. */
export function pullRequestLanding(o: {
  plan: Plan;
  inputs: ReceiveInputs;
  variables: Variables;
  source: DispatchSource;
  /** owner/repo of the GitOps repository. */
  repository: string;
  apiUrl: string;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
}): PullRequestLanding | undefined {
  const { inputs, plan } = o;
  if (!inputs.pullRequest && !plan.changes.some((c) => c.pullRequest)) return undefined;
  const client = new GitHubClient({
    request: createRequestFn(inputs.token, o.apiUrl),
    logger: o.logger,
    sleep: o.sleep,
    limits: requestLimits(process.env),
  });
  const environments = [...new Set(plan.changes.flatMap((c) => c.rules))];
  const { title, body } = pullRequestText(plan, environments, o.variables, o.source);
  return {
    enabled: true,
    // Named from the validated image (else the source repository), the same value the ownership trailer holds.
    branch: pullRequestBranch(environments, o.source.image || o.source.repository || ''),
    title,
    body,
    labels: inputs.labels,
    reviewers: inputs.reviewers,
    request: async (route, params) => {
      try {
        return await client.request(route, params);
      } catch (error) {
        const noAnswer = error instanceof GitHubApiError ? describeNoAnswer(error) : undefined;
        if (noAnswer === undefined) throw error;
        throw new UserError({
          code: 'github/no-answer',
          message:
            `GitHub's API at ${o.apiUrl} did not answer while opening the pull request (${noAnswer}). Check the ` +
            "runner's network or https://www.githubstatus.com, then run the job again: the rerun finds the update " +
            'branch and opens or updates the same pull request.',
        });
      }
    },
    repository: o.repository,
  };
}

export async function landChanges(o: LandOptions): Promise<LandResult> {
  const { inputs, variables } = o;
  await applyPlan(o.root, o.plan);
  const pullRequest = pullRequestLanding({ ...o, plan: o.plan });
  return land({
    root: o.root,
    logger: o.logger,
    plan: o.plan,
    replan: o.replan,
    apply: (plan) => applyPlan(o.root, plan),
    commitMessage: () => o.commitMessage(variables),
    trailers: o.trailers,
    messageTrailers: templateTrailers(inputs.commitMessage),
    author: { name: inputs.authorName, email: inputs.authorEmail },
    push: inputs.push,
    maxAttempts: inputs.maxAttempts,
    sleep: o.sleep,
    pullRequest,
    secrets: inputs.token ? [inputs.token] : [],
    network: gitNetworkLimits(process.env),
  });
}
