import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { parseNativeRules, rulesSchema } from '../../core/rules/native.js';

/** The problems a text produces, as `code@line:column`, in report order. */
function problems(text: string): string[] {
  try {
    parseNativeRules(text, 'rules.yml');
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    for (const p of error.problems) expect(p.file).toBe('rules.yml');
    return error.problems.map((p) => `${p.code}@${p.line}:${p.column}`);
  }
  return [];
}

function messages(text: string): string[] {
  try {
    parseNativeRules(text, 'rules.yml');
  } catch (error) {
    if (error instanceof UserError) return error.problems.map((p) => p.message);
    throw error;
  }
  return [];
}

const DESIGN_EXAMPLE = `- name: dev
  when: { docker_image_tag: '.*-dev' }         # full match (anchored); several keys = all must match
  update:
    - files: environments/dev/values.yaml       # glob, relative to the repo root; never escapes it
      yaml-path: image.tag                       # comment-preserving edit of one YAML node
- name: prod
  when: { docker_image_tag: '.*-stable' }
  update:
    - files: environments/prod/values.yaml
      regex: 'imageTag: "(?<docker_image_tag>[^"]*)"'   # named group = the variable written there
    - files: environments/prod/kustomization.yaml
      kustomize-image: ghcr.io/org/app                   # sets newTag (and digest when sent)
`;

describe('parseNativeRules: valid rules', () => {
  it('parses the README example into the model', () => {
    const rules = parseNativeRules(DESIGN_EXAMPLE, '.github/gitops-rules.yml');
    expect(rules).toEqual([
      {
        name: 'dev',
        when: [[{ variable: 'docker_image_tag', pattern: '.*-dev', anchored: true }]],
        update: [
          {
            files: ['environments/dev/values.yaml'],
            globDialect: 'native',
            edit: { kind: 'yaml-path', path: 'image.tag', variable: 'docker_image_tag', create: false },
          },
        ],
        origin: { syntax: 'native', source: '.github/gitops-rules.yml', line: 1, column: 3 },
      },
      {
        name: 'prod',
        when: [[{ variable: 'docker_image_tag', pattern: '.*-stable', anchored: true }]],
        update: [
          {
            files: ['environments/prod/values.yaml'],
            globDialect: 'native',
            edit: {
              kind: 'regex',
              patterns: [{ source: 'imageTag: "(?<docker_image_tag>[^"]*)"', flags: '', label: 'update[0].regex' }],
            },
          },
          {
            files: ['environments/prod/kustomization.yaml'],
            globDialect: 'native',
            edit: { kind: 'kustomize-image', image: 'ghcr.io/org/app' },
          },
        ],
        origin: { syntax: 'native', source: '.github/gitops-rules.yml', line: 6, column: 3 },
      },
    ]);
  });

  it('reads lists, several conditions, options and a list of when groups', () => {
    const [rule] = parseNativeRules(
      `- name: prod
  when:
    - { docker_image_tag: 'v.*', git_branch: main }
    - { event_type: hotfix }
  pull-request: true
  only-newer: { strip-suffix: -stable }
  update:
    - files: [a.yaml, 'b/*.yaml']
      yaml-path: image.digest
      variable: digest
      create: true
    - files: c.txt
      regex: ['x=(?<docker_image_tag>\\S+)', 'y=(?<git_branch>\\S+)']
`,
      'rules',
    );
    expect(rule!.when).toEqual([
      [
        { variable: 'docker_image_tag', pattern: 'v.*', anchored: true },
        { variable: 'git_branch', pattern: 'main', anchored: true },
      ],
      [{ variable: 'event_type', pattern: 'hotfix', anchored: true }],
    ]);
    expect(rule!.pullRequest).toBe(true);
    expect(rule!.onlyNewer).toEqual({ stripSuffix: '-stable' });
    expect(rule!.update[0]).toEqual({
      files: ['a.yaml', 'b/*.yaml'],
      globDialect: 'native',
      edit: { kind: 'yaml-path', path: 'image.digest', variable: 'digest', create: true },
    });
    expect(rule!.update[1]!.edit).toEqual({
      kind: 'regex',
      patterns: [
        { source: 'x=(?<docker_image_tag>\\S+)', flags: '', label: 'update[1].regex[0]' },
        { source: 'y=(?<git_branch>\\S+)', flags: '', label: 'update[1].regex[1]' },
      ],
    });
  });

  it('only-newer: true compares without a suffix, false is off', () => {
    const text = (v: string) =>
      `- name: a\n  when: { t: x }\n  only-newer: ${v}\n  update: [{ files: a, yaml-path: a }]\n`;
    expect(parseNativeRules(text('true'), 'r')[0]!.onlyNewer).toEqual({ stripSuffix: '' });
    expect(parseNativeRules(text('false'), 'r')[0]!.onlyNewer).toBeUndefined();
  });

  it('resolves YAML anchors and aliases', () => {
    const rules = parseNativeRules(
      `- name: dev
  when: &dev { docker_image_tag: '.*-dev' }
  update: &files [{ files: dev.yaml, yaml-path: image.tag }]
- name: dev2
  when: *dev
  update: *files
`,
      'r',
    );
    expect(rules[1]!.when).toEqual(rules[0]!.when);
  });
});

describe('parseNativeRules: problems point at the node', () => {
  it('YAML syntax errors', () => {
    const found = problems('- name: dev\n  when: { a: [\n');
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f).toMatch(/^rules\/yaml-syntax@3:1$/);
    expect(problems('- name: a\n  name: b\n')).toEqual(['rules/yaml-syntax@2:3']); // duplicate key
  });

  it('an empty document, and a document that is not a list', () => {
    expect(problems('')).toEqual(['rules/empty@1:1']);
    expect(problems('# only a comment\n')).toEqual(['rules/empty@1:1']);
    expect(problems('name: dev\n')).toEqual(['rules/wrong-type@1:1']);
    expect(problems('[]')).toEqual(['rules/empty-value@1:1']);
  });

  it('unknown keys point at the key and suggest the right one', () => {
    const text = '- name: dev\n  when: { t: x }\n  updte: []\n  update: [{ files: a, yaml_path: a.b }]\n';
    expect(problems(text)).toEqual(['rules/unknown-key@3:3', 'rules/edit-kind@4:12', 'rules/unknown-key@4:24']);
    const [first, , third] = messages(text);
    expect(first).toContain("'update'");
    expect(third).toContain("'yaml-path'");
  });

  it('missing keys point at the rule', () => {
    expect(problems('- name: dev\n  update: [{ files: a, yaml-path: a }]\n')).toEqual(['rules/missing-key@1:3']);
    expect(messages('- name: dev\n  update: [{ files: a, yaml-path: a }]\n')[0]).toContain("'when'");
    expect(problems('- when: { t: x }\n  update: [{ files: a, yaml-path: a }]\n')).toEqual(['rules/missing-key@1:3']);
    expect(problems('- name: dev\n  when: { t: x }\n  update:\n    - yaml-path: a\n')).toEqual([
      'rules/missing-key@4:7',
    ]);
  });

  it('wrong types point at the value', () => {
    const text = `- name: dev
  when: { docker_image_tag: 1.0 }
  pull-request: "yes"
  only-newer: 3
  update:
    - files: 7
      yaml-path: a
`;
    expect(problems(text)).toEqual([
      'rules/wrong-type@2:29',
      'rules/wrong-type@3:17',
      'rules/wrong-type@4:15',
      'rules/wrong-type@6:14',
    ]);
  });

  it('exactly one edit kind per update', () => {
    const text = `- name: dev
  when: { t: x }
  update:
    - files: a
    - files: b
      yaml-path: a
      regex: b
`;
    expect(problems(text)).toEqual(['rules/edit-kind@4:7', 'rules/edit-kind@5:7']);
    expect(messages(text)[1]).toMatch(/'yaml-path' and 'regex'/);
  });

  it('variable and create only with yaml-path', () => {
    expect(
      problems('- name: d\n  when: { t: x }\n  update:\n    - files: a\n      regex: "(?<t>x)"\n      variable: t\n'),
    ).toEqual(['rules/misplaced-key@6:7']);
  });

  it('empty values and bad names', () => {
    const text = `- name: -bad
  when: {}
  update: []
- name: ok
  when: { 9x: a }
  update: [{ files: [], kustomize-image: 'has space' }]
`;
    expect(problems(text)).toEqual([
      'rules/invalid-value@1:9',
      'rules/empty-value@2:9',
      'rules/empty-value@3:11',
      'rules/invalid-value@5:11',
      'rules/empty-value@6:21',
      'rules/invalid-value@6:42',
    ]);
  });

  it('regexes that do not compile name the rule and the key', () => {
    const text = `- name: dev
  when: { docker_image_tag: '(.*-dev', git_branch: 'a)|(b' }
  update:
    - files: a
      regex: ['ok(?<t>x)', '[']
`;
    expect(problems(text)).toEqual(['rules/bad-regex@2:29', 'rules/bad-regex@2:52', 'rules/bad-regex@5:28']);
    const m = messages(text);
    expect(m[0]).toMatch(/'dev'.*'docker_image_tag'/);
    expect(m[1]).toMatch(/'git_branch'/); // compiles only once anchored: refused, it would change the anchoring
    expect(m[2]).toMatch(/'dev', update\[0\]\.regex\[1\]/);
  });

  it('duplicate names', () => {
    const text = `- name: dev
  when: { t: x }
  update: [{ files: a, yaml-path: a }]
- name: dev
  when: { t: y }
  update: [{ files: b, yaml-path: a }]
`;
    expect(problems(text)).toEqual(['rules/duplicate-name@4:9']);
  });

  it('globs that leave the repository or enter .git', () => {
    const text = `- name: dev
  when: { t: x }
  update:
    - files: ['ok.yaml', '../other/values.yaml', '/etc/x']
      yaml-path: a
    - files: .git/config
      yaml-path: a
`;
    expect(problems(text)).toEqual(['glob/escapes-root@4:26', 'glob/escapes-root@4:50', 'glob/git-dir@6:14']);
  });

  it('collects problems of several rules at once', () => {
    const text = `- name: a
  when: { t: '(' }
  update: [{ files: a, yaml-path: x }]
- name: b
  wen: { t: x }
  update: [{ files: ../b, yaml-path: x }]
`;
    expect(problems(text)).toEqual([
      'rules/bad-regex@2:14',
      'rules/missing-key@4:3',
      'rules/unknown-key@5:3',
      'glob/escapes-root@6:21',
    ]);
  });
});

describe('rules.schema.json', () => {
  it('is a draft-07 schema with an $id and descriptions editors can show', async () => {
    const onDisk = JSON.parse(await readFile(new URL('../../core/rules/rules.schema.json', import.meta.url), 'utf8'));
    expect(rulesSchema).toEqual(onDisk);
    expect(onDisk.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(onDisk.$id).toMatch(/rules\.schema\.json$/);
    const props = onDisk.definitions.rule.properties;
    for (const key of ['name', 'when', 'update', 'pull-request', 'only-newer'])
      expect(props[key].description).toBeTruthy();
    for (const key of ['files', 'yaml-path', 'variable', 'create', 'regex', 'kustomize-image']) {
      expect(onDisk.definitions.update.properties[key].description).toBeTruthy();
    }
    // Strict Ajv compiles it: no unknown keywords, no broken refs.
    expect(() => new Ajv({ strictTypes: false }).compile(onDisk)).not.toThrow();
  });
});
