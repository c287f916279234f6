import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { DEFAULT_AUTHOR, LandError, landChanges } from '../../core/land/index.js';
import { MemoryLogger } from '../../core/logger.js';
import {
  bareRemote,
  cloneRemote,
  commitTo,
  git,
  parsedTrailers,
  readTree,
  remoteLog,
  tempDir,
  writeTree,
} from '../support/git.js';
import { prepareLanding } from './fake-planner.js';

const APPS = {
  'apps/a.yaml': 'tag: v1\nreplicas: 1\n',
  'apps/b.yaml': 'tag: v1\nreplicas: 1\n',
  'README.md': '# gitops\n',
};

async function setup(tree: Record<string, string> = APPS) {
  const { bare } = await bareRemote(tree);
  const clone = await cloneRemote(bare);
  return { bare, clone };
}

async function remoteFile(bare: string, path: string): Promise<string> {
  return git(bare, 'show', `main:${path}`);
}

async function assertClean(clone: string): Promise<void> {
  expect(await git(clone, 'status', '--porcelain')).toBe('');
}

describe('landChanges: direct push', () => {
  it('commits only the plan files with message, trailers and the given identity, and pushes once', async () => {
    const { bare, clone } = await setup();
    // Edits outside the plan must not be committed: a tracked file and an untracked one.
    await writeTree(clone, { 'README.md': '# changed by someone\n', 'scratch.txt': 'not mine\n' });
    const message =
      'Branch main led to updated Docker image \'v2-dev\': fix "quotes" & ünïcødé ✓\n\n# not a comment\n\n\nKeep: this line is body text\n---\nend';
    const { options } = await prepareLanding(clone, [{ path: 'apps/a.yaml', line: 1, value: 'tag: v2-dev' }], {
      commitMessage: () => message,
      trailers: { 'Source-Repository': 'org/app', 'Source-Commit': 'abc123', 'Source-Empty': '' },
    });
    const result = await landChanges(options);

    expect(result).toMatchObject({ committed: true, pushed: true, attempts: 1, pullRequestUrl: '' });
    const log = await remoteLog(bare);
    expect(log).toHaveLength(2);
    expect(log[0]!.sha).toBe(result.commitSha);
    expect(log[0]!.files).toEqual(['apps/a.yaml']);
    expect(await remoteFile(bare, 'apps/a.yaml')).toBe('tag: v2-dev\nreplicas: 1');

    const body = await git(bare, 'log', '-1', '--format=%B', 'main');
    // Kept exactly, but for the `---` line, indented so git's trailer parser cannot take it for a divider.
    expect(body.startsWith(message.replace('\n---\n', '\n ---\n'))).toBe(true);
    // Ours are the trailer block: the body's `Keep: ...` line is not one.
    expect(await parsedTrailers(bare, `${body}\n`)).toEqual(['Source-Repository: org/app', 'Source-Commit: abc123']);
    const trailer = (key: string) => git(bare, 'log', '-1', `--format=%(trailers:key=${key},valueonly)`, 'main');
    expect((await trailer('Source-Repository')).trim()).toBe('org/app');
    expect((await trailer('Source-Commit')).trim()).toBe('abc123');
    expect((await trailer('Source-Empty')).trim()).toBe('');

    const who = await git(bare, 'log', '-1', '--format=%an|%ae|%cn|%ce', 'main');
    expect(who).toBe('Release Bot|release-bot@example.com|Release Bot|release-bot@example.com');
    // The identity went in as -c options, not into the checkout's config.
    const local = await git(clone, 'config', '--local', '--list');
    expect(local).not.toMatch(/user\.(name|email)/);
    // The outside edits are still there, uncommitted.
    expect(await git(clone, 'status', '--porcelain')).toBe(' M README.md\n?? scratch.txt');
  });

  it('stages plan paths literally: glob characters in a path select only that file', async () => {
    const { bare, clone } = await setup({ 'apps/[x]/v.yaml': 'tag: v1\n', 'apps/x/v.yaml': 'tag: v1\n' });
    await writeTree(clone, { 'apps/x/v.yaml': 'tag: not mine\n' });
    const { options } = await prepareLanding(clone, [{ path: 'apps/[x]/v.yaml', line: 1, value: 'tag: v2' }]);
    const result = await landChanges(options);
    expect(result.modifiedFiles).toEqual(['apps/[x]/v.yaml']);
    expect((await remoteLog(bare))[0]!.files).toEqual(['apps/[x]/v.yaml']);
    expect(await git(clone, 'status', '--porcelain')).toBe(' M apps/x/v.yaml');
  });

  it('uses the github-actions bot identity when given the default', async () => {
    const { bare, clone } = await setup();
    const { options } = await prepareLanding(clone, [{ path: 'apps/a.yaml', line: 1, value: 'tag: v3' }], {
      author: { ...DEFAULT_AUTHOR },
    });
    await landChanges(options);
    expect(await git(bare, 'log', '-1', '--format=%an|%ae|%cn|%ce', 'main')).toBe(
      'github-actions[bot]|41898282+github-actions[bot]@users.noreply.github.com|github-actions[bot]|41898282+github-actions[bot]@users.noreply.github.com',
    );
  });

  it('makes no commit when the files already hold the values, and says why', async () => {
    const { bare, clone } = await setup();
    const { options } = await prepareLanding(clone, [{ path: 'apps/a.yaml', line: 1, value: 'tag: v1' }]);
    expect(options.plan.changes).toHaveLength(0);
    const result = await landChanges(options);
    expect(result).toMatchObject({ committed: false, pushed: false, commitSha: '', attempts: 0 });
    expect(result.reason).toMatch(/apps\/a\.yaml already holds these values \(already at that tag\)/);
    expect(await remoteLog(bare)).toHaveLength(1);
  });

  it('re-applies on the new remote head when another commit touched a different file', async () => {
    const { bare, clone } = await setup();
    const { options, planner, sleeps } = await prepareLanding(clone, [
      { path: 'apps/a.yaml', line: 1, value: 'tag: v2' },
    ]);
    const theirs = await commitTo(bare, { 'apps/b.yaml': 'tag: v9\nreplicas: 1\n' }, 'other app');

    const result = await landChanges(options);
    expect(result).toMatchObject({ committed: true, pushed: true, attempts: 2 });
    expect(sleeps).toEqual([500]); // jittered backoff of attempt 1 with random() = 0.5
    expect(planner.calls).toBe(2);
    const log = await remoteLog(bare);
    expect(log.map((c) => c.sha).slice(0, 2)).toEqual([result.commitSha, theirs]);
    expect(await git(bare, 'rev-parse', `${result.commitSha}^`)).toBe(theirs);
    expect(await remoteFile(bare, 'apps/a.yaml')).toBe('tag: v2\nreplicas: 1');
    expect(await remoteFile(bare, 'apps/b.yaml')).toBe('tag: v9\nreplicas: 1');
    await assertClean(clone);
  });

  it('keeps both edits when another commit changed another line of the same file', async () => {
    const { bare, clone } = await setup();
    const { options } = await prepareLanding(clone, [{ path: 'apps/a.yaml', line: 1, value: 'tag: v2' }]);
    await commitTo(bare, { 'apps/a.yaml': 'tag: v1\nreplicas: 3\n' }, 'scale up');
    const result = await landChanges(options);
    expect(result).toMatchObject({ pushed: true, attempts: 2 });
    expect(await remoteFile(bare, 'apps/a.yaml')).toBe('tag: v2\nreplicas: 3');
    expect(await remoteLog(bare)).toHaveLength(3);
  });

  it('succeeds without pushing when another run already wrote the same tag', async () => {
    const { bare, clone } = await setup();
    const { options } = await prepareLanding(clone, [{ path: 'apps/a.yaml', line: 1, value: 'tag: v2' }]);
    const theirs = await commitTo(bare, { 'apps/a.yaml': 'tag: v2\nreplicas: 1\n' }, 'same tag from another run');
    const result = await landChanges(options);
    expect(result).toMatchObject({ committed: false, pushed: false, commitSha: '', attempts: 1 });
    expect(result.reason).toMatch(/Another run already wrote these values to main/);
    expect((await remoteLog(bare))[0]!.sha).toBe(theirs);
    expect(await git(clone, 'rev-parse', 'HEAD')).toBe(theirs);
    await assertClean(clone);
  });

  it('fails at once on a protected branch (pre-receive hook), naming the fix, and leaves the checkout clean', async () => {
    const { bare, clone } = await setup();
    const hook = join(bare, 'hooks', 'pre-receive');
    await writeFile(
      hook,
      '#!/bin/sh\necho "error: GH006: Protected branch update failed for refs/heads/main." >&2\nexit 1\n',
      { mode: 0o755 },
    );
    const start = await git(clone, 'rev-parse', 'HEAD');
    const { options, sleeps } = await prepareLanding(clone, [{ path: 'apps/a.yaml', line: 1, value: 'tag: v2' }]);
    const error = await landChanges(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LandError);
    const e = error as LandError;
    expect(e.kind).toBe('protected-branch');
    expect(e.attempts).toBe(1);
    expect(e.problems[0]!.code).toBe('land/protected-branch');
    expect(e.message).toContain('GH006: Protected branch update failed');
    expect(e.message).toContain('pull-request: true');
    expect(sleeps).toEqual([]);
    expect(await remoteLog(bare)).toHaveLength(1);
    expect(await git(clone, 'rev-parse', 'HEAD')).toBe(start);
    await assertClean(clone);
  });

  it('fails at once when a pre-receive hook declines for another reason', async () => {
    const { bare, clone } = await setup();
    await writeFile(join(bare, 'hooks', 'pre-receive'), '#!/bin/sh\necho "commits must be signed" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const { options } = await prepareLanding(clone, [{ path: 'apps/a.yaml', line: 1, value: 'tag: v2' }]);
    const error = (await landChanges(options).catch((e: unknown) => e)) as LandError;
    expect(error.kind).toBe('hook-declined');
    expect(error.message).toContain('commits must be signed');
    expect(error.message).toContain('pre-receive hook declined');
  });

  it('errors on an unreachable remote, leaves nothing half-done, and a rerun succeeds once it is back', async () => {
    const { bare, clone } = await setup();
    const start = await git(clone, 'rev-parse', 'HEAD');
    const edits = [{ path: 'apps/a.yaml', line: 1, value: 'tag: v2' }];
    const first = await prepareLanding(clone, edits);
    await rename(bare, `${bare}.away`);
    const error = (await landChanges(first.options).catch((e: unknown) => e)) as LandError;
    expect(error).toBeInstanceOf(LandError);
    expect(error.kind).toBe('unreachable');
    expect(error.attempts).toBe(1);
    expect(error.message).toMatch(/could not be reached/);
    // Clean: no unpushed commit of this run, no edited file, so a rerun plans the update again.
    expect(await git(clone, 'rev-parse', 'HEAD')).toBe(start);
    await assertClean(clone);

    await rename(`${bare}.away`, bare);
    const rerun = await prepareLanding(clone, edits);
    expect(rerun.options.plan.changes).toHaveLength(1);
    const result = await landChanges(rerun.options);
    expect(result).toMatchObject({ committed: true, pushed: true, attempts: 1 });
    const log = await remoteLog(bare);
    expect(log).toHaveLength(2);
    expect(await remoteFile(bare, 'apps/a.yaml')).toBe('tag: v2\nreplicas: 1');
  });

  it('gives up after maxAttempts when the remote keeps moving, and pushes nothing', async () => {
    const { bare, clone } = await setup();
    let n = 0;
    const { options, planner, sleeps } = await prepareLanding(
      clone,
      [{ path: 'apps/a.yaml', line: 1, value: 'tag: v2' }],
      { maxAttempts: 3 },
    );
    await commitTo(bare, { 'apps/b.yaml': 'tag: b0\n' }, 'move 0');
    // Every re-plan happens after the fetch; moving the remote right then makes every push stale.
    options.replan = async () => {
      n++;
      await commitTo(bare, { 'apps/b.yaml': `tag: b${n}\n` }, `move ${n}`);
      return planner.plan();
    };
    const error = (await landChanges(options).catch((e: unknown) => e)) as LandError;
    expect(error.kind).toBe('attempts-exhausted');
    expect(error.attempts).toBe(3);
    expect(error.problems[0]!.input).toBe('max-attempts');
    expect(error.message).toMatch(/3 push attempts/);
    expect(sleeps).toHaveLength(2);
    const log = await remoteLog(bare);
    expect(log.map((c) => c.subject)).toEqual(['move 2', 'move 1', 'move 0', 'Initial commit']);
    expect(await remoteFile(bare, 'apps/a.yaml')).toBe('tag: v1\nreplicas: 1');
    await assertClean(clone);
  });

  it('refuses a detached HEAD without a branch, naming the fix, and pushes to a given branch', async () => {
    const { bare, clone } = await setup();
    await git(clone, 'checkout', '--quiet', '--detach');
    const { options } = await prepareLanding(clone, [{ path: 'apps/a.yaml', line: 1, value: 'tag: v2' }]);
    const error = (await landChanges(options).catch((e: unknown) => e)) as LandError;
    expect(error.kind).toBe('detached-head');
    expect(error.message).toMatch(/HEAD is detached/);
    expect(error.message).toMatch(/git checkout <branch>/);
    expect(await remoteLog(bare)).toHaveLength(1);
    expect(await git(clone, 'status', '--porcelain')).toBe(' M apps/a.yaml'); // nothing touched

    const result = await landChanges({ ...options, branch: 'main' });
    expect(result.pushed).toBe(true);
    expect(await remoteFile(bare, 'apps/a.yaml')).toBe('tag: v2\nreplicas: 1');
  });

  it('commits without pushing when push is off', async () => {
    const { bare, clone } = await setup();
    const { options } = await prepareLanding(clone, [{ path: 'apps/a.yaml', line: 1, value: 'tag: v2' }], {
      push: false,
    });
    const result = await landChanges(options);
    expect(result).toMatchObject({ committed: true, pushed: false, attempts: 0 });
    expect(await git(clone, 'rev-parse', 'HEAD')).toBe(result.commitSha);
    expect(await remoteLog(bare)).toHaveLength(1);
  });

  it('reports every bad option at once and changes nothing', async () => {
    const { bare, clone } = await setup();
    const { options } = await prepareLanding(clone, [{ path: 'apps/a.yaml', line: 1, value: 'tag: v2' }], {
      author: { name: 'Bot\nInjected: yes', email: 'not-an-address' },
      maxAttempts: 0,
      trailers: { 'Bad Key': 'x' },
    });
    const error = (await landChanges(options).catch((e: unknown) => e)) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.problems.map((p) => p.code)).toEqual([
      'land/author-name',
      'land/author-email',
      'land/max-attempts',
      'land/trailer',
    ]);
    expect(error.message).toContain('"not-an-address"');
    expect(error.message).toContain("Input 'max-attempts' is 0");
    expect(await git(clone, 'log', '--format=%H')).toHaveLength(40);
    expect(await remoteLog(bare)).toHaveLength(1);
  });

  it('works from a shallow clone (as actions/checkout makes) when the remote moved', async () => {
    const { bare } = await setup();
    await commitTo(bare, { 'README.md': '# two\n' }, 'second');
    const dir = await tempDir();
    const clone = join(dir, 'shallow');
    await git(dir, 'clone', '--quiet', '--depth=1', `file://${bare}`, clone);
    const { options } = await prepareLanding(clone, [{ path: 'apps/a.yaml', line: 1, value: 'tag: v2' }]);
    await commitTo(bare, { 'apps/b.yaml': 'tag: v7\n' }, 'third');
    const logger = new MemoryLogger();
    const result = await landChanges({ ...options, logger });
    expect(result).toMatchObject({ pushed: true, attempts: 2 });
    expect(await remoteLog(bare)).toHaveLength(4);
    expect(logger.messages('info').some((m) => /main moved on the remote/.test(m))).toBe(true);
    expect(await readTree(clone)).toMatchObject({
      'apps/a.yaml': 'tag: v2\nreplicas: 1\n',
      'apps/b.yaml': 'tag: v7\n',
    });
  });
});
