/** Where tests run each action: its action.yml beside a bundle of the current sources (see global-setup.ts). */
import { join } from 'node:path';
import { inject } from 'vitest';

export const dispatchActionDir = join(inject('builtActions'), 'dispatch-action');
export const receiveActionDir = join(inject('builtActions'), 'receive-action');
