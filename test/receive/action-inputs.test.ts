/**
 * The one input layer of both actions (action-runtime/inputs.ts): the same value gets the same reading, the same
 * code and the same message shape in dispatch and receive, and every `if:` of both action.yml files agrees with the
 * bundle's parser on every value the parser accepts.
 */
import { readFileSync } from 'node:fs';
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FALSE_VALUES, InputReader, parseBoolean, TRUE_VALUES } from '../../action-runtime/inputs.js';
import type { Logger } from '../../core/logger.js';
import type { RunContext } from '../../dispatch-action/src/context.js';
import { readInputs as readDispatchInputs } from '../../dispatch-action/src/inputs.js';
import { readArgoCdInputs } from '../../receive-action/src/argocd.js';
import { readInputs as readReceiveInputs } from '../../receive-action/src/inputs.js';
import { problemsOf } from '../support/problems.js';

const quiet: Logger = {
  debug() {},
  info() {},
  notice() {},
  warning() {},
  error() {},
  group: (_name, fn) => fn(),
};

const DISPATCH_BASE = { INPUT_TOKEN: 't', INPUT_REPOSITORY: 'o/r', INPUT_IMAGE_TAG: '1.0.0' };
const CONTEXT: RunContext = {
  repository: 'o/app',
  sha: 'a'.repeat(40),
  runId: '1',
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  actor: 'me',
  refName: 'main',
  workspace: '',
  eventPath: '',
};

const dispatchProblems = (env: Record<string, string>) =>
  problemsOf(() => readDispatchInputs({ ...DISPATCH_BASE, ...env }, CONTEXT, quiet));
const receiveProblems = (env: Record<string, string>) =>
  problemsOf(() => readReceiveInputs({ INPUT_RULES: '- x', ...env }));

describe('booleans', () => {
  it("accept exactly @actions/core getBooleanInput's forms, trimmed; empty is the default", () => {
    for (const text of [...TRUE_VALUES, ' true\n']) expect(parseBoolean(text, false)).toBe(true);
    for (const text of [...FALSE_VALUES, '\tFALSE ']) expect(parseBoolean(text, true)).toBe(false);
    expect(parseBoolean('', true)).toBe(true);
    expect(parseBoolean('  ', false)).toBe(false);
    for (const text of ['tRue', 'yes', '1', 'on', 'y', 'false!']) expect(parseBoolean(text, true)).toBeUndefined();
  });

  it('read the same in both actions: True is true, tRue is refused with one code and one message shape', () => {
    expect(readReceiveInputs({ INPUT_RULES: '- x', INPUT_CHECKOUT: 'False', INPUT_DRY_RUN: 'TRUE' })).toMatchObject({
      checkout: false,
      dryRun: true,
    });
    const receive = receiveProblems({ INPUT_COMMIT: 'tRue' });
    const dispatch = dispatchProblems({ INPUT_WAIT: 'tRue' });
    const argocd = problemsOf(() => readArgoCdInputs({ INPUT_ARGOCD_WAIT: 'tRue' }, quiet));
    for (const [problems, input] of [
      [receive, 'commit'],
      [dispatch, 'wait'],
      [argocd, 'argocd-wait'],
    ] as const) {
      expect(problems.map((p) => [p.code, p.input])).toEqual([['input/boolean', input]]);
      expect(problems[0]!.message).toBe(
        `Input '${input}' is "tRue"; expected true or false (True, TRUE, False and FALSE also work)`,
      );
    }
  });
});

describe('integers, choices, urls, lists, trimming', () => {
  it('integers: one code, the range and an example in the message, in both actions', () => {
    expect(receiveProblems({ INPUT_MAX_ATTEMPTS: '21' }).map((p) => [p.code, p.input, p.message])).toEqual([
      ['input/integer', 'max-attempts', `Input 'max-attempts' is "21"; expected a whole number from 1 to 20, e.g. 5`],
    ]);
    expect(dispatchProblems({ INPUT_WAIT_TIMEOUT: '1.5' }).map((p) => [p.code, p.input, p.message])).toEqual([
      [
        'input/integer',
        'wait-timeout',
        `Input 'wait-timeout' is "1.5"; expected whole seconds from 1 to 21600, e.g. 600`,
      ],
    ]);
    const argocd = problemsOf(() => readArgoCdInputs({ INPUT_ARGOCD_WAIT_TIMEOUT: '0' }, quiet));
    expect(argocd.map((p) => [p.code, p.input])).toEqual([['input/integer', 'argocd-wait-timeout']]);
    expect(readReceiveInputs({ INPUT_RULES: '- x', INPUT_MAX_ATTEMPTS: ' 20 ' }).maxAttempts).toBe(20);
  });

  it('choices and urls: one code each, in both actions', () => {
    expect(dispatchProblems({ INPUT_MODE: 'workflow' }).map((p) => [p.code, p.message])).toEqual([
      ['input/choice', `Input 'mode' is "workflow"; expected one of: repository_dispatch, workflow_dispatch`],
    ]);
    expect(receiveProblems({ INPUT_ONLY_NEWER: 'true' }).map((p) => p.code)).toEqual(['input/choice']);
    expect(receiveProblems({ INPUT_COMMIT_METHOD: 'API' }).map((p) => [p.code, p.input])).toEqual([
      ['input/choice', 'commit-method'],
    ]);
    // commit: False is false for the api mode's consistency check too, as for the parser.
    expect(
      receiveProblems({ INPUT_COMMIT_METHOD: 'api', INPUT_COMMIT: 'False' }).map((p) => [p.code, p.input]),
    ).toEqual([['input/commit-method', 'commit']]);
    expect(receiveProblems({ INPUT_API_URL: 'https://ghe.example.com/api/v3?x=1' }).map((p) => p.code)).toEqual([
      'input/url',
    ]);
    expect(dispatchProblems({ INPUT_API_URL: 'ftp://x' }).map((p) => [p.code, p.input])).toEqual([
      ['input/url', 'api-url'],
    ]);
    const argocd = problemsOf(() =>
      readArgoCdInputs({ INPUT_ARGOCD_SERVER: 'https://u:p@argo', INPUT_ARGOCD_TOKEN: 't' }, quiet),
    );
    expect(argocd.map((p) => [p.code, p.input])).toEqual([['input/url', 'argocd-server']]);
  });

  it('trims every value but free text: tokens and secrets of receive too', () => {
    const receive = readReceiveInputs({
      INPUT_RULES: '\n- x\n',
      INPUT_TOKEN: ' ghs_x\n',
      INPUT_COMMIT_MESSAGE: 'msg\n',
      INPUT_DOCKER_IMAGE_TAG: ' 1.0 ',
      INPUT_LABELS: ' a ,\n b ,, ',
    });
    expect(receive).toMatchObject({
      token: 'ghs_x',
      commitMessage: 'msg\n',
      rules: { kind: 'rules', text: '\n- x\n' },
      overrides: { docker_image_tag: '1.0' },
      labels: ['a', 'b'],
    });
    const argocd = readArgoCdInputs(
      { INPUT_ARGOCD_SERVER: ' https://argo.example.com/ ', INPUT_ARGOCD_TOKEN: ' tok\n' },
      quiet,
    );
    expect(argocd.server).toEqual({ url: 'https://argo.example.com', token: 'tok' });
    const dispatch = readDispatchInputs(
      { ...DISPATCH_BASE, INPUT_TOKEN: ' t\n', INPUT_WAIT: ' True ' },
      CONTEXT,
      quiet,
    );
    expect([dispatch.token, dispatch.wait]).toEqual(['t', true]);
  });

  it('reports all problems of a reader at once', () => {
    const read = new InputReader({ INPUT_A: 'x', INPUT_B: 'y', INPUT_C: '' });
    read.boolean('a', false);
    read.integer('b', { min: 1, max: 2, fallback: 1 });
    read.required('c', 'c: 1');
    expect(read.problems.items.map((p) => p.code)).toEqual(['input/boolean', 'input/integer', 'input/required']);
  });
});

// ---- every `if:` of both action.yml files against the parser ----------------------------------------------

function evaluate(expression: string, inputs: Record<string, string>): boolean {
  const body = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const { tokens } = new Lexer(body).lex();
  const tree = new Parser(tokens, ['inputs'], []).parse();
  const context = new data.Dictionary({ key: 'inputs', value: toData(inputs) });
  return truthy(new Evaluator(tree, context, new Map()).evaluate());
}

function toData(value: unknown): data.ExpressionData {
  return JSON.parse(JSON.stringify(value), data.reviver) as data.ExpressionData;
}

interface ActionFile {
  inputs: Record<string, { default?: string }>;
  runs: { steps: { name?: string; if?: string }[] };
}

const SAMPLES = [
  ...TRUE_VALUES,
  ...FALSE_VALUES,
  '',
  ' ',
  ' true',
  'false\n',
  'tRue',
  'fAlse',
  'yes',
  'no',
  '0',
  '1',
  'untrue',
];

describe.each(['dispatch-action', 'receive-action'])('%s/action.yml: every if:', (action) => {
  const file = parse(readFileSync(new URL(`../../${action}/action.yml`, import.meta.url), 'utf8')) as ActionFile;
  const conditions = file.runs.steps.filter((s) => typeof s.if === 'string');

  it('reads only boolean inputs, and agrees with the parser on every value it accepts', () => {
    for (const step of conditions) {
      const names = [...step.if!.matchAll(/inputs\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]!);
      expect(names.length, `step ${step.name}: if: reads no input`).toBeGreaterThan(0);
      for (const name of names) {
        const fallback = parseBoolean(String(file.inputs[name]?.default ?? ''), false);
        expect(fallback, `input '${name}' has a boolean default`).toBeDefined();
        for (const value of SAMPLES) {
          const parsed = parseBoolean(value, fallback!);
          if (parsed === undefined) continue; // refused: the bundle fails the step, whatever the if: did
          expect(evaluate(step.if!, { [name]: value }), `${step.name}: if: with ${name}=${JSON.stringify(value)}`).toBe(
            parsed,
          );
        }
      }
    }
  });
});

it('receive-action has the if: that these checks exercise', () => {
  const file = parse(readFileSync(new URL('../../receive-action/action.yml', import.meta.url), 'utf8')) as ActionFile;
  expect(file.runs.steps.filter((s) => s.if?.includes('inputs.checkout'))).toHaveLength(1);
});
