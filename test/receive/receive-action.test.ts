import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCompositeAction } from '../support/composite.js';
import { git, readTree, tempDir, writeTree } from '../support/git.js';
import { actionDir } from './build.js';

/** A git repository holding `tree`, committed, as the workspace a checkout would leave. */
async function workspace(tree: Record<string, string>): Promise<string> {
  const dir = await tempDir('receive-ws-');
  await git(dir, 'init', '-q', '-b', 'main');
  await writeTree(dir, tree);
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

async function receive(ws: string, inputs: Record<string, string>, payload: Record<string, unknown>) {
  return runCompositeAction({
    actionDir,
    workspace: ws,
    inputs: { checkout: 'false', commit: 'false', ...inputs },
    github: {
      event_name: 'repository_dispatch',
      event: { action: 'update-gitops-repo', client_payload: payload },
    },
  });
}

async function expectUntouched(ws: string, tree: Record<string, string>) {
  expect(await readTree(ws)).toEqual(tree);
  expect(await git(ws, 'status', '--porcelain')).toBe('');
}

// The seed article's GitOps repo and its mapping, with its two mistakes fixed (`git_brach`, `-prod` vs `-stable`).
const seedTree = {
  'Chart.yaml': 'apiVersion: v2\nname: myapp\nversion: 0.1.0\n',
  'environments/dev/values.yaml':
    '# dev\nimage:\n  repository: ghcr.io/myorg/myapp\n  imageTag: "0.9.0-dev"\ngit_branch: "main"\n',
  'environments/prod/values.yaml': 'image:\n  imageTag: "0.8.0-stable"\ngit_branch: "main"\n',
};
const seedInputs = {
  mappings:
    'docker_image_tag==.*-dev {THEN_UPDATE_FILES} **dev/values.yaml=docker_image_tag_regex&git_branch_regex {NEXT_MAPPING} docker_image_tag==.*-stable {THEN_UPDATE_FILES} **prod/values.yaml=docker_image_tag_regex&git_branch_regex',
  docker_image_tag_regex: 'imageTag: \\"(?<docker_image_tag>.*)\\"',
  git_branch_regex: 'git_branch: \\"(?<git_branch>.*)\\"',
};

describe('receive-action (checkout: false, commit: false)', () => {
  it('runs the seed article mapping: byte-exact tree and seed-compatible outputs', async () => {
    const ws = await workspace(seedTree);
    const r = await receive(ws, seedInputs, {
      docker_image_tag: '1.0.0-stable',
      git_branch: 'release/1.0',
      commit_message: 'Fix "quotes"\nand newlines',
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(await readTree(ws)).toEqual({
      ...seedTree,
      'environments/prod/values.yaml': 'image:\n  imageTag: "1.0.0-stable"\ngit_branch: "release/1.0"\n',
    });
    expect(r.outputs.total_modified_files).toBe('1');
    expect(JSON.parse(r.outputs['modified-files']!)).toEqual(['environments/prod/values.yaml']);
    expect(JSON.parse(r.outputs.environments!)).toEqual(['mapping-2']);
    expect(r.outputs.pushed).toBe('false');
    expect(r.outputs['commit-sha']).toBe('');
    expect(r.summary).toContain('| environment | file | old value | new value |');
    expect(r.summary).toContain('`0.8.0-stable` | `1.0.0-stable`');
  });

  it("reports the seed's own `git_brach` typo with a suggestion and changes nothing", async () => {
    const ws = await workspace(seedTree);
    const r = await receive(
      ws,
      { ...seedInputs, git_branch_regex: 'git_branch: \\"(?<git_brach>.*)\\"' },
      { docker_image_tag: '1.0.0-dev', git_branch: 'main' },
    );
    expect(r.exitCode).not.toBe(0);
    expect(r.log).toContain('did you mean git_branch?');
    await expectUntouched(ws, seedTree);
  });

  it('edits commented YAML through native rules, keeping every other byte', async () => {
    const values =
      "\uFEFF# Values for prod.\r\n\r\nimage:\r\n  repository: ghcr.io/org/app # where\r\n  # set by CI:\r\n  tag: '1.0.0'   # the tag\r\nresources: {limits: {cpu: 1}}\r\n";
    const tree = { 'apps/web/prod/values.yaml': values, 'apps/web/dev/values.yaml': values };
    const ws = await workspace(tree);
    const rules = [
      '- name: prod',
      "  when: { docker_image_tag: 'v?[0-9.]+' }",
      '  update:',
      '    - files: apps/*/prod/values.yaml',
      '      yaml-path: image.tag',
    ].join('\n');
    const r = await receive(ws, { rules }, { docker_image_tag: '1.1.0' });
    expect(r.exitCode, r.log).toBe(0);
    expect(await readTree(ws)).toEqual({ ...tree, 'apps/web/prod/values.yaml': values.replace("'1.0.0'", "'1.1.0'") });
    expect(r.stdout).toContain('::group::Rule prod');
  });

  it('sets newTag and digest in a kustomization', async () => {
    const kustomization =
      'kind: Kustomization\nimages:\n  - name: ghcr.io/org/app # app\n    newName: mirror/app\n    newTag: v1\n';
    const ws = await workspace({ 'k/kustomization.yaml': kustomization });
    const rules = `- name: prod\n  when: { docker_image_tag: '.*' }\n  update:\n    - files: k/kustomization.yaml\n      kustomize-image: ghcr.io/org/app\n`;
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const r = await receive(ws, { rules }, { docker_image_tag: 'v2', digest });
    expect(r.exitCode, r.log).toBe(0);
    expect((await readTree(ws))['k/kustomization.yaml']).toBe(
      kustomization.replace('newTag: v1\n', `newTag: v2\n    digest: ${digest}\n`),
    );
  });

  it('inserts hostile values literally', async () => {
    const tree = { 'v.txt': 'branch: "old" tag: "t0"\nbranch elsewhere: old\n' };
    const ws = await workspace(tree);
    const branch = String.raw`feat/$&-$1-$'-\1\\`;
    const rules = [
      '- name: all',
      "  when: { docker_image_tag: '.*' }",
      '  update:',
      '    - files: v.txt',
      `      regex: 'branch: "(?<git_branch>[^"]*)" tag: "(?<docker_image_tag>[^"]*)"'`,
    ].join('\n');
    const r = await receive(ws, { rules }, { docker_image_tag: 't1', git_branch: branch });
    expect(r.exitCode, r.log).toBe(0);
    expect((await readTree(ws))['v.txt']).toBe(`branch: "${branch}" tag: "t1"\nbranch elsewhere: old\n`);
  });

  it('dry-run prints the diff and changes nothing', async () => {
    const ws = await workspace(seedTree);
    const r = await receive(
      ws,
      { ...seedInputs, 'dry-run': 'true' },
      { docker_image_tag: '2.0.0-dev', git_branch: 'x' },
    );
    expect(r.exitCode, r.log).toBe(0);
    expect(r.log).toContain('--- a/environments/dev/values.yaml');
    expect(r.log).toContain('+++ b/environments/dev/values.yaml');
    expect(r.log).toContain('+  imageTag: "2.0.0-dev"');
    expect(r.outputs.total_modified_files).toBe('0');
    expect(JSON.parse(r.outputs.environments!)).toEqual(['mapping-1']);
    await expectUntouched(ws, seedTree);
  });

  it('a tag matching no rule: exit 0, total 0, a notice naming the tag and the patterns', async () => {
    const ws = await workspace(seedTree);
    const r = await receive(ws, seedInputs, { docker_image_tag: '1.0.0-rc1', git_branch: 'x' });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs.total_modified_files).toBe('0');
    expect(r.outputs['modified-files']).toBe('[]');
    const notice = r.annotations.find((a) => a.level === 'notice');
    expect(notice?.message).toContain('1.0.0-rc1');
    expect(notice?.message).toContain('.*-dev');
    expect(notice?.message).toContain('.*-stable');
    await expectUntouched(ws, seedTree);
  });

  it('warns, naming the file, when a selected file has no match for a regex', async () => {
    const tree = { 'environments/dev/values.yaml': 'imageTag: "1"\n', 'other/dev/values.yaml': 'nothing\n' };
    const ws = await workspace(tree);
    const rules = [
      '- name: dev',
      "  when: { docker_image_tag: '.*-dev' }",
      '  update:',
      "    - files: '*/dev/values.yaml'",
      `      regex: 'imageTag: "(?<docker_image_tag>[^"]*)"'`,
    ].join('\n');
    const r = await receive(ws, { rules }, { docker_image_tag: '2-dev' });
    expect(r.exitCode, r.log).toBe(0);
    const warnings = r.annotations.filter((a) => a.level === 'warning');
    expect(warnings.some((w) => w.file === 'other/dev/values.yaml' && /matched nothing/.test(w.message))).toBe(true);
    expect(r.outputs.total_modified_files).toBe('1');
    expect((await readTree(ws))['environments/dev/values.yaml']).toBe('imageTag: "2-dev"\n');
  });

  it('warns when a rule selects no file', async () => {
    const ws = await workspace(seedTree);
    const rules =
      "- name: dev\n  when: { docker_image_tag: '.*' }\n  update:\n    - files: nowhere/*.yaml\n      yaml-path: image.tag\n";
    const r = await receive(ws, { rules }, { docker_image_tag: 'v1' });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.annotations.some((a) => a.level === 'warning' && a.message.includes('nowhere/*.yaml'))).toBe(true);
    await expectUntouched(ws, seedTree);
  });

  it('reads rules from rules-file and lets the docker_image_tag input override the payload', async () => {
    const tree = {
      '.github/gitops-rules.yml':
        "- name: prod\n  when: { docker_image_tag: '.*-stable' }\n  update:\n    - files: prod/values.yaml\n      yaml-path: image.tag\n",
      'prod/values.yaml': 'image:\n  tag: 1.0.0-stable # keep\n',
    };
    const ws = await workspace(tree);
    const r = await receive(
      ws,
      { 'rules-file': '.github/gitops-rules.yml', docker_image_tag: '3.0.0-stable' },
      { docker_image_tag: '2.0.0-stable' },
    );
    expect(r.exitCode, r.log).toBe(0);
    expect((await readTree(ws))['prod/values.yaml']).toBe('image:\n  tag: 3.0.0-stable # keep\n');
    expect(JSON.parse(r.outputs['modified-files']!)).toEqual(['prod/values.yaml']);
  });

  it('never prints the token', async () => {
    const ws = await workspace(seedTree);
    const token = 'ghs_verySecretToken1234567890abcdefghij';
    const r = await receive(ws, { ...seedInputs, token }, { docker_image_tag: '2.0.0-dev', git_branch: 'x' });
    expect(r.exitCode, r.log).toBe(0);
    // Registering the mask is the one place the runner protocol needs the value itself.
    const printed = r.stdout.split('\n').filter((line) => line !== `::add-mask::${token}`);
    expect(printed.join('\n')).not.toContain(token);
    expect(r.stderr).not.toContain(token);
    expect(r.masked).toContain(token);
  });

  it('commit: true with no reachable remote fails, says why, and leaves the checkout as it was', async () => {
    const ws = await workspace(seedTree);
    const head = await git(ws, 'rev-parse', 'HEAD');
    const r = await receive(ws, { ...seedInputs, commit: 'true' }, { docker_image_tag: '2.0.0-dev', git_branch: 'x' });
    expect(r.exitCode).not.toBe(0);
    expect(r.log).toContain('The remote could not be reached');
    await expectUntouched(ws, seedTree);
    expect(await git(ws, 'rev-parse', 'HEAD')).toBe(head);
  });
});

describe('receive-action refuses bad input and leaves every file untouched', () => {
  const rulesFor = (files: string, edit = 'yaml-path: image.tag') =>
    `- name: env\n  when: { docker_image_tag: '[\\s\\S]*' }\n  update:\n    - files: ${files}\n      ${edit}\n`;
  const tree = { 'env/values.yaml': 'image:\n  tag: v1\n', 'env/other.yaml': 'image:\n  repo: x\n' };

  const cases: { name: string; inputs: Record<string, string>; payload?: Record<string, unknown>; expect: RegExp }[] = [
    {
      name: 'hostile tag (newline)',
      inputs: { rules: rulesFor('env/values.yaml') },
      payload: { docker_image_tag: 'v2\nmalicious: true' },
      expect: /Variable 'docker_image_tag' is "v2\\nmalicious: true", which holds U\+000A/,
    },
    {
      name: 'hostile tag (not an OCI tag)',
      inputs: { rules: rulesFor('env/values.yaml') },
      payload: { docker_image_tag: '$(rm -rf /)' },
      expect: /docker_image_tag.*expected a valid OCI tag/,
    },
    {
      name: 'escaping glob',
      inputs: { rules: rulesFor('../outside/values.yaml') },
      expect: /\.\.\/outside\/values\.yaml/,
    },
    { name: 'unparsable rules', inputs: { rules: '- name: [unclosed\n' }, expect: /rules/ },
    {
      name: 'missing yaml path',
      inputs: { rules: rulesFor('env/*.yaml') },
      expect: /env\/other\.yaml.*image\.tag does not exist/,
    },
    {
      name: 'strict booleans',
      inputs: { rules: rulesFor('env/values.yaml'), 'dry-run': 'yes' },
      expect: /Input 'dry-run' is "yes"; expected true or false/,
    },
    {
      name: 'max-attempts range',
      inputs: { rules: rulesFor('env/values.yaml'), 'max-attempts': '0' },
      expect: /Input 'max-attempts' is "0"; expected a whole number from 1 to 20/,
    },
    {
      name: 'two rule sources',
      inputs: { rules: rulesFor('env/values.yaml'), mappings: 'x' },
      expect: /expected exactly one of rules, rules-file, mappings/,
    },
    { name: 'missing rules-file', inputs: { 'rules-file': 'nope.yml' }, expect: /Input 'rules-file' is "nope.yml"/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const ws = await workspace(tree);
      const r = await receive(ws, c.inputs, c.payload ?? { docker_image_tag: 'v2' });
      expect(r.exitCode).not.toBe(0);
      expect(r.log).toMatch(c.expect);
      await expectUntouched(ws, tree);
    });
  }

  it('one error annotation per problem, with the rules file position and the code, then a one-line summary', async () => {
    const rulesFile =
      '- name: dev\n  when: { docker_image_tag: "(" }\n  update: [{ files: a.yaml, yaml-path: a, flies: b }]\n';
    const ws = await workspace({ ...tree, 'rules.yml': rulesFile });
    const r = await receive(ws, { 'rules-file': 'rules.yml' }, { docker_image_tag: 'v2' });
    expect(r.exitCode).not.toBe(0);
    // The action's own errors, not the runner's closing "Process completed with exit code 1."
    const errors = r.annotations.filter((a) => a.level === 'error' && !a.message.startsWith('Process completed'));
    const summary = '2 problems (listed above); nothing was changed';
    expect(errors.map((a) => [a.title, a.file, a.line])).toEqual([
      ['rules/bad-regex', 'rules.yml', 2],
      ['rules/unknown-key', 'rules.yml', 3],
      [undefined, undefined, undefined],
    ]);
    expect(errors[0]!.message).toMatch(/^rules\.yml:2:29: Rule 'dev': the pattern for 'docker_image_tag'/);
    expect(errors[2]!.message).toBe(summary);
    await expectUntouched(ws, { ...tree, 'rules.yml': rulesFile });
  });

  it('a single problem is annotated once, at its position in the rules input', async () => {
    const ws = await workspace(tree);
    const r = await receive(
      ws,
      { rules: '- name: dev\n  when: { docker_image_tag: "(" }\n  update: [{ files: a.yaml, yaml-path: a }]\n' },
      { docker_image_tag: 'v2' },
    );
    expect(r.exitCode).not.toBe(0);
    const errors = r.annotations.filter((a) => a.level === 'error' && !a.message.startsWith('Process completed'));
    // One problem, one annotation: it is its own summary, not repeated.
    expect(errors.map((a) => [a.title, a.file, a.line])).toEqual([['rules/bad-regex', 'rules', 2]]);
    expect(errors[0]!.message).toMatch(/^rules:2:29: /);
  });

  it('symlink out of the repository', async () => {
    const outside = await tempDir('receive-outside-');
    await writeTree(outside, { 'values.yaml': 'image:\n  tag: v1\n' });
    const ws = await workspace(tree);
    await mkdir(join(ws, 'link'));
    await symlink(join(outside, 'values.yaml'), join(ws, 'link', 'values.yaml'));
    const r = await receive(ws, { rules: rulesFor('link/values.yaml') }, { docker_image_tag: 'v2' });
    expect(r.exitCode).not.toBe(0);
    expect(r.log).toMatch(/link\/values\.yaml resolves to .*outside the repository/);
    expect((await readTree(outside))['values.yaml']).toBe('image:\n  tag: v1\n');
  });
});
