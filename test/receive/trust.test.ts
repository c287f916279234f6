/**
 * Issue 9 through action.yml, as a runner runs it: real files and hostile payloads either land exactly or are
 * refused with a clear error and every byte, the index and HEAD left as they were.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { runCompositeAction } from '../support/composite.js';
import { git, readTree, tempDir, writeTree } from '../support/git.js';
import { actionDir, ensureReceiveBundle } from './build.js';

beforeAll(() => ensureReceiveBundle(), 240_000);

async function workspace(tree: Record<string, string | Buffer>): Promise<string> {
  const dir = await tempDir('receive-trust-');
  await git(dir, 'init', '-q', '-b', 'main');
  for (const [path, content] of Object.entries(tree)) {
    if (typeof content === 'string') await writeTree(dir, { [path]: content });
    else {
      await writeTree(dir, { [path]: '' });
      await writeFile(join(dir, path), content);
    }
  }
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

function receive(ws: string, inputs: Record<string, string>, payload: Record<string, unknown>) {
  return runCompositeAction({
    actionDir,
    workspace: ws,
    inputs: { checkout: 'false', commit: 'false', ...inputs },
    github: { event_name: 'repository_dispatch', event: { action: 'update-gitops-repo', client_payload: payload } },
  });
}

/** Every file byte for byte, a clean index and the same HEAD. */
async function snapshot(ws: string) {
  const files = await readTree(ws);
  const bytes = Object.fromEntries(
    await Promise.all(Object.keys(files).map(async (p) => [p, (await readFile(join(ws, p))).toString('hex')])),
  );
  return { bytes, status: await git(ws, 'status', '--porcelain'), head: await git(ws, 'rev-parse', 'HEAD') };
}

const yamlPathRule = (files: string, tag = '.*') =>
  `- name: dev\n  when: { docker_image_tag: '${tag}' }\n  update:\n    - files: ${files}\n      yaml-path: image.tag\n`;

describe('real files: exact edits', () => {
  it('an empty value before a comment keeps the comment (traefik values.yaml)', async () => {
    const ws = await workspace({
      'values.yaml': 'image:\n  repository: traefik\n  tag:  # @schema type:[string, null]\n',
    });
    for (const [tag, line] of [
      ['v3.1.0', '  tag:  v3.1.0 # @schema type:[string, null]'],
      ['1.10', '  tag:  "1.10" # @schema type:[string, null]'],
    ]) {
      await git(ws, 'checkout', '-q', '--', '.');
      const r = await receive(ws, { rules: yamlPathRule('values.yaml') }, { docker_image_tag: tag! });
      expect(r.exitCode, r.log).toBe(0);
      const text = await readFile(join(ws, 'values.yaml'), 'utf8');
      expect(text.split('\n')[2]).toBe(line);
      expect(parseDocument(text).toJS().image.tag).toBe(tag);
    }
  });

  it('quotes every tag that YAML 1.1 (Helm, kustomize) would read as something else', async () => {
    const tags = ['on', 'off', 'y', 'yes', 'no', '1_000', '0b101', '2024_01_15', '2024-01-01', '1e3', '0123'];
    const ws = await workspace({
      'values.yaml': 'image:\n  tag: 1.0.0 # the tag\n',
      'kustomization.yaml': 'images:\n  - name: app\n    newTag: 1.0.0\n',
    });
    const rules = `- name: dev\n  when: { docker_image_tag: '.*' }\n  update:\n    - { files: values.yaml, yaml-path: image.tag }\n    - { files: kustomization.yaml, kustomize-image: app }\n`;
    for (const tag of tags) {
      await git(ws, 'checkout', '-q', '--', '.');
      const r = await receive(ws, { rules }, { docker_image_tag: tag });
      expect(r.exitCode, r.log).toBe(0);
      const values = await readFile(join(ws, 'values.yaml'), 'utf8');
      const kustomization = await readFile(join(ws, 'kustomization.yaml'), 'utf8');
      expect(values).toBe(`image:\n  tag: "${tag}" # the tag\n`);
      expect(kustomization).toBe(`images:\n  - name: app\n    newTag: "${tag}"\n`);
      for (const version of ['1.1', '1.2'] as const) {
        expect(parseDocument(values, { version }).toJS().image.tag).toBe(tag);
        expect(parseDocument(kustomization, { version }).toJS().images[0].newTag).toBe(tag);
      }
    }
  });
});

describe('refused with a clear error, nothing changed', () => {
  const cases: {
    name: string;
    tree: Record<string, string | Buffer>;
    inputs: Record<string, string>;
    payload: Record<string, unknown>;
    expect: RegExp;
  }[] = [
    {
      name: 'a Latin-1 values file',
      tree: { 'environments/dev/values.yaml': Buffer.from('# caf\xe9\nimage:\n  tag: v1\n', 'latin1') },
      inputs: { rules: yamlPathRule('environments/dev/*') },
      payload: { docker_image_tag: 'v2' },
      expect: /environments\/dev\/values\.yaml: .*is not valid UTF-8/,
    },
    {
      name: 'a PNG matched by environments/dev/*',
      tree: {
        'environments/dev/values.yaml': 'image:\n  tag: v1\n',
        'environments/dev/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      },
      inputs: { rules: yamlPathRule('environments/dev/*') },
      payload: { docker_image_tag: 'v2' },
      expect: /environments\/dev\/logo\.png: .*NUL byte/,
    },
    {
      name: 'U+2028 in git_branch with the README migration regex',
      tree: { 'values.yaml': 'image:\n  tag: "v1"\ngit_branch: "main"\n' },
      inputs: {
        mappings: 'docker_image_tag==.* {THEN_UPDATE_FILES} values.yaml=git_branch_regex',
        git_branch_regex: 'git_branch: "(?<git_branch>.*)"',
      },
      payload: {
        docker_image_tag: 'v2',
        git_branch: 'main"\u2028securityContext:\u2028  privileged: true\u2028x: "',
      },
      expect:
        /Variable 'git_branch' is "main\\"\\u2028securityContext:\\u2028 {2}privileged: true\\u2028x: \\"", which holds U\+2028/,
    },
    ...['\u0085', '\u202e', '\ufeff', '\u009b', '\u2066'].map((c) => ({
      name: `U+${c.codePointAt(0)!.toString(16).padStart(4, '0')} in a written user key`,
      tree: { 'values.yaml': 'image:\n  tag: "v1"\nteam: "a"\n' },
      inputs: {
        rules: `- name: dev\n  when: { docker_image_tag: '.*' }\n  update:\n    - { files: values.yaml, regex: 'team: "(?<team>[^"]*)"' }\n`,
      },
      payload: { docker_image_tag: 'v2', team: `b${c}c` },
      expect: new RegExp(
        `Variable 'team' is .*which holds U\\+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
      ),
    })),
    {
      name: 'a regex edit that would add a key to a YAML file',
      tree: { 'values.yaml': 'image: { tag: "v1" }\n' },
      inputs: {
        rules: `- name: dev\n  when: { docker_image_tag: '.*' }\n  update:\n    - { files: values.yaml, regex: 'tag: "(?<docker_image_tag>[^"]*)"' }\n`,
      },
      payload: { docker_image_tag: 'v2", privileged: "true' },
      expect: /docker_image_tag.*expected a valid OCI tag/,
    },
    {
      name: 'a regex edit whose result YAML 1.1 reads as a boolean',
      tree: { 'values.yaml': 'image:\n  tag: v1\n' },
      inputs: {
        rules: `- name: dev\n  when: { docker_image_tag: '.*' }\n  update:\n    - { files: values.yaml, regex: 'tag: (?<docker_image_tag>\\S+)' }\n`,
      },
      payload: { docker_image_tag: 'off' },
      expect:
        /values\.yaml: .*as YAML 1\.1, image\.tag reads as boolean false, not the value written\); nothing was written/,
    },
    {
      name: 'a tag with a newline, even when no rule would match it',
      tree: { 'values.yaml': 'image:\n  tag: v1\n' },
      inputs: { rules: yamlPathRule('values.yaml', '.*-stable') },
      payload: { docker_image_tag: '2.0.0-dev\nimage: evil' },
      expect: /Variable 'docker_image_tag' is "2\.0\.0-dev\\nimage: evil"/,
    },
    {
      name: 'a malformed digest, whatever the rules',
      tree: { 'values.yaml': 'image:\n  tag: v1\n' },
      inputs: { rules: yamlPathRule('values.yaml', 'never') },
      payload: { docker_image_tag: 'v2', digest: 'sha256:abc' },
      expect: /Variable 'digest' is "sha256:abc"; expected sha256: followed by 64/,
    },
    {
      name: 'a condition in syntax the linear-time matcher does not have',
      tree: { 'values.yaml': 'image:\n  tag: v1\n' },
      inputs: { rules: yamlPathRule('values.yaml', '(?!x).*-dev') },
      payload: { docker_image_tag: 'v2-dev' },
      expect: /Rule 'dev': the pattern for 'docker_image_tag' .*conditions use RE2 syntax/,
    },
    {
      name: 'author-email that is no address, before any file is edited',
      tree: { 'values.yaml': 'image:\n  tag: v1\n' },
      inputs: { rules: yamlPathRule('values.yaml'), commit: 'true', push: 'false', 'author-email': 'nobody' },
      payload: { docker_image_tag: 'v2' },
      expect: /Input 'author-email' is "nobody"; expected an address like name@example\.com/,
    },
    {
      name: 'a commit message that renders empty, before any file is edited or staged',
      tree: { 'values.yaml': 'image:\n  tag: v1\n' },
      inputs: { rules: yamlPathRule('values.yaml'), commit: 'true', push: 'false', 'commit-message': '{{missing}}' },
      payload: { docker_image_tag: 'v2' },
      expect: /Input 'commit-message' renders to an empty message/,
    },
    {
      name: 'max-attempts over the one limit',
      tree: { 'values.yaml': 'image:\n  tag: v1\n' },
      inputs: { rules: yamlPathRule('values.yaml'), 'max-attempts': '21' },
      payload: { docker_image_tag: 'v2' },
      expect: /Input 'max-attempts' is "21"; expected a whole number from 1 to 20/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const ws = await workspace(c.tree);
      const before = await snapshot(ws);
      const r = await receive(ws, c.inputs, c.payload);
      expect(r.exitCode, r.log).not.toBe(0);
      expect(r.log).toMatch(c.expect);
      expect(await snapshot(ws)).toEqual(before);
    });
  }
});

describe('a hostile tag cannot hang the job', () => {
  it('a nested-quantifier rule against a crafted 51-character tag answers at once', async () => {
    const ws = await workspace({ 'values.yaml': 'image:\n  tag: v1\n' });
    const tag = `${'1'.repeat(44)}-stablx`;
    // A backtracking engine takes minutes here (2^44 ways to split the digits); the harness's step limit would end it.
    const r = await receive(
      ws,
      { rules: yamlPathRule('values.yaml', 'v?([0-9]+\\.?)+-stable') },
      { docker_image_tag: tag },
    );
    expect(r.exitCode, r.log).toBe(0);
    expect(r.log).toContain('matched no rule');
    const seed = await receive(
      ws,
      {
        mappings: 'docker_image_tag==^v?([0-9]+\\.?)+-stable$ {THEN_UPDATE_FILES} values.yaml',
        docker_image_tag_regex: 'tag: (?<docker_image_tag>\\S+)',
      },
      { docker_image_tag: tag },
    );
    expect(seed.exitCode, seed.log).toBe(0);
    expect(seed.log).toContain('matched no rule');
  });
});
