import { describe, expect, it, vi } from 'vitest';
import { Git, GitCommandError } from '../../core/git/git.js';
import { bareRemote, cloneRemote, git, writeTree } from '../support/git.js';

const ENV = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const BOT = { name: 'Bot', email: 'bot@example.com' };

async function repo() {
  const { bare } = await bareRemote({ 'a.txt': 'a\n' });
  const clone = await cloneRemote(bare);
  return { bare, clone, g: new Git(clone, { env: ENV }) };
}

describe('Git', () => {
  it('returns exit code and both streams, and throws with git’s words unless failure is allowed', async () => {
    const { g } = await repo();
    const bad = await g.exec(['rev-parse', '--verify', 'no-such-ref'], { allowFailure: true });
    expect(bad.exitCode).toBe(128);
    expect(bad.stderr).toMatch(/Needed a single revision/);
    const error = await g.exec(['rev-parse', '--verify', 'no-such-ref']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitCommandError);
    expect((error as Error).message).toMatch(/git rev-parse --verify no-such-ref failed \(exit code 128\)/);
  });

  it('runs git so that it never prompts and speaks English', async () => {
    const { g } = await repo();
    const { stdout } = await g.exec(['-c', 'alias.show-env=!env', 'show-env']);
    const env = new Map(
      stdout.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(env.get('GIT_TERMINAL_PROMPT')).toBe('0');
    expect(env.get('GCM_INTERACTIVE')).toBe('never');
    expect(env.get('LC_ALL')).toBe('C');
  });

  it('knows the branch, and undefined when HEAD is detached', async () => {
    const { clone, g } = await repo();
    expect(await g.currentBranch()).toBe('main');
    await git(clone, 'checkout', '--quiet', '--detach');
    expect(await g.currentBranch()).toBeUndefined();
  });

  it('commits with -c identity even when GIT_AUTHOR_* / GIT_COMMITTER_* are in the environment', async () => {
    const { clone, g } = await repo();
    vi.stubEnv('GIT_AUTHOR_NAME', 'Intruder');
    vi.stubEnv('GIT_COMMITTER_EMAIL', 'intruder@example.com');
    try {
      await writeTree(clone, { 'a.txt': 'b\n' });
      await g.add(['a.txt']);
      const sha = await g.commit('msg\n', BOT);
      expect(await git(clone, 'log', '-1', '--format=%an <%ae> / %cn <%ce>', sha)).toBe(
        'Bot <bot@example.com> / Bot <bot@example.com>',
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('keeps a message verbatim: # lines, blank lines, quotes, non-ASCII', async () => {
    const { clone, g } = await repo();
    const message = 'Subject "quoted" — ünïcødé\n\n# kept\n\n\n  indented\n';
    await writeTree(clone, { 'a.txt': 'c\n' });
    await g.add(['a.txt']);
    const sha = await g.commit(message, BOT);
    expect(`${await git(clone, 'log', '-1', '--format=%B', sha)}`).toBe(message);
  });

  it('adds trailers git can parse back, joining an existing trailer block', async () => {
    const { clone, g } = await repo();
    const trailers = { 'Source-Repository': 'org/app', 'Source-Commit': 'deadbeef' };
    const messages = [
      'feat: one line that looks like "key: value"\n',
      'Subject\n\nBody with a blank line\n\nand ---\n---\nafter a divider-looking line\n',
      'Subject\n\nBody\n\nCo-authored-by: Someone <someone@example.com>\n',
    ];
    for (const [i, base] of messages.entries()) {
      const message = await g.addTrailers(base, trailers);
      expect(message.startsWith(base.trimEnd())).toBe(true);
      await writeTree(clone, { 'a.txt': `${i}\n` });
      await g.add(['a.txt']);
      const sha = await g.commit(message, BOT);
      const parsed = await git(clone, 'log', '-1', '--format=%(trailers:unfold,only)', sha);
      expect(parsed).toContain('Source-Repository: org/app');
      expect(parsed).toContain('Source-Commit: deadbeef');
      if (base.includes('Co-authored-by')) expect(parsed).toContain('Co-authored-by: Someone <someone@example.com>');
    }
  });

  it('lists status entries, including paths with spaces and non-ASCII, and renames', async () => {
    const { clone, g } = await repo();
    await writeTree(clone, { 'dir/with space.txt': 'x\n', 'dïr/ü.txt': 'y\n' });
    await git(clone, 'mv', 'a.txt', 'b.txt');
    const entries = await g.status();
    expect(entries).toEqual(
      expect.arrayContaining([
        { code: 'R ', path: 'b.txt' },
        { code: '??', path: 'dir/with space.txt' },
        { code: '??', path: 'dïr/ü.txt' },
      ]),
    );
    expect(entries).toHaveLength(3);
  });

  it('reads a remote branch sha, and none for a branch that does not exist', async () => {
    const { bare, g } = await repo();
    const head = await git(bare, 'rev-parse', 'main');
    expect((await g.tryRemoteBranchSha('origin', 'main')).sha).toBe(head);
    expect((await g.tryRemoteBranchSha('origin', 'nope')).sha).toBeUndefined();
  });
});
