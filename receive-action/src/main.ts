/**
 * The receive action: inputs -> core/receive -> outputs and job summary. The only place that calls setFailed.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { presentFailure } from '../../action-runtime/failure.js';
import { createRequestFn } from '../../action-runtime/github.js';
import { actionsLogger } from '../../action-runtime/logger.js';
import { scaledClock } from '../../action-runtime/sleep.js';
import { gitNetworkLimits, requestLimits } from '../../action-runtime/timeouts.js';
import * as core from '../../action-runtime/toolkit.js';
import { errorMessage } from '../../core/errors.js';
import {
  argoCdSummaryMarkdown,
  followLanding,
  type ReceiveContext,
  type ReceiveResult,
  type ReceiveServices,
  receive,
  summaryMarkdown,
} from '../../core/receive/index.js';
import { readArgoCdInputs } from './argocd.js';
import { getInput, readInputs } from './inputs.js';

async function readEvent(env: NodeJS.ProcessEnv): Promise<unknown> {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return {};
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the event (GITHUB_EVENT_PATH ${path}): ${errorMessage(error)}`);
  }
}

/** The workflow's branch, when GITHUB_REF names one. */
function branchOf(env: NodeJS.ProcessEnv): string | undefined {
  const ref = env.GITHUB_REF ?? '';
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
}

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Masked before anything else can print it.
  const token = getInput(env, 'token');
  if (token.trim()) core.setSecret(token.trim());
  for (const secret of [getInput(env, 'argocd-token'), getInput(env, 'argocd-webhook-secret')]) {
    if (secret) core.setSecret(secret);
  }
  try {
    const request = readInputs(env);
    const argocd = readArgoCdInputs(env, actionsLogger);
    const context: ReceiveContext = {
      root: resolve(env.GITHUB_WORKSPACE ?? process.cwd(), request.workingDirectory),
      event: await readEvent(env),
      repository: env.GITHUB_REPOSITORY ?? '',
      branch: branchOf(env),
      serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
    };
    const clock = scaledClock(env);
    const services: ReceiveServices = {
      logger: actionsLogger,
      sleep: clock.sleep,
      now: clock.now,
      restRequest: () => createRequestFn(request.token, request.apiUrl),
      requestLimits: requestLimits(env),
      gitNetwork: gitNetworkLimits(env),
    };
    const result = await receive(request, argocd, context, services);
    // Published before Argo CD is asked: a failed wait must not hide the commit that was made.
    setOutputs(result, request.commitMethod);
    await writeSummary(
      env,
      summaryMarkdown(result.plan, {
        dryRun: request.dryRun,
        tag: result.tag,
        landing: result.landing,
        commitUrl: commitUrl(env, result.landing?.commitSha ?? ''),
      }),
    );
    const report = await followLanding(result, argocd, context, services);
    if (report) await writeSummary(env, argoCdSummaryMarkdown(report));
  } catch (error) {
    presentFailure(error, { outcome: 'nothing was changed' });
  }
}

function commitUrl(env: NodeJS.ProcessEnv, sha: string): string | undefined {
  if (!sha || !env.GITHUB_SERVER_URL || !env.GITHUB_REPOSITORY) return undefined;
  return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/commit/${sha}`;
}

function setOutputs(result: ReceiveResult, commitMethod: string): void {
  const landing = result.landing;
  core.setOutput('total_modified_files', String(result.modifiedFiles.length));
  core.setOutput('modified-files', JSON.stringify(result.modifiedFiles));
  core.setOutput('environments', JSON.stringify(result.environments));
  core.setOutput('commit-sha', landing?.commitSha ?? '');
  core.setOutput('pushed', landing?.pushed ? 'true' : 'false');
  core.setOutput('pull-request-url', landing?.pullRequestUrl ?? '');
  core.setOutput('commit-method', commitMethod);
}

async function writeSummary(env: NodeJS.ProcessEnv, markdown: string): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${errorMessage(error)}`);
  }
}
