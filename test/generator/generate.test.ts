// biome-ignore-all lint/suspicious/noTemplateCurlyInString: GitHub expressions (${{ }}) are the expected text
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findPayloadInRun } from '../../generator/src/check-workflow.js';
import { type Config, parseConfig } from '../../generator/src/config.js';
import { checkGenerated, generate, isUntouchedGenerated, outLayout } from '../../generator/src/generate.js';
import { PINNED_ACTIONS } from '../../generator/src/render.js';
import { nativeRules } from '../../generator/src/rules.js';
import { CONFIGS } from './configs.js';
import { ACTIONS_REF, ROOT, testdir } from './helpers.js';

const EXAMPLE = readFileSync(join(ROOT, 'examples/gitops-dispatch.yml'), 'utf8');
const texts: Record<string, string> = { ...CONFIGS, example: EXAMPLE };

/** A stand-in package holding built actions, so vendoring is tested without waiting for the real bundles. */
function fakeActionsRoot(): string {
  return testdir({
    'dispatch-action/action.yml': 'name: dispatch\nruns: { using: composite, steps: [] }\n',
    'dispatch-action/dist/index.js': 'console.log("dispatch");\n',
    'dispatch-action/dist/package.json': '{"type":"module"}\n',
    'receive-action/action.yml': 'name: receive\nruns: { using: composite, steps: [] }\n',
    'receive-action/README.md': '# receive\n',
    'receive-action/dist/index.js': 'console.log("receive");\n',
  });
}

function configOf(name: string): Config {
  return parseConfig(texts[name]!, `${name}.yml`, { actionsRef: ACTIONS_REF });
}

function filesOf(name: string) {
  const config = configOf(name);
  return generate(config, outLayout('out'), { actionsRoot: fakeActionsRoot() }).map((f) => ({
    ...f,
    contents: f.contents.toString(),
  }));
}

async function githubParserErrors(name: string, content: string): Promise<string[]> {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((e) => e.message);
  if (result.value) {
    const template = await convertWorkflowTemplate(result.context, result.value);
    errors.push(...(template.errors ?? []).map((e) => e.Message));
  }
  return errors;
}

function actionInputs(action: 'dispatch-action' | 'receive-action') {
  const path = join(ROOT, action, 'action.yml');
  if (!existsSync(path)) throw new Error(`${action}/action.yml does not exist yet; this check needs it`);
  const inputs = (
    parse(readFileSync(path, 'utf8')) as { inputs?: Record<string, { required?: boolean; default?: unknown }> }
  ).inputs;
  return inputs ?? {};
}

type Step = { uses?: string; with?: Record<string, unknown>; run?: string };
function steps(workflow: string): Step[] {
  const doc = parse(workflow) as { jobs: Record<string, { steps: Step[] }> };
  return Object.values(doc.jobs).flatMap((j) => j.steps);
}

describe('generated files', () => {
  for (const name of Object.keys(texts)) {
    describe(name, () => {
      it('match the snapshots', async () => {
        for (const file of filesOf(name).filter((f) => f.kind === 'generated')) {
          const base = file.path.replace(/^out\//, '').replace(/\.github\/workflows\//, '');
          await expect(file.contents).toMatchFileSnapshot(`./__snapshots__/${name}/${base.replace(/\//g, '__')}.snap`);
        }
      });

      it("pass GitHub's workflow parser with zero errors", async () => {
        const workflows = filesOf(name).filter((f) => f.path.endsWith('.yml') && f.path.includes('workflows'));
        expect(workflows).toHaveLength(2);
        for (const w of workflows) expect(await githubParserErrors(w.path, w.contents), w.path).toEqual([]);
      });

      it('never put client_payload into a run: script', () => {
        for (const f of filesOf(name).filter((x) => x.path.endsWith('.yml'))) {
          expect(findPayloadInRun(f.contents), f.path).toEqual([]);
        }
      });

      it('pin third-party actions to full commit SHAs with the version in a comment', () => {
        const text = filesOf(name)
          .filter((f) => f.path.includes('workflows'))
          .map((f) => f.contents)
          .join('\n');
        for (const m of text.matchAll(/uses: (\S+)(.*)/g)) {
          const [uses, rest] = [m[1]!, m[2]!];
          if (uses.startsWith('./') || uses.startsWith(ACTIONS_REF.split('@')[0]!) || uses.startsWith('acme/'))
            continue;
          expect(uses, uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
          expect(rest).toMatch(/^ # v\d+\.\d+\.\d+$/);
        }
      });

      it('carry a checksum line that detects any edit', () => {
        for (const f of filesOf(name).filter((x) => x.kind === 'generated')) {
          expect(isUntouchedGenerated(f.contents)).toBe(true);
          expect(isUntouchedGenerated(f.contents.replace('gitops', 'gitopz'))).toBe(false);
        }
      });
    });
  }
});

describe('upstream workflow', () => {
  it('produces, per environment, a tag that its own pattern routes and no other', () => {
    for (const name of Object.keys(texts)) {
      const config = configOf(name);
      for (const env of config.environments) {
        const own = new RegExp(`^(?:${env.tag})$`, 'u');
        expect(own.test(env.exampleTag), `${name}/${env.name}`).toBe(true);
        for (const other of config.environments.filter((e) => e !== env)) {
          expect(new RegExp(`^(?:${other.tag})$`, 'u').test(env.exampleTag)).toBe(false);
        }
      }
    }
  });

  it('builds the seed layout: main -> <sha>-dev, v* tags -> <version>-stable, pushed on exactly those refs', () => {
    const upstream = parse(filesOf('example')[0]!.contents);
    expect(upstream.on.push).toEqual({ branches: ['main'], tags: ['v*'] });
    const meta = steps(filesOf('example')[0]!.contents).find((s) => s.uses?.startsWith('docker/metadata-action@'))!;
    expect(String(meta.with!.tags).trim().split('\n')).toEqual([
      "type=sha,format=long,prefix=,suffix=-dev,enable=${{ github.ref == 'refs/heads/main' }}",
      "type=match,pattern=^v(\\d+\\.\\d+\\.\\d+)$,group=1,suffix=-stable,enable=${{ startsWith(github.ref, 'refs/tags/v') }}",
    ]);
    expect(meta.with!.flavor).toBe('latest=false');
  });

  it('asks for least privilege: nothing at the top, packages: write only for ghcr.io', () => {
    const ghcr = parse(filesOf('example')[0]!.contents);
    expect(ghcr.permissions).toEqual({});
    expect(ghcr.jobs['build-and-dispatch'].permissions).toEqual({ contents: 'read', packages: 'write' });
    const other = parse(filesOf('custom-paths')[0]!.contents);
    expect(other.jobs['build-and-dispatch'].permissions).toEqual({ contents: 'read' });
    const login = steps(filesOf('custom-paths')[0]!.contents).find((s) => s.uses?.startsWith('docker/login-action@'))!;
    expect(login.with).toEqual({
      registry: 'registry.example.com',
      username: '${{ secrets.EXAMPLE_REGISTRY_USER }}',
      password: '${{ secrets.EXAMPLE_REGISTRY_PASSWORD }}',
    });
  });

  it('dispatches with the pushed tag, image and digest, the token only from secrets', () => {
    const dispatch = steps(filesOf('custom-event-type')[0]!.contents).at(-1)!;
    expect(dispatch.uses).toBe('acme/gitops-dispatch-fork/dispatch-action@v2.1.0');
    expect(dispatch.with).toEqual({
      token: '${{ secrets.GITOPS_DISPATCH_TOKEN }}',
      repository: 'acme/search-gitops',
      'event-type': 'search-image-pushed',
      'image-tag': '${{ steps.meta.outputs.version }}',
      image: 'ghcr.io/acme/search',
      digest: '${{ steps.build.outputs.digest }}',
    });
  });

  it('uses custom build paths', () => {
    const build = steps(filesOf('three-environments')[0]!.contents).find((s) =>
      s.uses?.startsWith('docker/build-push-action@'),
    )!;
    expect(build.with).toMatchObject({ context: 'services/shop', file: 'docker/Dockerfile', push: true });
  });
});

describe('downstream workflow', () => {
  it('listens to the event type, has no concurrency group (nothing pending can be cancelled), and carries the native rules', () => {
    const files = filesOf('custom-event-type');
    const downstream = parse(files[1]!.contents);
    expect(downstream.on).toEqual({ repository_dispatch: { types: ['search-image-pushed'] } });
    expect(downstream.concurrency).toBeUndefined();
    expect(Object.values(downstream.jobs).map((j) => (j as { concurrency?: unknown }).concurrency)).toEqual([
      undefined,
    ]);
    expect(downstream.permissions).toEqual({ contents: 'write' });
    const receive = steps(files[1]!.contents).at(-1)!;
    expect(receive.uses).toBe('acme/gitops-dispatch-fork/receive-action@v2.1.0');
    expect(receive.with!.rules).toBe(nativeRules(configOf('custom-event-type')));
  });

  it('asks for pull-requests: write only when an environment uses pull requests', () => {
    expect(parse(filesOf('pull-request')[1]!.contents).permissions).toEqual({
      contents: 'write',
      'pull-requests': 'write',
    });
    expect(parse(filesOf('kustomize')[1]!.contents).permissions).toEqual({ contents: 'write' });
  });

  it('writes rules that say exactly what the config says', () => {
    const rules = parse(nativeRules(configOf('custom-paths')));
    expect(rules).toEqual([
      {
        name: 'qa',
        when: { docker_image_tag: 'qa-.*', image: 'registry\\.example\\.com/team/api' },
        update: [
          {
            files: ['apps/api/qa/*.yaml', 'apps/api/qa-eu/values.yaml'],
            'yaml-path': 'deployment.containers.api.imageTag',
          },
        ],
      },
      {
        name: 'live',
        when: { docker_image_tag: 'v[0-9]+\\.[0-9]+\\.[0-9]+', image: 'registry\\.example\\.com/team/api' },
        update: [{ files: 'apps/api/live/values.yaml', regex: 'imageTag: "(?<docker_image_tag>[^"]*)"' }],
        // Tags that carry a version get the ordering guard by default.
        'only-newer': true,
      },
    ]);
    const three = parse(nativeRules(configOf('three-environments')));
    expect(three[2]).toMatchObject({ name: 'prod', 'only-newer': { 'strip-suffix': '-stable' } });
    const kustomize = parse(nativeRules(configOf('kustomize')));
    expect(kustomize[0].update).toEqual([
      { files: 'overlays/dev/kustomization.yaml', 'kustomize-image': 'ghcr.io/acme/web' },
    ]);
  });
});

describe('SETUP.md', () => {
  it('names every secret the workflows reference and every permission they ask for', () => {
    for (const name of Object.keys(texts)) {
      const files = filesOf(name);
      const setup = files.find((f) => f.path.endsWith('SETUP.md'))!.contents;
      const workflows = files.filter((f) => f.path.includes('/workflows/'));
      const secrets = new Set(
        workflows.flatMap((w) => [...w.contents.matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!)),
      );
      expect(secrets.size).toBeGreaterThan(0);
      for (const secret of secrets) expect(setup, `${name}: ${secret}`).toContain(`\`${secret}\``);
      for (const w of workflows) {
        const doc = parse(w.contents);
        const permissions = [
          doc.permissions,
          ...Object.values(doc.jobs).map((j) => (j as { permissions?: object }).permissions),
        ];
        for (const [scope, level] of permissions.flatMap((p) => Object.entries(p ?? {}))) {
          expect(setup, `${name}: ${scope}`).toContain(`\`${scope}: ${level}\``);
        }
      }
      // Each secret is set in the repository whose workflow reads it.
      const config = configOf(name);
      for (const [index, repo] of [config.upstream.repository, config.downstream.repository].entries()) {
        for (const m of workflows[index]!.contents.matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
          if (m[1] !== 'GITHUB_TOKEN')
            expect(setup, `${name}: ${m[1]}`).toContain(`gh secret set ${m[1]} --repo ${repo}`);
        }
      }
    }
  });

  it('covers the token steps, the default-branch rule, a diagram and the troubleshooting cases', () => {
    const setup = filesOf('example').find((f) => f.path.endsWith('SETUP.md'))!.contents;
    for (const needle of [
      '**Resource owner**: `myorg`',
      '**Only select repositories** → `myorg/myapp-gitops` only',
      '**Contents**: **Read and write**',
      '**Metadata**: **Read-only**',
      '**Expiration**',
      '### Rotating',
      'actions/create-github-app-token@',
      'only ever starts workflows from the **default branch**',
      '```mermaid',
      '**401**',
      '**403**',
      '**404**',
      '**422**',
      '**nothing happened**',
      '**push rejected**: protected branch',
    ]) {
      expect(setup).toContain(needle);
    }
  });
});

describe('vendor: true', () => {
  it('copies each action into its repository and uses it by local path, after a checkout', () => {
    const files = filesOf('vendor');
    expect(files.filter((f) => f.kind === 'vendored').map((f) => f.path)).toEqual([
      'out/upstream/.github/actions/gitops-dispatch/action.yml',
      'out/upstream/.github/actions/gitops-dispatch/dist/index.js',
      'out/upstream/.github/actions/gitops-dispatch/dist/package.json',
      'out/downstream/.github/actions/gitops-receive/action.yml',
      'out/downstream/.github/actions/gitops-receive/README.md',
      'out/downstream/.github/actions/gitops-receive/dist/index.js',
    ]);
    const up = steps(files.find((f) => f.path.endsWith('gitops-dispatch.yml'))!.contents);
    expect(up[0]!.uses).toBe(PINNED_ACTIONS.checkout.split(' ')[0]);
    expect(up.at(-1)!.uses).toBe('./.github/actions/gitops-dispatch');
    const down = steps(files.find((f) => f.path.endsWith('gitops-receive.yml'))!.contents);
    expect(down[0]!.uses).toBe(PINNED_ACTIONS.checkout.split(' ')[0]);
    expect(down[1]).toMatchObject({ uses: './.github/actions/gitops-receive', with: { checkout: 'false' } });
  });

  it('explains what is missing when the actions are not built', () => {
    const empty = testdir({ 'dispatch-action/action.yml': 'name: x\n' });
    expect(() => generate(configOf('vendor'), outLayout('out'), { actionsRoot: empty })).toThrow(
      /actions\.vendor.*dispatch-action\/dist\/index\.js is missing/,
    );
  });

  it('vendors the real actions of this repository', () => {
    const files = generate(configOf('vendor'), outLayout('out'));
    expect(files.some((f) => f.path.endsWith('gitops-dispatch/dist/index.js'))).toBe(true);
    expect(files.some((f) => f.path.endsWith('gitops-receive/action.yml'))).toBe(true);
  });
});

describe("our actions' inputs", () => {
  for (const [action, workflowIndex] of [
    ['dispatch-action', 0],
    ['receive-action', 1],
  ] as const) {
    it(`${action}: every with: key exists in action.yml and every required input is given`, () => {
      const inputs = actionInputs(action);
      for (const name of Object.keys(texts)) {
        const workflow = filesOf(name).filter((f) => f.path.includes('workflows'))[workflowIndex]!;
        const step = steps(workflow.contents).find(
          (s) =>
            s.uses?.includes(action === 'dispatch-action' ? 'dispatch' : 'receive') && !s.uses.startsWith('actions/'),
        )!;
        const given = Object.keys(step.with ?? {});
        for (const key of given) expect(Object.keys(inputs), `${name}: ${action} input '${key}'`).toContain(key);
        for (const [input, spec] of Object.entries(inputs)) {
          if (spec.required && spec.default === undefined)
            expect(given, `${name}: required '${input}'`).toContain(input);
        }
      }
    });
  }
});

describe('generate checks its own output (item 12)', () => {
  it('refuses to return a workflow a config value broke, naming the file', () => {
    const config = configOf('example');
    const broken = { ...config, downstream: { ...config.downstream, branch: 'main)\njobs:\n  evil: 1\n#' } };
    expect(() => generate(broken, outLayout('out'), { actionsRoot: fakeActionsRoot() })).toThrow(
      /out\/downstream\/\.github\/workflows\/gitops-receive\.yml: .*nothing was written/,
    );
  });

  it('finds a client_payload expression put into a run: script', () => {
    const files = filesOf('example');
    const up = files[0]!;
    const planted = {
      ...up,
      contents: up.contents.replace(
        '      - name: Set up Docker Buildx',
        '      - run: echo ${{ github.event.client_payload.x }}\n      - name: Set up Docker Buildx',
      ),
    };
    expect(() => checkGenerated([planted])).toThrow(
      /puts \$\{\{ github\.event\.client_payload\.x \}\} into a shell script/,
    );
  });
});

describe('token: app (item 9)', () => {
  it('both workflows mint a GitHub App token and use it; no personal token and no write GITHUB_TOKEN remain', () => {
    const files = filesOf('app-token');
    const [up, down] = [files[0]!.contents, files[1]!.contents];
    const upSteps = steps(up);
    const appUp = upSteps.findIndex((s) => s.uses?.startsWith('actions/create-github-app-token@'));
    const dispatch = upSteps.findIndex((s) => s.uses?.includes('/dispatch-action@'));
    expect(appUp).toBeGreaterThan(-1);
    expect(appUp).toBeLessThan(dispatch);
    expect(upSteps[appUp]!.with).toEqual({
      'app-id': '${{ vars.GITOPS_DISPATCH_APP_ID }}',
      'private-key': '${{ secrets.GITOPS_DISPATCH_APP_KEY }}',
      owner: 'acme',
      repositories: 'pay-gitops',
    });
    expect(upSteps[dispatch]!.with!.token).toBe('${{ steps.app-token.outputs.token }}');
    expect(up).not.toContain('GITOPS_DISPATCH_TOKEN');
    const downSteps = steps(down);
    const appDown = downSteps.findIndex((s) => s.uses?.startsWith('actions/create-github-app-token@'));
    const receive = downSteps.findIndex((s) => s.uses?.includes('/receive-action@'));
    expect(appDown).toBeGreaterThan(-1);
    expect(appDown).toBeLessThan(receive);
    expect(downSteps[receive]!.with!.token).toBe('${{ steps.app-token.outputs.token }}');
    expect(parse(down).permissions).toEqual({ contents: 'read' });
    const setup = files.find((f) => f.path.endsWith('SETUP.md'))!.contents;
    expect(setup).toContain('## 1. Create the GitHub App');
    expect(setup).toContain('gh variable set GITOPS_DISPATCH_APP_ID --repo acme/pay-gitops');
    expect(setup).toContain('gh secret set GITOPS_DISPATCH_APP_KEY --repo acme/pay-gitops < private-key.pem');
    expect(setup).toContain('**Pull requests**: **Read and write**');
    expect(setup).not.toContain('Personal access tokens');
  });

  it('the personal-token SETUP.md points at the config key instead of a hand edit', () => {
    const setup = filesOf('example').find((f) => f.path.endsWith('SETUP.md'))!.contents;
    expect(setup).toContain('set `token: app` in');
    expect(setup).not.toMatch(/add this step|Generated files are overwritten by `generate`; keep such an edit/);
  });
});

describe('commit-method: api (DESIGN Additions)', () => {
  it('the receiver commits through the API and does not check out', () => {
    const files = filesOf('commit-api');
    const receive = steps(files[1]!.contents).find((s) => s.uses?.includes('/receive-action@'))!;
    expect(receive.with).toMatchObject({ 'commit-method': 'api', checkout: 'false' });
    expect(steps(files[1]!.contents).some((s) => s.uses?.startsWith('actions/checkout@'))).toBe(false);
    expect(files.find((f) => f.path.endsWith('SETUP.md'))!.contents).toContain('never clones `acme/monorepo-gitops`');
    const git = steps(filesOf('example')[1]!.contents).find((s) => s.uses?.includes('/receive-action@'))!;
    expect(git.with!['commit-method']).toBeUndefined();
    expect(git.with!.checkout).toBeUndefined();
  });
});

describe('argocd (DESIGN Additions)', () => {
  it('the receiver gets the Argo CD inputs and each rule its application; SETUP.md the token and the notifications', () => {
    const files = filesOf('argocd');
    const receive = steps(files[1]!.contents).find((s) => s.uses?.includes('/receive-action@'))!;
    expect(receive.with).toMatchObject({
      'argocd-server': 'argocd.acme.example',
      'argocd-token': '${{ secrets.ARGOCD_TOKEN }}',
      'argocd-wait': 'true',
      'argocd-wait-timeout': '300',
    });
    const rules = parse(String(receive.with!.rules)) as { name: string; 'argocd-app'?: string }[];
    expect(rules.map((r) => [r.name, r['argocd-app']])).toEqual([
      ['dev', 'web-dev'],
      ['prod', 'web-prod'],
    ]);
    const setup = files.find((f) => f.path.endsWith('SETUP.md'))!.contents;
    expect(setup).toContain('gh secret set ARGOCD_TOKEN --repo acme/k8s');
    expect(setup).toContain('template.gitops-dispatch-synced: |');
    expect(setup).toContain('label: "argocd/{{.app.metadata.name}}"');
    // The rules plan and --downstream-dir parse carry no Argo CD key (it changes no file).
    expect(nativeRules(configOf('argocd'), { forPlan: true })).not.toContain('argocd-app');
  });

  it('an application for an environment the config does not have is refused, with the likely one', () => {
    const text = texts.argocd!.replace('prod: web-prod', 'prd: web-prod');
    expect(() => parseConfig(text, 'a.yml')).toThrow(
      /'argocd\.app' names environment 'prd', which the config does not have; expected one of: dev, prod \(did you mean 'prod'\?\)/,
    );
  });
});
