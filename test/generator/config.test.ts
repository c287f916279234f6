import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { literalSuffix, parseConfig } from '../../generator/src/config.js';
import { ACTIONS_REF } from './helpers.js';

function problemsOf(text: string) {
  try {
    parseConfig(text, 'cfg.yml', { actionsRef: ACTIONS_REF });
  } catch (error) {
    if (error instanceof UserError)
      return error.problems.map(({ code, line, column, file }) => ({ code, line, column, file }));
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

const GOOD = `upstream: { repository: o/app, image: ghcr.io/o/app }
downstream: { repository: o/gitops }
environments:
  dev: { tag: '.*-dev', files: environments/dev/values.yaml }
  prod: { tag: '.*-stable', files: environments/prod/values.yaml }
`;

describe('config defaults', () => {
  it('fills in the short config of the README', () => {
    const c = parseConfig(GOOD, 'cfg.yml', { actionsRef: ACTIONS_REF });
    expect(c.eventType).toBe('update-gitops-repo');
    expect(c.actions).toEqual({ kind: 'ref', ref: ACTIONS_REF });
    expect(c.secrets.token).toBe('GITOPS_DISPATCH_TOKEN');
    expect(c.upstream.registry).toBe('ghcr.io');
    expect(c.downstream.branch).toBe('main');
    expect(c.environments.map((e) => [e.name, e.on, e.from, e.suffix, e.edit])).toEqual([
      ['dev', { kind: 'branch', pattern: 'main' }, 'sha', '-dev', { kind: 'yaml-path', path: 'image.tag' }],
      ['prod', { kind: 'tag', pattern: 'v*' }, 'version', '-stable', { kind: 'yaml-path', path: 'image.tag' }],
    ]);
    expect(c.environments[1]!.exampleTag).toBe('1.2.3-stable');
  });

  it('takes the registry from the image, docker.io when it has none', () => {
    const dockerHub = parseConfig(GOOD.replace('ghcr.io/o/app', 'o/app'), 'c', { actionsRef: ACTIONS_REF });
    expect(dockerHub.upstream.registry).toBe('docker.io');
    const port = parseConfig(GOOD.replace('ghcr.io/o/app', 'localhost:5000/o/app'), 'c', { actionsRef: ACTIONS_REF });
    expect(port.upstream.registry).toBe('localhost:5000');
  });

  it('derives a suffix only from a pattern ending in a literal after a quantifier, class or group', () => {
    expect(literalSuffix('.*-dev')).toBe('-dev');
    expect(literalSuffix('.+-rc\\.1')).toBe('-rc.1');
    expect(literalSuffix('[0-9]+-stable')).toBe('-stable');
    expect(literalSuffix('[0-9a-f]{40}-dev')).toBe('-dev');
    expect(literalSuffix('\\d+\\.\\d+\\.\\d+')).toBeUndefined();
    expect(literalSuffix('nightly')).toBeUndefined();
    expect(literalSuffix('.*-(a|b)')).toBeUndefined();
  });
});

describe('config errors', () => {
  it('reports every schema problem at once, each with file, line and column', () => {
    const text = `upstream:
  repository: not-a-repo
  image: ghcr.io/o/app
  imagee: typo
downstream: {}
event-type: 'has space'
environments:
  dev:
    tag: '.*-dev'
    files: []
    pull-request: yes please
`;
    // In reading order, with the codes native rules use for the same kinds (core/yaml-schema.ts).
    expect(problemsOf(text)).toEqual([
      { code: 'config/invalid-value', file: 'cfg.yml', line: 2, column: 15 },
      { code: 'config/unknown-key', file: 'cfg.yml', line: 4, column: 3 },
      { code: 'config/missing-key', file: 'cfg.yml', line: 5, column: 13 },
      { code: 'config/invalid-value', file: 'cfg.yml', line: 6, column: 13 },
      { code: 'config/invalid-value', file: 'cfg.yml', line: 10, column: 12 },
      { code: 'config/wrong-type', file: 'cfg.yml', line: 11, column: 19 },
    ]);
  });

  it('suggests the key that was probably meant', () => {
    expect(() => parseConfig(GOOD.replace('files: environments/dev', 'flies: environments/dev'), 'cfg.yml')).toThrow(
      /Unknown key 'flies' in 'environments\.dev' \(did you mean 'files'\?\)/,
    );
  });

  it('names the bad value and the expected form', () => {
    expect(() => parseConfig(GOOD.replace('o/gitops', 'gitops'), 'cfg.yml')).toThrow(
      /cfg\.yml:2:27: 'downstream\.repository' is "gitops"; expected owner\/repo/,
    );
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problemsOf('upstream: { repository: o/a\nenvironments: [\n')[0]).toMatchObject({
      code: 'config/yaml-syntax',
      line: 2,
    });
  });

  it('rejects a tag pattern that does not compile', () => {
    expect(problemsOf(GOOD.replace("'.*-dev'", "'(.*-dev'"))).toEqual([
      { code: 'config/bad-pattern', file: 'cfg.yml', line: 4, column: 15 },
    ]);
  });

  it('rejects overlapping patterns, naming both environments', () => {
    expect(() => parseConfig(GOOD.replace("'.*-stable'", "'.*'"), 'cfg.yml')).toThrow(
      /environments 'dev' and 'prod' overlap: tag "4f2c1e0d9b8a7f6e5d4c3b2a1908f7e6d5c4b3a2-dev" of 'dev' \(a push of branch main\) also matches 'prod' pattern '\.\*'/,
    );
  });

  it('rejects an example tag its own pattern does not match', () => {
    const text = GOOD.replace(
      'environments/prod/values.yaml }',
      "environments/prod/values.yaml, example-tag: '1.2.3' }",
    );
    expect(problemsOf(text)).toEqual([{ code: 'config/example-mismatch', file: 'cfg.yml', line: 5, column: 16 }]);
  });

  it('checks the tag the workflow builds, not only a given example-tag', () => {
    const text = GOOD.replace(
      "{ tag: '.*-dev', files: environments/dev/values.yaml }",
      "{ tag: 'qa-[0-9]+', example-tag: qa-1, files: environments/dev/values.yaml }",
    );
    expect(() => parseConfig(text, 'cfg.yml')).toThrow(
      /'dev' builds tags like "qa-4f2c1e0d9b8a7f6e5d4c3b2a1908f7e6d5c4b3a2" \(a push of branch main\), which its own pattern 'qa-\[0-9\]\+' does not match/,
    );
    // The prefix is taken from the pattern: qa-<sha> is built and routed without saying so.
    const ok = parseConfig(text.replace('qa-[0-9]+', 'qa-[0-9a-f]+'), 'cfg.yml');
    expect(ok.environments[0]!.builtTag).toBe('qa-4f2c1e0d9b8a7f6e5d4c3b2a1908f7e6d5c4b3a2');
  });

  it('rejects two environments built from the same ref, and a third without on', () => {
    const text = `${GOOD}  qa: { tag: '.*-qa', files: q.yaml }
  hotfix: { tag: '.*-hf', files: h.yaml, on: { branch: main } }
`;
    expect(problemsOf(text).map((p) => p.code)).toEqual(['config/two-tags', 'config/missing-on']);
  });

  it('rejects two edits for one environment and a regex without a named group', () => {
    const text = GOOD.replace(
      'environments/dev/values.yaml }',
      "environments/dev/values.yaml, yaml-path: a.b, regex: 'tag: (.*)' }",
    );
    expect(problemsOf(text).map((p) => p.code)).toEqual(['config/edit-conflict', 'config/regex-no-group']);
  });

  it('rejects ref and vendor together, and secret names GitHub reserves', () => {
    const text = `${GOOD}actions: { ref: o/gitops-dispatch@v1, vendor: true }
secrets: { token: GITHUB_TOKEN }
`;
    expect(problemsOf(text)).toEqual([
      { code: 'config/actions-both', file: 'cfg.yml', line: 6, column: 10 },
      { code: 'config/invalid-value', file: 'cfg.yml', line: 7, column: 19 },
    ]);
  });
});

describe('config strings that reach generated YAML (item 12)', () => {
  it('rejects a newline or YAML syntax in branches, registry, dockerfile and context, naming the key', () => {
    const text = `upstream: { repository: o/app, image: ghcr.io/o/app, registry: "ghcr.io\\nx: 1", branch: "main\\n", dockerfile: "a: b", context: "{x}" }
downstream: { repository: o/gitops, branch: "main\\njobs:\\n  evil: { runs-on: x, steps: [ { run: id } ] }" }
environments:
  dev: { tag: '.*-dev', files: environments/dev/values.yaml }
`;
    let error: unknown;
    try {
      parseConfig(text, 'cfg.yml');
    } catch (e) {
      error = e;
    }
    const messages = (error as { problems: { message: string }[] }).problems.map((p) => p.message);
    for (const key of [
      'upstream.registry',
      'upstream.branch',
      'upstream.dockerfile',
      'upstream.context',
      'downstream.branch',
    ]) {
      expect(
        messages.some((m) => m.startsWith(`'${key}' is `)),
        key,
      ).toBe(true);
    }
    expect(messages.find((m) => m.startsWith("'downstream.branch'"))).toContain('expected a branch name');
  });
});
