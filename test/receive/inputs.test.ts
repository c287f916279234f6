import { describe, expect, it } from 'vitest';
import { summaryMarkdown } from '../../core/receive/index.js';
import { DEFAULT_COMMIT_MESSAGE, readInputs } from '../../receive-action/src/inputs.js';
import { problemsOf } from '../support/problems.js';

describe('readInputs', () => {
  it('applies the defaults of action.yml', () => {
    const inputs = readInputs({ INPUT_RULES: '- x' });
    expect(inputs).toMatchObject({
      checkout: true,
      commit: true,
      push: true,
      pullRequest: false,
      dryRun: false,
      maxAttempts: 5,
      workingDirectory: '.',
      commitMessage: DEFAULT_COMMIT_MESSAGE,
      rules: { kind: 'rules', text: '- x' },
      overrides: {},
    });
  });

  it('reads mappings with their regex inputs, lists and overrides', () => {
    const inputs = readInputs({
      INPUT_MAPPINGS: 'a==b',
      INPUT_DOCKER_IMAGE_TAG_REGEX: 'x',
      INPUT_DOCKER_IMAGE_TAG: 'v1',
      INPUT_GIT_BRANCH: '',
      INPUT_LABELS: 'a, b\nc',
      INPUT_REVIEWERS: '',
    });
    expect(inputs.rules).toEqual({ kind: 'mappings', mappings: 'a==b', docker_image_tag_regex: 'x' });
    expect(inputs.overrides).toEqual({ docker_image_tag: 'v1' });
    expect(inputs.labels).toEqual(['a', 'b', 'c']);
  });

  it('reports every problem at once, naming each input and showing the value', () => {
    const problems = problemsOf(() =>
      readInputs({
        INPUT_RULES: '- x',
        INPUT_RULES_FILE: 'r.yml',
        INPUT_CHECKOUT: 'yes',
        INPUT_MAX_ATTEMPTS: '21',
        INPUT_WORKING_DIRECTORY: '../up',
        INPUT_GIT_BRANCH_REGEX: 'x',
      }),
    );
    expect(problems.map((p) => p.input)).toEqual([
      'rules',
      'git_branch_regex',
      'max-attempts',
      'working-directory',
      'checkout',
    ]);
    expect(problems.find((p) => p.input === 'checkout')?.message).toBe(
      'Input \'checkout\' is "yes"; expected true or false (True, TRUE, False and FALSE also work)',
    );
    expect(problemsOf(() => readInputs({}))[0]?.code).toBe('input/rules-source');
    expect(problemsOf(() => readInputs({ INPUT_RULES_FILE: '/etc/passwd' }))[0]?.input).toBe('rules-file');
  });
});

describe('summaryMarkdown', () => {
  it('tabulates environment, file, old and new value, escaping table syntax', () => {
    const md = summaryMarkdown(
      {
        matchedRules: ['prod'],
        changes: [
          {
            path: 'p/values.yaml',
            rules: ['prod'],
            before: '',
            after: '',
            pullRequest: false,
            spans: [{ variable: 'v', before: 'a|b<c>', after: '2', line: 3, locator: 'x', rule: 'prod' }],
          },
        ],
        unchanged: [],
      },
      { dryRun: false },
    );
    // Code spans (shown literally by GitHub); the pipe escaped for the table.
    expect(md).toContain('| `prod` | `p/values.yaml:3` | `a\\|b<c>` | `2` |');
    expect(summaryMarkdown({ matchedRules: [], changes: [], unchanged: [] }, { dryRun: true, tag: 'v9' })).toContain(
      'matched no rule',
    );
  });

  it('shows a hostile tag that matched nothing as literal code, outside any table', () => {
    const md = summaryMarkdown(
      { matchedRules: [], changes: [], unchanged: [] },
      { dryRun: false, tag: '<img src=x>@org/team|`x`' },
    );
    expect(md).toContain('Tag `` <img src=x>@org/team|`x` `` matched no rule');
  });

  it('gives each only-newer refusal a row naming the kept and the refused version', () => {
    const md = summaryMarkdown(
      {
        matchedRules: ['prod'],
        changes: [],
        unchanged: ['p/values.yaml', 'q/values.yaml'],
        refused: [
          {
            rule: 'prod',
            path: 'p/values.yaml',
            line: 2,
            variable: 'docker_image_tag',
            kept: '9.0.0',
            refused: '1.0.0',
          },
        ],
      },
      { dryRun: false },
    );
    expect(md).toContain(
      '| `prod` | `p/values.yaml:2` | `9.0.0` (kept) | `1.0.0` **not written: older than the kept version (only-newer)** |',
    );
    expect(md).toContain('`only-newer: false`');
    // The refused file is not "up to date"; the other one is.
    expect(md).toContain('Already up to date: `q/values.yaml`');
  });
});
