/** Inputs -> core -> outputs. The only place that calls setFailed. */
import * as core from '@actions/core';
import { createRequestFn } from '../../action-runtime/github.js';
import { actionsLogger } from '../../action-runtime/logger.js';
import { scaledSleep } from '../../action-runtime/sleep.js';
import { requestLimits } from '../../action-runtime/timeouts.js';
import { errorMessage } from '../../core/errors.js';
import { GitHubClient } from '../../core/github/client.js';
import { type DispatchResult, sendDispatch } from '../../core/github/dispatch.js';
import { readRunContext } from './context.js';
import { type DispatchInputs, getInput, readInputs } from './inputs.js';

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Masked before anything else can print it.
  const rawToken = getInput(env, 'token');
  if (rawToken) core.setSecret(rawToken);
  let inputs: DispatchInputs | undefined;
  let result: DispatchResult | undefined;
  let failure: string | undefined;
  try {
    const context = readRunContext(env);
    inputs = readInputs(env, context, actionsLogger);
    const sleep = scaledSleep(env);
    const client = new GitHubClient({
      request: createRequestFn(inputs.token, inputs.apiUrl),
      logger: actionsLogger,
      sleep,
      limits: requestLimits(env),
    });
    result = await sendDispatch(
      inputs.prepared,
      client,
      actionsLogger,
      { set: (name, value) => core.setOutput(name, value) },
      { wait: inputs.wait, waitTimeoutMs: inputs.waitTimeoutSeconds * 1000, sleep },
    );
  } catch (error) {
    failure = errorMessage(error);
  }
  if (inputs) await writeSummary(env, inputs, result, failure);
  if (failure !== undefined) core.setFailed(failure);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function writeSummary(
  env: NodeJS.ProcessEnv,
  inputs: DispatchInputs,
  result: DispatchResult | undefined,
  failure: string | undefined,
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
