/** Where tests run each action and the CLI: bundles of the current sources (see global-setup.ts). */
import { join } from 'node:path';
import { inject } from 'vitest';

function built(): string {
  const root = inject('builtActions');
  if (!root) {
    throw new Error(
      'This test runs a built bundle: list its file in INTEGRATION in vitest.config.ts (that project builds them)',
    );
  }
  return root;
}

export const dispatchActionDir = join(built(), 'dispatch-action');
export const receiveActionDir = join(built(), 'receive-action');
/** The CLI as the package runs it: bin/ over a bundle of the current sources, with templates and schema beside. */
export const builtCli = join(built(), 'generator', 'bin', 'gitops-dispatch.js');
