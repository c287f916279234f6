import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { isMap, isScalar, parseDocument, stringify } from 'yaml';
import { ProblemList } from '../../core/errors.js';
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
  async ask(question: string, fallback?: string): Promise<string> {
    this.output.write(fallback ? `${question} [${fallback}]: ` : `${question}: `);
    const next = await this.lines.next();
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

/** Builds the config text; `on` is written out for every environment so the file shows how each tag is made. */
export function renderStarterConfig(o: {
  schema: string;
  upstream: string;
  image: string;
  downstream: string;
  environments: ProposedEnvironment[];
}): string {
  const environments: Record<string, unknown> = {};
  let sawBranchMain = false;
  for (const env of o.environments) {
    const production = /stable/.test(env.tag);
    let on: Record<string, string>;
    if (production) on = { tag: 'v*' };
    else if (!sawBranchMain) {
      on = { branch: 'main' };
      sawBranchMain = true;
    } else on = { branch: env.name };
    environments[env.name] = {
      tag: env.tag,
      files: env.files,
      ...(env.yamlPath ? { 'yaml-path': env.yamlPath } : {}),
      on,
    };
  }
  const body = stringify(
    {
      upstream: { repository: o.upstream, image: o.image },
      downstream: { repository: o.downstream },
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

  let { upstream, image, downstream } = o;
  if (o.interactive) {
    if (!o.input || !o.output) throw new Error('interactive init needs input and output streams');
    const asker = new Asker(o.input, o.output);
    try {
      upstream = await asker.ask('Application repository (owner/repo) that builds the image', upstream);
      image = await asker.ask('Image', image ?? (upstream ? `ghcr.io/${upstream.toLowerCase()}` : undefined));
      downstream = await asker.ask('GitOps repository (owner/repo)', downstream);
      const names = (await asker.ask('Environments (comma-separated)', proposals.map((p) => p.name).join(',')))
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const chosen: ProposedEnvironment[] = [];
      for (const name of names) {
        const proposal = proposals.find((p) => p.name === name);
        const tag = await asker.ask(`Tag pattern for ${name} (full match)`, proposal?.tag ?? defaultTagFor(name));
        const files = await asker.ask(`Files for ${name}`, proposal?.files ?? `environments/${name}/values.yaml`);
        chosen.push({ name, tag, files, ...(proposal?.yamlPath ? { yamlPath: proposal.yamlPath } : {}) });
      }
      proposals = chosen;
    } finally {
      asker.close();
    }
  } else if (upstream && !image) {
    image = `ghcr.io/${upstream.toLowerCase()}`;
  }
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

  const info = packageInfo();
  const schema =
    o.schema ?? `https://raw.githubusercontent.com/${info.repository}/v${info.version}/generator/config.schema.json`;
  const contents = renderStarterConfig({
    schema,
    upstream: upstream!,
    image: image!,
    downstream: downstream!,
    environments: proposals,
  });
  // Never write a config that `generate` would reject.
  parseConfig(contents, relative(o.cwd, path) || out);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, contents);
  return { path, contents };
}
