import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { type ErrorCode, UserError } from '../../core/errors.js';
import { isOciTag } from '../../core/oci.js';
import { DEFAULT_EVENT_TYPE } from '../../core/payload/index.js';
import { tagVersion } from '../../core/plan/index.js';
import { type ConditionMatcher, compileCondition, conditionPatternError, regexError } from '../../core/rules/index.js';
import { suggest } from '../../core/suggest.js';
import { checkYaml, type Segment } from '../../core/yaml-schema.js';
import { defaultFrom, EXAMPLE_SHA, type Flow, type From, prove, type Trigger } from './flows.js';
import { defaultActionsRef, packageRoot } from './paths.js';

export type { Trigger } from './flows.js';
export { EXAMPLE_SHA } from './flows.js';

/** Default file name of the receiving workflow. */
export const DEFAULT_DOWNSTREAM_WORKFLOW_FILE = 'gitops-receive.yml';

export type EnvironmentEdit =
  | { kind: 'yaml-path'; path: string }
  | { kind: 'regex'; regex: string }
  | { kind: 'kustomize-image'; image: string };

export interface EnvironmentConfig extends Flow {
  files: string[];
  edit: EnvironmentEdit;
  pullRequest: boolean;
  onlyNewer?: { stripSuffix: string };
  /** A production environment (GitHub deployments). */
  production: boolean;
  /** True when only-newer was not written in the config but is on because the tags are versions. */
  onlyNewerByDefault: boolean;
  /** The representative push of this environment's trigger (e.g. refs/tags/v1.2.3-rc.1). */
  exampleRef: string;
  /** The one tag the upstream workflow builds for `exampleRef` (with a stand-in SHA). */
  builtTag: string;
  /** `example-tag` when given, else `builtTag`. */
  exampleTag: string;
}

export interface Config {
  /** The config file as the user named it (shown in errors). */
  source: string;
  /**
   * The config file relative to the root of the git repository holding it (or as named, outside one): shown in
   * generated headers, so generating from another directory gives the same files.
   */
  sourceFromRoot: string;
  upstream: {
    repository: string;
    image: string;
    registry: string;
    dockerfile?: string;
    context?: string;
    branch: string;
    /** The dispatch step waits for the receiver's run. */
    wait: boolean;
    /** The dispatch step records a GitHub deployment for the environment built. */
    deployment: boolean;
  };
  downstream: { repository: string; branch: string /** File name under .github/workflows. */; workflow: string };
  eventType: string;
  actions: { kind: 'ref'; ref: string } | { kind: 'vendor' };
  secrets: { token: string; registryUsername: string; registryPassword: string; appKey: string; argocdToken: string };
  /** pat: a personal access token secret upstream, GITHUB_TOKEN downstream; app: a GitHub App token on both sides. */
  token: 'pat' | 'app';
  /** git: clone and push; api: commit through the GraphQL API with compare-and-swap on the head, no clone. */
  commitMethod: 'git' | 'api';
  /** Argo CD behind the GitOps repository; `apps` maps environment names to application names. */
  argocd?: { server: string; apps: Record<string, string>; wait: boolean; timeout?: number };
  environments: EnvironmentConfig[];
}

/** The variables the generated sender puts in the payload (README: dispatch-action, "Payload"), usable as regex groups. */
export const PAYLOAD_VARIABLES = ['docker_image_tag', 'digest', 'image', 'git_branch', 'commit_message'];
export const DEFAULT_TOKEN_SECRET = 'GITOPS_DISPATCH_TOKEN';

let validator: ValidateFunction | undefined;
function configValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'generator', 'config.schema.json'), 'utf8'));
    validator = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  }
  return validator;
}

// biome-ignore lint/suspicious/noExplicitAny: raw YAML data, read defensively; returned only after the schema passed
type Raw = Record<string, any>;

function describePattern(path: string[]): string {
  const last = String(path[path.length - 1]);
  if (last === 'repository') return 'owner/repo';
  if (last === 'image') return 'an image name without tag, e.g. ghcr.io/owner/app';
  if (last === 'ref') return 'owner/repo@ref';
  if (last === 'branch' && path.length === 2) return 'a branch name (letters, digits, . _ / -)';
  if (last === 'branch' || last === 'tag') return 'a ref name, or a prefix followed by * (e.g. main, release/*, v*)';
  if (last === 'registry') return 'a registry host, optionally with :port (e.g. ghcr.io, registry.example.com:5000)';
  if (last === 'dockerfile' || last === 'context') return 'a path in the repository (letters, digits, . _ / @ + -)';
  if (last === 'server') return 'a host name, optionally with https:// and :port';
  if (path[0] === 'argocd' && path[1] === 'app')
    return 'an Argo CD application name (lower-case letters, digits, - . /)';
  if (['token', 'registry-username', 'registry-password', 'app-key', 'argocd-token'].includes(last))
    return 'a secret name (letters, digits, _; not starting with GITHUB_)';
  return 'a value of the documented form';
}

const ONE_OF_FORMS: Record<string, string> = {
  files: 'a file or glob, or a non-empty list of them',
  'only-newer': 'true, false, or { strip-suffix: <suffix> }',
};

/**
 * An environment's `tag` pattern as the receiver will run it: the rule conditions' one dialect (RE2, anchored;
 * core/rules/pattern.ts), so `.*\\-dev` and `\\p{L}` mean the same here as in the generated rules. A string is the
 * reason the pattern is refused.
 */
function compile(pattern: string): ConditionMatcher | string {
  return conditionPatternError(pattern, true) ?? compileCondition(pattern, true);
}

/** The literal tail of a pattern like `.*-dev` (`-dev`), or undefined when the pattern does not end in one. */
export function literalSuffix(pattern: string): string | undefined {
  // The literal tail after the last quantifier, class or group: `.*-dev`, `[0-9a-f]{40}-dev`, `.+-rc\.1`.
  const m = /[}*+)\]?]((?:[A-Za-z0-9_-]|\\[.-])+)$/.exec(pattern);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : undefined;
}

/** The literal head of a pattern like `sha-[0-9a-f]{7}` (`sha-`), or '' when it starts otherwise. */
export function literalPrefix(pattern: string): string {
  const m = /^((?:[A-Za-z0-9_-]|\\[.-])+)(?=[[(.\\])/.exec(pattern);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : '';
}

function registryOf(image: string): string {
  const first = image.split('/')[0]!;
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'docker.io';
}

export interface ParseOptions {
  /** See Config.sourceFromRoot; default the file name given. */
  sourceFromRoot?: string;
  /** Published actions reference used when the config names none; default from package.json. */
  actionsRef?: string;
}

/** Parses and checks a config; throws UserError listing every problem with file, line and column. */
export function parseConfig(text: string, file: string, options: ParseOptions = {}): Config {
  const checked = checkYaml(text, {
    domain: 'config',
    file,
    validate: configValidator(),
    expected: "a config with 'upstream', 'downstream' and 'environments'",
    rootWords: 'the config',
    patternWords: describePattern,
    nameWords: () => "1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit",
    oneOf: (path, value, here) => ({
      message: `${here} is ${JSON.stringify(value)}; expected ${ONE_OF_FORMS[String(path[path.length - 1])] ?? 'one of the documented forms'}`,
    }),
  });
  const data = checked.data;
  const add = (code: ErrorCode, message: string, path: Segment[], onKey = false) =>
    checked.add(code, message, path, onKey);

  const raw = (data ?? {}) as Raw;
  const up = (raw.upstream ?? {}) as Raw;
  const down = (raw.downstream ?? {}) as Raw;
  const actionsRaw = (raw.actions ?? {}) as Raw;
  const secretsRaw = (raw.secrets ?? {}) as Raw;
  if (actionsRaw.ref !== undefined && actionsRaw.vendor === true) {
    add('config/actions-both', "'actions' has both 'ref' and 'vendor: true'; expected one of them", ['actions']);
  }
  const image = typeof up.image === 'string' ? up.image : '';
  const upstreamBranch = typeof up.branch === 'string' ? up.branch : 'main';

  const environments: EnvironmentConfig[] = [];
  /** Environments whose `on` is missing: left out of the same-trigger check, which would only repeat the problem. */
  const noTrigger = new Set<string>();
  const envsRaw = raw.environments && typeof raw.environments === 'object' ? raw.environments : {};
  const names = Object.keys(envsRaw);
  names.forEach((name, index) => {
    const env = envsRaw[name] as Raw;
    if (!env || typeof env !== 'object' || typeof env.tag !== 'string') return;
    const base: Segment[] = ['environments', name];
    const compiled = compile(env.tag);
    if (typeof compiled === 'string') {
      add(
        'config/bad-pattern',
        `'environments.${name}.tag' is ${JSON.stringify(env.tag)}, which is not a valid regular expression: ${compiled}`,
        [...base, 'tag'],
      );
    }
    const edits = (['yaml-path', 'regex', 'kustomize-image'] as const).filter((k) => env[k] !== undefined);
    if (edits.length > 1) {
      add(
        'config/edit-conflict',
        `'environments.${name}' has ${edits.join(' and ')}; expected one edit: yaml-path, regex or kustomize-image`,
        base,
      );
    }
    let edit: EnvironmentEdit = { kind: 'yaml-path', path: 'image.tag' };
    if (typeof env.regex === 'string') {
      edit = { kind: 'regex', regex: env.regex };
      // An edit pattern, run by the receiver with JavaScript's engine (core/edit/regex.ts), without flags.
      const bad = regexError(env.regex);
      if (bad === undefined) {
        const source: string = env.regex;
        if (!/\(\?<[A-Za-z_]\w*>/.test(source)) {
          add(
            'config/regex-no-group',
            `'environments.${name}.regex' is ${JSON.stringify(env.regex)}; expected a named group such as (?<docker_image_tag>...) marking the span to replace`,
            [...base, 'regex'],
          );
        }
        for (const m of source.matchAll(/\(\?<([A-Za-z_]\w*)>/g)) {
          if (PAYLOAD_VARIABLES.includes(m[1]!)) continue;
          const guess = suggest(m[1]!, PAYLOAD_VARIABLES);
          add(
            'config/regex-group',
            `'environments.${name}.regex' has the group (?<${m[1]}>...), but the dispatch sends no variable '${m[1]}'; expected one of: ${PAYLOAD_VARIABLES.join(', ')}${guess ? ` (did you mean '${guess}'?)` : ''}`,
            [...base, 'regex'],
          );
        }
      } else {
        add(
          'config/bad-pattern',
          `'environments.${name}.regex' is ${JSON.stringify(env.regex)}, which is not a valid regular expression: ${bad}`,
          [...base, 'regex'],
        );
      }
    } else if (typeof env['kustomize-image'] === 'string') {
      edit = { kind: 'kustomize-image', image: env['kustomize-image'] };
    } else if (typeof env['yaml-path'] === 'string') {
      edit = { kind: 'yaml-path', path: env['yaml-path'] };
    }

    let on: Trigger | undefined;
    if (env.on && typeof env.on === 'object') {
      if (typeof env.on.branch === 'string') on = { kind: 'branch', pattern: env.on.branch };
      else if (typeof env.on.tag === 'string') on = { kind: 'tag', pattern: env.on.tag };
    } else if (index === 0) on = { kind: 'branch', pattern: upstreamBranch };
    else if (index === 1) on = { kind: 'tag', pattern: 'v*' };
    else {
      add(
        'config/missing-on',
        `'environments.${name}' has no 'on'; only the first two environments have defaults (branch ${upstreamBranch}, tags v*). Expected e.g. on: { branch: release } or on: { tag: 'rc-*' }`,
        base,
        true,
      );
      noTrigger.add(name);
    }
    on ??= { kind: 'branch', pattern: upstreamBranch };
    const from = (env.from as From | undefined) ?? defaultFrom(on);
    const suffix = typeof env.suffix === 'string' ? env.suffix : (literalSuffix(env.tag) ?? '');
    const prefix = typeof env.prefix === 'string' ? env.prefix : from === 'sha' ? literalPrefix(env.tag) : '';
    const accepts = (sample: string) => typeof compiled !== 'string' && compiled.test(`${prefix}${sample}${suffix}`);
    const shaFormat = !accepts(EXAMPLE_SHA) && accepts(EXAMPLE_SHA.slice(0, 7)) ? 'short' : 'long';
    const versions = !accepts('1.2.3') && accepts('1.2.3-rc.1') ? 'prerelease' : 'release';
    const files = typeof env.files === 'string' ? [env.files] : Array.isArray(env.files) ? env.files : [];
    const onlyNewer =
      env['only-newer'] === true
        ? { stripSuffix: suffix }
        : env['only-newer'] && typeof env['only-newer'] === 'object'
          ? { stripSuffix: String(env['only-newer']['strip-suffix'] ?? '') }
          : undefined;
    environments.push({
      name,
      tag: env.tag,
      files,
      edit,
      pullRequest: env['pull-request'] === true,
      ...(onlyNewer ? { onlyNewer } : {}),
      onlyNewerByDefault: env['only-newer'] === undefined,
      production: typeof env.production === 'boolean' ? env.production : /^(prod|production|prd|live)$/i.test(name),
      on,
      from,
      prefix,
      suffix,
      shaFormat,
      versions,
      exampleRef: '',
      builtTag: '',
      exampleTag: typeof env['example-tag'] === 'string' ? env['example-tag'] : '',
    });
  });

  // Cross-environment consistency, proven on the model of the upstream workflow: a push of each environment's
  // trigger builds exactly one tag, which routes there and nowhere else (flows.ts).
  const valid = environments.filter((e) => !noTrigger.has(e.name) && typeof compile(e.tag) !== 'string');
  const argocdRaw = raw.argocd && typeof raw.argocd === 'object' ? (raw.argocd as Raw) : undefined;
  const argocd = argocdRaw
    ? {
        server: String(argocdRaw.server ?? ''),
        apps: (argocdRaw.app && typeof argocdRaw.app === 'object' ? argocdRaw.app : {}) as Record<string, string>,
        wait: argocdRaw.wait === true,
        ...(typeof argocdRaw.timeout === 'number' ? { timeout: argocdRaw.timeout } : {}),
      }
    : undefined;
  for (const envName of Object.keys(argocd?.apps ?? {})) {
    if (names.includes(envName)) continue;
    const guess = suggest(envName, names);
    add(
      'config/argocd-unknown-environment',
      `'argocd.app' names environment '${envName}', which the config does not have; expected one of: ${names.join(', ')}${guess ? ` (did you mean '${guess}'?)` : ''}`,
      ['argocd', 'app', envName],
      true,
    );
  }
  if (valid.length > 0) {
    const proof = prove(valid);
    for (const p of proof.problems) add(p.code, p.message, ['environments', p.env, 'tag']);
    for (const env of environments) {
      const example = proof.examples.get(env.name);
      if (!example) continue;
      env.exampleRef = example.ref;
      env.builtTag = example.tag;
      if (!env.exampleTag) env.exampleTag = example.tag;
      // Tags that carry an order get the ordering guard unless the config says otherwise: an older build that
      // finishes last must not roll the environment back.
      if (env.onlyNewerByDefault && tagVersion(example.tag, env.suffix)) env.onlyNewer = { stripSuffix: env.suffix };
    }
    for (const env of environments) {
      if (env.exampleTag === env.builtTag) continue;
      const where = ['environments', env.name];
      if (!isOciTag(env.exampleTag)) {
        add(
          'config/bad-example-tag',
          `'${env.name}' has example-tag ${JSON.stringify(env.exampleTag)}, which is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})`,
          [...where, 'example-tag'],
        );
        continue;
      }
      const routes = environments
        .filter((e) => (compile(e.tag) as ConditionMatcher).test(env.exampleTag))
        .map((e) => e.name);
      if (!routes.includes(env.name)) {
        add(
          'config/example-mismatch',
          `'${env.name}' has example-tag ${JSON.stringify(env.exampleTag)}, which its own pattern '${env.tag}' does not match; expected an example the pattern matches, e.g. ${JSON.stringify(env.builtTag)}`,
          [...where, 'tag'],
        );
      }
      for (const other of routes.filter((r) => r !== env.name)) {
        add(
          'config/overlap',
          `environments '${env.name}' and '${other}' overlap: tag ${JSON.stringify(env.exampleTag)} of '${env.name}' also matches '${other}' pattern '${environments.find((e) => e.name === other)!.tag}'`,
          [...where, 'tag'],
        );
      }
    }
  }
  checked.finish();

  return {
    source: file,
    sourceFromRoot: options.sourceFromRoot ?? file,
    upstream: {
      repository: up.repository,
      image,
      registry: typeof up.registry === 'string' ? up.registry : registryOf(image),
      ...(typeof up.dockerfile === 'string' ? { dockerfile: up.dockerfile } : {}),
      ...(typeof up.context === 'string' ? { context: up.context } : {}),
      branch: upstreamBranch,
      wait: up.wait === true || up.deployment === true,
      deployment: up.deployment === true,
    },
    downstream: {
      repository: down.repository,
      branch: typeof down.branch === 'string' ? down.branch : 'main',
      workflow: typeof down.workflow === 'string' ? down.workflow : DEFAULT_DOWNSTREAM_WORKFLOW_FILE,
    },
    eventType: typeof raw['event-type'] === 'string' ? raw['event-type'] : DEFAULT_EVENT_TYPE,
    actions:
      actionsRaw.vendor === true
        ? { kind: 'vendor' }
        : {
            kind: 'ref',
            ref: typeof actionsRaw.ref === 'string' ? actionsRaw.ref : (options.actionsRef ?? defaultActionsRef()),
          },
    secrets: {
      token: secretsRaw.token ?? DEFAULT_TOKEN_SECRET,
      registryUsername: secretsRaw['registry-username'] ?? 'REGISTRY_USERNAME',
      registryPassword: secretsRaw['registry-password'] ?? 'REGISTRY_PASSWORD',
      appKey: secretsRaw['app-key'] ?? 'GITOPS_DISPATCH_APP_KEY',
      argocdToken: secretsRaw['argocd-token'] ?? 'ARGOCD_TOKEN',
    },
    token: raw.token === 'app' ? 'app' : 'pat',
    commitMethod: raw['commit-method'] === 'api' ? 'api' : 'git',
    ...(argocd ? { argocd } : {}),
    environments,
  };
}

/** Reads and parses a config file; `file` is resolved against `cwd` and shown relative to it. */
export async function loadConfig(file: string, cwd: string, options: ParseOptions = {}): Promise<Config> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError({
      code: 'config/unreadable',
      input: 'config',
      message: `Option '--config' is '${file}', which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); expected a gitops-dispatch config file (create one with 'gitops-dispatch init')`,
    });
  }
  return parseConfig(text, relative(cwd, path) || file, { sourceFromRoot: fromRepositoryRoot(path), ...options });
}

/** `path` relative to the nearest folder above it holding `.git`, in / form; the file name when there is none. */
export function fromRepositoryRoot(path: string): string {
  let dir = dirname(path);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return relative(dir, path).split(sep).join('/');
    const parent = dirname(dir);
    if (parent === dir) return basename(path);
    dir = parent;
  }
}
