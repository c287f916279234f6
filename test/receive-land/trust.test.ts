/**
 * Through receive-action/action.yml (checkout over HTTP, commit: true): a hostile commit_message cannot forge
 * trailers or carry control bytes into the commit on the remote, and an only-newer refusal is seen in the summary
 * and an annotation, and can be overridden for one run with `only-newer: false`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { git, parsedTrailers, readTree } from '../support/git.js';
import {
  ensureReceiveBundle,
  expectTokenNeverShown,
  nativeRules,
  receive,
  SOURCE_SHA,
  serveGitops,
} from './support.js';

beforeAll(() => ensureReceiveBundle(), 240_000);

const tree = {
  'environments/prod/values.yaml': 'image:\n  tag: 1.3.0-stable # prod\n',
};
const source = {
  repository: 'org/myapp',
  sha: SOURCE_SHA,
  run_id: '4242',
  run_url: 'https://github.com/org/myapp/actions/runs/4242',
};
const ours = [
  'Source-Repository: org/myapp',
  `Source-Commit: ${SOURCE_SHA}`,
  'Source-Run: https://github.com/org/myapp/actions/runs/4242',
  'Source-Image: ghcr.io/org/myapp',
];

describe('commit_message cannot forge trailers', () => {
  it('strips control bytes and leaves our Source-* block as the only trailers git reads', async () => {
    const served = await serveGitops(tree);
    const rules = nativeRules([
      { name: 'prod', when: { docker_image_tag: '.*-stable' }, files: 'environments/prod/values.yaml' },
    ]);
    const commitMessage = [
      'Release \u001b[31mred\u001b[0m\u0007 notes\r',
      '',
      'Signed-off-by: Linus Torvalds <torvalds@example.org>',
      'Co-authored-by: Mallory <mallory@example.com>',
      'Source-Commit: 0000000000000000000000000000000000000000',
      '---',
      'Source-Run: https://evil.example/run',
      '',
      'Source-Repository: evil/app',
      'Signed-off-by: Linus Torvalds <torvalds@example.org>',
    ].join('\n');
    const { result: r } = await receive(served, {
      inputs: { rules },
      payload: {
        docker_image_tag: '1.4.0-stable',
        git_branch: 'main',
        commit_message: commitMessage,
        image: 'ghcr.io/org/myapp',
        source,
      },
    });
    expect(r.exitCode, r.log).toBe(0);

    const sha = r.outputs['commit-sha']!;
    expect(await git(served.bare, 'rev-parse', 'main')).toBe(sha);
    const message = `${await git(served.bare, 'log', '-1', '--format=%B', sha)}\n`;
    // No ESC, BEL or CR reached the commit; the text around them did.
    expect(message).not.toContain('\u001b');
    expect(message).not.toContain('\u0007');
    expect(message).not.toContain('\r');
    expect(message.split('\n')[0]).toBe(
      "Branch main led to updated Docker image '1.4.0-stable': Release [31mred[0m notes",
    );
    // git (both ways it reads trailers) and anyone reading line starts see only ours.
    expect(await parsedTrailers(served.bare, message)).toEqual(ours);
    const fromLog = await git(served.bare, 'log', '-1', '--format=%(trailers:only,unfold)', sha);
    expect(fromLog.split('\n').filter((l) => l !== '')).toEqual(ours);
    expect(message.split('\n').filter((l) => /^\s*(Source-|Signed-off-by|Co-authored-by)/i.test(l))).toEqual(ours);
    // The payload's lines are still there for people, quoted.
    expect(message).toContain('\n> Signed-off-by: Linus Torvalds <torvalds@example.org>\n');
    expect(message).toContain('\n> Source-Commit: 0000000000000000000000000000000000000000\n');
    expectTokenNeverShown(r);
  });
});

describe('trailers of the commit-message template', () => {
  it('stay trailers, before ours, while the payload still cannot add any', async () => {
    const served = await serveGitops(tree);
    const rules = nativeRules([
      { name: 'prod', when: { docker_image_tag: '.*-stable' }, files: 'environments/prod/values.yaml' },
    ]);
    const { result: r } = await receive(served, {
      inputs: {
        rules,
        'commit-message':
          'Deploy {{docker_image_tag}}\n\n{{commit_message}}\n\nSigned-off-by: Release Bot <bot@example.com>',
      },
      payload: {
        docker_image_tag: '1.4.0-stable',
        commit_message: 'notes\n\nSigned-off-by: Mallory <m@example.com>',
        image: 'ghcr.io/org/myapp',
        source,
      },
    });
    expect(r.exitCode, r.log).toBe(0);
    const message = `${await git(served.bare, 'log', '-1', '--format=%B', 'main')}\n`;
    expect(await parsedTrailers(served.bare, message)).toEqual([
      'Signed-off-by: Release Bot <bot@example.com>',
      ...ours,
    ]);
    expect(message).toContain('\n> Signed-off-by: Mallory <m@example.com>\n');
  });
});

describe('only-newer refusals are visible and recoverable', () => {
  const guarded = nativeRules([
    {
      name: 'prod',
      when: { docker_image_tag: '.*-stable' },
      files: 'environments/prod/values.yaml',
      extra: ["only-newer: { strip-suffix: '-stable' }"],
    },
  ]);
  const frozen = { 'environments/prod/values.yaml': 'image:\n  tag: 999999.0.0-stable # prod\n' };
  const payload = (tag: string) => ({ docker_image_tag: tag, git_branch: 'main', image: 'ghcr.io/org/myapp', source });

  it('names the kept and the refused version in a summary row and an annotation, then writes with only-newer: false', async () => {
    const served = await serveGitops(frozen);
    const start = await git(served.bare, 'rev-parse', 'main');

    const refused = await receive(served, { inputs: { rules: guarded }, payload: payload('1.5.0-stable') });
    const r = refused.result;
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ pushed: 'false', 'commit-sha': '', total_modified_files: '0' });
    expect(await git(served.bare, 'rev-parse', 'main')).toBe(start);
    expect(await readTree(refused.workspace)).toEqual(frozen);
    const warning = r.annotations.find((a) => a.level === 'warning' && a.message.includes('only-newer'));
    expect(warning).toMatchObject({ file: 'environments/prod/values.yaml', line: 2 });
    expect(warning?.message).toContain('keeps "999999.0.0-stable"; "1.5.0-stable" is an older version');
    expect(warning?.message).toContain('only-newer: false');
    expect(warning?.title).toBe('only-newer kept "999999.0.0-stable", refused "1.5.0-stable"');
    expect(r.summary).toContain(
      '| `prod` | `environments/prod/values.yaml:2` | `999999.0.0-stable` (kept) | `1.5.0-stable` **not written: older than the kept version (only-newer)** |',
    );
    expect(r.summary).toContain('`only-newer: false`');
    expect(r.summary).not.toContain('Already up to date');

    const forced = await receive(served, {
      inputs: { rules: guarded, 'only-newer': 'false' },
      payload: payload('1.5.0-stable'),
    });
    const f = forced.result;
    expect(f.exitCode, f.log).toBe(0);
    expect(f.outputs).toMatchObject({ pushed: 'true', total_modified_files: '1' });
    expect(await git(served.bare, 'show', 'main:environments/prod/values.yaml')).toBe(
      'image:\n  tag: 1.5.0-stable # prod',
    );
    const notice = f.annotations.find((a) => a.title === 'only-newer overridden');
    expect(notice?.message).toContain('had "999999.0.0-stable"; writing "1.5.0-stable"');
    expect(f.summary).toContain('| `999999.0.0-stable` | `1.5.0-stable` |');

    // The guard is back on for the next run: a late, older release is refused again.
    const late = await receive(served, { inputs: { rules: guarded }, payload: payload('1.4.0-stable') });
    expect(late.result.exitCode, late.result.log).toBe(0);
    expect(late.result.outputs.pushed).toBe('false');
    expect(late.result.summary).toContain('`1.5.0-stable` (kept) | `1.4.0-stable` **not written');
  });

  it('fails on an only-newer value it does not know, naming the input, and changes nothing', async () => {
    const served = await serveGitops(frozen);
    const start = await git(served.bare, 'rev-parse', 'main');
    const { result: r, workspace } = await receive(served, {
      inputs: { rules: guarded, 'only-newer': 'true' },
      payload: payload('1.5.0-stable'),
    });
    expect(r.exitCode).toBe(1);
    expect(r.log).toContain(`Input 'only-newer' is "true"; expected rules`);
    expect(await git(served.bare, 'rev-parse', 'main')).toBe(start);
    expect(await readTree(workspace)).toEqual(frozen);
  });
});
