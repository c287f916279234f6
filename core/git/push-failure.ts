/**
 * Why a `git push` failed, read from git's own output. Only `remote-moved` is worth another attempt (fetch,
 * re-apply, push again); everything else fails at once with git's reason and the fix.
 */
export type PushFailureKind =
  | 'remote-moved'
  | 'protected-branch'
  | 'hook-declined'
  | 'forbidden'
  | 'auth-failed'
  | 'timed-out'
  | 'unreachable'
  | 'unknown';

export interface PushFailure {
  kind: PushFailureKind;
  retryable: boolean;
  /** One sentence a user can act on. */
  fix: string;
}

interface Row {
  kind: PushFailureKind;
  /** Any of these in stdout/stderr selects the row; rows are tried in order (the first match wins). */
  patterns: RegExp[];
  fix: string;
}

/**
 * Order matters: GitHub's protected branch refusal also says "hook declined", and an HTTP 403 also says
 * "unable to access", so the more specific rows come first.
 */
const TABLE: Row[] = [
  {
    // First: Git.exec puts this sentence at the top of a command its time limits stopped.
    kind: 'timed-out',
    patterns: [/^git \S+.* timed out: /m, /Operation too slow/i],
    fix:
      'The remote stopped answering (see which command and after how long above); check the network and the git ' +
      "server's status, then run the job again. If a push did land before the time limit, the rerun finds the " +
      'files already at this tag and makes no second commit.',
  },
  {
    kind: 'protected-branch',
    patterns: [
      /protected branch/i,
      /\bGH00[56]\b/,
      // repository rulesets, the newer form of branch protection
      /\bGH013\b/,
      /repository rule violations/i,
      /Changes must be made through a pull request/i,
    ],
    fix:
      'The branch is protected against direct pushes (branch protection or a ruleset): set `pull-request: true` so the update lands through a ' +
      'pull request, or allow GitHub Actions to bypass the branch protection.',
  },
  {
    kind: 'remote-moved',
    patterns: [
      /\(fetch first\)/,
      /\(non-fast-forward\)/,
      /\(stale info\)/,
      /\(failed to update ref\)/,
      /cannot lock ref/i,
      /Updates were rejected because the (?:remote contains work|tip of your current branch is behind)/,
      /incorrect old value provided/,
    ],
    fix: 'Another push reached the branch first; fetch, apply the update again and push again.',
  },
  {
    kind: 'hook-declined',
    patterns: [/hook declined/i, /\[remote rejected\]/],
    fix:
      'The remote refused the push (see its message above); if it enforces reviews or status checks, set ' +
      '`pull-request: true` so the update lands through a pull request.',
  },
  {
    kind: 'forbidden',
    patterns: [/returned error: 403/, /Permission to \S+ denied/i, /\b403 Forbidden\b/],
    fix:
      'The token may not push to this repository: give the job `permissions: contents: write` (and ' +
      '`pull-requests: write` for pull-request mode), or pass a token that has write access.',
  },
  {
    kind: 'auth-failed',
    patterns: [
      /Authentication failed/i,
      /returned error: 401/,
      /could not read (?:Username|Password)/i,
      /terminal prompts disabled/i,
      /Invalid username or (?:password|token)/i,
    ],
    fix:
      'Git could not authenticate: keep `persist-credentials` on in actions/checkout (or `checkout: true`), and ' +
      'check that the token is valid and not expired.',
  },
  {
    kind: 'unreachable',
    patterns: [
      /Could not resolve host/i,
      /unable to access/i,
      /Failed to connect/i,
      /Connection (?:refused|reset|timed out)/i,
      /Could not read from remote repository/i,
      /does not appear to be a git repository/i,
      /returned error: 5\d\d/,
      /the remote end hung up unexpectedly/i,
      /Operation timed out/i,
    ],
    fix: 'The remote could not be reached; check the repository URL and the network, then run the job again.',
  },
];

export function classifyPushFailure(output: string): PushFailure {
  for (const row of TABLE) {
    if (row.patterns.some((p) => p.test(output))) {
      return { kind: row.kind, retryable: row.kind === 'remote-moved', fix: row.fix };
    }
  }
  return { kind: 'unknown', retryable: false, fix: "See git's message above." };
}
