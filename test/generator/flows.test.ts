/**
 * The release flows of issue 10, each from the short config a user writes, generated through the CLI, then proven
 * by evaluating the generated files for pushes (workflow-eval.ts): a push of each environment's refs builds exactly
 * one tag, the dispatch step sends it and the receiver's rules route it to that environment only; other pushes
 * build and send nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, read, testdir } from './helpers.js';
import { dispatchInputs, runPush, SHA } from './workflow-eval.js';

const HEAD = `upstream: { repository: acme/shop, image: ghcr.io/acme/shop }
downstream: { repository: acme/shop-gitops }
environments:
`;

async function generated(environments: string) {
  const cwd = testdir({ 'gitops-dispatch.yml': `${HEAD}${environments}` });
  const result = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const up = read(cwd, 'out/upstream/.github/workflows/gitops-dispatch.yml');
  const down = read(cwd, 'out/downstream/.github/workflows/gitops-receive.yml');
  return { push: (ref: string) => runPush(up, down, ref), setup: read(cwd, 'out/SETUP.md') };
}

/** ref -> [environment, tag] it must land as, or null: built and sent nothing (or not run at all). */
type Expectations = Record<string, [string, string] | null>;

function expectFlow(push: (ref: string) => ReturnType<typeof runPush>, expectations: Expectations) {
  for (const [ref, want] of Object.entries(expectations)) {
    const r = push(ref);
    if (want === null) {
      expect(r.built || r.sent !== undefined, `${ref}: ${JSON.stringify(r)}`).toBe(false);
    } else {
      expect({ ref, tags: r.tags, sent: r.sent, environments: r.environments }).toEqual({
        ref,
        tags: [want[1]],
        sent: want[1],
        environments: [want[0]],
      });
      expect(r.built).toBe(true);
    }
  }
}

describe('release flows, proven on the generated files', () => {
  it('1. dev from main (<sha>-dev), prod from release tags v1.2.3 -> 1.2.3 through a pull request', async () => {
    const { push } = await generated(`  dev: { tag: '[0-9a-f]{40}-dev', files: environments/dev/values.yaml }
  prod: { tag: '\\d+\\.\\d+\\.\\d+', files: environments/prod/values.yaml, pull-request: true }
`);
    expectFlow(push, {
      'refs/heads/main': ['dev', `${SHA}-dev`],
      'refs/tags/v1.2.3': ['prod', '1.2.3'],
      'refs/tags/v10.20.30': ['prod', '10.20.30'],
      'refs/tags/v1.2.3-rc.1': null,
      'refs/heads/feature/login': null,
      'refs/tags/nightly': null,
    });
  });

  it('1b. dev as sha-<short>: the prefix and the short SHA come from the pattern', async () => {
    const { push } = await generated(`  dev: { tag: 'sha-[0-9a-f]{7}', files: environments/dev/values.yaml }
  prod: { tag: '\\d+\\.\\d+\\.\\d+', files: environments/prod/values.yaml, pull-request: true }
`);
    expectFlow(push, {
      'refs/heads/main': ['dev', `sha-${SHA.slice(0, 7)}`],
      'refs/tags/v2.0.0': ['prod', '2.0.0'],
    });
  });

  it('2. semver with pre-releases: v1.2.3-rc.1 -> staging, v1.2.3 -> prod, never the other way', async () => {
    const { push, setup } =
      await generated(`  dev: { tag: '[0-9a-f]{40}', files: environments/dev/values.yaml, on: { branch: main } }
  staging: { tag: '\\d+\\.\\d+\\.\\d+-.+', files: environments/staging/values.yaml, on: { tag: 'v*' } }
  prod: { tag: '\\d+\\.\\d+\\.\\d+', files: environments/prod/values.yaml, on: { tag: 'v*' }, pull-request: true }
`);
    expectFlow(push, {
      'refs/heads/main': ['dev', SHA],
      'refs/tags/v1.2.3-rc.1': ['staging', '1.2.3-rc.1'],
      'refs/tags/v1.2.3-beta': ['staging', '1.2.3-beta'],
      'refs/tags/v1.2.3': ['prod', '1.2.3'],
      'refs/tags/v1.2': null,
    });
    // The example the generator reports for staging is a pre-release (item 5).
    expect(setup).toMatch(/\| staging \|.*\| `1\.2\.3-rc\.1` \|/);
  });

  it('3. release branches: release/* -> staging as <branch>-<short sha>, tags -> prod', async () => {
    const { push } =
      await generated(`  staging: { tag: 'release-.+-[0-9a-f]{7}', files: environments/staging/values.yaml, on: { branch: 'release/*' } }
  prod: { tag: '\\d+\\.\\d+\\.\\d+', files: environments/prod/values.yaml, on: { tag: 'v*' } }
`);
    expectFlow(push, {
      'refs/heads/release/1.4': ['staging', `release-1.4-${SHA.slice(0, 7)}`],
      'refs/heads/release/2026-q4': ['staging', `release-2026-q4-${SHA.slice(0, 7)}`],
      'refs/tags/v1.4.0': ['prod', '1.4.0'],
      'refs/heads/main': null,
      'refs/heads/release/a/b': null,
    });
  });

  it('4. calendar versions and tags with another prefix: the tag as pushed, which metadata-action can derive', async () => {
    const { push } =
      await generated(`  staging: { tag: '.*-staging', files: environments/staging/values.yaml, on: { tag: 'rc-*' } }
  prod: { tag: '\\d{4}\\.\\d{2}\\.\\d{2}-\\d+', files: environments/prod/values.yaml, on: { tag: '20*' } }
`);
    expectFlow(push, {
      'refs/tags/rc-1.2.3': ['staging', 'rc-1.2.3-staging'],
      'refs/tags/2026.11.30-1': ['prod', '2026.11.30-1'],
      // Not semver (leading zeros): a type=semver line would build nothing here.
      'refs/tags/2026.01.05-1': ['prod', '2026.01.05-1'],
      'refs/tags/v1.2.3': null,
      'refs/heads/main': null,
    });
  });

  it('4b. from: version on a prefix other than v strips the prefix', async () => {
    const { push } = await generated(`  dev: { tag: '[0-9a-f]{40}-dev', files: environments/dev/values.yaml }
  prod: { tag: '\\d+\\.\\d+\\.\\d+', files: environments/prod/values.yaml, on: { tag: 'release-*' }, from: version }
`);
    expectFlow(push, {
      'refs/tags/release-1.2.3': ['prod', '1.2.3'],
      'refs/tags/release-candidate': null,
    });
  });

  it('the embedded example still routes: <sha>-dev from main, <version>-stable from v* tags, no pre-release in prod', async () => {
    const { push } = await generated(`  dev: { tag: '.*-dev', files: environments/dev/values.yaml }
  prod: { tag: '.*-stable', files: environments/prod/values.yaml, pull-request: true }
`);
    expectFlow(push, {
      'refs/heads/main': ['dev', `${SHA}-dev`],
      'refs/tags/v1.2.3': ['prod', '1.2.3-stable'],
      'refs/tags/v1.2.3-rc.1': null,
    });
  });

  it('overlapping tag globs: the narrower trigger wins, the wider one steps aside', async () => {
    const { push } =
      await generated(`  staging: { tag: 'v2-.*', files: environments/staging/values.yaml, on: { tag: 'v2-*' }, from: ref }
  prod: { tag: '\\d+\\.\\d+\\.\\d+', files: environments/prod/values.yaml, on: { tag: 'v*' } }
`);
    expectFlow(push, {
      'refs/tags/v2-preview': ['staging', 'v2-preview'],
      'refs/tags/v2.0.0': ['prod', '2.0.0'],
    });
  });
});

describe('errors whose hints work when followed', () => {
  async function problems(environments: string) {
    const cwd = testdir({ 'gitops-dispatch.yml': `${HEAD}${environments}` });
    const r = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
    return r;
  }

  it("two environments on one branch: 'give one of them another on'", async () => {
    const bad = await problems(`  dev: { tag: '.*-dev', files: d.yaml }
  hotfix: { tag: '.*-hf', files: h.yaml, on: { branch: main } }
`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /environments 'dev' and 'hotfix' are all built on branch 'main'.*give one of them another 'on'/,
    );
    const good = await problems(`  dev: { tag: '.*-dev', files: d.yaml }
  hotfix: { tag: '.*-hf', files: h.yaml, on: { branch: hotfix } }
`);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
  });

  it('two environments on v* whose patterns both take releases: the release/pre-release patterns it names', async () => {
    const bad = await problems(`  staging: { tag: '[0-9.]+(-.+)?', files: s.yaml, on: { tag: 'v*' } }
  prod: { tag: '\\d+\\.\\d+\\.\\d+-stable', files: p.yaml, on: { tag: 'v*' }, suffix: -stable }
`);
    expect(bad.code).toBe(2);
    const hint = /releases only \(e\.g\. '([^']+)'\) and one pre-releases only \(e\.g\. '([^']+)'\)/.exec(bad.stderr);
    expect(hint, bad.stderr).not.toBeNull();
    const good = await problems(`  staging: { tag: '${hint![2]}', files: s.yaml, on: { tag: 'v*' } }
  prod: { tag: '${hint![1]}', files: p.yaml, on: { tag: 'v*' } }
`);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
  });

  it("a third environment without on: both 'on' forms it suggests work", async () => {
    const base = `  dev: { tag: '.*-dev', files: d.yaml }
  prod: { tag: '.*-stable', files: p.yaml }
  qa: { tag: '.*-qa', files: q.yaml }
`;
    const bad = await problems(base);
    expect(bad.code).toBe(2);
    const forms = [...bad.stderr.matchAll(/on: \{ (branch|tag): '?([^'} ]+)'? \}/g)].map(
      (m) => `{ ${m[1]}: '${m[2]}' }`,
    );
    expect(forms).toEqual(["{ branch: 'release' }", "{ tag: 'rc-*' }"]);
    for (const on of forms) {
      const good = await problems(base.replace('files: q.yaml }', `files: q.yaml, on: ${on} }`));
      expect(good.stderr, on).toBe('');
      expect(good.code).toBe(0);
    }
  });

  it("a version taken from tags that carry none: 'from: ref'", async () => {
    const bad = await problems(`  dev: { tag: '.*-dev', files: d.yaml }
  prod: { tag: '\\d{4}\\.\\d{2}\\.\\d{2}-\\d+', files: p.yaml, on: { tag: '20*' }, from: version }
`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/a push of tag 2026\.11\.30-1 builds no tag.*expected 'from: ref'/);
    const good = await problems(`  dev: { tag: '.*-dev', files: d.yaml }
  prod: { tag: '\\d{4}\\.\\d{2}\\.\\d{2}-\\d+', files: p.yaml, on: { tag: '20*' }, from: ref }
`);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
  });

  it("a pattern that misses the built tag: 'expected a tag pattern that matches <the built tag>'", async () => {
    const bad = await problems(`  dev: { tag: '.*-dev', files: d.yaml }
  prod: { tag: 'v\\d+\\.\\d+\\.\\d+', files: p.yaml }
`);
    expect(bad.code).toBe(2);
    const built = /expected a 'tag' pattern that matches "([^"]+)"/.exec(bad.stderr)![1]!;
    expect(built).toBe('1.2.3');
    const good = await problems(`  dev: { tag: '.*-dev', files: d.yaml }
  prod: { tag: '${built.replace(/\d+/g, '\\d+').replace(/\./g, '\\.')}', files: p.yaml }
`);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
  });
});

describe('the release flows documented in generator/README.md', () => {
  it('each generates (exit 0) as written', async () => {
    const readme = readFileSync(join(ROOT, 'generator/README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Release flows'), readme.indexOf('### Ordering'));
    const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(4);
    for (const block of blocks) {
      const cwd = testdir({ 'gitops-dispatch.yml': block });
      const r = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
      expect(r.stderr, block).toBe('');
      expect(r.code).toBe(0);
    }
  });
});

describe('wait and deployments (DESIGN Additions)', () => {
  it('the dispatch step names the environment each push was built for, and whether it is production', async () => {
    const cwd = testdir({
      'gitops-dispatch.yml': `${HEAD.replace('image: ghcr.io/acme/shop }', 'image: ghcr.io/acme/shop, deployment: true }')}  dev: { tag: '[0-9a-f]{40}', files: environments/dev/values.yaml, on: { branch: main } }
  staging: { tag: '\\d+\\.\\d+\\.\\d+-.+', files: environments/staging/values.yaml, on: { tag: 'v*' } }
  prod: { tag: '\\d+\\.\\d+\\.\\d+', files: environments/prod/values.yaml, on: { tag: 'v*' } }
`,
    });
    const r = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
    expect(r.stderr).toBe('');
    const up = read(cwd, 'out/upstream/.github/workflows/gitops-dispatch.yml');
    const dispatch = dispatchInputs(up);
    expect(dispatch('refs/heads/main')).toMatchObject({
      wait: 'true',
      deployment: 'true',
      environment: 'dev',
      'production-environment': 'false',
    });
    expect(dispatch('refs/tags/v1.2.3-rc.1')).toMatchObject({
      environment: 'staging',
      'production-environment': 'false',
    });
    expect(dispatch('refs/tags/v1.2.3')).toMatchObject({ environment: 'prod', 'production-environment': 'true' });
  });
});
