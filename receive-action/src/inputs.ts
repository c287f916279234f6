/**
 * Reads, defaults and validates every input of the receive action in one place, reporting all problems at once.
 * Composite steps get no INPUT_* variables by themselves: action.yml maps each input through `env:` as
 * INPUT_<NAME> (upper case, `-` -> `_`). Defaults here equal action.yml's, so the bundle also runs alone.
 */
import { isAbsolute, normalize } from 'node:path';
import { getInput, InputReader, parseBoolean, show } from '../../action-runtime/inputs.js';
import { graphqlUrlFor } from '../../core/github/index.js';
import { checkAuthor, MAX_ATTEMPTS_LIMIT } from '../../core/land/index.js';
import type { ReceiveRequest, RulesSource } from '../../core/receive/index.js';

export const DEFAULT_COMMIT_MESSAGE =
  "Branch {{git_branch}} led to updated Docker image '{{docker_image_tag}}': {{commit_message}}";
export const DEFAULT_AUTHOR_NAME = 'github-actions[bot]';
export const DEFAULT_AUTHOR_EMAIL = '41898282+github-actions[bot]@users.noreply.github.com';

/** The trimmed value of input `name` (`rules-file` -> INPUT_RULES_FILE), as both actions read it. */
export { getInput };

export function readInputs(env: NodeJS.ProcessEnv): ReceiveRequest {
  const read = new InputReader(env);
  const problems = read.problems;

  // Not trimmed: problems in rules and mappings point at lines of the text as given.
  const rules = read.raw('rules');
  const rulesFile = read.text('rules-file');
  const mappings = read.raw('mappings');
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
      // Not trimmed: a regex's spaces are part of it.
      docker_image_tag_regex: read.raw('docker_image_tag_regex') || undefined,
      git_branch_regex: read.raw('git_branch_regex') || undefined,
      regexes: read.raw('regexes') || undefined,
    };
  }
  if (source.kind !== 'mappings') {
    for (const name of ['docker_image_tag_regex', 'git_branch_regex', 'regexes']) {
      if (read.text(name) !== '') {
        problems.add({
          code: 'input/mappings-only',
          input: name,
          message: `Input '${name}' is set, but it is only used with 'mappings'; in native rules write the regex in the rule's update`,
        });
      }
    }
  }

  const maxAttempts = read.integer('max-attempts', { min: 1, max: MAX_ATTEMPTS_LIMIT, fallback: 5 });

  const workingDirectory = normalize(read.text('working-directory') || '.');
  if (isAbsolute(workingDirectory) || workingDirectory.split(/[\\/]/).includes('..')) {
    problems.add({
      code: 'input/path',
      input: 'working-directory',
      message: `Input 'working-directory' is ${show(workingDirectory)}; expected a folder inside the workspace, e.g. . or gitops`,
    });
  }

  const authorName = read.text('author-name') || DEFAULT_AUTHOR_NAME;
  const authorEmail = read.text('author-email') || DEFAULT_AUTHOR_EMAIL;
  checkAuthor(authorName, authorEmail, problems);

  const onlyNewer = read.choice('only-newer', ['rules', 'false'] as const, {
    fallback: 'rules',
    expected: "rules (each rule's only-newer applies) or false (write an older version too, for this run)",
  });

  const overrides: ReceiveRequest['overrides'] = {};
  for (const name of ['docker_image_tag', 'git_branch'] as const) {
    const value = read.text(name);
    if (value !== '') overrides[name] = value;
  }

  const commitMethod = read.choice('commit-method', ['git', 'api'] as const, { fallback: 'git' }) ?? 'git';
  const { apiUrl, graphqlUrl } = readApiUrl(read);
  if (commitMethod === 'api') {
    for (const name of ['commit', 'push'] as const) {
      if (parseBoolean(read.text(name), true) === false) {
        problems.add({
          code: 'input/commit-method',
          input: name,
          message: `Input '${name}' is "false", but 'commit-method' is "api", which edits no local files and commits only on GitHub; expected '${name}: true', or 'dry-run: true' to see the diff, or 'commit-method: git' to edit the checkout`,
        });
      }
    }
  }

  const inputs: ReceiveRequest = {
    token: read.text('token'),
    checkout: read.boolean('checkout', true),
    rules: source,
    overrides,
    commit: read.boolean('commit', true),
    push: read.boolean('push', true),
    // Not trimmed: a template's trailing newline is part of the message.
    commitMessage: read.raw('commit-message') || DEFAULT_COMMIT_MESSAGE,
    authorName,
    authorEmail,
    pullRequest: read.boolean('pull-request', false),
    labels: read.list('labels'),
    reviewers: read.list('reviewers'),
    maxAttempts,
    dryRun: read.boolean('dry-run', false),
    onlyNewer: onlyNewer !== 'false',
    workingDirectory,
    commitMethod,
    apiUrl,
    graphqlUrl,
  };
  problems.throwIfAny();
  return inputs;
}

/** `api-url` (GitHub Enterprise Server: https://HOST/api/v3) and the GraphQL endpoint that goes with it. */
function readApiUrl(read: InputReader): { apiUrl: string; graphqlUrl: string } {
  const given = read.text('api-url');
  const apiUrl = read.url(
    'api-url',
    {
      example: 'https://api.github.com or https://ghe.example.com/api/v3',
      expected: 'the REST API base URL (http or https, without credentials, query or fragment)',
    },
    given || read.env.GITHUB_API_URL || 'https://api.github.com',
  );
  if (apiUrl === '') return { apiUrl: '', graphqlUrl: '' };
  const graphqlUrl = !given && read.env.GITHUB_GRAPHQL_URL ? read.env.GITHUB_GRAPHQL_URL : graphqlUrlFor(apiUrl);
  return { apiUrl, graphqlUrl };
}
