/**
 * Errors a user can fix. Every problem names where it comes from (an input, a config file position, a rule)
 * and what is expected, and all problems found are reported together rather than only the first.
 */
/**
 * Every code a problem can carry: a closed set, so a typo in a code fails the typecheck. Add a code here when a new
 * kind of problem appears; tools and tests match on these, so renaming one needs a migration note.
 */
export type ErrorCode =
  // input
  | 'input/required'
  | 'input/boolean'
  | 'input/integer'
  | 'input/choice'
  | 'input/url'
  | 'input/path'
  | 'input/rules-source'
  | 'input/rules-file'
  | 'input/mappings-only'
  | 'input/repository'
  | 'input/event-type'
  | 'input/image-tag'
  | 'input/image'
  | 'input/digest'
  | 'input/ref'
  | 'input/workflow'
  | 'input/workflow-required'
  | 'input/mode-mismatch'
  | 'input/client-payload-json'
  | 'input/client-payload-type'
  | 'input/template'
  | 'input/deployment-off'
  | 'input/environment'
  | 'input/argocd-server'
  | 'input/argocd-token'
  | 'input/argocd-wait'
  | 'input/argocd-webhook-url'
  | 'input/argocd-webhook-secret'
  | 'input/argocd-both'
  | 'input/commit-method'
  // payload
  | 'payload/too-large'
  | 'payload/too-many-keys'
  | 'payload/reserved-key'
  | 'payload/lone-surrogate'
  // rules
  | 'rules/yaml-syntax'
  | 'rules/empty'
  | 'rules/unknown-key'
  | 'rules/missing-key'
  | 'rules/wrong-type'
  | 'rules/empty-value'
  | 'rules/invalid-value'
  | 'rules/misplaced-key'
  | 'rules/edit-kind'
  | 'rules/duplicate-name'
  | 'rules/bad-regex'
  | 'rules/unknown-variable'
  | 'rules/argocd-app'
  // config
  | 'config/yaml-syntax'
  | 'config/empty'
  | 'config/unknown-key'
  | 'config/missing-key'
  | 'config/wrong-type'
  | 'config/empty-value'
  | 'config/invalid-value'
  | 'config/misplaced-key'
  | 'config/unreadable'
  | 'config/bad-pattern'
  | 'config/edit-conflict'
  | 'config/regex-no-group'
  | 'config/regex-group'
  | 'config/missing-on'
  | 'config/actions-both'
  | 'config/argocd-unknown-environment'
  | 'config/bad-example-tag'
  | 'config/example-mismatch'
  | 'config/overlap'
  | 'config/two-tags'
  | 'config/no-tag'
  | 'config/no-files'
  | 'config/kustomize-image-missing'
  | 'config/vendor-missing'
  | 'config/deployment-environment'
  // mappings
  | 'mappings/syntax'
  | 'mappings/empty'
  | 'mappings/bad-regex'
  | 'mappings/bad-regexes-input'
  | 'mappings/duplicate-regex'
  | 'mappings/unknown-regex'
  // glob
  | 'glob/empty'
  | 'glob/syntax'
  | 'glob/escapes-root'
  | 'glob/git-dir'
  // edit
  | 'edit/regex-invalid'
  | 'edit/regex-no-group'
  | 'edit/regex-overlapping-groups'
  | 'edit/regex-empty-match'
  | 'edit/unknown-variable'
  | 'edit/kustomize-invalid'
  | 'edit/verify-failed'
  | 'edit/yaml-alias'
  | 'edit/yaml-ambiguous'
  | 'edit/yaml-anchored'
  | 'edit/yaml-block-scalar'
  | 'edit/yaml-create-unsupported'
  | 'edit/yaml-invalid'
  | 'edit/yaml-not-scalar'
  | 'edit/yaml-path-invalid'
  | 'edit/yaml-path-not-found'
  | 'edit/yaml-verify'
  // plan
  | 'plan/git-dir'
  | 'plan/invalid-value'
  | 'plan/not-text'
  | 'plan/outside-repository'
  | 'plan/unreadable'
  // apply
  | 'apply/changed-since-plan'
  // land
  | 'land/attempts-exhausted'
  | 'land/author-email'
  | 'land/author-name'
  | 'land/detached-head'
  | 'land/empty-commit-message'
  | 'land/max-attempts'
  | 'land/trailer'
  | 'land/pull-request-branch'
  | 'land/pull-request-branch-moved'
  | 'land/pull-request-branch-taken'
  | 'land/pull-request-unavailable'
  | 'land/remote-moved'
  | 'land/protected-branch'
  | 'land/hook-declined'
  | 'land/forbidden'
  | 'land/auth-failed'
  | 'land/unreachable'
  | 'land/timed-out'
  | 'land/unknown'
  // github
  | 'github/no-answer'
  | 'github/no-default-branch'
  | 'github/no-run-details'
  | 'github/network'
  // run
  | 'run/no-dispatch-id'
  | 'run/not-found'
  | 'run/not-successful'
  | 'run/timeout'
  // argocd
  | 'argocd/failed'
  | 'argocd/read'
  | 'argocd/timeout'
  // generate
  | 'generate/invalid-workflow'
  // usage
  | 'usage/bad-answer'
  | 'usage/bad-digest'
  | 'usage/bad-pair'
  | 'usage/bad-tag'
  | 'usage/bad-token'
  | 'usage/bad-var'
  | 'usage/downstream-dir'
  | 'usage/exists'
  | 'usage/missing'
  | 'usage/no-environments'
  | 'usage/no-target'
  | 'usage/not-a-folder'
  | 'usage/not-writable'
  | 'usage/out-and-dirs'
  | 'usage/repo'
  // api (commit-method api)
  | 'api/no-branch'
  | 'api/not-text'
  | 'api/file-mode'
  | 'api/repository'
  // an HTTP status GitHub answered with, e.g. github/422
  | `github/${number}`;

export interface Problem {
  /** Stable machine-readable code, e.g. `payload/too-large`, `rules/unknown-variable`. Tests assert this. */
  code: ErrorCode;
  message: string;
  /** The action input or CLI option the problem is about, e.g. `image-tag`. */
  input?: string;
  /** Where in a file (rules file, config), 1-based. */
  file?: string;
  line?: number;
  column?: number;
}

export class UserError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[] | Problem) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map(formatProblem).join('\n'));
    this.name = 'UserError';
    this.problems = list;
  }
}

/** One problem as both actions log it and the CLI prints it: `file:line:column: message` (the position when known). */
export function formatProblem(p: Problem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''}: ` : '';
  return `${where}${p.message}`;
}

/** The one-line summary after the problems are listed: the problem itself when there is one, else the count. */
export function problemSummary(problems: readonly Problem[]): string {
  if (problems.length === 1) return formatProblem(problems[0]!).split('\n')[0]!;
  return `${problems.length} problems (listed above)`;
}

/** Collects problems, then throws them all at once. */
export class ProblemList {
  readonly items: Problem[] = [];
  add(problem: Problem): void {
    this.items.push(problem);
  }
  get empty(): boolean {
    return this.items.length === 0;
  }
  throwIfAny(): void {
    if (this.items.length > 0) throw new UserError(this.items);
  }
}

/** Text of anything thrown, for the single `setFailed` in each action's main. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
