import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { isMap, isScalar, parseDocument, stringify } from 'yaml';
import { ProblemList, UserError } from '../../core/errors.js';
import { parseConfig } from './config.js';
import { packageInfo } from './paths.js';

export interface InitOptions {
  cwd: string;
  /** Config file to write; default gitops-dispatch.yml. */
  out?: string;
  force?: boolean;
  upstream?: string;
  image?: string;
  downstream?: string;
  /** `name=pattern`, repeatable. */
  env?: string[];
  /** `name=glob`, repeatable; default from --repo or environments/<name>/values.yaml. */
  files?: string[];
  /** A GitOps checkout: environments are proposed from its environments/<name>/values.yaml. */
  repo?: string;
  /** `name=branch:<name>` or `name=tag:<glob>`, repeatable: what the environment is built from. */
  on?: string[];
  /** `name=sha|version|ref`, repeatable. */
  from?: string[];
  /** `name=yaml-path:<path>`, `name=regex:<regex>` or `name=kustomize-image:<image>`, repeatable. */
  edit?: string[];
  /** Environment names that land through a pull request. */
  pullRequest?: string[];
  /** pat (default) or app. */
  token?: string;
  /** What the `$schema` comment points at; default the schema of this version on GitHub. */
  schema?: string;
  /** Ask questions (a terminal). Without it, flags and proposals are all there is. */
  interactive: boolean;
  input?: Readable;
  output?: Writable;
}

export interface ProposedEnvironment {
  name: string;
  tag: string;
  files: string;
  yamlPath?: string;
  /** `branch:<name>` or `tag:<glob>`; default from the environment's place and name. */
  on?: string;
  from?: string;
  /** `yaml-path:<path>`, `regex:<regex>` or `kustomize-image:<image>`; default the yaml path. */
  edit?: string;
  pullRequest?: boolean;
}

export interface InitResult {
  path: string;
  contents: string;
}

function defaultTagFor(name: string): string {
  // The seed's convention: production images carry -stable.
  return /^(prod|production|prd|live)$/i.test(name) ? '.*-stable' : `.*-${name.replace(/[^A-Za-z0-9_-]/g, '')}`;
}

/** First path to a scalar whose key looks like an image tag (`image.tag`, `imageTag`, `app.image.tag`...). */
export function findTagPath(text: string): string | undefined {
  const doc = parseDocument(text);
  const walk = (node: unknown, path: string[]): string | undefined => {
    if (!isMap(node)) return undefined;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) continue;
      if (/^(image_?)?tag$/i.test(key) && isScalar(pair.value)) return [...path, key].join('.');
      const found = walk(pair.value, [...path, key]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(doc.contents, []);
}

/** Environments of a GitOps checkout laid out as environments/<name>/values.yaml. */
export function proposeEnvironments(repo: string): ProposedEnvironment[] {
  const dir = join(repo, 'environments');
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'values.yaml')))
    .map((d) => d.name)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return names.map((name) => {
    const files = `environments/${name}/values.yaml`;
    const yamlPath = findTagPath(readFileSync(join(repo, files), 'utf8'));
    return { name, tag: defaultTagFor(name), files, ...(yamlPath && yamlPath !== 'image.tag' ? { yamlPath } : {}) };
  });
}

/** dev-like first (built from the default branch), production last (built from version tags). */
function rank(name: string): number {
  if (/^(dev|development)$/i.test(name)) return 0;
  if (/^(prod|production|prd|live)$/i.test(name)) return 2;
  return 1;
}

/** A line-at-a-time question asker over any streams; buffered, so answers piped in ahead of time are not lost. */
class Asker {
  private readonly lines: AsyncIterator<string>;
  private readonly rl;
  constructor(
    input: Readable,
    private readonly output: Writable,
  ) {
    this.rl = createInterface({ input, terminal: false });
    this.lines = this.rl[Symbol.asyncIterator]();
  }
  /** True once the input has no more lines: asking again would only repeat the defaults. */
  ended = false;
  async ask(question: string, fallback?: string): Promise<string> {
    this.output.write(fallback ? `${question} [${fallback}]: ` : `${question}: `);
    const next = await this.lines.next();
    if (next.done) this.ended = true;
    const answer = next.done ? '' : next.value.trim();
    return answer || fallback || '';
  }
  close(): void {
    this.rl.close();
  }
}

function parsePairs(values: string[] | undefined, option: string, problems: ProblemList): Map<string, string> {
  const map = new Map<string, string>();
  for (const v of values ?? []) {
    const i = v.indexOf('=');
    if (i <= 0 || i === v.length - 1) {
      problems.add({
        code: 'usage/bad-pair',
        input: option,
        message: `Option '--${option}' is ${JSON.stringify(v)}; expected name=value, e.g. --${option} ${option === 'env' ? "'dev=.*-dev'" : 'dev=environments/dev/values.yaml'}`,
      });
    } else map.set(v.slice(0, i), v.slice(i + 1));
  }
  return map;
}

/** The trigger init proposes: production-like names build tags v*, the first other environment main. */
function defaultOn(envs: ProposedEnvironment[], index: number): string {
  const env = envs[index]!;
  if (/stable/.test(env.tag) || /^(prod|production|prd|live)$/i.test(env.name)) return 'tag:v*';
  const firstOther = envs.findIndex((e) => !/stable/.test(e.tag) && !/^(prod|production|prd|live)$/i.test(e.name));
  return firstOther === index ? 'branch:main' : `branch:${env.name}`;
}

function defaultEdit(env: ProposedEnvironment): string {
  return `yaml-path:${env.yamlPath ?? 'image.tag'}`;
}

function parseOn(text: string): Record<string, string> | string {
  const m = /^(branch|tag):(.+)$/.exec(text.trim());
  return m ? { [m[1]!]: m[2]! } : `expected branch:<name> or tag:<glob>, e.g. branch:main or tag:v*`;
}

function parseEdit(text: string): Record<string, string> | string {
  const m = /^(yaml-path|regex|kustomize-image):(.+)$/.exec(text.trim());
  return m ? { [m[1]!]: m[2]! } : 'expected yaml-path:<path>, regex:<regex> or kustomize-image:<image>';
}

/** Builds the config text; `on` is written out for every environment so the file shows how each tag is made. */
export function renderStarterConfig(o: {
  schema: string;
  upstream: string;
  image: string;
  downstream: string;
  environments: ProposedEnvironment[];
  token?: string;
}): string {
  const environments: Record<string, unknown> = {};
  const problems = new ProblemList();
  o.environments.forEach((env, index) => {
    const on = parseOn(env.on ?? defaultOn(o.environments, index));
    const edit = parseEdit(env.edit ?? defaultEdit(env));
    for (const [what, result, answer] of [
      ['built from', on, env.on],
      ['edit', edit, env.edit],
    ] as const) {
      if (typeof result === 'string') {
        problems.add({
          code: 'usage/bad-answer',
          message: `The ${what} of '${env.name}' is ${JSON.stringify(answer)}; ${result}`,
        });
      }
    }
    const editKey = typeof edit === 'string' ? {} : edit;
    environments[env.name] = {
      tag: env.tag,
      files: env.files,
      ...(editKey['yaml-path'] === 'image.tag' ? {} : editKey),
      on: typeof on === 'string' ? env.on : on,
      ...(env.from ? { from: env.from } : {}),
      ...(env.pullRequest ? { 'pull-request': true } : {}),
    };
  });
  problems.throwIfAny();
  const body = stringify(
    {
      upstream: { repository: o.upstream, image: o.image },
      downstream: { repository: o.downstream },
      ...(o.token && o.token !== 'pat' ? { token: o.token } : {}),
      environments,
    },
    { lineWidth: 0 },
  );
  return [
    `# yaml-language-server: $schema=${o.schema}`,
    '# gitops-dispatch config. Next: npx gitops-dispatch generate --config <this file> --out gitops-dispatch-out',
    body,
  ].join('\n');
}

/** Writes a starter config. Asks only when `interactive`; otherwise uses flags and proposals. Validates before writing. */
export async function runInit(o: InitOptions): Promise<InitResult> {
  const problems = new ProblemList();
  const out = o.out ?? 'gitops-dispatch.yml';
  const path = resolve(o.cwd, out);
  if (existsSync(path) && !o.force) {
    problems.add({
      code: 'usage/exists',
      input: 'out',
      message: `Option '--out' is '${out}', which exists already; expected a new file, or --force to replace it`,
    });
  }
  const envPatterns = parsePairs(o.env, 'env', problems);
  const envFiles = parsePairs(o.files, 'files', problems);
  problems.throwIfAny();

  let proposals: ProposedEnvironment[] = o.repo ? proposeEnvironments(resolve(o.cwd, o.repo)) : [];
  if (o.repo && proposals.length === 0) {
    problems.add({
      code: 'usage/no-environments',
      input: 'repo',
      message: `Option '--repo' is '${o.repo}', which has no environments/<name>/values.yaml; expected a GitOps checkout laid out that way (or use --env)`,
    });
  }
  if (envPatterns.size > 0) {
    proposals = [...envPatterns].map(([name, tag]) => ({
      name,
      tag,
      files: proposals.find((p) => p.name === name)?.files ?? `environments/${name}/values.yaml`,
    }));
  } else if (proposals.length === 0) {
    proposals = ['dev', 'prod'].map((name) => ({
      name,
      tag: defaultTagFor(name),
      files: `environments/${name}/values.yaml`,
    }));
  }
  for (const p of proposals) {
    const f = envFiles.get(p.name);
    if (f) p.files = f;
  }
  const names = new Set(proposals.map((p) => p.name));
  const perEnv = (option: string, values: Map<string, string>, check?: (v: string) => string | undefined) => {
    for (const [name, value] of values) {
      const problem = !names.has(name)
        ? `names no environment; expected one of: ${[...names].join(', ')}`
        : check?.(value);
      if (problem) {
        problems.add({
          code: 'usage/bad-pair',
          input: option,
          message: `Option '--${option}' is ${JSON.stringify(`${name}=${value}`)}, which ${problem}`,
        });
      }
    }
  };
  const onFlags = parsePairs(o.on, 'on', problems);
  const fromFlags = parsePairs(o.from, 'from', problems);
  const editFlags = parsePairs(o.edit, 'edit', problems);
  const asProblem = (r: unknown) => (typeof r === 'string' ? `does not say what to do; ${r}` : undefined);
  perEnv('on', onFlags, (v) => asProblem(parseOn(v)));
  perEnv('from', fromFlags, (v) =>
    ['sha', 'version', 'ref'].includes(v) ? undefined : 'has an unknown from; expected sha, version or ref',
  );
  perEnv('edit', editFlags, (v) => asProblem(parseEdit(v)));
  perEnv('pull-request', new Map((o.pullRequest ?? []).map((n) => [n, ''])));
  if (o.token !== undefined && !['pat', 'app'].includes(o.token)) {
    problems.add({
      code: 'usage/bad-token',
      input: 'token',
      message: `Option '--token' is ${JSON.stringify(o.token)}; expected pat or app`,
    });
  }
  for (const p of proposals) {
    if (onFlags.has(p.name)) p.on = onFlags.get(p.name)!;
    if (fromFlags.has(p.name)) p.from = fromFlags.get(p.name)!;
    if (editFlags.has(p.name)) p.edit = editFlags.get(p.name)!;
    if (o.pullRequest?.includes(p.name)) p.pullRequest = true;
  }
  problems.throwIfAny();

  let { upstream, image, downstream } = o;
  let token = o.token ?? 'pat';
  const info = packageInfo();
  const schema =
    o.schema ?? `https://raw.githubusercontent.com/${info.repository}/v${info.version}/generator/config.schema.json`;
  const render = () =>
    renderStarterConfig({
      schema,
      upstream: upstream!,
      image: image!,
      downstream: downstream!,
      environments: proposals,
      token,
    });
  const shown = relative(o.cwd, path) || out;
  let contents: string;
  if (o.interactive) {
    if (!o.input || !o.output) throw new Error('interactive init needs input and output streams');
    const asker = new Asker(o.input, o.output);
    try {
      // Ask, check, and on a problem show it and ask again with every answer so far as the default.
      for (;;) {
        upstream = await asker.ask('Application repository (owner/repo) that builds the image', upstream);
        image = await asker.ask('Image', image ?? (upstream ? `ghcr.io/${upstream.toLowerCase()}` : undefined));
        downstream = await asker.ask('GitOps repository (owner/repo)', downstream);
        const chosenNames = (await asker.ask('Environments (comma-separated)', proposals.map((p) => p.name).join(',')))
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
        const chosen: ProposedEnvironment[] = [];
        for (const [index, name] of chosenNames.entries()) {
          const p = proposals.find((x) => x.name === name) ?? {
            name,
            tag: defaultTagFor(name),
            files: `environments/${name}/values.yaml`,
          };
          const env: ProposedEnvironment = { ...p };
          env.tag = await asker.ask(`Tag pattern for ${name} (full match)`, p.tag);
          env.files = await asker.ask(`Files for ${name}`, p.files);
          const draft = [...chosen, env, ...chosenNames.slice(index + 1).map((n) => ({ name: n, tag: '', files: '' }))];
          env.on = await asker.ask(
            `Built from for ${name} (branch:<name> or tag:<glob>)`,
            p.on ?? defaultOn(draft, index),
          );
          env.edit = await asker.ask(
            `Edit for ${name} (yaml-path:<path>, regex:<regex> or kustomize-image:<image>)`,
            p.edit ?? defaultEdit(p),
          );
          const pr = await asker.ask(`Pull request for ${name}? (y/n)`, p.pullRequest ? 'y' : 'n');
          env.pullRequest = /^y/i.test(pr);
          chosen.push(env);
        }
        proposals = chosen;
        token = await asker.ask('Token (pat: personal access token, app: GitHub App)', token);
        const missing = [upstream, image, downstream].some((v) => !v);
        try {
          if (missing)
            throw new UserError({ code: 'usage/missing', message: 'the repositories and the image are required' });
          contents = render();
          parseConfig(contents, shown);
          break;
        } catch (error) {
          if (!(error instanceof UserError) || asker.ended) throw error;
          o.output.write(
            `\n${error.problems.map((p) => `  ${p.message}`).join('\n')}\nPlease answer again; your answers are the defaults.\n\n`,
          );
        }
      }
    } finally {
      asker.close();
    }
  } else {
    if (upstream && !image) image = `ghcr.io/${upstream.toLowerCase()}`;
    for (const [name, value] of [
      ['upstream', upstream],
      ['image', image],
      ['downstream', downstream],
    ] as const) {
      if (!value) {
        problems.add({
          code: 'usage/missing',
          input: name,
          message: `Option '--${name}' is missing; expected ${name === 'image' ? 'an image such as ghcr.io/owner/app' : 'owner/repo'} (or run init in a terminal to be asked)`,
        });
      }
    }
    problems.throwIfAny();
    contents = render();
    // Never write a config that `generate` would reject.
    parseConfig(contents, shown);
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, contents);
  return { path, contents };
}
