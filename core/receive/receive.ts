/**
 * The receive use case: event -> variables -> rules -> plan -> (dry run: diff only) -> write, or commit and push
 * (or open a pull request); then, apart, Argo CD. Everything is checked before the first file is written; the caller only
 * turns inputs into a request and the result into outputs.
 */

import { checkRendersText, compileMessageTemplate, readSource, sourceTrailers } from '../land/message.js';
import type { LandResult } from '../land/model.js';
import { applyPlan } from '../plan/apply.js';
import { renderDiff } from '../plan/diff.js';
import { planUpdate } from '../plan/planner.js';
import { collectVariables } from '../rules/variables.js';
import { afterLanding, checkRuleApps } from './argocd.js';
import { landFromCheckout, pullRequestLanding } from './landing.js';
import type {
  ArgoCdReport,
  ArgoCdSettings,
  ReceiveContext,
  ReceiveRequest,
  ReceiveResult,
  ReceiveServices,
} from './model.js';
import { landViaApi, openRemote } from './remote.js';
import { loadRules } from './rules-source.js';
import { noChangeReason } from './summary.js';

export async function receive(
  request: ReceiveRequest,
  argocd: ArgoCdSettings,
  context: ReceiveContext,
  services: ReceiveServices,
): Promise<ReceiveResult> {
  const { logger, sleep } = services;
  const { root } = context;
  const variables = collectVariables({ event: context.event, overrides: request.overrides });
  const tag = variables.docker_image_tag;
  // Provenance shown in the commit, pull request and summary; a malformed field is dropped with a warning.
  const { source, warnings } = readSource(context.event, variables, context.serverUrl);
  for (const warning of warnings) logger.warning(warning, { title: 'Payload field left out' });
  // commit-method api: files are read (and the commit made) through GitHub's API, not from a checkout.
  const remote =
    request.commitMethod === 'api'
      ? await openRemote({ request, repository: context.repository, branch: context.branch, logger, sleep })
      : undefined;
  const rules = await loadRules(request.rules, root, remote?.readFile);
  checkRuleApps(rules, argocd, logger);
  // Compiled before planning, so a broken template fails with every file untouched.
  const commitMessage = compileMessageTemplate(request.commitMessage);
  if (request.commit && !request.dryRun) checkRendersText(commitMessage, variables);
  if (request.pullRequest && !request.commit) {
    logger.warning("Input 'pull-request' is true but 'commit' is false: no pull request is opened.");
  }
  const onlyNewer = request.onlyNewer;
  const replan = () => planUpdate({ root, rules, variables, logger, onlyNewer });
  const plan = remote ? await remote.plan(rules, variables, onlyNewer) : await replan();
  const result: ReceiveResult = { plan, rules, environments: plan.matchedRules, modifiedFiles: [], tag };

  if (request.dryRun) {
    const diff = renderDiff(plan, { color: true });
    logger.info(diff === '' ? 'Dry run: no file would change.' : `Dry run: the rules would make this change:\n${diff}`);
    return { ...result, dryRunDiff: diff };
  }
  if (plan.changes.length === 0) {
    if (plan.matchedRules.length === 0) return result;
    // Rules matched but nothing changes: say why, so a run with pushed=false is not a mystery.
    const noChange = noChangeReason(plan, rules, tag);
    logger.notice(noChange, { title: 'Nothing to change' });
    return { ...result, noChange };
  }
  if (!request.commit) {
    await applyPlan(root, plan);
    return { ...result, modifiedFiles: plan.changes.map((c) => c.path) };
  }

  const pullRequest = pullRequestLanding({
    plan: remote?.start?.plan ?? plan,
    request,
    variables,
    source,
    repository: remote?.repository ?? context.repository,
    restRequest: services.restRequest,
    requestLimits: services.requestLimits,
    logger,
    sleep,
  });
  const trailers = sourceTrailers(source);
  const landing: LandResult = remote
    ? await landViaApi({ remote, request, rules, variables, commitMessage, trailers, pullRequest, logger, sleep })
    : await landFromCheckout({
        root,
        plan,
        replan,
        request,
        variables,
        commitMessage,
        trailers,
        pullRequest,
        services,
      });
  if (landing.pushed) logger.info(landing.reason);
  else logger.notice(landing.reason);
  return { ...result, modifiedFiles: landing.modifiedFiles, landing };
}

/**
 * After a direct push: refresh (and wait for) the Argo CD apps of the rules that changed files, or send Argo CD's
 * push webhook. Apart from `receive`, so the caller publishes the landing's outputs first: a failed wait must not
 * hide the commit that was made.
 */
export async function followLanding(
  result: ReceiveResult,
  argocd: ArgoCdSettings,
  context: ReceiveContext,
  services: ReceiveServices,
): Promise<ArgoCdReport | undefined> {
  if (!result.landing) return undefined;
  return afterLanding({
    settings: argocd,
    rules: result.rules,
    plan: result.plan,
    landing: result.landing,
    root: context.root,
    repository: context.repository,
    serverUrl: context.serverUrl,
    logger: services.logger,
    sleep: services.sleep,
    now: services.now,
  });
}
