import { describe, expect, it } from 'vitest';
import { classifyPushFailure, type PushFailureKind } from '../../core/git/push-failure.js';

// git's own output (git 2.39 here, and what GitHub's remote prints), one row per way a push fails.
const CASES: [string, string, PushFailureKind][] = [
  [
    'remote has new commits',
    " ! [rejected]        HEAD -> main (fetch first)\nerror: failed to push some refs to '/tmp/r.git'\nhint: Updates were rejected because the remote contains work that you do\n",
    'remote-moved',
  ],
  [
    'behind the remote-tracking head',
    " ! [rejected]        HEAD -> main (non-fast-forward)\nerror: failed to push some refs to '/tmp/r.git'\n",
    'remote-moved',
  ],
  ['lease broken', ' ! [rejected]        main -> main (stale info)\n', 'remote-moved'],
  [
    'two pushes raced on the remote',
    " ! [remote rejected] HEAD -> main (failed to update ref)\nerror: failed to push some refs to '/tmp/r.git'\n",
    'remote-moved',
  ],
  [
    'ref lock held by a concurrent push',
    "remote: error: cannot lock ref 'refs/heads/main': is at 1111 but expected 2222\n",
    'remote-moved',
  ],
  [
    'GitHub branch protection',
    'remote: error: GH006: Protected branch update failed for refs/heads/main.\nremote: error: Changes must be made through a pull request.\nTo https://github.com/o/r.git\n ! [remote rejected] HEAD -> main (protected branch hook declined)\n',
    'protected-branch',
  ],
  [
    'GitHub repository rules',
    'remote: error: GH013: Repository rule violations found for refs/heads/main.\n ! [remote rejected] HEAD -> main (push declined due to repository rule violations)\n',
    'protected-branch',
  ],
  [
    'a pre-receive hook said no',
    "remote: commits must be signed\nTo /tmp/r.git\n ! [remote rejected] HEAD -> main (pre-receive hook declined)\nerror: failed to push some refs to '/tmp/r.git'\n",
    'hook-declined',
  ],
  [
    'token without contents: write',
    "remote: Permission to o/r.git denied to github-actions[bot].\nfatal: unable to access 'https://github.com/o/r.git/': The requested URL returned error: 403\n",
    'forbidden',
  ],
  [
    'bad credentials',
    "remote: Invalid username or password.\nfatal: Authentication failed for 'https://github.com/o/r.git/'\n",
    'auth-failed',
  ],
  [
    'no credentials and no prompt',
    "fatal: could not read Username for 'https://github.com': terminal prompts disabled\n",
    'auth-failed',
  ],
  ['HTTP 401', "fatal: unable to access 'https://x/r.git/': The requested URL returned error: 401\n", 'auth-failed'],
  [
    'DNS',
    "fatal: unable to access 'https://nonexistent.invalid/x.git/': Could not resolve host: nonexistent.invalid\n",
    'unreachable',
  ],
  [
    'connection refused',
    "fatal: unable to access 'http://127.0.0.1:1/x.git/': Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server\n",
    'unreachable',
  ],
  [
    'remote path gone',
    "fatal: '/tmp/r.git' does not appear to be a git repository\nfatal: Could not read from remote repository.\n",
    'unreachable',
  ],
  [
    'server error',
    "fatal: unable to access 'https://x/r.git/': The requested URL returned error: 502\n",
    'unreachable',
  ],
  ['something else', 'error: src refspec main does not match any\n', 'unknown'],
];

describe('classifyPushFailure', () => {
  it.each(CASES)('%s', (_name, output, kind) => {
    const verdict = classifyPushFailure(output);
    expect(verdict.kind).toBe(kind);
    expect(verdict.retryable).toBe(kind === 'remote-moved');
    expect(verdict.fix.length).toBeGreaterThan(10);
  });

  it('names the fix for the cases users can fix', () => {
    expect(classifyPushFailure('(protected branch hook declined)').fix).toContain('pull-request: true');
    expect(classifyPushFailure('The requested URL returned error: 403').fix).toContain('permissions: contents: write');
  });
});
