/**
 * Reads, defaults and validates every input of the receive action in one place, reporting all problems at once.
 * Composite steps get no INPUT_* variables by themselves: action.yml maps each input through `env:` as
 * INPUT_<NAME> (upper case, `-` -> `_`). Defaults here equal action.yml's, so the bundle also runs alone.
 */
import { isAbsolute, normalize } from 'node:path';
import { getInput as readInput } from '../../action-runtime/inputs.js';
import { ProblemList } from '../../core/errors.js';
import { graphqlUrlFor } from '../../core/github/graphql.js';
import { checkAuthor, checkMaxAttempts } from '../../core/land/identity.js';

export const DEFAULT_COMMIT_MESSAGE =
  "Branch {{git_branch}} led to updated Docker image '{{docker_image_tag}}': {{commit_message}}";
export const DEFAULT_AUTHOR_NAME = 'github-actions[bot]';
export const DEFAULT_AUTHOR_EMAIL = '41898282+github-actions[bot]@users.noreply.github.com';

export type RulesSource =
  | { kind: 'rules'; text: string }
  | { kind: 'rules-file'; path: string }
  | {
      kind: 'mappings';
      mappings: string;
      docker_image_tag_regex?: string;
      git_branch_regex?: string;
      regexes?: string;
    };

export interface ReceiveInputs {
  token: string;
  checkout: boolean;
  rules: RulesSource;
  /** Non-empty overrides of the payload's variables. */
  overrides: { docker_image_tag?: string; git_branch?: string };
  commit: boolean;
  push: boolean;
  commitMessage: string;
  authorName: string;
  authorEmail: string;
  pullRequest: boolean;
  labels: string[];
  reviewers: string[];
  maxAttempts: number;
  dryRun: boolean;
  /** `only-newer`: 'rules' (true) lets each rule's only-newer apply; 'false' turns the guard off for this run. */
  onlyNewer: boolean;
  /** Relative to the workspace, normalised, never leaving it. */
  workingDirectory: string;
  /** `git`: commit and push from the checkout; `api`: read and commit through GitHub's API, no clone. */
  commitMethod: 'git' | 'api';
  /** REST base URL without a trailing slash (input `api-url`, else GITHUB_API_URL, else https://api.github.com). */
  apiUrl: string;
  /** GraphQL endpoint: from `api-url` when given, else GITHUB_GRAPHQL_URL. */
  graphqlUrl: string;
}

/** The raw value of input `name` (`rules-file` -> INPUT_RULES_FILE). */
export function getInput(env: NodeJS.ProcessEnv, name: string): string {
  return readInput(env, name, { trim: false });
}

function list(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function readInputs(env: NodeJS.ProcessEnv): ReceiveInputs {
  const problems = new ProblemList();
  const show = (value: string) => JSON.stringify(value);

  const bool = (name: string, fallback: boolean): boolean => {
    const raw = getInput(env, name).trim();
    if (raw === '') return fallback;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    problems.add({
      code: 'input/boolean',
      input: name,
      message: `Input '${name}' is ${show(raw)}; expected true or false`,
    });
    return fallback;
  };

  const rules = getInput(env, 'rules');
  const rulesFile = getInput(env, 'rules-file').trim();
  const mappings = getInput(env, 'mappings');
  const given = [
    ['rules', rules.trim() !== ''],
    ['rules-file', rulesFile !== ''],
    ['mappings', mappings.trim() !== ''],
  ].filter(([, set]) => set);
  let source: RulesSource = { kind: 'rules', text: '' };
  if (given.length !== 1) {
    problems.add({
      code: 'input/rules-source',
      input: 'rules',
      message:
        given.length === 0
          ? "None of the inputs 'rules', 'rules-file', 'mappings' is set; expected exactly one of them"
          : `Inputs ${given.map(([n]) => `'${n}'`).join(' and ')} are all set; expected exactly one of rules, rules-file, mappings`,
    });
  } else if (rules.trim() !== '') source = { kind: 'rules', text: rules };
  else if (rulesFile !== '') {
    const normalised = normalize(rulesFile);
    if (isAbsolute(rulesFile) || normalised.split(/[\\/]/).includes('..')) {
      problems.add({
        code: 'input/path',
        input: 'rules-file',
        message: `Input 'rules-file' is ${show(rulesFile)}; expected a path inside the repository, e.g. .github/gitops-rules.yml`,
      });
    }
    source = { kind: 'rules-file', path: rulesFile };
  } else {
    source = {
      kind: 'mappings',
      mappings,
      docker_image_tag_regex: getInput(env, 'docker_image_tag_regex') || undefined,
      git_branch_regex: getInput(env, 'git_branch_regex') || undefined,
      regexes: getInput(env, 'regexes') || undefined,
    };
  }
  if (source.kind !== 'mappings') {
    for (const name of ['docker_image_tag_regex', 'git_branch_regex', 'regexes']) {
      if (getInput(env, name).trim() !== '') {
        problems.add({
          code: 'input/mappings-only',
          input: name,
          message: `Input '${name}' is set, but it is only used with 'mappings'; in native rules write the regex in the rule's update`,
        });
      }
    }
  }

  const rawAttempts = getInput(env, 'max-attempts').trim() || '5';
  const maxAttempts = /^\d+$/.test(rawAttempts) ? Number(rawAttempts) : Number.NaN;
  checkMaxAttempts(maxAttempts, problems, show(rawAttempts));

  const workingDirectory = normalize(getInput(env, 'working-directory').trim() || '.');
  if (isAbsolute(workingDirectory) || workingDirectory.split(/[\\/]/).includes('..')) {
    problems.add({
      code: 'input/path',
      input: 'working-directory',
      message: `Input 'working-directory' is ${show(workingDirectory)}; expected a folder inside the workspace, e.g. . or gitops`,
    });
  }

  const authorName = getInput(env, 'author-name').trim() || DEFAULT_AUTHOR_NAME;
  const authorEmail = getInput(env, 'author-email').trim() || DEFAULT_AUTHOR_EMAIL;
  checkAuthor(authorName, authorEmail, problems);

  const rawOnlyNewer = getInput(env, 'only-newer').trim() || 'rules';
  if (rawOnlyNewer !== 'rules' && rawOnlyNewer !== 'false') {
    problems.add({
      code: 'input/only-newer',
      input: 'only-newer',
      message: `Input 'only-newer' is ${show(rawOnlyNewer)}; expected rules (each rule's only-newer applies) or false (write an older version too, for this run)`,
    });
  }

  const overrides: ReceiveInputs['overrides'] = {};
  for (const name of ['docker_image_tag', 'git_branch'] as const) {
    const value = getInput(env, name);
    if (value !== '') overrides[name] = value;
  }

  const commitMethod = readCommitMethod(env, problems);
  const { apiUrl, graphqlUrl } = readApiUrl(env, problems);
  if (commitMethod === 'api') {
    for (const name of ['commit', 'push'] as const) {
      if (getInput(env, name).trim() === 'false') {
        problems.add({
          code: 'input/commit-method',
          input: name,
          message: `Input '${name}' is "false", but 'commit-method' is "api", which edits no local files and commits only on GitHub; expected '${name}: true', or 'dry-run: true' to see the diff, or 'commit-method: git' to edit the checkout`,
        });
      }
    }
  }

  const inputs: ReceiveInputs = {
    token: getInput(env, 'token').trim(),
    checkout: bool('checkout', true),
    rules: source,
    overrides,
    commit: bool('commit', true),
    push: bool('push', true),
    commitMessage: getInput(env, 'commit-message') || DEFAULT_COMMIT_MESSAGE,
    authorName,
    authorEmail,
    pullRequest: bool('pull-request', false),
    labels: list(getInput(env, 'labels')),
    reviewers: list(getInput(env, 'reviewers')),
    maxAttempts,
    dryRun: bool('dry-run', false),
    onlyNewer: rawOnlyNewer !== 'false',
    workingDirectory,
    commitMethod,
    apiUrl,
    graphqlUrl,
  };
  problems.throwIfAny();
  return inputs;
}

function readCommitMethod(env: NodeJS.ProcessEnv, problems: ProblemList): 'git' | 'api' {
  const raw = getInput(env, 'commit-method').trim();
  if (raw === '' || raw === 'git') return 'git';
  if (raw === 'api') return 'api';
  problems.add({
    code: 'input/commit-method',
    input: 'commit-method',
    message: `Input 'commit-method' is ${JSON.stringify(raw)}; expected git or api`,
  });
  return 'git';
}

/** `api-url` (GitHub Enterprise Server: https://HOST/api/v3) and the GraphQL endpoint that goes with it. */
function readApiUrl(env: NodeJS.ProcessEnv, problems: ProblemList): { apiUrl: string; graphqlUrl: string } {
  const given = getInput(env, 'api-url').trim();
  const text = given || env.GITHUB_API_URL || 'https://api.github.com';
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
    if (url.search || url.hash || url.username || url.password) throw new Error('has query, fragment or credentials');
  } catch {
    problems.add({
      code: 'input/api-url',
      input: 'api-url',
      message: `Input 'api-url' is ${JSON.stringify(text)}; expected the REST API base URL, e.g. https://api.github.com or https://ghe.example.com/api/v3`,
    });
    return { apiUrl: '', graphqlUrl: '' };
  }
  const apiUrl = text.replace(/\/+$/, '');
  const graphqlUrl = !given && env.GITHUB_GRAPHQL_URL ? env.GITHUB_GRAPHQL_URL : graphqlUrlFor(apiUrl);
  return { apiUrl, graphqlUrl };
}
