/** Paths the receive-action tests share. The bundle itself is built once per run by test/support/global-setup.ts. */
import { resolve } from 'node:path';

export { receiveActionDir as actionDir } from '../support/actions.js';
export const repoRoot = resolve(import.meta.dirname, '../..');
