import { chmod, lstat, mkdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { MemoryLogger } from '../../core/logger.js';
import { applyPlan } from '../../core/plan/apply.js';
import { renderDiff } from '../../core/plan/diff.js';
import { planUpdate } from '../../core/plan/planner.js';
import type { Edit, Rule, Variables } from '../../core/rules/model.js';
import { readTree, tempDir, writeTree } from '../support/git.js';

function rule(name: string, tagPattern: string, files: string, edit: Edit, extra: Partial<Rule> = {}): Rule {
  return {
    name,
    when: [[{ variable: 'docker_image_tag', pattern: tagPattern, anchored: true }]],
    update: [{ files: [files], globDialect: 'native', edit }],
    origin: { syntax: 'native', source: 'rules', line: 1 },
    ...extra,
  };
}
const tagPath: Edit = { kind: 'yaml-path', path: 'image.tag', variable: 'docker_image_tag', create: false };
const tagRegex: Edit = {
  kind: 'regex',
  patterns: [{ source: 'imageTag: "(?<docker_image_tag>[^"]*)"', flags: '', label: 'imageTag' }],
};

async function problemsOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UserError) return error.problems;
    throw error;
  }
  throw new Error('expected a UserError');
}

async function plan(root: string, rules: Rule[], variables: Variables) {
  const logger = new MemoryLogger();
  const result = await planUpdate({ root, rules, variables, logger });
  return { result, logger };
}

const values = '# app\nimage:\n  repository: x # repo\n  tag: 1.0.0-dev\n';

describe('planUpdate', () => {
  it('plans the edits of the matching rule only, and reads without writing', async () => {
    const root = await tempDir();
    await writeTree(root, { 'dev/values.yaml': values, 'prod/values.yaml': values });
    const rules = [
      rule('dev', '.*-dev', 'dev/values.yaml', tagPath),
      rule('prod', '.*-stable', 'prod/values.yaml', tagPath),
    ];
    const { result } = await plan(root, rules, { docker_image_tag: '2.0.0-dev' });
    expect(result.matchedRules).toEqual(['dev']);
    expect(result.changes.map((c) => [c.path, c.rules])).toEqual([['dev/values.yaml', ['dev']]]);
    expect(result.changes[0]?.after).toBe(values.replace('1.0.0-dev', '2.0.0-dev'));
    expect(await readTree(root)).toEqual({ 'dev/values.yaml': values, 'prod/values.yaml': values });
  });

  it('two rules on one file apply in order on the evolving text and both are named', async () => {
    const root = await tempDir();
    await writeTree(root, { 'v.yaml': 'image:\n  tag: old\nimageTag: "old"\n' });
    const rules = [rule('first', '.*', 'v.yaml', tagPath), rule('second', '.*', 'v.yaml', tagRegex)];
    const { result } = await plan(root, rules, { docker_image_tag: 'new' });
    expect(result.changes).toHaveLength(1);
    expect(result.changes[0]?.rules).toEqual(['first', 'second']);
    expect(result.changes[0]?.after).toBe('image:\n  tag: new\nimageTag: "new"\n');
    expect(result.changes[0]?.spans.map((s) => s.line)).toEqual([2, 3]);
  });

  it('lists files already holding the values as unchanged', async () => {
    const root = await tempDir();
    await writeTree(root, { 'v.yaml': 'image:\n  tag: same\n' });
    const { result } = await plan(root, [rule('r', '.*', '*.yaml', tagPath)], { docker_image_tag: 'same' });
    expect(result).toEqual({ matchedRules: ['r'], changes: [], unchanged: ['v.yaml'] });
  });

  it('a tag matching no rule gives a notice naming the tag and the patterns, and an empty plan', async () => {
    const root = await tempDir();
    const { result, logger } = await plan(root, [rule('dev', '.*-dev', 'x', tagPath)], { docker_image_tag: '1.0-rc' });
    expect(result).toEqual({ matchedRules: [], changes: [], unchanged: [] });
    const notice = logger.messages('notice')[0];
    expect(notice).toContain('"1.0-rc"');
    expect(notice).toContain('.*-dev');
  });

  it('rejects a hostile tag before reading any file, showing it escaped', async () => {
    const root = await tempDir();
    await writeTree(root, { 'v.yaml': values });
    for (const bad of ['1.0\nrm -rf /', 'a b', '-x', `${'a'.repeat(129)}`, 'x\u0007']) {
      const problems = await problemsOf(
        plan(root, [rule('r', '[\\s\\S]*', '*.yaml', tagPath)], { docker_image_tag: bad }),
      );
      expect(problems[0]?.code).toBe('plan/invalid-value');
      expect(problems[0]?.message).toContain(JSON.stringify(bad));
      expect(problems[0]?.message).toContain('docker_image_tag');
    }
  });

  it('checks only the variables an edit writes', async () => {
    const root = await tempDir();
    await writeTree(root, { 'v.yaml': values, 'b.txt': 'branch: "x"\n' });
    const ok = await plan(root, [rule('r', '.*', '*.yaml', tagPath)], { docker_image_tag: 'v1', git_branch: 'a\nb' });
    expect(ok.result.changes).toHaveLength(1);
    const branchEdit: Edit = {
      kind: 'regex',
      patterns: [{ source: 'branch: "(?<git_branch>[^"]*)"', flags: '', label: 'git_branch_regex' }],
    };
    const problems = await problemsOf(
      plan(root, [rule('r', '.*', 'b.txt', branchEdit)], { docker_image_tag: 'v1', git_branch: 'a\nb' }),
    );
    expect(problems.map((p) => p.code)).toEqual(['plan/invalid-value']);
    expect(problems[0]?.message).toContain('"a\\nb"');
  });

  it('rejects a digest that is not sha256 + 64 hex when it is written', async () => {
    const root = await tempDir();
    await writeTree(root, { 'k.yaml': 'images: []\n' });
    const edit: Edit = { kind: 'kustomize-image', image: 'app' };
    const problems = await problemsOf(
      plan(root, [rule('r', '.*', 'k.yaml', edit)], { docker_image_tag: 'v1', digest: 'sha256:abc' }),
    );
    expect(problems[0]?.message).toContain("Variable 'digest'");
  });

  it('collects every problem at once: bad regex, unknown variable with suggestion, missing path, escaping glob', async () => {
    const root = await tempDir();
    await writeTree(root, { 'v.yaml': 'image:\n  repo: x\n' });
    const rules: Rule[] = [
      rule('a', '.*', 'v.yaml', {
        kind: 'regex',
        patterns: [{ source: '(?<docker_image_tag>', flags: '', label: 'bad' }],
      }),
      rule('b', '.*', 'v.yaml', {
        kind: 'regex',
        patterns: [{ source: 'b: (?<git_brach>.*)', flags: '', label: 'git_branch_regex' }],
      }),
      rule('c', '.*', 'v.yaml', tagPath),
      rule('d', '.*', '../outside/*.yaml', tagPath),
    ];
    const problems = await problemsOf(plan(root, rules, { docker_image_tag: 'v1', git_branch: 'main' }));
    expect(problems.map((p) => p.code)).toEqual([
      'edit/regex-invalid',
      'edit/unknown-variable',
      'edit/yaml-path-not-found',
      'glob/escapes-root',
    ]);
    expect(problems[0]?.message).toContain("rule 'a'");
    expect(problems[1]?.message).toContain('did you mean git_branch?');
    expect(problems[2]?.file).toBe('v.yaml');
  });

  it("all-or-nothing: when the second rule fails, the first rule's file is not written", async () => {
    const root = await tempDir();
    const tree = { 'a/values.yaml': values, 'b/values.yaml': 'image:\n  repo: x\n' };
    await writeTree(root, tree);
    const rules = [rule('one', '.*', 'a/values.yaml', tagPath), rule('two', '.*', 'b/values.yaml', tagPath)];
    const logger = new MemoryLogger();
    await expect(
      planUpdate({ root, rules, variables: { docker_image_tag: 'v9' }, logger }).then((p) => applyPlan(root, p)),
    ).rejects.toThrow(/b\/values\.yaml.*image\.tag does not exist/);
    expect(await readTree(root)).toEqual(tree);
  });

  it('a symlink resolving outside the repository is an error, not a skip', async () => {
    const root = await tempDir();
    const outside = await tempDir();
    await writeTree(outside, { 'secret.yaml': values });
    await writeTree(root, { 'ok/values.yaml': values });
    await mkdir(join(root, 'evil'));
    await symlink(join(outside, 'secret.yaml'), join(root, 'evil', 'values.yaml'));
    const problems = await problemsOf(
      plan(root, [rule('r', '.*', '*/values.yaml', tagPath)], { docker_image_tag: 'v2' }),
    );
    expect(problems.map((p) => [p.code, p.file])).toEqual([['plan/outside-repository', 'evil/values.yaml']]);
    expect(await readFile(join(outside, 'secret.yaml'), 'utf8')).toBe(values);
  });

  it('a symlink inside the repository edits its target and stays a symlink', async () => {
    const root = await tempDir();
    await writeTree(root, { 'real/values.yaml': values });
    await mkdir(join(root, 'link'));
    await symlink('../real/values.yaml', join(root, 'link', 'values.yaml'));
    const { result } = await plan(root, [rule('r', '.*', '*/values.yaml', tagPath)], { docker_image_tag: 'v2' });
    expect(result.changes.map((c) => c.path)).toEqual(['real/values.yaml']);
    await applyPlan(root, result);
    expect((await lstat(join(root, 'link', 'values.yaml'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(root, 'link', 'values.yaml'))).toBe('../real/values.yaml');
    expect(await readFile(join(root, 'real/values.yaml'), 'utf8')).toContain('tag: v2');
  });

  it('only-newer: keeps a newer version, warns naming both, and succeeds', async () => {
    const root = await tempDir();
    await writeTree(root, {
      'a.yaml': 'image:\n  tag: v1.10.0-stable\n',
      'b.yaml': 'image:\n  tag: 1.2.0-rc.1-stable\n',
    });
    const r = rule('prod', '.*-stable', '*.yaml', tagPath, { onlyNewer: { stripSuffix: '-stable' } });
    const { result, logger } = await plan(root, [r], { docker_image_tag: '1.9.0-stable' });
    expect(result.changes.map((c) => c.path)).toEqual(['b.yaml']);
    const warning = logger.lines.find((l) => l.level === 'warning');
    expect(warning?.message).toContain('v1.10.0-stable');
    expect(warning?.message).toContain('1.9.0-stable');
    expect(warning?.annotation?.file).toBe('a.yaml');
  });

  it('only-newer: lists each refusal in the plan, and onlyNewer: false writes the older version with a notice', async () => {
    const root = await tempDir();
    await writeTree(root, { 'a.yaml': 'image:\n  tag: 999999.0.0-stable\n' });
    const r = rule('prod', '.*-stable', '*.yaml', tagPath, { onlyNewer: { stripSuffix: '-stable' } });
    const variables = { docker_image_tag: '1.5.0-stable' };
    const { result } = await plan(root, [r], variables);
    expect(result.changes).toEqual([]);
    expect(result.refused).toEqual([
      {
        rule: 'prod',
        path: 'a.yaml',
        line: 2,
        variable: 'docker_image_tag',
        kept: '999999.0.0-stable',
        refused: '1.5.0-stable',
      },
    ]);

    const logger = new MemoryLogger();
    const forced = await planUpdate({ root, rules: [r], variables, logger, onlyNewer: false });
    expect(forced.changes.map((c) => c.after)).toEqual(['image:\n  tag: 1.5.0-stable\n']);
    expect(forced.refused).toBeUndefined();
    const notice = logger.lines.find((l) => l.level === 'notice');
    expect(notice?.message).toContain('had "999999.0.0-stable"; writing "1.5.0-stable"');
    expect(logger.lines.filter((l) => l.level === 'warning')).toEqual([]);
  });

  it('warns when a rule selects no file and when a regex matches nothing in a selected file', async () => {
    const root = await tempDir();
    await writeTree(root, { 'v.yaml': 'nothing: here\n' });
    const rules = [rule('none', '.*', 'missing/*.yaml', tagPath), rule('rx', '.*', 'v.yaml', tagRegex)];
    const { logger } = await plan(root, rules, { docker_image_tag: 'v1' });
    const warnings = logger.lines.filter((l) => l.level === 'warning');
    expect(warnings[0]?.message).toContain('missing/*.yaml');
    expect(warnings[1]?.message).toContain('matched nothing in v.yaml');
    expect(warnings[1]?.annotation?.file).toBe('v.yaml');
    expect(logger.messages('info')).toContain('::group::Rule rx');
  });
});

describe('applyPlan', () => {
  it('writes changed files only, keeping their mode, leaving no temporary files', async () => {
    const root = await tempDir();
    await writeTree(root, { 'run.yaml': 'image:\n  tag: a\n', 'same.yaml': 'image:\n  tag: b\n' });
    await chmod(join(root, 'run.yaml'), 0o750);
    const { result } = await plan(root, [rule('r', '.*', '*.yaml', tagPath)], { docker_image_tag: 'b' });
    await applyPlan(root, result);
    expect(await readTree(root)).toEqual({ 'run.yaml': 'image:\n  tag: b\n', 'same.yaml': 'image:\n  tag: b\n' });
    expect((await stat(join(root, 'run.yaml'))).mode & 0o777).toBe(0o750);
  });

  it('keeps a mode the umask would narrow (group- and world-writable)', async () => {
    const root = await tempDir();
    await writeTree(root, { 'shared.yaml': 'image:\n  tag: a\n' });
    await chmod(join(root, 'shared.yaml'), 0o666);
    const { result } = await plan(root, [rule('r', '.*', '*.yaml', tagPath)], { docker_image_tag: 'b' });
    await applyPlan(root, result);
    expect((await stat(join(root, 'shared.yaml'))).mode & 0o777).toBe(0o666);
  });

  it('refuses when a file changed after planning, writing nothing', async () => {
    const root = await tempDir();
    await writeTree(root, { 'a.yaml': 'image:\n  tag: a\n', 'b.yaml': 'image:\n  tag: a\n' });
    const { result } = await plan(root, [rule('r', '.*', '*.yaml', tagPath)], { docker_image_tag: 'z' });
    await writeFile(join(root, 'b.yaml'), 'image:\n  tag: someone-else\n');
    await expect(applyPlan(root, result)).rejects.toThrow(/b\.yaml changed on disk/);
    expect(await readTree(root)).toEqual({ 'a.yaml': 'image:\n  tag: a\n', 'b.yaml': 'image:\n  tag: someone-else\n' });
  });
});

describe('renderDiff', () => {
  it('renders a unified diff with a/ b/ paths, optionally coloured', async () => {
    const root = await tempDir();
    await writeTree(root, { 'env/values.yaml': values });
    const { result } = await plan(root, [rule('r', '.*', 'env/*.yaml', tagPath)], { docker_image_tag: '2.0.0' });
    const text = renderDiff(result, { color: false });
    expect(text).toBe(
      [
        'diff --git a/env/values.yaml b/env/values.yaml',
        '--- a/env/values.yaml',
        '+++ b/env/values.yaml',
        '@@ -1,4 +1,4 @@',
        ' # app',
        ' image:',
        '   repository: x # repo',
        '-  tag: 1.0.0-dev',
        '+  tag: 2.0.0',
        '',
      ].join('\n'),
    );
    const colored = renderDiff(result, { color: true });
    expect(colored).toContain('\u001b[32m+  tag: 2.0.0\u001b[0m');
    expect(renderDiff({ matchedRules: [], changes: [], unchanged: [] }, { color: false })).toBe('');
  });
});
