/** Where tests run each action and the CLI: bundles of the current sources (see global-setup.ts). */
import { join } from 'node:path';
import { inject } from 'vitest';

export const dispatchActionDir = join(inject('builtActions'), 'dispatch-action');
export const receiveActionDir = join(inject('builtActions'), 'receive-action');
/** The CLI as the package runs it: bin/ over a bundle of the current sources, with templates and schema beside. */
export const builtCli = join(inject('builtActions'), 'generator', 'bin', 'gitops-dispatch.js');
