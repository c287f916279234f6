/**
 * Native rules and the generator config go through one "YAML checked against a JSON Schema" module
 * (core/yaml-schema.ts) and one regex dialect for routing patterns (core/rules/pattern.ts, RE2): the same kind of
 * mistake gets the same code suffix, path wording, position through aliases and reading order in both, and a tag
 * pattern means the same to the generator as to the receiver that runs the generated rules.
 */
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../core/errors.js';
import { matchRules } from '../../core/rules/match.js';
import { parseNativeRules } from '../../core/rules/native.js';
import { parseConfig } from '../../generator/src/config.js';
import { route } from '../../generator/src/flows.js';
import { nativeRules } from '../../generator/src/rules.js';
import { problemsOf } from '../support/problems.js';
import { ACTIONS_REF } from './helpers.js';

const problems = problemsOf;
const config = (text: string) => parseConfig(text, 'cfg.yml', { actionsRef: ACTIONS_REF });
const configProblems = (text: string) => problems(() => config(text));
const rulesProblems = (text: string) => problems(() => parseNativeRules(text, 'rules.yml'));
/** `code@line:column`, the code without its domain. */
const shape = (p: Problem) => `${p.code.replace(/^(rules|config)\//, '')}@${p.line}:${p.column}`;

const quiet = {
  debug() {},
  info() {},
  notice() {},
  warning() {},
  error() {},
  group: <T>(_: string, fn: () => T) => fn(),
};

const CONFIG_HEAD = `upstream: { repository: o/app, image: ghcr.io/o/app }
downstream: { repository: o/gitops }
environments:
`;

describe('one schema mapping for rules and config', () => {
  it('same codes, same message shape, reading order', () => {
    const rules = rulesProblems(`- name: dev
  when: { docker_image_tag: x }
  update: [{ files: a, yaml-path: a, flies: b }]
  pull-request: maybe
- when: { docker_image_tag: y }
  update: [{ files: a, yaml-path: a }]
`);
    const cfg = configProblems(`${CONFIG_HEAD}  dev: { tag: '.*-dev', files: a, flies: b, pull-request: maybe }
  prod: { files: a }
`);
    expect(rules.map(shape)).toEqual(['unknown-key@3:38', 'wrong-type@4:17', 'missing-key@5:3']);
    expect(cfg.map(shape)).toEqual(['unknown-key@4:35', 'wrong-type@4:59', 'missing-key@5:9']);
    expect(rules.map((p) => p.code.split('/')[0])).toEqual(['rules', 'rules', 'rules']);
    expect(cfg.map((p) => p.code.split('/')[0])).toEqual(['config', 'config', 'config']);
    // Same sentences; only the wording of the place differs (a rule by its name, a config key by its path).
    expect(rules[0]!.message).toMatch(
      /^Unknown key 'flies' in rule 'dev', update\[0\] \(did you mean 'files'\?\); expected one of: /,
    );
    expect(cfg[0]!.message).toMatch(
      /^Unknown key 'flies' in 'environments\.dev' \(did you mean 'files'\?\); expected one of: /,
    );
    expect(rules[1]!.message).toBe(`Rule 'dev', pull-request is a string ("maybe"); expected true or false`);
    expect(cfg[1]!.message).toBe(`'environments.dev.pull-request' is a string ("maybe"); expected true or false`);
    expect(rules[2]!.message).toBe(`Rule #2 needs 'name'`);
    expect(cfg[2]!.message).toBe(`'environments.prod' needs 'tag'`);
  });

  it('points through aliases at the node that holds the mistake', () => {
    const rules = rulesProblems(`- name: dev
  when: { docker_image_tag: x }
  update: &u [{ files: a, yaml-path: a, flies: b }]
- name: prod
  when: { docker_image_tag: y }
  update: *u
`);
    expect(rules.map(shape)).toEqual(['unknown-key@3:41', 'unknown-key@3:41']);
    expect(rules.map((p) => p.message.split(' (')[0])).toEqual([
      "Unknown key 'flies' in rule 'dev', update[0]",
      "Unknown key 'flies' in rule 'prod', update[0]",
    ]);
    const cfg = configProblems(`${CONFIG_HEAD}  dev: { tag: '.*-dev', files: a }
  prod: { tag: '.*-stable', on: &on { branch: main, flies: b }, files: a }
  qa: { tag: '.*-qa', on: *on, files: a }
`).filter((p) => p.code === 'config/unknown-key');
    expect(cfg.map(shape)).toEqual(['unknown-key@5:53', 'unknown-key@5:53']);
  });

  it('the same YAML syntax error gets the same code and position', () => {
    const bad = 'a: [\n';
    expect(rulesProblems(bad).map(shape)).toEqual(configProblems(bad).map(shape));
    expect(rulesProblems(bad)[0]!.code).toBe('rules/yaml-syntax');
  });
});

describe('one regex dialect for routing patterns (RE2, anchored)', () => {
  const env = (tag: string) =>
    `${CONFIG_HEAD}  dev: { tag: '${tag}', files: a }\n  prod: { tag: '.*-stable', files: b }\n`;
  const rule = (pattern: string) =>
    `- name: dev\n  when: { docker_image_tag: '${pattern}' }\n  update: [{ files: a, yaml-path: a }]\n`;
  const receiverRoutes = (pattern: string, tag: string) =>
    matchRules(parseNativeRules(rule(pattern), 'r'), { docker_image_tag: tag }, quiet).map((r) => r.name);

  it('.*\\-dev: accepted by both (JavaScript with the u flag refused it)', () => {
    expect(config(env('.*\\-dev')).environments[0]!.tag).toBe('.*\\-dev');
    expect(receiverRoutes('.*\\-dev', '1.0-dev')).toEqual(['dev']);
    expect(route([{ name: 'dev', tag: '.*\\-dev' } as never], '1.0-dev')).toEqual(['dev']);
  });

  it('\\p{L}: a letter class in both (JavaScript without the u flag reads it as the text "p{L}")', () => {
    expect(receiverRoutes('\\p{L}+-dev', 'été-dev')).toEqual(['dev']);
    expect(route([{ name: 'dev', tag: '\\p{L}+-dev' } as never], 'été-dev')).toEqual(['dev']);
    expect(route([{ name: 'dev', tag: '\\p{L}+-dev' } as never], 'p{L}-dev')).toEqual([]);
  });

  it('lookahead: refused by both, with the same explanation', () => {
    const [cfg] = configProblems(env('(?!x).*-dev'));
    const [rules] = rulesProblems(rule('(?!x).*-dev'));
    expect([cfg!.code, rules!.code]).toEqual(['config/bad-pattern', 'rules/bad-regex']);
    for (const p of [cfg!, rules!]) expect(p.message).toContain('conditions use RE2 syntax');
  });

  it('the generated rules route the example tags exactly as the generator proved', () => {
    const c = config(env('[0-9a-f]{40}\\-dev'));
    const rules = parseNativeRules(nativeRules(c), 'generated');
    for (const e of c.environments) {
      const matched = matchRules(rules, { docker_image_tag: e.builtTag, image: c.upstream.image }, quiet);
      expect(matched.map((r) => r.name)).toEqual(route(c.environments, e.builtTag));
    }
  });
});
