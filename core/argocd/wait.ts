/**
 * After a direct push: ask Argo CD to refresh each Application the landed rules name, and, when asked, wait until
 * each runs the landed commit: `status.sync.revision` is the commit, `status.sync.status` is `Synced` and
 * `status.health.status` is `Healthy`. `Degraded` at that revision, a failed sync operation for it, or the timeout
 * fail with Argo CD's own message and the app's URL. A failed refresh only warns: Argo CD's poll finds the commit
 * anyway.
 */
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  type Application,
  type AppRef,
  type ArgoCdClient,
  ArgoCdError,
  explainArgoCdFailure,
  showAppRef,
} from './client.js';

export interface ArgoCdFollowOptions {
  client: ArgoCdClient;
  server: string;
  apps: AppRef[];
  /** The landed commit. */
  revision: string;
  wait: boolean;
  timeoutMs: number;
  pollIntervalMs?: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  logger: Logger;
}

export interface AppOutcome {
  app: string;
  url: string;
  refreshed: boolean;
  /** Set when waited: Synced and Healthy at the revision. */
  healthy?: boolean;
}

/** The state of an app with respect to the landed revision. */
export function judge(
  application: Application,
  revision: string,
): { done: true } | { failed: string } | { waiting: string } {
  const status = application.status ?? {};
  const revisions = [status.sync?.revision, ...(status.sync?.revisions ?? [])].filter(Boolean);
  const atRevision = revisions.includes(revision);
  const op = status.operationState;
  const opRevisions = [
    op?.syncResult?.revision,
    ...(op?.syncResult?.revisions ?? []),
    op?.operation?.sync?.revision,
    ...(op?.operation?.sync?.revisions ?? []),
  ].filter(Boolean);
  if ((op?.phase === 'Failed' || op?.phase === 'Error') && opRevisions.includes(revision)) {
    return {
      failed: `the sync operation ${op.phase === 'Error' ? 'errored' : 'failed'}: ${op.message || '(no message)'}`,
    };
  }
  const sync = status.sync?.status ?? 'Unknown';
  const health = status.health?.status ?? 'Unknown';
  // Health is of the live objects: it speaks of the landed commit only once that is synced and no sync runs.
  if (atRevision && sync === 'Synced' && op?.phase !== 'Running' && health === 'Degraded') {
    return { failed: `health is Degraded: ${status.health?.message || '(no message)'}` };
  }
  if (atRevision && sync === 'Synced' && health === 'Healthy') return { done: true };
  const at = status.sync?.revision ? status.sync.revision.slice(0, 12) : 'no revision';
  return { waiting: `sync ${sync} at ${at}, health ${health}${op?.phase ? `, operation ${op.phase}` : ''}` };
}

export async function followArgoCd(o: ArgoCdFollowOptions): Promise<AppOutcome[]> {
  const outcomes: AppOutcome[] = [];
  for (const app of o.apps) {
    const url = o.client.appUrl(app);
    let refreshed = false;
    try {
      await o.client.getApplication(app, 'normal');
      refreshed = true;
      o.logger.info(`Asked Argo CD to refresh '${showAppRef(app)}' for ${o.revision.slice(0, 12)}: ${url}`);
    } catch (error) {
      o.logger.warning(
        `${explainArgoCdFailure(error, app, o.server, 'refresh')} Argo CD will still notice the commit at its next poll.`,
      );
    }
    outcomes.push({ app: showAppRef(app), url, refreshed });
  }
  if (!o.wait) return outcomes;

  const deadline = o.now() + o.timeoutMs;
  const interval = o.pollIntervalMs ?? 5000;
  const pending = new Map(o.apps.map((app, i) => [showAppRef(app), { app, outcome: outcomes[i]!, last: '' }]));
  for (;;) {
    for (const [key, entry] of pending) {
      let application: Application;
      try {
        application = await o.client.getApplication(entry.app);
      } catch (error) {
        // A hiccup (5xx, network) is polled through; a refusal fails now, it will not change by waiting.
        if (error instanceof ArgoCdError && (error.status === undefined || error.status >= 500)) {
          o.logger.warning(`${explainArgoCdFailure(error, entry.app, o.server, 'read')} Polling again.`);
          continue;
        }
        throw new UserError({
          code: 'argocd/read',
          input: 'argocd-token',
          message: explainArgoCdFailure(error, entry.app, o.server, 'read'),
        });
      }
      const verdict = judge(application, o.revision);
      if ('done' in verdict) {
        o.logger.info(
          `Argo CD Application '${key}' is Synced and Healthy at ${o.revision.slice(0, 12)}: ${entry.outcome.url}`,
        );
        entry.outcome.healthy = true;
        pending.delete(key);
      } else if ('failed' in verdict) {
        throw new UserError({
          code: 'argocd/failed',
          message: `Argo CD Application '${key}' did not deploy ${o.revision.slice(0, 12)}: ${verdict.failed}. See ${entry.outcome.url}`,
        });
      } else {
        if (verdict.waiting !== entry.last) o.logger.info(`Argo CD Application '${key}': ${verdict.waiting}`);
        entry.last = verdict.waiting;
      }
    }
    if (pending.size === 0) return outcomes;
    if (o.now() + interval > deadline) {
      const states = [...pending.entries()].map(([key, e]) => `'${key}' (${e.last || 'not read'}; ${e.outcome.url})`);
      throw new UserError({
        code: 'argocd/timeout',
        input: 'argocd-wait-timeout',
        message: `Argo CD did not report ${o.revision.slice(0, 12)} Synced and Healthy within ${Math.round(o.timeoutMs / 1000)} s (input 'argocd-wait-timeout'): ${states.join('; ')}`,
      });
    }
    await o.sleep(interval);
  }
}
