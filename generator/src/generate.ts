import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { type Problem, UserError } from '../../core/errors.js';
import { RUN_NAME_EXPRESSION } from '../../core/github/index.js';
import { workflowProblems } from './check-workflow.js';
import type { Config, EnvironmentConfig } from './config.js';
import { environmentExpression, metadataLine } from './flows.js';
import { packageRoot } from './paths.js';
import { PINNED_ACTIONS, render } from './render.js';
import { nativeRules } from './rules.js';

export interface GeneratedFile {
  /** Path relative to the command's cwd, or absolute. */
  path: string;
  /** Text for generated files; bytes for vendored ones (a bundle may hold binary assets). */
  contents: string | Buffer;
  /** `generated` files carry a checksum line, so an untouched one can be rewritten when the config changes. */
  kind: 'generated' | 'vendored';
  /** Receivers: the image whose tags this file routes (see imageOfGenerated). */
  image?: string;
}

/** Where each side's files go; `setup` is the path of SETUP.md. */
export interface Layout {
  upstream?: string;
  downstream?: string;
  setup: string;
}

export const UPSTREAM_WORKFLOW = '.github/workflows/gitops-dispatch.yml';

export function downstreamWorkflowPath(config: Config): string {
  return `.github/workflows/${config.downstream.workflow}`;
}

/** Marks a receiver with the image it routes, so generating another app's config over it is refused. */
const IMAGE_MARKER = '# gitops-dispatch-image: ';

export function imageOfGenerated(text: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith(IMAGE_MARKER));
  return line === undefined ? undefined : line.slice(IMAGE_MARKER.length).trim();
}
export const VENDORED_DISPATCH = '.github/actions/gitops-dispatch';
/** The repository variable holding the GitHub App's ID (token: app), in both repositories. */
export const APP_ID_VARIABLE = 'GITOPS_DISPATCH_APP_ID';
export const VENDORED_RECEIVE = '.github/actions/gitops-receive';

/** `--out D`: D/upstream/..., D/downstream/..., D/SETUP.md. */
export function outLayout(out: string): Layout {
  return { upstream: join(out, 'upstream'), downstream: join(out, 'downstream'), setup: join(out, 'SETUP.md') };
}

/**
 * `--upstream-dir`/`--downstream-dir`: SETUP.md goes with the upstream checkout (that is where the secret is set),
 * in a folder named after the application, so several applications sharing one GitOps checkout keep one each.
 */
export function checkoutLayout(app: string, upstream?: string, downstream?: string): Layout {
  const home = upstream ?? downstream;
  if (!home) throw new Error('checkoutLayout needs at least one directory');
  return {
    ...(upstream ? { upstream } : {}),
    ...(downstream ? { downstream } : {}),
    setup: join(home, setupPathIn(app)),
  };
}

/** Where SETUP.md of an application goes inside a checkout. */
export function setupPathIn(app: string): string {
  return posix.join('.github', 'gitops-dispatch', app, 'SETUP.md');
}

/** The application's short name: the upstream repository name. */
export function appName(config: Config): string {
  return config.upstream.repository.split('/')[1]!;
}

const CHECKSUM = /\n(?:# |<!-- )gitops-dispatch-checksum: sha256:([0-9a-f]{16})(?: -->)?\n$/;

/** An action reference line: `uses: owner/repo/path@ref # comment`. */
const USES = /^(\s*(?:-\s+)?uses:\s*)([^@\s#]+)@(\S+)((?:\s+#.*)?)$/gm;

/**
 * The checksum leaves out the ref and version comment of every `uses:` line: a bump of a pinned SHA (Dependabot,
 * Renovate) does not make a generated file count as edited by hand.
 */
function checksum(body: string): string {
  return createHash('sha256')
    .update(body.replace(USES, (_, head: string, action: string) => `${head}${action}@`))
    .digest('hex')
    .slice(0, 16);
}

/** Checksum of the whole body, as files generated before pins were left out carry it. */
function rawChecksum(body: string): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}

/** The version a ref or its comment names (`v5.7.0`, `@v0`), for comparing pins; undefined when none. */
function pinVersion(ref: string, comment: string): number[] | undefined {
  const m =
    /v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(comment.replace(/^\s*#\s*/, '')) ??
    /^v(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(ref);
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

const newer = (a: number[], b: number[]) => {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return false;
};

/**
 * Keeps the user's choice of version: each `uses:` of `generated` takes the ref and comment of the same action in
 * `existing` when those name a newer version (a Dependabot bump), so regenerating neither reverts the bump nor
 * counts it as drift. The checksum line stays valid (it leaves pins out).
 */
export function adoptPins(generated: string, existing: string): string {
  const theirs = new Map<string, { ref: string; comment: string }>();
  for (const m of existing.matchAll(USES)) theirs.set(m[2]!, { ref: m[3]!, comment: m[4] ?? '' });
  return generated.replace(USES, (line, head: string, action: string, ref: string, comment: string) => {
    const other = theirs.get(action);
    if (!other || (other.ref === ref && other.comment === comment)) return line;
    const mine = pinVersion(ref, comment ?? '');
    const bumped = pinVersion(other.ref, other.comment);
    return mine && bumped && newer(bumped, mine) ? `${head}${action}@${other.ref}${other.comment}` : line;
  });
}

function withChecksum(body: string, markdown: boolean): string {
  const sum = checksum(body);
  return `${body}${markdown ? `<!-- gitops-dispatch-checksum: sha256:${sum} -->` : `# gitops-dispatch-checksum: sha256:${sum}`}\n`;
}

/** True when `text` is generated output nobody has edited since (its checksum line still matches its body). */
export function isUntouchedGenerated(text: string): boolean {
  const m = CHECKSUM.exec(text);
  if (!m) return false;
  const body = text.slice(0, m.index + 1);
  return checksum(body) === m[1] || rawChecksum(body) === m[1];
}

function header(config: Config): string {
  return `Generated by gitops-dispatch from ${config.sourceFromRoot}. Change the config and run 'gitops-dispatch generate' again; hand edits are refused unless --force.`;
}

/** The docker/metadata-action `tags:` line that builds exactly this environment's tag on its own refs. */
export function metadataTag(env: EnvironmentConfig, config: Config): string {
  return metadataLine(env, config.environments);
}

/** The dispatch step's deployment inputs, or false; refused when the ref cannot tell the environments apart. */
function deploymentInputs(config: Config): false | { environment: string; production: string } {
  if (!config.upstream.deployment) return false;
  const environment = environmentExpression(config.environments);
  const production = environmentExpression(config.environments, (f) =>
    (f as EnvironmentConfig).production ? "'true'" : "'false'",
  );
  if (environment === undefined || production === undefined) {
    throw new UserError({
      code: 'config/deployment-environment',
      input: 'upstream.deployment',
      message:
        "'upstream.deployment' is true, but environments sharing a tag trigger whose prefix contains '-' cannot be told apart from the pushed ref; expected distinct 'on' triggers for them, or deployment: false",
    });
  }
  return {
    environment: `\${{ ${environment} }}`,
    production: `\${{ ${production.replace(/ \|\| ''$/, " || 'false'")} }}`,
  };
}

function actionUses(config: Config, which: 'dispatch' | 'receive'): string {
  if (config.actions.kind === 'vendor') return `./${which === 'dispatch' ? VENDORED_DISPATCH : VENDORED_RECEIVE}`;
  const [pinned, comment] = config.actions.ref.split(' # ');
  const [repo, ref] = pinned!.split('@') as [string, string];
  return `${repo}/${which}-action@${ref}${comment ? ` # ${comment}` : ''}`;
}

const md = (s: string) => s.replace(/\|/g, '\\|');
const mermaid = (s: string) => s.replace(/"/g, '#quot;');

function editText(env: EnvironmentConfig): string {
  if (env.edit.kind === 'yaml-path') return `YAML \`${md(env.edit.path)}\``;
  if (env.edit.kind === 'regex') return `regex \`${md(env.edit.regex)}\``;
  return `kustomize image \`${md(env.edit.image)}\``;
}

function setupData(config: Config, layout: Layout) {
  const [downstreamOwner, downstreamName] = config.downstream.repository.split('/') as [string, string];
  const ghcr = config.upstream.registry === 'ghcr.io';
  const prEnvs = config.environments.filter((e) => e.pullRequest).map((e) => e.name);
  const app = config.token === 'app';
  const secretRows: { name: string; repo: string; what: string; usedBy: string; command: string }[] = app
    ? [config.upstream.repository, config.downstream.repository].map((repo) => ({
        name: config.secrets.appKey,
        repo,
        what: 'private key of the GitHub App (step 1), the whole .pem file',
        usedBy:
          repo === config.upstream.repository ? 'token step before the dispatch' : 'token step before the receiver',
        command: `gh secret set ${config.secrets.appKey} --repo ${repo} < private-key.pem`,
      }))
    : [
        {
          name: config.secrets.token,
          repo: config.upstream.repository,
          what: `fine-grained token for \`${config.downstream.repository}\` (step 1)`,
          usedBy: 'dispatch step (`token`)',
          command: `gh secret set ${config.secrets.token} --repo ${config.upstream.repository}`,
        },
      ];
  if (config.argocd) {
    secretRows.push({
      name: config.secrets.argocdToken,
      repo: config.downstream.repository,
      what: `Argo CD API token of an account that may sync ${Object.values(config.argocd.apps)
        .map((a) => `\`${a}\``)
        .join(', ')} on \`${config.argocd.server}\``,
      usedBy: 'receiver (`argocd-token`)',
      command: `gh secret set ${config.secrets.argocdToken} --repo ${config.downstream.repository}`,
    });
  }
  if (!ghcr) {
    for (const [name, what] of [
      [config.secrets.registryUsername, `user name for \`${config.upstream.registry}\``],
      [config.secrets.registryPassword, `password or access token with push rights on \`${config.upstream.image}\``],
    ] as const) {
      secretRows.push({
        name,
        repo: config.upstream.repository,
        what,
        usedBy: 'registry login',
        command: `gh secret set ${name} --repo ${config.upstream.repository}`,
      });
    }
  }
  return {
    headerText: header(config),
    upstream: config.upstream.repository,
    downstream: config.downstream.repository,
    downstreamOwner,
    downstreamName,
    downstreamBranch: config.downstream.branch,
    image: config.upstream.image,
    registry: config.upstream.registry,
    ghcr,
    eventType: config.eventType,
    secrets: config.secrets,
    secretRows,
    pins: PINNED_ACTIONS,
    appToken: app,
    appIdVariable: APP_ID_VARIABLE,
    apiCommit: config.commitMethod === 'api',
    wait: config.upstream.wait,
    deployment: config.upstream.deployment,
    productionEnvironments:
      config.environments
        .filter((e) => e.production)
        .map((e) => e.name)
        .join(', ') || 'none',
    argocd: config.argocd
      ? {
          ...config.argocd,
          apps: Object.entries(config.argocd.apps).map(([env, app]) => ({ env, app })),
        }
      : false,
    vendor: config.actions.kind === 'vendor',
    configPath: config.sourceFromRoot,
    downstreamWorkflowFile: config.downstream.workflow,
    upstreamWorkflowPath: UPSTREAM_WORKFLOW,
    downstreamWorkflowPath: downstreamWorkflowPath(config),
    pullRequests: prEnvs.length > 0,
    prEnvironments: prEnvs.join(', '),
    environments: config.environments.map((env) => ({
      name: env.name,
      tagMd: md(env.tag),
      mermaidTag: mermaid(env.tag),
      mermaidFiles: mermaid(env.files.join(', ')),
      exampleTag: env.builtTag,
      builtFrom: `push of ${env.on.kind} \`${env.on.pattern}\` (from ${env.from}), e.g. \`${env.exampleRef.replace(/^refs\/(heads|tags)\//, '')}\``,
      filesText: env.files.map((f) => `\`${md(f)}\``).join(', '),
      editText: editText(env),
      pullRequest: env.pullRequest,
    })),
    layout,
  };
}

/** Files of one action to vendor: action.yml, README.md when present, and everything under dist/. */
function vendoredFiles(action: 'dispatch-action' | 'receive-action', target: string, from: string): GeneratedFile[] {
  const root = join(from, action);
  const problems = ['action.yml', 'dist/index.js'].filter((f) => !existsSync(join(root, f)));
  if (problems.length > 0) {
    throw new UserError({
      code: 'config/vendor-missing',
      input: 'actions.vendor',
      message: `'actions.vendor' is true, but ${problems.map((p) => `${action}/${p}`).join(' and ')} is missing from the gitops-dispatch package at ${root}; expected a built package (npm run build)`,
    });
  }
  const out: GeneratedFile[] = [];
  const add = (rel: string) =>
    out.push({ path: join(target, rel), contents: readFileSync(join(root, rel)), kind: 'vendored' });
  add('action.yml');
  if (existsSync(join(root, 'README.md'))) add('README.md');
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const child = posix.join(rel, name);
      if (statSync(join(root, child)).isDirectory()) walk(child);
      else add(child);
    }
  };
  walk('dist');
  return out;
}

/** Config -> the files it gives. Pure apart from reading templates (and the actions when vendoring). */
export interface GenerateExtras {
  /** Where dispatch-action/ and receive-action/ are vendored from; default this package's root. */
  actionsRoot?: string;
}

export function generate(config: Config, layout: Layout, extras: GenerateExtras = {}): GeneratedFile[] {
  const actionsRoot = extras.actionsRoot ?? packageRoot();
  const files: GeneratedFile[] = [];
  const yamlHeader = `# ${header(config)}`;
  const vendor = config.actions.kind === 'vendor';
  if (layout.upstream) {
    const branches = [...new Set(config.environments.flatMap((e) => (e.on.kind === 'branch' ? [e.on.pattern] : [])))];
    const tags = [...new Set(config.environments.flatMap((e) => (e.on.kind === 'tag' ? [e.on.pattern] : [])))];
    const body = render('upstream-workflow.yml', {
      header: yamlHeader,
      branches,
      tags,
      image: config.upstream.image,
      registry: config.upstream.registry,
      ghcr: config.upstream.registry === 'ghcr.io',
      secrets: config.secrets,
      context: config.upstream.context ?? '.',
      dockerfile: config.upstream.dockerfile ?? '',
      metaTags: config.environments.map((e) => metadataTag(e, config)).join('\n'),
      pins: PINNED_ACTIONS,
      downstream: config.downstream.repository,
      downstreamOwner: config.downstream.repository.split('/')[0],
      downstreamName: config.downstream.repository.split('/')[1],
      appToken: config.token === 'app',
      appIdVariable: APP_ID_VARIABLE,
      eventType: config.eventType,
      dispatchUses: actionUses(config, 'dispatch'),
      wait: config.upstream.wait,
      deployment: deploymentInputs(config),
    });
    files.push({
      path: join(layout.upstream, UPSTREAM_WORKFLOW),
      contents: withChecksum(body, false),
      kind: 'generated',
    });
    if (vendor) files.push(...vendoredFiles('dispatch-action', join(layout.upstream, VENDORED_DISPATCH), actionsRoot));
  }
  if (layout.downstream) {
    const body = render('downstream-workflow.yml', {
      header: yamlHeader,
      runName: RUN_NAME_EXPRESSION,
      downstreamBranch: config.downstream.branch,
      eventType: config.eventType,
      pullRequests: config.environments.some((e) => e.pullRequest),
      appToken: config.token === 'app',
      appIdVariable: APP_ID_VARIABLE,
      secrets: config.secrets,
      apiCommit: config.commitMethod === 'api',
      noCheckout: vendor || config.commitMethod === 'api',
      argocd: config.argocd ?? false,
      vendor,
      pins: PINNED_ACTIONS,
      receiveUses: actionUses(config, 'receive'),
      rules: nativeRules(config),
    });
    const [first, ...rest] = body.split('\n');
    files.push({
      path: join(layout.downstream, downstreamWorkflowPath(config)),
      contents: withChecksum([first, `${IMAGE_MARKER}${config.upstream.image}`, ...rest].join('\n'), false),
      kind: 'generated',
      image: config.upstream.image,
    });
    if (vendor) files.push(...vendoredFiles('receive-action', join(layout.downstream, VENDORED_RECEIVE), actionsRoot));
  }
  files.push({
    path: layout.setup,
    contents: withChecksum(render('SETUP.md', setupData(config, layout)), true),
    kind: 'generated',
  });
  checkGenerated(files);
  return files;
}

/** Refuses output that is not the workflow it should be (see workflowProblems); nothing is written then. */
export function checkGenerated(files: GeneratedFile[]): void {
  const problems: Problem[] = [];
  for (const file of files) {
    if (file.kind !== 'generated' || !file.path.includes(`${posix.sep}workflows${posix.sep}`)) continue;
    for (const message of workflowProblems(file.contents.toString())) {
      problems.push({
        code: 'generate/invalid-workflow',
        message: `${file.path}: ${message}; nothing was written. A config value reached the workflow unchecked: please report this with your config`,
      });
    }
  }
  if (problems.length > 0) throw new UserError(problems);
}
