/** Inputs -> core -> outputs. The only place that calls setFailed. */

import { presentFailure } from '../../action-runtime/failure.js';
import { createRequestFn } from '../../action-runtime/github.js';
import { actionsLogger } from '../../action-runtime/logger.js';
import { scaledClock } from '../../action-runtime/sleep.js';
import { requestLimits } from '../../action-runtime/timeouts.js';
import * as core from '../../action-runtime/toolkit.js';
import { errorMessage } from '../../core/errors.js';
import {
  type DeploymentSpec,
  DeploymentTracker,
  type DispatchResult,
  GitHubClient,
  sendDispatch,
} from '../../core/github/index.js';
import { type RunContext, readRunContext } from './context.js';
import { type DispatchInputs, getInput, readInputs } from './inputs.js';

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Masked before anything else can print it.
  const rawToken = getInput(env, 'token');
  if (rawToken) core.setSecret(rawToken);
  const rawGitHubToken = getInput(env, 'github-token');
  if (rawGitHubToken) core.setSecret(rawGitHubToken);
  let inputs: DispatchInputs | undefined;
  let result: DispatchResult | undefined;
  let failure: string | undefined;
  let caught: unknown;
  let deployment: DeploymentTracker | undefined;
  let conclusion: string | undefined;
  try {
    const context = readRunContext(env);
    inputs = readInputs(env, context, actionsLogger);
    const { sleep, now } = scaledClock(env);
    const client = new GitHubClient({
      request: createRequestFn(inputs.token, inputs.apiUrl),
      logger: actionsLogger,
      sleep,
      limits: requestLimits(env),
    });
    deployment = inputs.deployment
      ? new DeploymentTracker(
          new GitHubClient({
            // The application repository is on the runner's own GitHub, whatever host the target is on.
            request: createRequestFn(inputs.deployment.token, context.apiUrl || inputs.apiUrl),
            logger: actionsLogger,
            sleep,
            limits: requestLimits(env),
          }),
          deploymentSpec(inputs, context),
          actionsLogger,
        )
      : undefined;
    result = await sendDispatch(
      inputs.prepared,
      client,
      actionsLogger,
      { set: (name, value) => core.setOutput(name, value) },
      {
        wait: inputs.wait,
        waitTimeoutMs: inputs.waitTimeoutSeconds * 1000,
        sleep,
        now,
        onAccepted: async () => deployment?.create(),
        onRun: async (run) => deployment?.started(run.htmlUrl),
        onConclusion: async (value) => {
          conclusion = value;
        },
      },
    );
  } catch (error) {
    caught = error;
    failure = errorMessage(error);
  }
  // After the wait, whatever it gave: the conclusion, or none (the run was not found or not followed).
  await deployment?.finish(conclusion, failure?.split('\n')[0]);
  if (inputs) await writeSummary(env, inputs, result, failure, deployment);
  if (failure !== undefined) presentFailure(caught);
}

function deploymentSpec(inputs: DispatchInputs, context: RunContext): DeploymentSpec {
  const d = inputs.deployment!;
  const image = inputs.image ? `${inputs.image}:${inputs.imageTag}` : inputs.imageTag;
  return {
    repository: context.repository,
    sha: context.sha,
    environment: d.environment,
    environmentUrl: d.environmentUrl || undefined,
    production: d.production,
    description: `${image} -> ${inputs.repository}`,
    payload: {
      docker_image_tag: inputs.imageTag,
      image: inputs.image,
      target: inputs.repository,
      dispatch_id: inputs.prepared.payload.source?.dispatch_id ?? '',
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function writeSummary(
  env: NodeJS.ProcessEnv,
  inputs: DispatchInputs,
  result: DispatchResult | undefined,
  failure: string | undefined,
  deployment: DeploymentTracker | undefined,
): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  const event =
    inputs.mode === 'workflow_dispatch'
      ? `workflow_dispatch of ${inputs.workflow}${result?.ref ? ` on ${result.ref}` : ''}`
      : `repository_dispatch: ${inputs.eventType}`;
  let outcome: string;
  // The first sentence only: the full explanation is in the log and the error annotation.
  if (failure !== undefined) outcome = `❌ failed: ${escapeHtml((failure.split('\n')[0] ?? '').split('. ')[0] ?? '')}`;
  else if (result?.runId !== undefined) {
    const run = result.runUrl
      ? `<a href="${escapeHtml(result.runUrl)}">run ${result.runId}</a>`
      : `run ${result.runId}`;
    outcome = `✅ ${run} started${result.conclusion ? `, concluded ${escapeHtml(result.conclusion)}` : ''}`;
  } else outcome = '✅ sent';
  if (deployment && inputs.deployment) {
    const last = deployment.states.at(-1);
    outcome += `; deployment to ${escapeHtml(inputs.deployment.environment)}: ${last ? escapeHtml(last) : 'not recorded (see the warnings)'}`;
  }
  try {
    await core.summary
      .addHeading('GitOps dispatch', 3)
      .addTable([
        [
          { data: 'Target', header: true },
          { data: 'Event', header: true },
          { data: 'Tag', header: true },
          { data: 'Image', header: true },
          { data: 'Result', header: true },
        ],
        [
          escapeHtml(inputs.repository),
          escapeHtml(event),
          `<code>${escapeHtml(inputs.imageTag)}</code>`,
          inputs.image ? escapeHtml(inputs.image) : '—',
          outcome,
        ],
      ])
      .write();
  } catch (error) {
    actionsLogger.warning(`Could not write the job summary: ${errorMessage(error)}`);
  }
}
