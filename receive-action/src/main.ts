/**
 * inputs -> event -> variables -> rules -> plan -> (dry run: diff only) -> apply or land -> outputs -> summary.
 * The only place that calls setFailed.
 */
import { readFile, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { presentFailure } from '../../action-runtime/failure.js';
import { actionsLogger } from '../../action-runtime/logger.js';
import { scaledClock, scaledSleep } from '../../action-runtime/sleep.js';
import * as core from '../../action-runtime/toolkit.js';
import { quoted } from '../../core/display.js';
import { errorMessage, UserError } from '../../core/errors.js';
import type { LandResult } from '../../core/land/index.js';
import { checkRendersText, compileMessageTemplate, readSource, sourceTrailers } from '../../core/land/message.js';
import { applyPlan } from '../../core/plan/apply.js';
import { renderDiff } from '../../core/plan/diff.js';
import type { Plan } from '../../core/plan/model.js';
import { isInside, planUpdate } from '../../core/plan/planner.js';
import type { Rule } from '../../core/rules/model.js';
import { parseNativeRules } from '../../core/rules/native.js';
import { parseSeedMappings } from '../../core/rules/seed-dsl.js';
import { collectVariables } from '../../core/rules/variables.js';
import { landViaApi, openRemote } from './api.js';
import { afterLanding, argoCdSummaryMarkdown, checkRuleApps, readArgoCdInputs } from './argocd.js';
import { getInput, type ReceiveInputs, readInputs } from './inputs.js';
import { landChanges } from './land.js';
import { summaryMarkdown } from './summary.js';

async function loadRules(
  inputs: ReceiveInputs,
  root: string,
  read?: (path: string) => Promise<string>,
): Promise<Rule[]> {
  const source = inputs.rules;
  switch (source.kind) {
    case 'rules':
      return parseNativeRules(source.text, 'rules');
    case 'mappings':
      return parseSeedMappings(source);
    case 'rules-file': {
      const show = JSON.stringify(source.path);
      let text: string;
      try {
        if (read) return parseNativeRules(await read(source.path), source.path);
        const real = await realpath(join(root, source.path));
        if (!isInside(await realpath(root), real)) throw new Error('it resolves outside the repository');
        text = await readFile(real, 'utf8');
      } catch (error) {
        throw new UserError({
          code: 'input/rules-file',
          input: 'rules-file',
          message: `Input 'rules-file' is ${show}, which cannot be read (${errorMessage(error)}); expected a file in the repository`,
        });
      }
      return parseNativeRules(text, source.path);
    }
  }
}

async function readEvent(env: NodeJS.ProcessEnv): Promise<unknown> {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return {};
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the event (GITHUB_EVENT_PATH ${path}): ${errorMessage(error)}`);
  }
}

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Masked before anything else can print it.
  const token = getInput(env, 'token');
  if (token.trim()) core.setSecret(token.trim());
  for (const secret of [getInput(env, 'argocd-token'), getInput(env, 'argocd-webhook-secret')]) {
    if (secret) core.setSecret(secret);
  }
  const logger = actionsLogger;
  try {
    const inputs = readInputs(env);
    const argocd = readArgoCdInputs(env, logger);
    const root = resolve(env.GITHUB_WORKSPACE ?? process.cwd(), inputs.workingDirectory);
    const event = await readEvent(env);
    const variables = collectVariables({ event, overrides: inputs.overrides });
    // Provenance shown in the commit, pull request and summary; a malformed field is dropped with a warning.
    const { source, warnings } = readSource(event, variables, env.GITHUB_SERVER_URL || 'https://github.com');
    for (const warning of warnings) logger.warning(warning, { title: 'Payload field left out' });
    // commit-method api: files are read (and the commit made) through GitHub's API, not from a checkout.
    const remote =
      inputs.commitMethod === 'api' ? await openRemote({ inputs, env, logger, sleep: scaledSleep(env) }) : undefined;
    const rules = await loadRules(inputs, root, remote?.readFile);
    checkRuleApps(rules, argocd, logger);
    // Compiled before planning, so a broken template fails with every file untouched.
    const commitMessage = compileMessageTemplate(inputs.commitMessage);
    if (inputs.commit && !inputs.dryRun) checkRendersText(commitMessage, variables);
    if (inputs.pullRequest && !inputs.commit) {
      logger.warning("Input 'pull-request' is true but 'commit' is false: no pull request is opened.");
    }
    const onlyNewer = inputs.onlyNewer;
    const plan = remote
      ? await remote.plan(rules, variables, onlyNewer)
      : await planUpdate({ root, rules, variables, logger, onlyNewer });

    let modified: string[] = [];
    let landing: LandResult | undefined;
    if (inputs.dryRun) {
      const diff = renderDiff(plan, { color: true });
      logger.info(
        diff === '' ? 'Dry run: no file would change.' : `Dry run: the rules would make this change:\n${diff}`,
      );
    } else if (plan.changes.length > 0) {
      if (inputs.commit && remote) {
        landing = await landViaApi({
          remote,
          inputs,
          rules,
          variables,
          commitMessage,
          source,
          trailers: sourceTrailers(source),
          onlyNewer,
          logger,
          sleep: scaledSleep(env),
        });
        modified = landing.modifiedFiles;
        if (landing.pushed) logger.info(landing.reason);
        else logger.notice(landing.reason);
      } else if (inputs.commit) {
        landing = await landChanges({
          root,
          plan,
          replan: () => planUpdate({ root, rules, variables, logger, onlyNewer }),
          inputs,
          variables,
          commitMessage,
          source,
          trailers: sourceTrailers(source),
          repository: env.GITHUB_REPOSITORY ?? '',
          apiUrl: inputs.apiUrl,
          logger,
          sleep: scaledSleep(env),
        });
        modified = landing.modifiedFiles;
        if (landing.pushed) logger.info(landing.reason);
        else logger.notice(landing.reason);
      } else {
        await applyPlan(root, plan);
        modified = plan.changes.map((c) => c.path);
      }
    } else if (plan.matchedRules.length > 0) {
      // Rules matched but nothing changes: say why, so a run with pushed=false is not a mystery.
      logger.notice(noChangeReason(plan, rules, variables.docker_image_tag), { title: 'Nothing to change' });
    }

    setOutputs(plan, modified, landing);
    core.setOutput('commit-method', inputs.commitMethod);
    await writeSummary(
      env,
      summaryMarkdown(plan, {
        dryRun: inputs.dryRun,
        tag: variables.docker_image_tag,
        landing,
        commitUrl: commitUrl(env, landing?.commitSha ?? ''),
      }),
    );
    if (landing) {
      const report = await afterLanding({
        inputs: argocd,
        rules,
        plan,
        landing,
        root,
        repository: env.GITHUB_REPOSITORY ?? '',
        serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
        logger,
        ...scaledClock(env),
      });
      if (report) await writeSummary(env, argoCdSummaryMarkdown(report));
    }
  } catch (error) {
    presentFailure(error, { outcome: 'nothing was changed' });
  }
}

function noChangeReason(plan: Plan, rules: Rule[], tag: string | undefined): string {
  const shown = tag === undefined ? 'this dispatch' : `tag ${quoted(tag)}`;
  const refused = plan.refused ?? [];
  if (refused.length > 0) {
    const what = refused.map((r) => `${r.path} keeps ${quoted(r.kept)} (refused ${quoted(r.refused)})`).join('; ');
    return (
      `only-newer: ${what}; nothing to commit. If the kept version is wrong, run again with input 'only-newer: false' ` +
      'or edit the file by hand (README: Recovering from only-newer).'
    );
  }
  if (plan.unchanged.length === 0) {
    return `Rules ${plan.matchedRules.join(', ')} matched ${shown} but selected no file to change; nothing to commit.`;
  }
  const files = plan.unchanged.join(', ');
  const guarded = rules.some((r) => r.onlyNewer && plan.matchedRules.includes(r.name));
  const holds = plan.unchanged.length === 1 ? 'holds' : 'hold';
  return guarded
    ? `${files} already ${holds} the values of ${shown}, or a newer version that only-newer keeps (see the warnings); nothing to commit.`
    : `${files} already ${holds} the values of ${shown}; nothing to commit.`;
}

function commitUrl(env: NodeJS.ProcessEnv, sha: string): string | undefined {
  if (!sha || !env.GITHUB_SERVER_URL || !env.GITHUB_REPOSITORY) return undefined;
  return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/commit/${sha}`;
}

/** `landing` is undefined when nothing was committed (commit: false, dry run, or no change). */
function setOutputs(plan: Plan, modified: string[], landing: LandResult | undefined): void {
  core.setOutput('total_modified_files', String(modified.length));
  core.setOutput('modified-files', JSON.stringify(modified));
  core.setOutput('environments', JSON.stringify(plan.matchedRules));
  core.setOutput('commit-sha', landing?.commitSha ?? '');
  core.setOutput('pushed', landing?.pushed ? 'true' : 'false');
  core.setOutput('pull-request-url', landing?.pullRequestUrl ?? '');
}

async function writeSummary(env: NodeJS.ProcessEnv, markdown: string): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${errorMessage(error)}`);
  }
}
