/** After a direct push: ask Argo CD to refresh (and wait for) the apps of the rules that changed files, or send its push webhook. */
import { ArgoCdClient, parseAppRef } from '../argocd/client.js';
import { followArgoCd } from '../argocd/wait.js';
import { pushEvent, sendPushWebhook } from '../argocd/webhook.js';
import { ProblemList } from '../errors.js';
import { Git } from '../git/git.js';
import type { LandResult } from '../land/model.js';
import type { Logger } from '../logger.js';
import type { Plan } from '../plan/model.js';
import type { Rule } from '../rules/model.js';
import type { ArgoCdReport, ArgoCdSettings } from './model.js';

/** Rules naming an Argo CD app must name one Argo CD can have, and need a way to reach Argo CD. */
export function checkRuleApps(rules: Rule[], settings: ArgoCdSettings, logger: Logger): void {
  const problems = new ProblemList();
  for (const rule of rules) {
    if (rule.argocdApp === undefined) continue;
    if (!parseAppRef(rule.argocdApp)) {
      problems.add({
        code: 'rules/argocd-app',
        message: `Rule '${rule.name}': argocd-app ${JSON.stringify(rule.argocdApp)} is not an Argo CD Application name; expected lower-case letters, digits, '-' or '.', or namespace/name`,
        file: rule.origin.source,
        line: rule.origin.line,
      });
    }
  }
  problems.throwIfAny();
  if (settings.server === undefined && settings.webhook === undefined && rules.some((r) => r.argocdApp)) {
    logger.debug("Rules name Argo CD apps but 'argocd-server' is empty: no refresh is asked for");
  }
}

export interface AfterLandingOptions {
  settings: ArgoCdSettings;
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

/** After a direct push: refresh (and wait for) the apps of the rules that changed files, or send the webhook. */
export async function afterLanding(o: AfterLandingOptions): Promise<ArgoCdReport | undefined> {
  const { settings, landing, logger } = o;
  if (!settings.server && !settings.webhook) return undefined;
  if (!landing.pushed || landing.pullRequestUrl) {
    logger.info('Argo CD: nothing pushed to the branch it watches (pull request or no push); no refresh asked for');
    return undefined;
  }
  if (settings.webhook) {
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
      url: settings.webhook.url,
      secret: settings.webhook.secret,
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
  const server = settings.server!;
  const outcomes = await followArgoCd({
    client: new ArgoCdClient({ server: server.url, token: server.token }),
    server: server.url,
    apps,
    revision: landing.commitSha,
    wait: settings.wait,
    timeoutMs: settings.waitTimeoutSeconds * 1000,
    sleep: o.sleep,
    now: o.now,
    logger,
  });
  return { kind: 'api', apps: outcomes };
}
