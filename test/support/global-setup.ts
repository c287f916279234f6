/**
 * Builds both action bundles once per test run, from the current sources, into a temporary folder beside a copy of
 * each action.yml. Tests run the actions from there (test/support/actions.ts), so none of them builds, waits on a
 * build, or rewrites a committed dist/.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

const root = resolve(import.meta.dirname, '../..');
const ACTIONS = ['dispatch-action', 'receive-action'] as const;

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder holding `<action>/action.yml` and `<action>/dist/` for each action, built for this run. */
    builtActions: string;
  }
}

export default function setup(project: TestProject): () => void {
  const out = mkdtempSync(join(tmpdir(), 'gitops-dispatch-actions-'));
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--out-root', out, ...ACTIONS], {
    cwd: root,
    stdio: 'inherit',
  });
  for (const action of ACTIONS) copyFileSync(join(root, action, 'action.yml'), join(out, action, 'action.yml'));
  project.provide('builtActions', out);
  return () => rmSync(out, { recursive: true, force: true });
}
