/**
 * A large run reads its edits back on several threads (action-runtime/verify-pool.ts), through action.yml as a
 * runner runs it: every edit is still checked, and one refused edit among hundreds still fails the run with every
 * file left as it was.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { THREADED_MIN_JOBS } from '../../action-runtime/verify-pool.js';
import { runCompositeAction } from '../support/composite.js';
import { git, readTree, tempDir, writeTree } from '../support/git.js';
import { actionDir } from './build.js';

const FILES = THREADED_MIN_JOBS + 100;
const name = (i: number) => `apps/app-${String(i).padStart(3, '0')}/values.yaml`;

async function workspace(tree: Record<string, string>): Promise<string> {
  const dir = await tempDir('receive-threads-');
  await writeTree(dir, tree);
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

function receive(ws: string, rules: string) {
  return runCompositeAction({
    actionDir,
    workspace: ws,
    inputs: { checkout: 'false', commit: 'false', rules },
    github: {
      event_name: 'repository_dispatch',
      event: { action: 'update-gitops-repo', client_payload: { docker_image_tag: 'v2' } },
    },
  });
}

const regexRule =
  "- name: dev\n  when: { docker_image_tag: '.*' }\n  update:\n    - { files: 'apps/*/values.yaml', regex: '(?<docker_image_tag>v1)' }\n";

describe('read-back on threads', () => {
  it(`checks all ${FILES} edits and writes them`, async () => {
    const tree = Object.fromEntries(Array.from({ length: FILES }, (_, i) => [name(i), 'image:\n  tag: v1\n']));
    const ws = await workspace(tree);
    const r = await receive(ws, regexRule);
    expect(r.exitCode, r.log).toBe(0);
    const after = await readTree(ws);
    expect(Object.values(after).filter((text) => text === 'image:\n  tag: v2\n')).toHaveLength(FILES);
    // The pool says how many threads checked (a ::debug:: line, in the raw output). On a machine with one core the
    // main thread checks everything; anywhere else the pool must have been used.
    if (availableParallelism() > 1)
      expect(r.stdout).toMatch(new RegExp(`::debug::Read back ${FILES} edits on [2-4] threads`));
  });

  it('one refused edit among hundreds fails the run, names its file, and writes nothing', async () => {
    const tree = Object.fromEntries(Array.from({ length: FILES }, (_, i) => [name(i), 'image:\n  tag: v1\n']));
    // The regex also hits a key here: v1 -> v2 would rename it, which the read-back refuses.
    const odd = name(FILES - 7);
    tree[odd] = 'image:\n  tag: v1\nv1: true\n';
    const ws = await workspace(tree);
    const before = await readTree(ws);
    const r = await receive(ws, regexRule);
    expect(r.exitCode).toBe(1);
    expect(r.log).toContain(`${odd}: regex`);
    expect(r.log).toMatch(/would not be the original with only the target changed/);
    expect(r.log.match(/would not be the original/g)).toHaveLength(1);
    expect(await readTree(ws)).toEqual(before);
    expect(await git(ws, 'status', '--porcelain')).toBe('');
  });
});
