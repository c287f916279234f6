/**
 * Item 10: this project's actions are pinned like the third-party ones (full commit SHA, version comment) whenever
 * the CLI knows its commit, and a Dependabot bump of any pin in a generated file is kept, not refused or reported
 * as drift forever.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../generator/src/config.js';
import { defaultActionsRef, ownCommit, packageInfo } from '../../generator/src/paths.js';
import { PINNED_ACTIONS } from '../../generator/src/render.js';
import { cli, ROOT, read, testdir } from './helpers.js';

const EXAMPLE = readFileSync(join(ROOT, 'examples/gitops-dispatch.yml'), 'utf8');
const UP = 'out/upstream/.github/workflows/gitops-dispatch.yml';

describe('pinning our own actions', () => {
  it('run from a checkout: the commit SHA with the version as a comment', () => {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const { repository, version } = packageInfo();
    expect(ownCommit(ROOT)).toBe(head);
    const config = parseConfig(EXAMPLE, 'c.yml');
    expect(config.actions).toEqual({ kind: 'ref', ref: `${repository}@${head} # v${version}` });
  });

  it('from a packed package: the commit recorded in it; unknown: the major version tag', () => {
    const packed = testdir({ 'generator/commit.json': JSON.stringify({ commit: 'a'.repeat(40) }) });
    expect(ownCommit(packed)).toBe('a'.repeat(40));
    expect(ownCommit(testdir())).toBeUndefined();
    expect(defaultActionsRef({ repository: 'o/gd', version: '1.4.2' }, 'a'.repeat(40))).toBe(
      `o/gd@${'a'.repeat(40)} # v1.4.2`,
    );
    expect(defaultActionsRef({ repository: 'o/gd', version: '1.4.2' }, null)).toBe('o/gd@v1');
  });

  it('actions.ref still takes a tag', () => {
    const config = parseConfig(`${EXAMPLE}actions: { ref: acme/gitops-dispatch@v2 }\n`, 'c.yml');
    expect(config.actions).toEqual({ kind: 'ref', ref: 'acme/gitops-dispatch@v2' });
  });
});

describe('a Dependabot bump in a generated file', () => {
  it('is kept: generate neither refuses nor reverts it, and --check passes', async () => {
    const cwd = testdir({ 'gitops-dispatch.yml': EXAMPLE });
    const args = ['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'];
    expect((await cli(args, { cwd })).code).toBe(0);
    const [, sha, comment] = /^docker\/metadata-action@([0-9a-f]{40}) (# v[\d.]+)$/.exec(PINNED_ACTIONS.metadata)!;
    const bumped = read(cwd, UP)
      .replace(`${sha} ${comment}`, `${'b'.repeat(40)} # v9.0.0`)
      .replace('/dispatch-action@v0', '/dispatch-action@v1');
    expect(bumped).not.toBe(read(cwd, UP));
    writeFileSync(join(cwd, UP), bumped);
    const again = await cli(args, { cwd });
    expect(again.stdout).toContain(`unchanged   ${UP}`);
    expect(again.code).toBe(0);
    expect(read(cwd, UP)).toBe(bumped);
    expect((await cli([...args, '--check'], { cwd })).code).toBe(0);

    // A config change still rewrites the file, keeping the bumped pins.
    writeFileSync(join(cwd, 'gitops-dispatch.yml'), EXAMPLE.replace('myorg/myapp-gitops', 'myorg/deploy'));
    const changed = await cli(args, { cwd });
    expect(changed.stdout).toContain(`updated     ${UP}`);
    expect(read(cwd, UP)).toContain(`docker/metadata-action@${'b'.repeat(40)} # v9.0.0`);
    expect(read(cwd, UP)).toContain('/dispatch-action@v1');
    expect(read(cwd, UP)).toContain('myorg/deploy');
  });

  it('a hand edit elsewhere is still refused', async () => {
    const cwd = testdir({ 'gitops-dispatch.yml': EXAMPLE });
    const args = ['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'];
    await cli(args, { cwd });
    writeFileSync(join(cwd, UP), read(cwd, UP).replace('timeout-minutes: 30', 'timeout-minutes: 31'));
    expect((await cli(args, { cwd })).code).toBe(1);
  });
});
