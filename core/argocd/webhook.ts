/**
 * For installations that expose only Argo CD's Git webhook (`/api/webhook`): send it the GitHub `push` event it
 * expects for the landed commit. Argo CD reads `repository.html_url` (which apps use the repo), `ref` (which
 * revision moved), `after`/`before`, `repository.default_branch` (whether HEAD moved) and the files in
 * `commits[].added/modified/removed` (which apps' paths changed); it checks `X-Hub-Signature-256` against its
 * `webhook.github.secret`.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import { retry } from '../retry.js';
import type { FetchFn } from './client.js';

export interface PushEventSpec {
  /** owner/repo of the GitOps repository. */
  repository: string;
  /** e.g. https://github.com */
  serverUrl: string;
  branch: string;
  defaultBranch: string;
  before: string;
  after: string;
  message: string;
  author: { name: string; email: string };
  /** Repo-relative paths the commit changed. */
  modified: string[];
  /** ISO time of the commit. */
  timestamp: string;
}

export function pushEvent(spec: PushEventSpec): Record<string, unknown> {
  const [owner = '', name = ''] = spec.repository.split('/');
  const htmlUrl = `${spec.serverUrl}/${spec.repository}`;
  const commit = {
    id: spec.after,
    distinct: true,
    message: spec.message,
    timestamp: spec.timestamp,
    url: `${htmlUrl}/commit/${spec.after}`,
    author: spec.author,
    committer: spec.author,
    added: [],
    removed: [],
    modified: spec.modified,
  };
  return {
    ref: `refs/heads/${spec.branch}`,
    before: spec.before,
    after: spec.after,
    created: false,
    deleted: false,
    forced: false,
    compare: `${htmlUrl}/compare/${spec.before.slice(0, 12)}...${spec.after.slice(0, 12)}`,
    commits: [commit],
    head_commit: commit,
    repository: {
      name,
      full_name: spec.repository,
      owner: { name: owner, login: owner },
      html_url: htmlUrl,
      clone_url: `${htmlUrl}.git`,
      default_branch: spec.defaultBranch,
    },
    pusher: { name: spec.author.name, email: spec.author.email },
  };
}

/** GitHub's signature: `sha256=` + hex HMAC-SHA256 of the exact body with the webhook secret. */
export function signature256(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export interface SendWebhookOptions {
  url: string;
  secret: string;
  event: Record<string, unknown>;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  fetch?: FetchFn;
  maxAttempts?: number;
}

/** Sends the push event; retries 5xx and network errors; a final failure only warns. Returns whether it arrived. */
export async function sendPushWebhook(o: SendWebhookOptions): Promise<boolean> {
  const fetchFn = o.fetch ?? (globalThis.fetch as unknown as FetchFn);
  const body = JSON.stringify(o.event);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/gitops-dispatch',
    'x-github-event': 'push',
    'x-github-delivery': randomUUID(),
    'x-hub-signature-256': signature256(body, o.secret),
  };
  class Retryable extends Error {}
  try {
    const status = await retry(
      async () => {
        let response: { status: number; text(): Promise<string> };
        try {
          response = await fetchFn(o.url, { method: 'POST', headers, body });
        } catch (error) {
          const cause = (error as { cause?: { code?: string } }).cause;
          throw new Retryable(`no answer (${cause?.code ?? (error instanceof Error ? error.message : String(error))})`);
        }
        const text = (await response.text()).slice(0, 200);
        if (response.status >= 500) throw new Retryable(`HTTP ${response.status}${text ? `: ${text}` : ''}`);
        if (response.status >= 300) throw new Error(`HTTP ${response.status}${text ? `: ${text}` : ''}`);
        return response.status;
      },
      {
        maxAttempts: o.maxAttempts ?? 3,
        shouldRetry: (error) => error instanceof Retryable,
        backoffMs: (attempt) => 1000 * 2 ** (attempt - 1),
        sleep: o.sleep,
      },
    );
    o.logger.info(
      `Sent the push event for ${String(o.event.after).slice(0, 12)} to the Argo CD webhook (HTTP ${status})`,
    );
    return true;
  } catch (error) {
    o.logger.warning(
      `Could not deliver the push event to the Argo CD webhook at input 'argocd-webhook-url' (${error instanceof Error ? error.message : String(error)}). Check the URL (Argo CD serves it at /api/webhook) and that 'argocd-webhook-secret' equals webhook.github.secret in argocd-secret; Argo CD will still notice the commit at its next poll.`,
    );
    return false;
  }
}
