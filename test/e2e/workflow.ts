/**
 * Reading generated workflows the way the runner does, for the end-to-end test: `${{ }}` expressions evaluated by
 * GitHub's own lexer, parser and evaluator (@actions/expressions) over workflow-level contexts (github, secrets,
 * steps, ...), and the context references a file makes, found with the same lexer (not a regex over the text).
 */
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { type Token, TokenType } from '@actions/expressions/lexer';
import { truthy } from '@actions/expressions/result';
import { parse as parseYaml } from 'yaml';

/** Context names a job step's expressions may use (https://docs.github.com/actions/learn-github-actions/contexts). */
const WORKFLOW_CONTEXTS = [
  'github',
  'env',
  'vars',
  'job',
  'jobs',
  'steps',
  'runner',
  'secrets',
  'strategy',
  'matrix',
  'needs',
  'inputs',
];

export type Contexts = Partial<Record<(typeof WORKFLOW_CONTEXTS)[number], unknown>>;

// A step whose earlier steps all succeeded: the status functions a step's `if:` may call.
const STATUS_FUNCTIONS = new Map<string, FunctionDefinition>(
  (
    [
      ['success', true],
      ['always', true],
      ['failure', false],
      ['cancelled', false],
    ] as const
  ).map(([name, value]) => [name, { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) }]),
);

function toData(contexts: Contexts): data.Dictionary {
  const all: Record<string, unknown> = {};
  for (const name of WORKFLOW_CONTEXTS) all[name] = contexts[name] ?? {};
  return JSON.parse(JSON.stringify(all), data.reviver) as data.Dictionary;
}

export function evaluate(expression: string, contexts: Contexts): data.ExpressionData {
  const { tokens } = new Lexer(expression).lex();
  const tree = new Parser(tokens, WORKFLOW_CONTEXTS, [...STATUS_FUNCTIONS.values()]).parse();
  return new Evaluator(tree, toData(contexts), STATUS_FUNCTIONS).evaluate();
}

/** A step's `if:` as the runner runs it: an implicit `success() &&` unless it calls a status function itself. */
export function evaluateIf(condition: string | undefined, contexts: Contexts): boolean {
  if (condition === undefined) return true;
  const bare = condition.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const withStatus = /\b(success|always|failure|cancelled)\s*\(/.test(bare) ? bare : `success() && (${bare})`;
  return truthy(evaluate(withStatus, contexts));
}

/** Offsets of each `${{ ... }}` in `text`; the end is found as the runner does, skipping `}}` inside '...'. */
function expressionSpans(text: string): { start: number; end: number; body: string }[] {
  const spans: { start: number; end: number; body: string }[] = [];
  let i = 0;
  for (;;) {
    const start = text.indexOf('${{', i);
    if (start < 0) return spans;
    let inString = false;
    let end = -1;
    for (let j = start + 3; j < text.length; j++) {
      if (text[j] === "'") inString = !inString;
      else if (!inString && text[j] === '}' && text[j - 1] === '}') {
        end = j + 1;
        break;
      }
    }
    if (end < 0) throw new Error(`An expression was not closed: ${text.slice(start, start + 40)}`);
    spans.push({ start, end, body: text.slice(start + 3, end - 2).trim() });
    i = end;
  }
}

/** How the runner turns a result into text inside a string value (objects and arrays become JSON). */
function asText(value: data.ExpressionData): string {
  if (value.kind === data.Kind.Null) return '';
  if (value.kind === data.Kind.Dictionary || value.kind === data.Kind.Array) {
    return JSON.stringify(value, data.replacer, 2);
  }
  return value.coerceString();
}

/** Substitutes every `${{ }}` in a (YAML-parsed) string value. */
export function interpolate(text: string, contexts: Contexts): string {
  let out = '';
  let at = 0;
  for (const span of expressionSpans(text)) {
    out += text.slice(at, span.start) + asText(evaluate(span.body, contexts));
    at = span.end;
  }
  return out + text.slice(at);
}

/** A step's `with:` map evaluated to the strings the action receives as inputs. */
export function evaluateWith(step: WorkflowStep, contexts: Contexts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(step.with ?? {})) {
    out[key] = value === null || value === undefined ? '' : interpolate(String(value), contexts);
  }
  return out;
}

/**
 * Every context access chain in the expressions of `value` (a parsed workflow or part of one), e.g.
 * ['secrets', 'GITOPS_DISPATCH_TOKEN'] or ['steps', 'meta', 'outputs', 'version']. `if:` values count as
 * expressions without `${{ }}`, as the runner treats them.
 */
export function contextReferences(value: unknown): string[][] {
  const chains: string[][] = [];
  const visit = (node: unknown, key?: string): void => {
    if (typeof node === 'string') {
      const bodies = expressionSpans(node).map((s) => s.body);
      if (key === 'if' && !node.includes('${{')) bodies.push(node);
      for (const body of bodies) chains.push(...chainsIn(new Lexer(body).lex().tokens));
    } else if (Array.isArray(node)) {
      for (const item of node) visit(item);
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) visit(v, k);
    }
  };
  visit(value);
  return chains;
}

function chainsIn(tokens: Token[]): string[][] {
  const chains: string[][] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const previous = tokens[i - 1];
    const isStart =
      token.type === TokenType.IDENTIFIER &&
      previous?.type !== TokenType.DOT &&
      tokens[i + 1]?.type !== TokenType.LEFT_PAREN &&
      WORKFLOW_CONTEXTS.includes(token.lexeme);
    if (!isStart) continue;
    const chain = [token.lexeme];
    let j = i + 1;
    for (;;) {
      const a = tokens[j];
      const b = tokens[j + 1];
      if (a?.type === TokenType.DOT && b && (b.type === TokenType.IDENTIFIER || b.type === TokenType.STAR)) {
        chain.push(b.lexeme);
        j += 2;
      } else if (
        a?.type === TokenType.LEFT_BRACKET &&
        b?.type === TokenType.STRING &&
        tokens[j + 2]?.type === TokenType.RIGHT_BRACKET
      ) {
        chain.push(String(b.value));
        j += 3;
      } else break;
    }
    chains.push(chain);
    i = j - 1;
  }
  return chains;
}

export interface WorkflowStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export interface Workflow {
  on: Record<string, unknown>;
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean } | string;
  jobs: Record<string, { steps: WorkflowStep[] }>;
}

export function parseWorkflow(text: string): Workflow {
  return parseYaml(text) as Workflow;
}

/** All steps of all jobs, in file order. */
export function allSteps(workflow: Workflow): WorkflowStep[] {
  return Object.values(workflow.jobs).flatMap((job) => job.steps ?? []);
}

/** The one step whose `uses:` names `action` (e.g. 'dispatch-action'); throws when there is not exactly one. */
export function stepUsing(workflow: Workflow, action: string): WorkflowStep {
  const found = allSteps(workflow).filter(
    (s) => typeof s.uses === 'string' && new RegExp(`(^|/)${action}(@|$)`).test(s.uses),
  );
  if (found.length !== 1) throw new Error(`expected one step using ${action}; found ${found.length}`);
  return found[0]!;
}
