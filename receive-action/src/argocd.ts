/**
 * The Argo CD inputs (`argocd-server`, `argocd-token`, `argocd-wait`, `argocd-wait-timeout`, `argocd-webhook-url`,
 * `argocd-webhook-secret`), read and checked before anything changes. Kept apart from inputs.ts so the two grow
 * independently; core/receive does the step after a direct push.
 */

import { InputReader } from '../../action-runtime/inputs.js';
import type { ProblemList } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ArgoCdSettings } from '../../core/receive/index.js';

export const DEFAULT_ARGOCD_WAIT_TIMEOUT_SECONDS = 300;
const MAX_TIMEOUT_SECONDS = 6 * 60 * 60;

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
export function readArgoCdInputs(env: NodeJS.ProcessEnv, logger: Logger): ArgoCdSettings {
  const read = new InputReader(env);
  const problems: ProblemList = read.problems;
  const serverText = read.text('argocd-server');
  const token = read.text('argocd-token');
  const webhookText = read.text('argocd-webhook-url');
  const secret = read.text('argocd-webhook-secret');

  const result: ArgoCdSettings = { wait: false, waitTimeoutSeconds: DEFAULT_ARGOCD_WAIT_TIMEOUT_SECONDS };
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
