/**
 * Builds every bundle once per test run, from the current sources, into a temporary folder shaped like the package
 * (each action's action.yml beside its dist/, the CLI's bin/ and dist/, templates/, the schema, package.json).
 * Tests run the actions and the CLI from there (test/support/actions.ts), so none of them builds, waits on a build,
 * or rewrites a committed dist/.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

const root = resolve(import.meta.dirname, '../..');
const ACTIONS = ['dispatch-action', 'receive-action'] as const;

declare module 'vitest' {
  export interface ProvidedContext {
    /** A package-shaped folder of bundles built for this run: `<action>/action.yml` + `dist/`, `generator/`. */
    builtActions: string;
  }
}

export default function setup(project: TestProject): () => void {
  const out = mkdtempSync(join(tmpdir(), 'gitops-dispatch-actions-'));
  // Transpile-only: the same bytes as the full build at a quarter of its CPU time (`npm run typecheck` checks types).
  const build = [join(root, 'scripts', 'build.mjs'), '--out-root', out, '--transpile-only', ...ACTIONS, 'generator'];
  execFileSync(process.execPath, build, { cwd: root, stdio: 'inherit' });
  for (const action of ACTIONS) copyFileSync(join(root, action, 'action.yml'), join(out, action, 'action.yml'));
  for (const path of ['package.json', 'templates', 'generator/bin', 'generator/config.schema.json']) {
    cpSync(join(root, path), join(out, path), { recursive: true });
  }
  project.provide('builtActions', out);
  return () => rmSync(out, { recursive: true, force: true });
}
