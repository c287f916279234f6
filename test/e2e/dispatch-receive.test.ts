/**
 * Issue 6, end to end: the generated pair works together. The generator's output for a config is read the way
 * GitHub would run it: the upstream workflow's dispatch step `with:` evaluated by GitHub's expression evaluator over
 * a push event (and the docker steps' outputs for that push), dispatch-action/action.yml run with those inputs
 * against the loopback API; the request turned into the repository_dispatch event GitHub delivers; the downstream
 * workflow's receive step evaluated over that event and receive-action/action.yml run against a bare GitOps
 * repository served over authenticated HTTP. Only the committed bundles and action.yml files run: nothing is
 * mocked between the two sides.
 */

import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { DISPATCH_ID_PATTERN, dispatchTitleToken, RUN_NAME_EXPRESSION } from '../../core/github/runs.js';
import { loadConfig } from '../../generator/src/config.js';
import { downstreamWorkflowPath, generate, outLayout, UPSTREAM_WORKFLOW } from '../../generator/src/generate.js';
import { runMetadata } from '../../generator/src/metadata.js';
import { writeFiles } from '../../generator/src/write.js';
import { dispatchActionDir, receiveActionDir } from '../support/actions.js';
import { startArgoCd } from '../support/argocd-api.js';
import { type CompositeRunResult, checkoutStub, runCompositeAction, type UsesStub } from '../support/composite.js';
import {
  bareRemote,
  cloneRemote,
  git,
  readTree,
  remoteLog,
  startGitHttpServer,
  tempDir,
  tryGit,
} from '../support/git.js';
import { type GitHubApi, type RecordedRequest, type StoredRun, startGitHubApi } from '../support/github-api.js';
import {
  allSteps,
  type Contexts,
  contextReferences,
  evaluateIf,
  evaluateWith,
  interpolate,
  parseWorkflow,
  stepUsing,
  type Workflow,
} from './workflow.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DISPATCH_ACTION = dispatchActionDir;
const RECEIVE_ACTION = receiveActionDir;
const EXAMPLE_CONFIG = join(ROOT, 'examples', 'gitops-dispatch.yml');
const EXAMPLE_REPO = join(ROOT, 'examples', 'gitops-repo');
const ACTIONS_REF = 'gitops-dispatch/gitops-dispatch@v0';

// Three different credentials, as on GitHub: the upstream's secret PAT, the upstream run's own token (registry
// login), the GitOps repository run's own token (checkout, push, pull request).
const DISPATCH_TOKEN = 'github_pat_11E2E0000dispatchSecretValue_q9Zx';
const UPSTREAM_RUN_TOKEN = 'ghs_e2eUpstreamRunToken000000000000000000';
const GITOPS_TOKEN = 'ghs_e2eGitopsRepoRunToken0000000000000000';
const SECRETS = [DISPATCH_TOKEN, UPSTREAM_RUN_TOKEN, GITOPS_TOKEN];

// What the seed's hand-built JSON broke on: quotes of both kinds and a blank line.
const HEAD_COMMIT_MESSAGE = 'fix: handle "quoted" and \'single\' names\n\nBody after a blank line: a "b" \\ c';
const PUSH_SHA = '8d3b6f1e2a4c5d6e7f8091a2b3c4d5e6f7a8b9c0';
const DIGEST = `sha256:${'4b1e9c0d2f3a5b6c'.repeat(4)}`;
const SLEEP_ENV = { GITOPS_DISPATCH_TEST_ONLY_SLEEP_SCALE: '0' };

// ---- generation --------------------------------------------------------------------------------------------

interface Generated {
  upstreamRepository: string;
  downstreamRepository: string;
  image: string;
  upstream: Workflow;
  downstream: Workflow;
  setup: string;
}

async function generateFrom(configFile: string): Promise<Generated> {
  const config = await loadConfig(configFile, ROOT, { actionsRef: ACTIONS_REF });
  // generate() returns data; nothing is written (the layout only names paths).
  const files = generate(config, outLayout('generated'));
  const text = (suffix: string) => {
    const file = files.find((f) => f.path.endsWith(suffix));
    if (!file) throw new Error(`generate() gave no ${suffix}`);
    return String(file.contents);
  };
  return {
    upstreamRepository: config.upstream.repository,
    downstreamRepository: config.downstream.repository,
    image: config.upstream.image,
    upstream: parseWorkflow(text(UPSTREAM_WORKFLOW)),
    downstream: parseWorkflow(text(downstreamWorkflowPath(config))),
    setup: text('SETUP.md'),
  };
}

async function configVariant(from: string, edit: (text: string) => string): Promise<string> {
  const dir = await tempDir('e2e-config-');
  const file = join(dir, 'gitops-dispatch.yml');
  const text = await readFile(from, 'utf8');
  const changed = edit(text);
  expect(changed).not.toBe(text);
  await writeFile(file, changed);
  return file;
}

function downstreamTypes(workflow: Workflow): string[] {
  const on = workflow.on.repository_dispatch as { types?: string[] } | null;
  return on?.types ?? [];
}

// ---- the upstream run --------------------------------------------------------------------------------------

type GitHubCtx = Record<string, unknown> & { repository: string; ref: string; ref_name: string; sha: string };

/** The `github` context of a push run, with a push event shaped like GitHub's. */
function pushContext(repository: string, ref: string): GitHubCtx {
  const [owner = '', name = ''] = repository.split('/');
  const refName = ref.replace(/^refs\/(heads|tags)\//, '');
  const author = { name: 'Mona Lisa', email: 'mona@example.com', username: 'octocat' };
  const headCommit = {
    id: PUSH_SHA,
    tree_id: 'c4a2f1e0d9b8a7f6e5d4c3b2a1908f7e6d5c4b3a',
    distinct: true,
    message: HEAD_COMMIT_MESSAGE,
    timestamp: '2024-05-06T07:08:09Z',
    url: `https://github.com/${repository}/commit/${PUSH_SHA}`,
    author,
    committer: author,
    added: [],
    removed: [],
    modified: ['src/app.ts'],
  };
  return {
    event_name: 'push',
    event: {
      ref,
      before: '1'.repeat(40),
      after: PUSH_SHA,
      created: ref.startsWith('refs/tags/'),
      deleted: false,
      forced: false,
      base_ref: null,
      compare: `https://github.com/${repository}/compare/111111111111...${PUSH_SHA.slice(0, 12)}`,
      commits: ref.startsWith('refs/tags/') ? [] : [headCommit],
      head_commit: headCommit,
      pusher: { name: 'octocat', email: 'mona@example.com' },
      repository: {
        id: 1296269,
        name,
        full_name: repository,
        owner: { login: owner, id: 9919, type: 'Organization' },
        default_branch: 'main',
        html_url: `https://github.com/${repository}`,
      },
      sender: { login: 'octocat', id: 583231, type: 'User' },
    },
    repository,
    repository_owner: owner,
    ref,
    ref_name: refName,
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha: PUSH_SHA,
    actor: 'octocat',
    triggering_actor: 'octocat',
    run_id: '9876543210',
    run_number: '42',
    run_attempt: '1',
    workflow: 'gitops-dispatch',
    job: 'build-and-dispatch',
    server_url: 'https://github.com',
    token: UPSTREAM_RUN_TOKEN,
  };
}

/**
 * The outputs docker/metadata-action and docker/build-push-action give for this push: the meta step's `tags:`
 * lines are evaluated (each has `enable=${{ <ref condition> }}`), exactly one must be enabled, and its tag is
 * made the way metadata-action makes that type (sha long, semver {{version}}, ref), with prefix and suffix.
 */
function dockerStepOutputs(upstream: Workflow, contexts: Contexts, push: GitHubCtx, image: string) {
  const meta = allSteps(upstream).find((s) => s.id === 'meta');
  const build = allSteps(upstream).find((s) => s.id === 'build');
  expect(meta?.uses).toMatch(/^docker\/metadata-action@/);
  expect(build?.uses).toMatch(/^docker\/build-push-action@/);
  expect(meta?.with?.images).toBe(image);
  const lines = interpolate(String(meta?.with?.tags ?? ''), contexts)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const attrs = lines.map((line) => {
    const [type, ...rest] = line.split(',');
    return {
      type: type ?? '',
      ...Object.fromEntries(rest.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
    } as Record<string, string>;
  });
  for (const a of attrs) expect(['true', 'false']).toContain(a.enable);
  const enabled = attrs.filter((a) => a.enable === 'true');
  expect(enabled, `one tag line enabled for ${push.ref}`).toHaveLength(1);
  // The tag as docker/metadata-action makes it from these lines (generator/src/metadata.ts, from the action's source).
  const made = runMetadata(lines, { ref: push.ref, sha: push.sha });
  expect(made.values, `one tag for ${push.ref}`).toHaveLength(1);
  const version = made.version;
  return {
    meta: {
      outcome: 'success',
      conclusion: 'success',
      outputs: {
        version,
        tags: `${image}:${version}`,
        labels: `org.opencontainers.image.revision=${push.sha}`,
      },
    },
    build: {
      outcome: 'success',
      conclusion: 'success',
      outputs: { digest: DIGEST, imageid: `sha256:${'0'.repeat(64)}`, metadata: '{}' },
    },
  };
}

interface UpstreamRun {
  tag: string;
  inputs: Record<string, string>;
  result: CompositeRunResult;
  request: RecordedRequest;
}

/** The generated upstream workflow's dispatch step, evaluated and run for `push`, against `api`. */
async function runUpstream(
  gen: Generated,
  push: GitHubCtx,
  api: GitHubApi,
  options: { extraInputs?: (inputs: Record<string, string>) => Record<string, string> } = {},
): Promise<UpstreamRun> {
  const baseContexts: Contexts = {
    github: push,
    secrets: { GITHUB_TOKEN: UPSTREAM_RUN_TOKEN, GITOPS_DISPATCH_TOKEN: DISPATCH_TOKEN },
    env: {},
    vars: {},
    job: { status: 'success' },
    runner: { os: 'Linux', arch: 'X64', name: 'e2e-runner', environment: 'github-hosted' },
  };
  const steps = dockerStepOutputs(gen.upstream, baseContexts, push, gen.image);
  const contexts: Contexts = { ...baseContexts, steps };
  const dispatch = stepUsing(gen.upstream, 'dispatch-action');
  expect(evaluateIf(dispatch.if, contexts), 'the dispatch step runs for this push').toBe(true);
  const evaluated = evaluateWith(dispatch, contexts);
  const inputs = options.extraInputs ? options.extraInputs(evaluated) : evaluated;

  const before = api.requests.length;
  const result = await runCompositeAction({
    actionDir: DISPATCH_ACTION,
    workspace: await tempDir('e2e-upstream-'),
    inputs,
    github: { ...push, api_url: api.url },
    env: SLEEP_ENV,
    // The runner masks every secret a step receives.
    secrets: [DISPATCH_TOKEN, UPSTREAM_RUN_TOKEN],
  });
  expect(result.exitCode, result.log).toBe(0);
  const sent = api.requests.slice(before);
  if (!options.extraInputs) expect(sent.map((r) => r.operationId)).toEqual(['repos/create-dispatch-event']);
  const request = sent.find((r) => r.operationId === 'repos/create-dispatch-event')!;
  return { tag: steps.meta.outputs.version, inputs, result, request };
}

// ---- GitHub in between ---------------------------------------------------------------------------------------

/**
 * The repository_dispatch event GitHub delivers for a dispatches request, shaped like GitHub's published example
 * (webhook-repository-dispatch-sample: action, branch, client_payload, repository, sender, installation).
 */
function repositoryDispatchEvent(request: RecordedRequest, defaultBranch: string): Record<string, unknown> {
  const { owner = '', repo = '' } = request.params;
  const full = `${owner}/${repo}`;
  // The body exactly as it was sent (rawBody), so the receiver sees the bytes the sender serialised.
  const body = JSON.parse(request.rawBody) as { event_type: string; client_payload: Record<string, unknown> };
  const ownerObject = {
    login: owner,
    id: 6811672,
    node_id: 'O_kgDOAGfv2A',
    type: 'Organization',
    site_admin: false,
    html_url: `https://github.com/${owner}`,
    url: `https://api.github.com/users/${owner}`,
  };
  return {
    action: body.event_type,
    branch: defaultBranch,
    client_payload: body.client_payload,
    repository: {
      id: 17273051,
      node_id: 'R_kgDOAQesmw',
      name: repo,
      full_name: full,
      private: true,
      owner: ownerObject,
      html_url: `https://github.com/${full}`,
      url: `https://api.github.com/repos/${full}`,
      default_branch: defaultBranch,
      visibility: 'private',
    },
    organization: { login: owner, id: ownerObject.id, node_id: ownerObject.node_id },
    sender: { login: 'octocat', id: 583231, node_id: 'MDQ6VXNlcjU4MzIzMQ==', type: 'User', site_admin: false },
    installation: { id: 1, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' },
  };
}

// ---- the downstream run --------------------------------------------------------------------------------------

interface GitOpsRemote {
  bare: string;
  url: string;
  repository: string;
}

async function gitopsRemote(repository: string, tree: Record<string, string>): Promise<GitOpsRemote> {
  const root = await tempDir('e2e-git-http-');
  const { bare } = await bareRemote(tree, { at: join(root, `${repository}.git`) });
  const server = await startGitHttpServer({ root, token: GITOPS_TOKEN });
  closers.push(() => server.close());
  return { bare, url: `${server.url}/${repository}.git`, repository };
}

function downstreamContexts(remote: GitOpsRemote, event: Record<string, unknown>, head: string, api: GitHubApi) {
  const [owner = ''] = remote.repository.split('/');
  const github = {
    event_name: 'repository_dispatch',
    event,
    repository: remote.repository,
    repository_owner: owner,
    ref: 'refs/heads/main',
    ref_name: 'main',
    ref_type: 'branch',
    sha: head,
    actor: 'octocat',
    triggering_actor: 'octocat',
    run_id: '5550001',
    run_number: '7',
    run_attempt: '1',
    workflow: 'gitops-receive',
    job: 'update',
    server_url: 'https://github.com',
    api_url: api.url,
    token: GITOPS_TOKEN,
  };
  const contexts: Contexts = {
    github,
    secrets: { GITHUB_TOKEN: GITOPS_TOKEN },
    env: {},
    vars: {},
    job: { status: 'success' },
    steps: {},
  };
  return { github, contexts };
}

/** The generated downstream workflow, triggered by `event`, its receive step run against `remote`. */
async function runDownstream(
  gen: Generated,
  event: Record<string, unknown>,
  remote: GitOpsRemote,
  api: GitHubApi,
  afterCheckout?: () => Promise<void>,
  options: { extraInputs?: (inputs: Record<string, string>) => Record<string, string>; secrets?: string[] } = {},
): Promise<{ result: CompositeRunResult; inputs: Record<string, string> }> {
  // GitHub starts the workflow only when the event's type is one it lists.
  expect(downstreamTypes(gen.downstream)).toContain(event.action);
  const head = await git(remote.bare, 'rev-parse', 'refs/heads/main');
  const { github, contexts } = downstreamContexts(remote, event, head, api);
  const receive = stepUsing(gen.downstream, 'receive-action');
  expect(evaluateIf(receive.if, contexts)).toBe(true);
  const evaluated = evaluateWith(receive, contexts);
  const inputs = options.extraInputs ? options.extraInputs(evaluated) : evaluated;
  const checkout = checkoutStub({ remoteUrl: remote.url, token: GITOPS_TOKEN });
  const uses: Record<string, UsesStub> = {
    'actions/checkout': async (ctx) => {
      await checkout(ctx);
      await afterCheckout?.();
    },
  };
  const result = await runCompositeAction({
    actionDir: RECEIVE_ACTION,
    workspace: await tempDir('e2e-downstream-'),
    inputs,
    github,
    uses,
    env: SLEEP_ENV,
    secrets: [GITOPS_TOKEN, ...(options.secrets ?? [])],
  });
  return { result, inputs };
}

// ---- assertions --------------------------------------------------------------------------------------------

async function treeOf(bare: string, branch: string): Promise<Record<string, string>> {
  return readTree(await cloneRemote(bare, { branch }));
}

/** `text` with its single `"old"` replaced by `"new"`; fails when the quoted old value is not there exactly once. */
function withTag(text: string, oldTag: string, newTag: string): string {
  const quoted = `"${oldTag}"`;
  expect(text.split(quoted)).toHaveLength(2);
  return text.replace(quoted, () => `"${newTag}"`);
}

async function trailersOf(message: string, cwd: string): Promise<Record<string, string>> {
  const parsed = await tryGit(cwd, ['interpret-trailers', '--parse'], { input: message });
  expect(parsed.exitCode).toBe(0);
  const out: Record<string, string> = {};
  for (const line of parsed.stdout.split('\n').filter(Boolean)) {
    const i = line.indexOf(':');
    out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

async function expectLandedCommit(
  remote: GitOpsRemote,
  branch: string,
  o: { file: string; tag: string; gitBranch: string; upstream: string; image: string },
) {
  const [commit] = await remoteLog(remote.bare, branch);
  expect(commit?.files).toEqual([o.file]);
  const message = await git(remote.bare, 'log', '-1', '--format=%B', `refs/heads/${branch}`);
  // The receiver's default template, over the payload sent: tag, branch and the full upstream message.
  expect(
    message.startsWith(`Branch ${o.gitBranch} led to updated Docker image '${o.tag}': ${HEAD_COMMIT_MESSAGE}`),
  ).toBe(true);
  expect(await trailersOf(message, remote.bare)).toEqual({
    'Source-Repository': o.upstream,
    'Source-Commit': PUSH_SHA,
    'Source-Run': `https://github.com/${o.upstream}/actions/runs/9876543210`,
    'Source-Image': o.image,
  });
  for (const secret of SECRETS) expect(message).not.toContain(secret);
}

function expectNoSecretLeak(...results: CompositeRunResult[]) {
  for (const r of results) {
    const visible = [r.log, r.summary, JSON.stringify(r.outputs), ...r.annotations.map((a) => a.message)].join('\n');
    for (const secret of SECRETS) expect(visible).not.toContain(secret);
  }
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function apis(downstreamRepository: string): Promise<{ upstreamApi: GitHubApi; downstreamApi: GitHubApi }> {
  const repositories = { [downstreamRepository]: { defaultBranch: 'main' } };
  const upstreamApi = await startGitHubApi({ token: DISPATCH_TOKEN, repositories });
  const downstreamApi = await startGitHubApi({ token: GITOPS_TOKEN, repositories });
  closers.push(
    () => upstreamApi.close(),
    () => downstreamApi.close(),
  );
  return { upstreamApi, downstreamApi };
}

let exampleTree: Record<string, string>;
let example: Generated;
beforeAll(async () => {
  exampleTree = await readTree(EXAMPLE_REPO);
  example = await generateFrom(EXAMPLE_CONFIG);
});

// ---- the tests -----------------------------------------------------------------------------------------------

describe('generated pair, end to end (examples/gitops-dispatch.yml)', () => {
  // A config that uses every secret the upstream can reference: a registry other than ghcr.io, renamed secrets.
  const OTHER_REGISTRY = [
    'upstream: { repository: acme/shop, image: registry.example.com:5000/acme/shop }',
    'downstream: { repository: acme/shop-gitops }',
    'event-type: shop-image-pushed',
    'secrets: { token: SHOP_DISPATCH_PAT, registry-username: SHOP_REGISTRY_USER, registry-password: SHOP_REGISTRY_PASS }',
    'environments:',
    '  dev: { tag: ".*-dev", files: environments/dev/values.yaml }',
    '  prod: { tag: ".*-stable", files: environments/prod/values.yaml }',
    '',
  ].join('\n');

  it.each([
    ['examples/gitops-dispatch.yml', ['GITHUB_TOKEN', 'GITOPS_DISPATCH_TOKEN']],
    [
      'a docker registry config with renamed secrets',
      ['SHOP_DISPATCH_PAT', 'SHOP_REGISTRY_PASS', 'SHOP_REGISTRY_USER'],
    ],
  ])(
    'the generated files of %s agree: secrets documented, step outputs exist, event types match',
    async (name, expectedSecrets) => {
      let gen = example;
      if (name !== 'examples/gitops-dispatch.yml') {
        const file = join(await tempDir('e2e-config-'), 'shop.yml');
        await writeFile(file, OTHER_REGISTRY);
        gen = await generateFrom(file);
      }
      const dispatch = stepUsing(gen.upstream, 'dispatch-action');
      const secrets = [
        ...new Set(
          contextReferences(gen.upstream)
            .filter((c) => c[0] === 'secrets')
            .map((c) => c[1]!),
        ),
      ].sort();
      expect(secrets).toEqual(expectedSecrets);
      for (const secret of secrets) {
        expect(gen.setup, `SETUP.md names ${secret}`).toContain(`\`${secret}\``);
        // GITHUB_TOKEN is made by GitHub for each run; every other secret needs a command that stores it.
        if (secret !== 'GITHUB_TOKEN') {
          expect(gen.setup).toContain(`gh secret set ${secret} --repo ${gen.upstreamRepository}`);
        }
      }

      const steps = allSteps(gen.upstream);
      const ids = steps.map((s) => s.id);
      const stepRefs = contextReferences(dispatch).filter((c) => c[0] === 'steps');
      expect(stepRefs.map((c) => c.join('.'))).toEqual(
        expect.arrayContaining(['steps.meta.outputs.version', 'steps.build.outputs.digest']),
      );
      for (const [, id, kind] of stepRefs) {
        expect(kind).toBe('outputs');
        // The step exists and runs before the dispatch step.
        const index = ids.indexOf(id);
        expect(index, `step id ${id}`).toBeGreaterThanOrEqual(0);
        expect(index).toBeLessThan(steps.indexOf(dispatch));
      }

      const eventType = dispatch.with?.['event-type'];
      expect(eventType).toBe(name === 'examples/gitops-dispatch.yml' ? 'update-gitops-repo' : 'shop-image-pushed');
      expect(downstreamTypes(gen.downstream)).toEqual([eventType]);
      expect(dispatch.with?.repository).toBe(gen.downstreamRepository);
      // The receiving side never puts the untrusted payload into a script; it reads the event file itself.
      for (const step of allSteps(gen.downstream)) expect(step.run ?? '').not.toContain('client_payload');
    },
  );

  it('a push to main: the dev tag is dispatched and lands in the dev file, nothing else changes', async () => {
    const { upstreamApi, downstreamApi } = await apis(example.downstreamRepository);
    const remote = await gitopsRemote(example.downstreamRepository, exampleTree);
    const before = await git(remote.bare, 'rev-parse', 'refs/heads/main');

    const up = await runUpstream(example, pushContext(example.upstreamRepository, 'refs/heads/main'), upstreamApi);
    expect(up.tag).toBe(`${PUSH_SHA}-dev`);
    expect(up.tag).toMatch(/^(?:.*-dev)$/);
    expect(up.inputs.token).toBe(DISPATCH_TOKEN);
    expect(upstreamApi.violations).toEqual([]);
    expect(up.request.params).toMatchObject({ owner: 'myorg', repo: 'myapp-gitops' });
    const body = up.request.body as { event_type: string; client_payload: Record<string, unknown> };
    expect(body.event_type).toBe(downstreamTypes(example.downstream)[0]);
    expect(body.client_payload).toEqual({
      docker_image_tag: up.tag,
      git_branch: 'main',
      commit_message: HEAD_COMMIT_MESSAGE,
      image: 'ghcr.io/myorg/myapp',
      digest: DIGEST,
      source: {
        repository: 'myorg/myapp',
        sha: PUSH_SHA,
        run_id: '9876543210',
        run_url: 'https://github.com/myorg/myapp/actions/runs/9876543210',
        actor: 'octocat',
        dispatch_id: expect.stringMatching(DISPATCH_ID_PATTERN),
      },
    });

    const event = repositoryDispatchEvent(up.request, 'main');
    const down = await runDownstream(example, event, remote, downstreamApi);
    expect(down.result.exitCode, down.result.log).toBe(0);
    expect(down.result.outputs).toMatchObject({
      total_modified_files: '1',
      'modified-files': JSON.stringify(['environments/dev/values.yaml']),
      environments: JSON.stringify(['dev']),
      pushed: 'true',
      'pull-request-url': '',
    });

    const log = await remoteLog(remote.bare, 'main');
    expect(log).toHaveLength(2);
    expect(log[1]?.sha).toBe(before);
    expect(down.result.outputs['commit-sha']).toBe(log[0]?.sha);
    const oldTag = '0000000000000000000000000000000000000000-dev';
    expect(await treeOf(remote.bare, 'main')).toEqual({
      ...exampleTree,
      'environments/dev/values.yaml': withTag(exampleTree['environments/dev/values.yaml']!, oldTag, up.tag),
    });
    await expectLandedCommit(remote, 'main', {
      file: 'environments/dev/values.yaml',
      tag: up.tag,
      gitBranch: 'main',
      upstream: 'myorg/myapp',
      image: 'ghcr.io/myorg/myapp',
    });
    // The receiver did not need GitHub's API for a direct push.
    expect(downstreamApi.requests).toEqual([]);
    expectNoSecretLeak(up.result, down.result);
  });

  it('a v1.2.3 tag with prod pushing directly (config variant): 1.2.3-stable lands in the prod file', async () => {
    const variant = await configVariant(EXAMPLE_CONFIG, (t) => t.replace('pull-request: true', 'pull-request: false'));
    const gen = await generateFrom(variant);
    const { upstreamApi, downstreamApi } = await apis(gen.downstreamRepository);
    const remote = await gitopsRemote(gen.downstreamRepository, exampleTree);

    const up = await runUpstream(gen, pushContext(gen.upstreamRepository, 'refs/tags/v1.2.3'), upstreamApi);
    expect(up.tag).toBe('1.2.3-stable');
    expect(upstreamApi.violations).toEqual([]);
    const down = await runDownstream(gen, repositoryDispatchEvent(up.request, 'main'), remote, downstreamApi);
    expect(down.result.exitCode, down.result.log).toBe(0);
    expect(down.result.outputs).toMatchObject({ environments: '["prod"]', pushed: 'true', 'pull-request-url': '' });

    expect(await treeOf(remote.bare, 'main')).toEqual({
      ...exampleTree,
      'environments/prod/values.yaml': withTag(exampleTree['environments/prod/values.yaml']!, '1.0.0-stable', up.tag),
    });
    await expectLandedCommit(remote, 'main', {
      file: 'environments/prod/values.yaml',
      tag: '1.2.3-stable',
      gitBranch: 'v1.2.3',
      upstream: 'myorg/myapp',
      image: 'ghcr.io/myorg/myapp',
    });
    expect(downstreamApi.requests).toEqual([]);
    expectNoSecretLeak(up.result, down.result);
  });

  it('a v1.2.3 tag with prod through a pull request (the example): PR opened, main untouched', async () => {
    const { upstreamApi, downstreamApi } = await apis(example.downstreamRepository);
    const remote = await gitopsRemote(example.downstreamRepository, exampleTree);
    const mainBefore = await git(remote.bare, 'rev-parse', 'refs/heads/main');

    const up = await runUpstream(example, pushContext(example.upstreamRepository, 'refs/tags/v1.2.3'), upstreamApi);
    expect(up.tag).toBe('1.2.3-stable');
    const down = await runDownstream(example, repositoryDispatchEvent(up.request, 'main'), remote, downstreamApi);
    expect(down.result.exitCode, down.result.log).toBe(0);
    expect(upstreamApi.violations).toEqual([]);
    expect(downstreamApi.violations).toEqual([]);

    // main did not move; the update waits on its own branch, one commit on top of main.
    expect(await git(remote.bare, 'rev-parse', 'refs/heads/main')).toBe(mainBefore);
    expect(downstreamApi.pulls.size).toBe(1);
    const pull = [...downstreamApi.pulls.values()][0]!;
    expect(pull).toMatchObject({ owner: 'myorg', repo: 'myapp-gitops', base: 'main', state: 'open' });
    expect(pull.head).not.toBe('main');
    expect(pull.title).toContain('1.2.3-stable');
    expect(down.result.outputs['pull-request-url']).toMatch(new RegExp(`/myorg/myapp-gitops/pull/${pull.number}$`));
    const branchLog = await remoteLog(remote.bare, pull.head);
    expect(branchLog).toHaveLength(2);
    expect(branchLog[1]?.sha).toBe(mainBefore);
    expect(await treeOf(remote.bare, pull.head)).toEqual({
      ...exampleTree,
      'environments/prod/values.yaml': withTag(exampleTree['environments/prod/values.yaml']!, '1.0.0-stable', up.tag),
    });
    await expectLandedCommit(remote, pull.head, {
      file: 'environments/prod/values.yaml',
      tag: '1.2.3-stable',
      gitBranch: 'v1.2.3',
      upstream: 'myorg/myapp',
      image: 'ghcr.io/myorg/myapp',
    });
    expect(downstreamApi.requests.map((r) => r.operationId)).toContain('pulls/create');
    for (const r of downstreamApi.requests) expect(r.headers.authorization).toMatch(/^(Bearer|token) \*\*\*$/i);
    expectNoSecretLeak(up.result, down.result);
  });
});

describe('two applications, one GitOps repository', () => {
  // Each application gets its own receiver file in the shared GitOps repository.
  const appConfig = (app: string, ownReceiver = true) =>
    [
      `upstream: { repository: myorg/${app}, image: ghcr.io/myorg/${app} }`,
      ownReceiver
        ? `downstream: { repository: myorg/platform-gitops, workflow: gitops-receive-${app}.yml }`
        : 'downstream: { repository: myorg/platform-gitops }',
      'environments:',
      `  dev: { tag: ".*-dev", files: apps/${app}/dev/values.yaml }`,
      '',
    ].join('\n');

  async function appConfigs(ownReceiver = true): Promise<string[]> {
    const dir = await tempDir('e2e-apps-');
    const files: string[] = [];
    for (const app of ['web', 'api']) {
      const file = join(dir, `${app}.yml`);
      await writeFile(file, appConfig(app, ownReceiver));
      files.push(file);
    }
    return files;
  }

  function appTree(): Record<string, string> {
    const dev = exampleTree['environments/dev/values.yaml']!;
    return {
      'README.md': 'Platform GitOps repository: one folder per application.\n',
      'apps/web/dev/values.yaml': dev.replace('ghcr.io/myorg/myapp', 'ghcr.io/myorg/web'),
      'apps/api/dev/values.yaml': dev.replace('ghcr.io/myorg/myapp', 'ghcr.io/myorg/api'),
    };
  }

  it('two images dispatched at once: both receivers run concurrently from the same head and both land', async () => {
    const [web, api] = await Promise.all((await appConfigs()).map((f) => generateFrom(f)));
    const gens = [web!, api!];
    const tree = appTree();
    const { upstreamApi, downstreamApi } = await apis('myorg/platform-gitops');
    const remote = await gitopsRemote('myorg/platform-gitops', tree);
    const start = await git(remote.bare, 'rev-parse', 'refs/heads/main');

    const ups: UpstreamRun[] = [];
    for (const gen of gens)
      ups.push(await runUpstream(gen, pushContext(gen.upstreamRepository, 'refs/heads/main'), upstreamApi));
    expect(upstreamApi.violations).toEqual([]);
    const events = ups.map((u) => repositoryDispatchEvent(u.request, 'main'));

    // No concurrency group: GitHub runs the two receivers at the same time and cancels neither.
    for (const gen of gens) expect(gen.downstream.concurrency).toBeUndefined();

    // Both check out the same head before either pushes, so one of them must fetch, re-apply and push again.
    let waiting = 2;
    let release!: () => void;
    const bothCheckedOut = new Promise<void>((resolve) => {
      release = resolve;
    });
    const barrier = async () => {
      waiting -= 1;
      if (waiting === 0) release();
      await bothCheckedOut;
    };
    const downs = await Promise.all(
      gens.map((gen, i) => runDownstream(gen, events[i]!, remote, downstreamApi, barrier)),
    );
    for (const d of downs) expect(d.result.exitCode, d.result.log).toBe(0);
    for (const d of downs) expect(d.result.outputs.pushed).toBe('true');
    expect(downs.map((d) => d.result.log).join('\n')).toMatch(/Pushed to main after \d+ attempts/);

    const log = await remoteLog(remote.bare, 'main');
    expect(log).toHaveLength(3);
    expect(log[2]?.sha).toBe(start);
    expect(
      log
        .slice(0, 2)
        .map((c) => c.files[0])
        .sort(),
    ).toEqual(['apps/api/dev/values.yaml', 'apps/web/dev/values.yaml']);
    for (const c of log.slice(0, 2)) expect(c.files).toHaveLength(1);
    const oldTag = '0000000000000000000000000000000000000000-dev';
    expect(await treeOf(remote.bare, 'main')).toEqual({
      ...tree,
      'apps/web/dev/values.yaml': withTag(tree['apps/web/dev/values.yaml']!, oldTag, ups[0]!.tag),
      'apps/api/dev/values.yaml': withTag(tree['apps/api/dev/values.yaml']!, oldTag, ups[1]!.tag),
    });
    expect(downstreamApi.requests).toEqual([]);
    expectNoSecretLeak(...ups.map((u) => u.result), ...downs.map((d) => d.result));
  });

  it("an event for one image changes nothing through the other image's receiver", async () => {
    const [web, api] = await Promise.all((await appConfigs()).map((f) => generateFrom(f)));
    const { upstreamApi, downstreamApi } = await apis('myorg/platform-gitops');
    const remote = await gitopsRemote('myorg/platform-gitops', appTree());
    const start = await git(remote.bare, 'rev-parse', 'refs/heads/main');
    const up = await runUpstream(web!, pushContext('myorg/web', 'refs/heads/main'), upstreamApi);
    expect(upstreamApi.violations).toEqual([]);
    // Same event type, so GitHub would start api's receiver for web's event too: the image condition stops it.
    const down = await runDownstream(api!, repositoryDispatchEvent(up.request, 'main'), remote, downstreamApi);
    expect(down.result.exitCode, down.result.log).toBe(0);
    expect(down.result.outputs.total_modified_files).toBe('0');
    expect(await git(remote.bare, 'rev-parse', 'refs/heads/main')).toBe(start);
  });

  // Cross-part bug (generator): every config writes its receiver to the same .github/workflows/gitops-receive.yml,
  // and `generate` replaces an untouched generated file without --force, so the second application's config
  // silently removes the first application's receiver: its updates then never land.
  async function generateInto(out: string, file: string) {
    const config = await loadConfig(file, ROOT, { actionsRef: ACTIONS_REF });
    const layout = {
      downstream: join(out, 'gitops'),
      setup: join(out, `${config.upstream.repository.replace('/', '-')}-SETUP.md`),
    };
    return writeFiles(generate(config, layout), { cwd: out });
  }

  it('generating a second application into the same GitOps repository keeps the first one receiving', async () => {
    const out = await tempDir('e2e-shared-gitops-');
    for (const file of await appConfigs()) expect((await generateInto(out, file)).refused).toEqual([]);
    const dir = join(out, 'gitops', '.github', 'workflows');
    expect((await readdir(dir)).sort()).toEqual(['gitops-receive-api.yml', 'gitops-receive-web.yml']);
    const receivers = await Promise.all((await readdir(dir)).map((f) => readFile(join(dir, f), 'utf8')));
    const routed = receivers.map((text) => String(stepUsing(parseWorkflow(text), 'receive-action').with?.rules));
    expect(routed.some((rules) => rules.includes('ghcr\\.io/myorg/web'))).toBe(true);
    expect(routed.some((rules) => rules.includes('ghcr\\.io/myorg/api'))).toBe(true);
  });

  it("refuses to replace one application's receiver with another's when both use the default file name", async () => {
    const out = await tempDir('e2e-shared-gitops-');
    const [web, api] = await appConfigs(false);
    expect((await generateInto(out, web!)).refused).toEqual([]);
    const before = await readFile(join(out, 'gitops/.github/workflows/gitops-receive.yml'), 'utf8');
    const second = await generateInto(out, api!);
    expect(second.refused).toEqual([join(out, 'gitops/.github/workflows/gitops-receive.yml')]);
    expect(second.files.find((f) => f.status === 'other-image')?.existingImage).toBe('ghcr.io/myorg/web');
    expect(await readFile(join(out, 'gitops/.github/workflows/gitops-receive.yml'), 'utf8')).toBe(before);
  });
});

// ---- issue 13: closing the loop ----------------------------------------------------------------------------------

/**
 * The new stage does not depend on the generator's issue 13 output: where the generated files do not (yet) carry
 * them, the new inputs are passed to the evaluated steps explicitly (`??=`: what the generator emits wins), and the
 * receiver's display title comes from its `run-name:` or, absent one, from RUN_NAME_EXPRESSION (the expression the
 * generator is to emit), evaluated by GitHub's evaluator over the delivered event.
 */
describe('closing the loop: deployment in the application repository, Argo CD right after the write', () => {
  const ARGOCD_TOKEN = 'argocd-e2e-token-0d9c8b7a6f5e';

  /** The receiver's rules with `argocd-app` on the dev rule unless the generator already put one there. */
  function withArgoCdApp(rulesText: string, app: string): string {
    const rules = parseYaml(rulesText) as { name: string; 'argocd-app'?: string }[];
    const dev = rules.find((r) => r.name === 'dev');
    expect(dev, 'the generated rules have a dev rule').toBeDefined();
    dev!['argocd-app'] ??= app;
    return stringifyYaml(rules);
  }

  it('push to main -> dispatch (wait, deployment) -> generated receiver -> commit -> Argo CD refresh -> wait -> deployment success', async () => {
    const gen = example;
    const appRepository = gen.upstreamRepository;
    const [downOwner = '', downRepo = ''] = gen.downstreamRepository.split('/');
    const repositories = {
      [gen.downstreamRepository]: { defaultBranch: 'main' },
      [appRepository]: { defaultBranch: 'main' },
    };
    // The upstream side's API: the dispatch PAT for the GitOps repository, the app run's own token for its own repo.
    const upstreamApi = await startGitHubApi({
      token: DISPATCH_TOKEN,
      tokenFor: { [appRepository]: UPSTREAM_RUN_TOKEN },
      repositories,
    });
    const downstreamApi = await startGitHubApi({ token: GITOPS_TOKEN, repositories });
    closers.push(
      () => upstreamApi.close(),
      () => downstreamApi.close(),
    );
    const remote = await gitopsRemote(gen.downstreamRepository, exampleTree);
    const start = await git(remote.bare, 'rev-parse', 'refs/heads/main');
    const argocd = await startArgoCd({
      token: ARGOCD_TOKEN,
      apps: [{ name: 'myapp-dev', repoURL: remote.url, path: 'environments/dev', revision: start }],
      headOf: () => git(remote.bare, 'rev-parse', 'refs/heads/main'),
    });
    closers.push(() => argocd.close());

    // GitHub in between: the accepted dispatch starts the generated receiver; its run is listed under the display
    // title its run-name gives, in progress until the receiver's job ends.
    let run: StoredRun | undefined;
    let downstream: Promise<{ result: CompositeRunResult; inputs: Record<string, string> }> | undefined;
    upstreamApi.handle('repos/create-dispatch-event', async (req) => {
      const event = repositoryDispatchEvent(req, 'main');
      const head = await git(remote.bare, 'rev-parse', 'refs/heads/main');
      const { contexts } = downstreamContexts(remote, event, head, downstreamApi);
      const runName = (gen.downstream as { 'run-name'?: string })['run-name'] ?? RUN_NAME_EXPRESSION;
      run = upstreamApi.addRun({
        owner: downOwner,
        repo: downRepo,
        displayTitle: interpolate(runName, contexts),
        steps: [{ status: 'in_progress', conclusion: null }],
      });
      const started = run;
      downstream = runDownstream(gen, event, remote, downstreamApi, undefined, {
        secrets: [ARGOCD_TOKEN],
        extraInputs: (inputs) => ({
          ...inputs,
          rules: withArgoCdApp(inputs.rules ?? '', 'myapp-dev'),
          'argocd-server': inputs['argocd-server'] || argocd.url,
          'argocd-token': inputs['argocd-token'] || ARGOCD_TOKEN,
          'argocd-wait': inputs['argocd-wait'] || 'true',
        }),
      }).then((d) => {
        started.steps = [{ status: 'completed', conclusion: d.result.exitCode === 0 ? 'success' : 'failure' }];
        started.step = 0;
        return d;
      });
      return { status: 204 };
    });
    // Reading the run waits for the receiver's job to end (a barrier, not a clock), then reports it completed.
    upstreamApi.handle('actions/get-workflow-run', async (req) => {
      await downstream;
      const state = run!.steps[run!.step]!;
      expect(req.params.run_id).toBe(String(run!.id));
      return {
        status: 200,
        body: upstreamApi.sample('actions/get-workflow-run', {
          id: run!.id,
          display_title: run!.displayTitle,
          event: 'repository_dispatch',
          status: state.status,
          conclusion: state.conclusion,
          html_url: run!.htmlUrl,
        }),
      };
    });

    const push = pushContext(appRepository, 'refs/heads/main');
    const up = await runUpstream(gen, push, upstreamApi, {
      extraInputs: (inputs) => ({
        ...inputs,
        deployment: inputs.deployment || 'true',
        environment: inputs.environment || 'dev',
        'environment-url': inputs['environment-url'] || 'https://dev.myapp.example.com',
        'github-token': inputs['github-token'] || UPSTREAM_RUN_TOKEN,
      }),
    });
    const down = await downstream!;
    expect(down.result.exitCode, down.result.log).toBe(0);
    expect(upstreamApi.violations).toEqual([]);
    expect(downstreamApi.violations).toEqual([]);

    // 1. The run was found by the id in its display title and followed to its conclusion.
    const payload = (up.request.body as { client_payload: { source: { dispatch_id: string } } }).client_payload;
    expect(payload.source.dispatch_id).toMatch(DISPATCH_ID_PATTERN);
    expect(run!.displayTitle).toContain(dispatchTitleToken(payload.source.dispatch_id));
    expect(up.result.outputs).toMatchObject({
      'run-id': String(run!.id),
      'run-url': run!.htmlUrl,
      'run-conclusion': 'success',
    });

    // 2. The commit landed on main, and Argo CD runs it: refreshed with the bearer token, then polled to Healthy.
    const landed = await git(remote.bare, 'rev-parse', 'refs/heads/main');
    expect(landed).not.toBe(start);
    expect(down.result.outputs).toMatchObject({ pushed: 'true', 'commit-sha': landed, environments: '["dev"]' });
    expect(argocd.requests[0]).toMatchObject({
      path: '/api/v1/applications/myapp-dev',
      query: { refresh: 'normal' },
      authorized: true,
    });
    expect(argocd.requests.every((r) => r.authorized)).toBe(true);
    expect(argocd.apps.get('argocd/myapp-dev')!.revision).toBe(landed);
    expect(down.result.log).toContain(`Synced and Healthy at ${landed.slice(0, 12)}`);

    // 3. The application repository shows the deployment: in progress with the GitOps run, then success.
    expect(upstreamApi.deployments.size).toBe(1);
    const deployment = [...upstreamApi.deployments.values()][0]!;
    expect(`${deployment.owner}/${deployment.repo}`).toBe(appRepository);
    expect(deployment.request).toMatchObject({
      ref: PUSH_SHA,
      environment: 'dev',
      auto_merge: false,
      required_contexts: [],
      production_environment: false,
    });
    expect(deployment.statuses.map((s) => [s.state, s.log_url])).toEqual([
      ['in_progress', run!.htmlUrl],
      ['success', run!.htmlUrl],
    ]);
    expect(deployment.statuses[1]).toMatchObject({ environment_url: 'https://dev.myapp.example.com' });

    for (const r of [up.result, down.result]) {
      const visible = [r.log, r.summary, JSON.stringify(r.outputs), ...r.annotations.map((a) => a.message)].join('\n');
      expect(visible).not.toContain(ARGOCD_TOKEN);
    }
    expectNoSecretLeak(up.result, down.result);
  });
});
