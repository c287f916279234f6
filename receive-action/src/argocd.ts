/**
 * The Argo CD inputs (`argocd-server`, `argocd-token`, `argocd-wait`, `argocd-wait-timeout`, `argocd-webhook-url`,
 * `argocd-webhook-secret`), read and checked before anything changes, and the step after a direct push:
 * inputs -> core/argocd. Kept apart from inputs.ts so the two grow independently.
 */

import { InputReader } from '../../action-runtime/inputs.js';
import { ArgoCdClient, parseAppRef } from '../../core/argocd/client.js';
import { type AppOutcome, followArgoCd } from '../../core/argocd/wait.js';
import { pushEvent, sendPushWebhook } from '../../core/argocd/webhook.js';
import { ProblemList } from '../../core/errors.js';
import { Git } from '../../core/git/git.js';
import type { LandResult } from '../../core/land/index.js';
import type { Logger } from '../../core/logger.js';
import type { Plan } from '../../core/plan/model.js';
import type { Rule } from '../../core/rules/model.js';

export const DEFAULT_ARGOCD_WAIT_TIMEOUT_SECONDS = 300;
const MAX_TIMEOUT_SECONDS = 6 * 60 * 60;

export interface ArgoCdInputs {
  server?: { url: string; token: string };
  wait: boolean;
  waitTimeoutSeconds: number;
  webhook?: { url: string; secret: string };
}

function show(value: string): string {
  return JSON.stringify(value);
}

function checkUrl(read: InputReader, input: string, example: string, logger: Logger): string {
  const url = read.url(input, { example });
  if (
    url &&
    new URL(url).protocol === 'http:' &&
    !['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)
  ) {
    logger.warning(`Input '${input}' uses http: the Argo CD credential travels unencrypted; prefer https`);
  }
  return url;
}

/** Secrets are masked by the caller before this runs. Throws every problem at once. */
export function readArgoCdInputs(env: NodeJS.ProcessEnv, logger: Logger): ArgoCdInputs {
  const read = new InputReader(env);
  const problems: ProblemList = read.problems;
  const serverText = read.text('argocd-server');
  const token = read.text('argocd-token');
  const webhookText = read.text('argocd-webhook-url');
  const secret = read.text('argocd-webhook-secret');

  const result: ArgoCdInputs = { wait: false, waitTimeoutSeconds: DEFAULT_ARGOCD_WAIT_TIMEOUT_SECONDS };
  if (serverText) {
    const url = checkUrl(read, 'argocd-server', 'https://argocd.example.com', logger);
    if (!token) {
      problems.add({
        code: 'input/argocd-token',
        input: 'argocd-token',
        message:
          "Input 'argocd-token' is required with 'argocd-server'; pass an Argo CD API token from a secret, e.g. argocd-token: ${{ secrets.ARGOCD_TOKEN }}",
      });
    }
    result.server = { url, token };
  } else if (token) {
    problems.add({
      code: 'input/argocd-server',
      input: 'argocd-server',
      message:
        "Input 'argocd-token' is set but 'argocd-server' is empty; set argocd-server to the Argo CD URL, e.g. https://argocd.example.com",
    });
  }
  if (webhookText) {
    const url = checkUrl(read, 'argocd-webhook-url', 'https://argocd.example.com/api/webhook', logger);
    if (!secret) {
      problems.add({
        code: 'input/argocd-webhook-secret',
        input: 'argocd-webhook-secret',
        message:
          "Input 'argocd-webhook-secret' is required with 'argocd-webhook-url'; it must equal webhook.github.secret in argocd-secret",
      });
    }
    result.webhook = { url, secret };
  } else if (secret) {
    problems.add({
      code: 'input/argocd-webhook-url',
      input: 'argocd-webhook-url',
      message:
        "Input 'argocd-webhook-secret' is set but 'argocd-webhook-url' is empty; set it to Argo CD's webhook, e.g. https://argocd.example.com/api/webhook",
    });
  }
  if (result.server && result.webhook) {
    problems.add({
      code: 'input/argocd-both',
      input: 'argocd-webhook-url',
      message:
        "Inputs 'argocd-server' and 'argocd-webhook-url' are both set; use the API (argocd-server, argocd-token) or, where only the webhook is exposed, the webhook, not both",
    });
  }
  result.wait = read.boolean('argocd-wait', false);
  if (result.wait && !serverText) {
    problems.add({
      code: 'input/argocd-wait',
      input: 'argocd-wait',
      message:
        "Input 'argocd-wait' is true but 'argocd-server' is empty; waiting reads the Application through Argo CD's API, so set argocd-server and argocd-token",
    });
  }
  const timeout = read.integer('argocd-wait-timeout', {
    min: 1,
    max: MAX_TIMEOUT_SECONDS,
    fallback: DEFAULT_ARGOCD_WAIT_TIMEOUT_SECONDS,
    unit: 'whole seconds',
  });
  if (!Number.isNaN(timeout)) result.waitTimeoutSeconds = timeout;
  problems.throwIfAny();
  return result;
}

/** Rules naming an Argo CD app must name one Argo CD can have, and need a way to reach Argo CD. */
export function checkRuleApps(rules: Rule[], inputs: ArgoCdInputs, logger: Logger): void {
  const problems = new ProblemList();
  for (const rule of rules) {
    if (rule.argocdApp === undefined) continue;
    if (!parseAppRef(rule.argocdApp)) {
      problems.add({
        code: 'rules/argocd-app',
        message: `Rule '${rule.name}': argocd-app ${show(rule.argocdApp)} is not an Argo CD Application name; expected lower-case letters, digits, '-' or '.', or namespace/name`,
        file: rule.origin.source,
        line: rule.origin.line,
      });
    }
  }
  problems.throwIfAny();
  if (inputs.server === undefined && inputs.webhook === undefined && rules.some((r) => r.argocdApp)) {
    logger.debug("Rules name Argo CD apps but 'argocd-server' is empty: no refresh is asked for");
  }
}

export interface AfterLandingOptions {
  inputs: ArgoCdInputs;
  rules: Rule[];
  plan: Plan;
  landing: LandResult;
  root: string;
  /** owner/repo and web server of the GitOps repository. */
  repository: string;
  serverUrl: string;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

/** What was asked of Argo CD, for the job summary. */
export type ArgoCdReport = { kind: 'api'; apps: AppOutcome[] } | { kind: 'webhook'; delivered: boolean };

export function argoCdSummaryMarkdown(report: ArgoCdReport | undefined): string {
  if (!report) return '';
  if (report.kind === 'webhook') {
    return `\nArgo CD webhook: ${report.delivered ? 'push event delivered' : 'not delivered (see the warnings)'}\n`;
  }
  const rows = report.apps.map(
    (a) =>
      `| [${a.app}](${a.url}) | ${a.refreshed ? 'yes' : 'no (see the warnings)'} | ${a.healthy === undefined ? 'not waited for' : a.healthy ? 'Synced, Healthy' : 'no'} |`,
  );
  return ['', '| Argo CD Application | Refreshed | At the commit |', '| --- | --- | --- |', ...rows, ''].join('\n');
}

/** After a direct push: refresh (and wait for) the apps of the rules that changed files, or send the webhook. */
export async function afterLanding(o: AfterLandingOptions): Promise<ArgoCdReport | undefined> {
  const { inputs, landing, logger } = o;
  if (!inputs.server && !inputs.webhook) return undefined;
  if (!landing.pushed || landing.pullRequestUrl) {
    logger.info('Argo CD: nothing pushed to the branch it watches (pull request or no push); no refresh asked for');
    return undefined;
  }
  if (inputs.webhook) {
    const git = new Git(o.root);
    const branch = (await git.currentBranch()) ?? '';
    const before = (await git.tryRevParse(`${landing.commitSha}^`)) ?? '0'.repeat(40);
    const show = await git.exec(['show', '-s', '--format=%an%x00%ae%x00%cI%x00%B', landing.commitSha]);
    const [name = '', email = '', timestamp = '', message = ''] = show.stdout.split('\0');
    const defaultBranch = (
      await git.exec(['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'], { allowFailure: true })
    ).stdout
      .trim()
      .replace(/^origin\//, '');
    const delivered = await sendPushWebhook({
      url: inputs.webhook.url,
      secret: inputs.webhook.secret,
      event: pushEvent({
        repository: o.repository,
        serverUrl: o.serverUrl,
        branch,
        defaultBranch: defaultBranch || branch,
        before,
        after: landing.commitSha,
        message: message.replace(/\n+$/, ''),
        author: { name, email },
        modified: landing.modifiedFiles,
        timestamp,
      }),
      logger,
      sleep: o.sleep,
    });
    return { kind: 'webhook', delivered };
  }
  const changedRules = new Set(o.plan.changes.flatMap((c) => c.rules));
  const apps = [
    ...new Set(o.rules.filter((r) => r.argocdApp && changedRules.has(r.name)).map((r) => r.argocdApp!)),
  ].map((text) => parseAppRef(text)!);
  if (apps.length === 0) {
    logger.notice(
      `Input 'argocd-server' is set but no rule that changed files (${[...changedRules].join(', ') || 'none'}) names an 'argocd-app'; add argocd-app to those rules`,
    );
    return undefined;
  }
  const server = inputs.server!;
  const outcomes = await followArgoCd({
    client: new ArgoCdClient({ server: server.url, token: server.token }),
    server: server.url,
    apps,
    revision: landing.commitSha,
    wait: inputs.wait,
    timeoutMs: inputs.waitTimeoutSeconds * 1000,
    sleep: o.sleep,
    now: o.now,
    logger,
  });
  return { kind: 'api', apps: outcomes };
}
