/** `commit: true`: the request turned into a landing, through a pull request or straight onto the branch. */
import { UserError } from '../errors.js';
import { GitHubApiError, GitHubClient, type RequestFn, type RequestLimits } from '../github/client.js';
import { describeNoAnswer } from '../github/explain.js';
import { pullRequestBranch } from '../github/pulls.js';
import { landChanges } from '../land/land.js';
import { type DispatchSource, type MessageTemplate, pullRequestText, templateTrailers } from '../land/message.js';
import type { LandResult, PullRequestLanding } from '../land/model.js';
import type { Logger } from '../logger.js';
import { applyPlan } from '../plan/apply.js';
import type { Plan } from '../plan/model.js';
import type { Variables } from '../rules/model.js';
import type { ReceiveRequest, ReceiveServices } from './model.js';

/** What a pull-request landing needs, for either commit method: text, branch and an explained API client. */
export function pullRequestLanding(o: {
  plan: Plan;
  request: ReceiveRequest;
  variables: Variables;
  source: DispatchSource;
  /** owner/repo of the GitOps repository. */
  repository: string;
  restRequest: () => RequestFn;
  requestLimits?: RequestLimits;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
}): PullRequestLanding | undefined {
  const { request, plan } = o;
  if (!request.pullRequest && !plan.changes.some((c) => c.pullRequest)) return undefined;
  const client = new GitHubClient({
    request: o.restRequest(),
    logger: o.logger,
    sleep: o.sleep,
    limits: o.requestLimits,
  });
  const environments = [...new Set(plan.changes.flatMap((c) => c.rules))];
  const { title, body } = pullRequestText(plan, environments, o.variables, o.source);
  return {
    enabled: true,
    // Named from the validated image (else the source repository), the same value the ownership trailer holds.
    branch: pullRequestBranch(environments, o.source.image || o.source.repository || ''),
    title,
    body,
    labels: request.labels,
    reviewers: request.reviewers,
    request: async (route, params) => {
      try {
        return await client.request(route, params);
      } catch (error) {
        const noAnswer = error instanceof GitHubApiError ? describeNoAnswer(error) : undefined;
        if (noAnswer === undefined) throw error;
        throw new UserError({
          code: 'github/no-answer',
          message:
            `GitHub's API at ${request.apiUrl} did not answer while opening the pull request (${noAnswer}). Check ` +
            "the runner's network or https://www.githubstatus.com, then run the job again: the rerun finds the " +
            'update branch and opens or updates the same pull request.',
        });
      }
    },
    repository: o.repository,
  };
}

/** Writes the plan into the checkout, then commits and pushes it (re-planning on the new head when it moved). */
export async function landFromCheckout(o: {
  root: string;
  plan: Plan;
  /** Plans again on the work tree as it is now (after a fetch/reset to the remote head). */
  replan: () => Promise<Plan>;
  request: ReceiveRequest;
  variables: Variables;
  commitMessage: MessageTemplate;
  trailers: Record<string, string>;
  pullRequest: PullRequestLanding | undefined;
  services: ReceiveServices;
}): Promise<LandResult> {
  const { request, variables, services } = o;
  await applyPlan(o.root, o.plan);
  return landChanges({
    root: o.root,
    logger: services.logger,
    plan: o.plan,
    replan: o.replan,
    apply: (plan) => applyPlan(o.root, plan),
    commitMessage: () => o.commitMessage(variables),
    trailers: o.trailers,
    messageTrailers: templateTrailers(request.commitMessage),
    author: { name: request.authorName, email: request.authorEmail },
    push: request.push,
    maxAttempts: request.maxAttempts,
    sleep: services.sleep,
    pullRequest: o.pullRequest,
    secrets: request.token ? [request.token] : [],
    network: services.gitNetwork,
  });
}
