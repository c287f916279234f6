/**
 * Runs a composite `action.yml` the way the GitHub runner does, for integration tests: GitHub's own parser
 * (@actions/workflow-parser) validates the file and converts `if:` conditions, GitHub's own evaluator
 * (@actions/expressions) computes every `${{ }}`, `run:` steps execute in real bash with the runner's file
 * commands (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY) and workflow commands on stdout.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import { isMapping, isSequence, NoOperationTraceWriter } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { convertToIfCondition } from '@actions/workflow-parser/model/converter/if-condition';
import type { MappingToken, TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { parse as parseYaml } from 'yaml';
import { basicAuthHeader, tryGit } from './git.js';

export interface GitHubContext {
  event_name: string;
  event: Record<string, unknown>;
  repository: string;
  repository_owner: string;
  sha: string;
  ref: string;
  ref_name: string;
  ref_type: string;
  base_ref: string;
  head_ref: string;
  actor: string;
  triggering_actor: string;
  run_id: string;
  run_number: string;
  run_attempt: string;
  job: string;
  workflow: string;
  server_url: string;
  api_url: string;
  graphql_url: string;
  token: string;
  [key: string]: unknown;
}

export interface CompositeRunOptions {
  /** Folder holding action.yml (or action.yaml); becomes GITHUB_ACTION_PATH. */
  actionDir: string;
  /** `with:` values (already strings); defaults from action.yml apply to the rest. */
  inputs: Record<string, string>;
  /** GITHUB_WORKSPACE and the steps' working directory. */
  workspace: string;
  github?: Partial<GitHubContext>;
  /** Extra process env (PATH and HOME are passed through from the host, nothing else). */
  env?: Record<string, string>;
  /** 'actions/checkout' -> stub (matched with or without `@ref`); a `uses:` step with no stub fails the run. */
  uses?: Record<string, UsesStub>;
  /** Values the runner would mask already, e.g. a `secrets.*` value passed as an input. */
  secrets?: string[];
  /** Safety net for a hung step (e.g. a git prompt); the step fails when it is hit. Default 120 s. */
  stepTimeoutMs?: number;
}

export type UsesStub = (ctx: {
  with: Record<string, string>;
  workspace: string;
  env: Record<string, string>;
  // `void` so a stub may be a plain `async () => {}`, as the contract says.
  // biome-ignore lint/suspicious/noConfusingVoidType: see above
}) => Promise<Record<string, string> | void>;

export interface Annotation {
  level: 'notice' | 'warning' | 'error';
  message: string;
  file?: string;
  line?: number;
  title?: string;
}

export interface CompositeRunResult {
  exitCode: number;
  conclusion: 'success' | 'failure';
  /** Raw process output of all steps (not masked), so tests can prove a secret was never printed at all. */
  stdout: string;
  stderr: string;
  /** What the runner's log would show: both streams in order, step headers, masked values replaced by `***`. */
  log: string;
  /** The action's declared outputs, evaluated. */
  outputs: Record<string, string>;
  stepOutputs: Record<string, Record<string, string>>;
  /** Per step id: outcome (before continue-on-error) and conclusion, as in the `steps` context. */
  stepResults: Record<string, { outcome: StepStatus; conclusion: StepStatus }>;
  /** GITHUB_STEP_SUMMARY contents of all steps, concatenated. */
  summary: string;
  /** Values registered with ::add-mask:: (and github.token, which the runner masks itself). */
  masked: string[];
  annotations: Annotation[];
}

type StepStatus = 'success' | 'failure' | 'skipped';

/** The runner always has a token; tests that do not care get this one (it is masked like a real one). */
export const DEFAULT_GITHUB_TOKEN = 'ghs_harnessDefaultToken0000000000000000';

const CONTEXT_NAMES = ['github', 'env', 'inputs', 'steps', 'runner', 'job', 'strategy', 'matrix'];

// ---- expressions -----------------------------------------------------------------------------------------

interface Status {
  failed: boolean;
}

function statusFunctions(status: Status, workspace: string): Map<string, FunctionDefinition> {
  const fn = (
    name: string,
    min: number,
    max: number,
    call: FunctionDefinition['call'],
  ): [string, FunctionDefinition] => [name.toLowerCase(), { name, minArgs: min, maxArgs: max, call }];
  return new Map([
    fn('success', 0, 0, () => new data.BooleanData(!status.failed)),
    fn('failure', 0, 0, () => new data.BooleanData(status.failed)),
    fn('always', 0, 0, () => new data.BooleanData(true)),
    fn('cancelled', 0, 0, () => new data.BooleanData(false)),
    fn('hashFiles', 1, 255, () => {
      throw new Error(`hashFiles() is not supported by the test harness (workspace ${workspace})`);
    }),
  ]);
}

function toData(value: unknown): data.ExpressionData {
  return JSON.parse(JSON.stringify(value ?? null), data.reviver) as data.ExpressionData;
}

function evaluateExpression(
  expression: string,
  context: data.Dictionary,
  functions: Map<string, FunctionDefinition>,
): data.ExpressionData {
  const { tokens } = new Lexer(expression).lex();
  const tree = new Parser(tokens, CONTEXT_NAMES, [...functions.values()]).parse();
  return new Evaluator(tree, context, functions).evaluate();
}

/** How the runner turns an expression result into text inside a string (objects and arrays become JSON). */
function dataToString(value: data.ExpressionData): string {
  switch (value.kind) {
    case data.Kind.Null:
      return '';
    case data.Kind.Dictionary:
    case data.Kind.Array:
      return JSON.stringify(value, data.replacer, 2);
    default:
      return value.coerceString();
  }
}

/**
 * Substitutes every `${{ }}` in a YAML string value. Works on the parsed YAML value (block scalars already
 * de-indented and chomped, as the runner sees them); the end of an expression is found the way the runner
 * does it, ignoring `}}` inside single-quoted strings.
 */
function substitute(text: string, context: data.Dictionary, functions: Map<string, FunctionDefinition>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${{', i);
    if (start < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, start);
    let end = -1;
    let inString = false;
    for (let j = start + 3; j < text.length; j++) {
      if (text[j] === "'") inString = !inString;
      else if (!inString && text[j] === '}' && text[j - 1] === '}') {
        end = j;
        break;
      }
    }
    if (end < 0) throw new Error(`An expression was not closed: ${text.slice(start, start + 40)}`);
    out += dataToString(evaluateExpression(text.slice(start + 3, end - 1).trim(), context, functions));
    i = end + 1;
  }
  return out;
}

function scalarToString(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : String(value);
}

// ---- workflow commands and file commands -----------------------------------------------------------------

function unescapeData(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}
function unescapeProperty(s: string): string {
  return s
    .replace(/%0D/gi, '\r')
    .replace(/%0A/gi, '\n')
    .replace(/%3A/gi, ':')
    .replace(/%2C/gi, ',')
    .replace(/%25/g, '%');
}

/** Parses GITHUB_OUTPUT / GITHUB_ENV contents: `k=v` lines and `k<<DELIM` heredocs, as the runner does. */
export function parseFileCommand(contents: string, fileName: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = contents.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const eq = line.indexOf('=');
    const hd = line.indexOf('<<');
    if (eq >= 0 && (hd < 0 || eq < hd)) {
      const key = line.slice(0, eq);
      if (!key) throw new Error(`${fileName}: line ${i + 1} has an empty name`);
      out[key] = line.slice(eq + 1);
    } else if (hd >= 0) {
      const key = line.slice(0, hd);
      const delimiter = line.slice(hd + 2);
      if (!key || !delimiter) throw new Error(`${fileName}: line ${i + 1} is an invalid heredoc`);
      const body: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        body.push(lines[i] ?? '');
      }
      if (!closed) throw new Error(`${fileName}: matching delimiter not found '${delimiter}'`);
      out[key] = body.join('\n');
    } else {
      throw new Error(`${fileName}: invalid format '${line}'`);
    }
  }
  return out;
}

// ---- the run ---------------------------------------------------------------------------------------------

interface StepDef {
  index: number;
  raw: Record<string, unknown>;
  token: MappingToken;
}

function actionFile(actionDir: string): string {
  for (const name of ['action.yml', 'action.yaml']) {
    const file = join(actionDir, name);
    if (existsSync(file)) return file;
  }
  throw new Error(`no action.yml or action.yaml in ${actionDir}`);
}

export async function runCompositeAction(options: CompositeRunOptions): Promise<CompositeRunResult> {
  const actionDir = resolve(options.actionDir);
  const workspace = resolve(options.workspace);
  const file = actionFile(actionDir);
  const content = await readFile(file, 'utf8');

  const result: CompositeRunResult = {
    exitCode: 0,
    conclusion: 'success',
    stdout: '',
    stderr: '',
    log: '',
    outputs: {},
    stepOutputs: {},
    stepResults: {},
    summary: '',
    masked: [],
    annotations: [],
  };
  const logParts: string[] = [];
  const mask = (text: string): string => {
    let out = text;
    // Longest first, so a secret containing another secret is hidden whole.
    for (const secret of [...result.masked].sort((a, b) => b.length - a.length)) {
      if (secret.length > 0) out = out.split(secret).join('***');
    }
    return out;
  };
  const annotate = (a: Annotation): void => {
    result.annotations.push(a);
    const label = a.level === 'notice' ? 'Notice' : a.level === 'warning' ? 'Warning' : 'Error';
    logParts.push(`${label}: ${a.message}\n`);
  };
  const fail = (message: string): CompositeRunResult => {
    annotate({ level: 'error', message });
    result.stderr += `${message}\n`;
    return finish(true);
  };
  const finish = (failed: boolean): CompositeRunResult => {
    result.exitCode = failed ? 1 : 0;
    result.conclusion = failed ? 'failure' : 'success';
    result.log = mask(logParts.join(''));
    for (const a of result.annotations) a.message = mask(a.message);
    return result;
  };

  // 1. Parse and validate with GitHub's parser; any error fails the run, as on GitHub.
  const parsed = parseAction({ name: file, content }, new NoOperationTraceWriter());
  const parseErrors = parsed.context.errors.getErrors().map((e) => e.message);
  const root = parsed.value;
  if (parseErrors.length > 0 || !root || !isMapping(root)) {
    return fail(`${file} is not a valid action:\n${parseErrors.join('\n') || 'not a mapping'}`);
  }
  const runsToken = root.find('runs');
  const usingToken = runsToken && isMapping(runsToken) ? runsToken.find('using') : undefined;
  if (usingToken?.toString() !== 'composite') {
    return fail(`${file}: runs.using is '${usingToken?.toString()}'; this harness runs composite actions only`);
  }
  const stepsToken = runsToken && isMapping(runsToken) ? runsToken.find('steps') : undefined;
  const stepTokens: TemplateToken[] = stepsToken && isSequence(stepsToken) ? [...stepsToken] : [];

  // The same file through the `yaml` package gives the values the runner sees (block scalars resolved).
  const doc = parseYaml(content) as {
    inputs?: Record<string, { default?: unknown; required?: boolean } | null>;
    outputs?: Record<string, { value?: unknown } | null>;
    runs: { steps?: Record<string, unknown>[] };
  };
  const rawSteps = doc.runs.steps ?? [];
  if (rawSteps.length !== stepTokens.length) return fail(`${file}: step count differs between parsers`);
  const steps: StepDef[] = rawSteps.map((raw, index) => ({ index, raw, token: stepTokens[index] as MappingToken }));

  // 2. Runner folders and contexts.
  const runnerTemp = await mkdtemp(join(tmpdir(), 'gitops-runner-'));
  try {
    const fileCommands = join(runnerTemp, '_runner_file_commands');
    await mkdir(fileCommands, { recursive: true });
    const github = githubContext(options.github ?? {}, workspace, actionDir);
    if (github.token) result.masked.push(String(github.token));
    for (const secret of options.secrets ?? []) if (secret) result.masked.push(secret);
    const eventPath = join(runnerTemp, '_github_workflow', 'event.json');
    await mkdir(join(runnerTemp, '_github_workflow'), { recursive: true });
    await writeFile(eventPath, JSON.stringify(github.event ?? {}, null, 2));
    const toolCache = join(runnerTemp, '_tool');
    await mkdir(toolCache, { recursive: true });

    const runnerEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env.HOME ?? tmpdir(),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: actionDir,
      GITHUB_WORKSPACE: workspace,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_EVENT_NAME: String(github.event_name),
      GITHUB_REPOSITORY: String(github.repository),
      GITHUB_REPOSITORY_OWNER: String(github.repository_owner),
      GITHUB_SHA: String(github.sha),
      GITHUB_REF: String(github.ref),
      GITHUB_REF_NAME: String(github.ref_name),
      GITHUB_REF_TYPE: String(github.ref_type),
      GITHUB_BASE_REF: String(github.base_ref),
      GITHUB_HEAD_REF: String(github.head_ref),
      GITHUB_RUN_ID: String(github.run_id),
      GITHUB_RUN_NUMBER: String(github.run_number),
      GITHUB_RUN_ATTEMPT: String(github.run_attempt),
      GITHUB_JOB: String(github.job),
      GITHUB_WORKFLOW: String(github.workflow),
      GITHUB_SERVER_URL: String(github.server_url),
      GITHUB_API_URL: String(github.api_url),
      GITHUB_GRAPHQL_URL: String(github.graphql_url),
      GITHUB_ACTOR: String(github.actor),
      GITHUB_TRIGGERING_ACTOR: String(github.triggering_actor),
      RUNNER_TEMP: runnerTemp,
      RUNNER_TOOL_CACHE: toolCache,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_NAME: 'loopback-runner',
      RUNNER_ENVIRONMENT: 'github-hosted',
    };
    // Env the workflow gave (options.env) plus what steps appended through GITHUB_ENV.
    const workflowEnv: Record<string, string> = { ...(options.env ?? {}) };
    const extraPath: string[] = [];
    const status: Status = { failed: false };
    const functions = statusFunctions(status, workspace);
    const stepsContext: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
    const runner = {
      os: 'Linux',
      arch: 'X64',
      name: 'loopback-runner',
      temp: runnerTemp,
      tool_cache: toolCache,
      environment: 'github-hosted',
    };
    const makeContext = (inputs: Record<string, string>, env: Record<string, string>): data.Dictionary =>
      toData({
        github,
        env,
        inputs,
        steps: stepsContext,
        runner,
        job: { status: status.failed ? 'failure' : 'success' },
        strategy: {},
        matrix: {},
      }) as data.Dictionary;

    // 3. Inputs: given values, else defaults evaluated (e.g. `${{ github.token }}`); warn like the runner.
    const declared = doc.inputs ?? {};
    const inputs: Record<string, string> = {};
    const known = new Map(Object.keys(declared).map((k) => [k.toLowerCase(), k]));
    const unexpected = Object.keys(options.inputs).filter((k) => !known.has(k.toLowerCase()));
    if (unexpected.length > 0) {
      annotate({
        level: 'warning',
        message: `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${Object.keys(declared).join("', '")}']`,
      });
    }
    for (const [name, def] of Object.entries(declared)) {
      const given = Object.entries(options.inputs).find(([k]) => k.toLowerCase() === name.toLowerCase());
      if (given) inputs[name] = given[1];
      else if (def && def.default !== undefined) {
        inputs[name] = substitute(scalarToString(def.default), makeContext({}, workflowEnv), functions);
      } else {
        inputs[name] = '';
        if (def?.required === true) annotate({ level: 'warning', message: `Input required and not supplied: ${name}` });
      }
    }

    // 4. Steps.
    const commandState: { stopToken?: string } = {};
    const allStdout: string[] = [];
    const allStderr: string[] = [];
    for (const step of steps) {
      const raw = step.raw;
      const id = typeof raw.id === 'string' ? raw.id : undefined;
      const label =
        typeof raw.name === 'string'
          ? raw.name
          : typeof raw.run === 'string'
            ? `Run ${raw.run.split('\n')[0]}`
            : `Run ${String(raw.uses)}`;

      // `if:` through GitHub's converter (adds the implicit success() &&), evaluated on the parent env.
      const ifToken = step.token.find('if');
      let condition = 'success()';
      if (typeof raw.if === 'boolean' || typeof raw.if === 'number') {
        condition = `success() && (${String(raw.if)})`; // YAML `if: false` is not a string token
      } else if (ifToken) {
        const converted = convertToIfCondition(parsed.context, ifToken);
        const errors = parsed.context.errors.getErrors().map((e) => e.message);
        if (!converted || errors.length > 0) {
          return fail(`step ${step.index + 1}: invalid if: ${String(raw.if)}\n${errors.join('\n')}`);
        }
        condition = converted.expression;
      }
      let run: boolean;
      try {
        run = truthy(evaluateExpression(condition, makeContext(inputs, workflowEnv), functions));
      } catch (error) {
        logParts.push(`${label}\n`);
        annotate({ level: 'error', message: `The step's if: failed to evaluate: ${errorText(error)}` });
        status.failed = true;
        if (id) {
          stepsContext[id] = { outputs: {}, outcome: 'failure', conclusion: 'failure' };
          result.stepResults[id] = { outcome: 'failure', conclusion: 'failure' };
        }
        continue;
      }
      if (!run) {
        if (id) {
          stepsContext[id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
          result.stepResults[id] = { outcome: 'skipped', conclusion: 'skipped' };
        }
        continue;
      }
      logParts.push(`${label}\n`);

      let outcome: 'success' | 'failure' = 'success';
      let outputs: Record<string, string> = {};
      let continueOnError = false;
      try {
        const parentContext = makeContext(inputs, workflowEnv);
        const stepEnv: Record<string, string> = {};
        for (const [k, v] of Object.entries((raw.env ?? {}) as Record<string, unknown>)) {
          stepEnv[k] = substitute(scalarToString(v), parentContext, functions);
        }
        const env = { ...workflowEnv, ...stepEnv };
        const context = makeContext(inputs, env);
        if (raw['continue-on-error'] !== undefined) {
          const text = substitute(scalarToString(raw['continue-on-error']), context, functions);
          continueOnError = text === 'true';
        }

        if (typeof raw.run === 'string') {
          const script = substitute(raw.run, context, functions);
          const shell = substitute(scalarToString(raw.shell ?? 'bash'), context, functions);
          const dir =
            raw['working-directory'] !== undefined
              ? resolveIn(workspace, substitute(scalarToString(raw['working-directory']), context, functions))
              : workspace;
          const files = {
            GITHUB_OUTPUT: join(fileCommands, `set_output_${step.index}`),
            GITHUB_ENV: join(fileCommands, `set_env_${step.index}`),
            GITHUB_PATH: join(fileCommands, `add_path_${step.index}`),
            GITHUB_STATE: join(fileCommands, `save_state_${step.index}`),
            GITHUB_STEP_SUMMARY: join(fileCommands, `step_summary_${step.index}`),
          };
          for (const f of Object.values(files)) await writeFile(f, '');
          const processEnv: Record<string, string> = {
            ...runnerEnv,
            ...env,
            ...files,
            GITHUB_ACTION: id ?? `__run_${step.index}`,
            PATH: [...extraPath, runnerEnv.PATH].join(':'),
          };
          const scriptFile = join(runnerTemp, `step_${step.index}.sh`);
          await writeFile(scriptFile, script);
          const exec = await runShell(shell, scriptFile, dir, processEnv, options.stepTimeoutMs ?? 120_000, {
            onStdoutLine: (line) => {
              allStdout.push(line);
              const cmd = handleCommand(line, result, annotate, commandState);
              if (!cmd) logParts.push(line);
            },
            onStderr: (text) => {
              allStderr.push(text);
              logParts.push(text);
            },
          });
          if (exec.error) annotate({ level: 'error', message: exec.error });
          if (exec.exitCode !== 0) {
            outcome = 'failure';
            annotate({ level: 'error', message: `Process completed with exit code ${exec.exitCode}.` });
          }
          // File commands are processed even for a failed step, as the runner does.
          outputs = parseFileCommand(await readFile(files.GITHUB_OUTPUT, 'utf8'), 'GITHUB_OUTPUT');
          Object.assign(workflowEnv, parseFileCommand(await readFile(files.GITHUB_ENV, 'utf8'), 'GITHUB_ENV'));
          const paths = (await readFile(files.GITHUB_PATH, 'utf8')).split(/\r?\n/).filter((p) => p.trim() !== '');
          extraPath.unshift(...paths.reverse());
          result.summary += await readFile(files.GITHUB_STEP_SUMMARY, 'utf8');
        } else if (typeof raw.uses === 'string') {
          const uses = raw.uses;
          const stub = options.uses?.[uses] ?? options.uses?.[uses.replace(/@.*$/, '')];
          if (!stub) throw new Error(`No stub for 'uses: ${uses}'; pass one in options.uses`);
          const withValues: Record<string, string> = {};
          for (const [k, v] of Object.entries((raw.with ?? {}) as Record<string, unknown>)) {
            withValues[k] = substitute(scalarToString(v), context, functions);
          }
          outputs = (await stub({ with: withValues, workspace, env: { ...runnerEnv, ...env } })) ?? {};
        } else {
          throw new Error(`step ${step.index + 1} has neither run nor uses`);
        }
      } catch (error) {
        outcome = 'failure';
        const message = errorText(error);
        allStderr.push(`${message}\n`);
        annotate({ level: 'error', message });
      }

      const conclusion = outcome === 'failure' && continueOnError ? 'success' : outcome;
      if (conclusion === 'failure') status.failed = true;
      if (id) {
        stepsContext[id] = { outputs, outcome, conclusion };
        result.stepOutputs[id] = outputs;
        result.stepResults[id] = { outcome, conclusion };
      }
    }
    result.stdout = allStdout.join('');
    result.stderr += allStderr.join('');

    // 5. The action's outputs, evaluated after all steps.
    for (const [name, def] of Object.entries(doc.outputs ?? {})) {
      try {
        result.outputs[name] = substitute(scalarToString(def?.value), makeContext(inputs, workflowEnv), functions);
      } catch (error) {
        annotate({ level: 'error', message: `Output '${name}' failed to evaluate: ${errorText(error)}` });
        status.failed = true;
      }
    }
    return finish(status.failed);
  } finally {
    await rm(runnerTemp, { recursive: true, force: true });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function resolveIn(workspace: string, dir: string): string {
  return isAbsolute(dir) ? dir : join(workspace, dir);
}

function githubContext(given: Partial<GitHubContext>, workspace: string, actionPath: string): GitHubContext {
  const repository = given.repository ?? 'octo-org/octo-app';
  const ref = given.ref ?? 'refs/heads/main';
  const serverUrl = given.server_url ?? 'https://github.com';
  return {
    event_name: 'push',
    event: {},
    repository,
    repository_owner: repository.split('/')[0] ?? '',
    sha: '1111111111111111111111111111111111111111',
    ref,
    ref_name: ref.replace(/^refs\/(heads|tags)\//, ''),
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    base_ref: '',
    head_ref: '',
    actor: 'octocat',
    triggering_actor: given.actor ?? 'octocat',
    run_id: '1658821493',
    run_number: '1',
    run_attempt: '1',
    job: 'build',
    workflow: 'CI',
    server_url: serverUrl,
    api_url: 'https://api.github.com',
    graphql_url: 'https://api.github.com/graphql',
    token: DEFAULT_GITHUB_TOKEN,
    workspace,
    action_path: actionPath,
    retention_days: '90',
    ...given,
  } as GitHubContext;
}

/** Handles one stdout line as a workflow command; returns true when it was one (then it is not logged raw). */
function handleCommand(
  line: string,
  result: CompositeRunResult,
  annotate: (a: Annotation) => void,
  state: { stopToken?: string },
): boolean {
  const text = line.replace(/\r?\n$/, '');
  const m = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/s.exec(text);
  if (!m) return false;
  const [, command = '', props = '', rawData = ''] = m;
  if (state.stopToken !== undefined) {
    if (command === state.stopToken) {
      state.stopToken = undefined;
      return true;
    }
    return false;
  }
  const value = unescapeData(rawData);
  const properties: Record<string, string> = {};
  for (const pair of props.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
  }
  switch (command) {
    case 'add-mask':
      if (value.trim() !== '') {
        result.masked.push(value);
        // The runner also masks each line of a multi-line secret.
        for (const part of value.split(/\r?\n/)) if (part.trim() !== '' && part !== value) result.masked.push(part);
      }
      return true;
    case 'notice':
    case 'warning':
    case 'error': {
      const a: Annotation = { level: command, message: value };
      if (properties.file) a.file = properties.file;
      if (properties.line) a.line = Number(properties.line);
      if (properties.title) a.title = properties.title;
      annotate(a);
      return true;
    }
    case 'stop-commands':
      state.stopToken = value;
      return true;
    case 'debug':
    case 'group':
    case 'endgroup':
    case 'echo':
      return true;
    default:
      return false;
  }
}

interface ShellResult {
  exitCode: number;
  error?: string;
}

/** Runs a script the way the runner does for `shell:` (bash, sh, or a custom `cmd {0}` template). */
function runShell(
  shell: string,
  scriptFile: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
  sinks: { onStdoutLine: (line: string) => void; onStderr: (text: string) => void },
): Promise<ShellResult> {
  let command: string;
  let args: string[];
  if (shell === 'bash') {
    command = 'bash';
    args = ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile];
  } else if (shell === 'sh') {
    command = 'sh';
    args = ['-e', scriptFile];
  } else if (shell.includes('{0}')) {
    const parts = shell.split(/\s+/).filter(Boolean);
    command = parts[0] ?? 'bash';
    args = parts.slice(1).map((p) => p.replace('{0}', scriptFile));
  } else {
    return Promise.resolve({ exitCode: 1, error: `Unsupported shell '${shell}' in the test harness` });
  }
  return new Promise((resolvePromise) => {
    if (!existsSync(cwd)) {
      resolvePromise({ exitCode: 1, error: `working-directory ${cwd} does not exist` });
      return;
    }
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        sinks.onStdoutLine(pending.slice(0, nl + 1));
        pending = pending.slice(nl + 1);
        nl = pending.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk: string) => sinks.onStderr(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolvePromise({ exitCode: 1, error: `could not start ${command}: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (pending) sinks.onStdoutLine(pending);
      if (timedOut) resolvePromise({ exitCode: 1, error: `step timed out after ${timeoutMs} ms` });
      else resolvePromise({ exitCode: code ?? (signal ? 128 : 1) });
    });
  });
}

/**
 * What actions/checkout does for our purposes: fetches `remoteUrl` into the workspace (or `with.path`), checks
 * out `with.ref` (branch, tag or sha; default the remote's default branch), and persists the token the way
 * checkout does: local `http.<origin>/.extraheader = AUTHORIZATION: basic base64(x-access-token:<token>)`.
 * `with.token` overrides `token`; `persist-credentials: false` removes the header afterwards.
 */
export function checkoutStub(options: { remoteUrl: string; token: string }): UsesStub {
  return async (ctx) => {
    const token = ctx.with.token || options.token;
    const target = ctx.with.path ? resolveIn(ctx.workspace, ctx.with.path) : ctx.workspace;
    await mkdir(target, { recursive: true });
    const scope = /^https?:\/\//.test(options.remoteUrl) ? `${new URL(options.remoteUrl).origin}/` : undefined;
    const run = async (...args: string[]): Promise<string> => {
      const r = await tryGit(target, args);
      if (r.exitCode !== 0) {
        // Never echo the arguments: they may hold the credential header.
        throw new Error(`checkout: git ${args[0] === 'config' ? 'config' : args.join(' ')} failed: ${r.stderr.trim()}`);
      }
      return r.stdout.trim();
    };
    await run('init', '--quiet');
    await run('remote', 'add', 'origin', options.remoteUrl);
    if (scope && token) await run('config', '--local', `http.${scope}.extraheader`, basicAuthHeader(token));
    await run('fetch', '--quiet', '--prune', '--tags', 'origin', '+refs/heads/*:refs/remotes/origin/*');
    const ref = ctx.with.ref ?? '';
    if (ref === '') {
      const symref = await run('ls-remote', '--symref', 'origin', 'HEAD');
      const branch = /^ref: refs\/heads\/(\S+)\s+HEAD/m.exec(symref)?.[1];
      if (!branch) throw new Error('checkout: the remote has no default branch');
      await run('checkout', '--quiet', '-B', branch, `refs/remotes/origin/${branch}`);
    } else {
      const name = ref.replace(/^refs\/heads\//, '');
      const isBranch =
        (await tryGit(target, ['rev-parse', '--verify', '--quiet', `refs/remotes/origin/${name}`])).exitCode === 0;
      if (isBranch) await run('checkout', '--quiet', '-B', name, `refs/remotes/origin/${name}`);
      else await run('checkout', '--quiet', '--detach', ref.replace(/^refs\/tags\//, ''));
    }
    if (ctx.with['persist-credentials'] === 'false' && scope) {
      await run('config', '--local', '--unset-all', `http.${scope}.extraheader`);
    }
    return {};
  };
}
