import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../core/logger.js';
import { matchRules } from '../../core/rules/match.js';
import type { Condition, Rule } from '../../core/rules/model.js';

function rule(name: string, when: Condition[][], syntax: 'native' | 'seed' = 'native'): Rule {
  return { name, when, update: [], origin: { syntax, source: 'test' } };
}
const anchored = (variable: string, pattern: string): Condition => ({ variable, pattern, anchored: true });
const search = (variable: string, pattern: string): Condition => ({ variable, pattern, anchored: false });
const names = (rules: Rule[]) => rules.map((r) => r.name);

describe('matchRules', () => {
  it('anchored conditions match the whole value; unanchored ones search', () => {
    const rules = [
      rule('native', [[anchored('docker_image_tag', 'dev')]]),
      rule('seed', [[search('docker_image_tag', 'dev')]]),
    ];
    expect(names(matchRules(rules, { docker_image_tag: '1.0-dev' }, new MemoryLogger()))).toEqual(['seed']);
    expect(names(matchRules(rules, { docker_image_tag: 'dev' }, new MemoryLogger()))).toEqual(['native', 'seed']);
  });

  it('anchoring wraps alternations as a whole', () => {
    const rules = [rule('r', [[anchored('t', 'a|b')]])];
    expect(names(matchRules(rules, { t: 'xb' }, new MemoryLogger()))).toEqual([]);
    expect(names(matchRules(rules, { t: 'b' }, new MemoryLogger()))).toEqual(['r']);
  });

  it('a group needs ALL its conditions; a rule needs ANY group', () => {
    const rules = [
      rule('and', [[anchored('docker_image_tag', '.*-dev'), anchored('git_branch', 'main')]]),
      rule('or', [[anchored('docker_image_tag', '.*-prod')], [anchored('git_branch', 'main')]]),
    ];
    expect(names(matchRules(rules, { docker_image_tag: '1-dev', git_branch: 'main' }, new MemoryLogger()))).toEqual([
      'and',
      'or',
    ]);
    expect(names(matchRules(rules, { docker_image_tag: '1-dev', git_branch: 'x' }, new MemoryLogger()))).toEqual([]);
    expect(names(matchRules(rules, { docker_image_tag: '1-prod', git_branch: 'x' }, new MemoryLogger()))).toEqual([
      'or',
    ]);
  });

  it('an empty group always matches; no group never matches', () => {
    const rules = [rule('always', [[]]), rule('never', [])];
    expect(names(matchRules(rules, {}, new MemoryLogger()))).toEqual(['always']);
  });

  it('a missing variable is false, with one warning per variable naming it', () => {
    const logger = new MemoryLogger();
    const rules = [
      rule('a', [[anchored('git_tag', '.*')], [anchored('docker_image_tag', '.*')]]),
      rule('b', [[anchored('git_tag', 'v.*'), anchored('other', 'x')]]),
    ];
    expect(names(matchRules(rules, { docker_image_tag: 'v1' }, logger))).toEqual(['a']);
    const warnings = logger.messages('warning');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("'git_tag'");
    expect(warnings[1]).toContain("'other'");
  });

  it('an empty value is a value', () => {
    const logger = new MemoryLogger();
    const rules = [rule('any', [[anchored('git_branch', '.*')]]), rule('some', [[anchored('git_branch', '.+')]])];
    expect(names(matchRules(rules, { git_branch: '' }, logger))).toEqual(['any']);
    expect(logger.messages('warning')).toEqual([]);
  });

  it('does not treat inherited object properties as variables', () => {
    const logger = new MemoryLogger();
    expect(names(matchRules([rule('r', [[search('constructor', '.*')]])], {}, logger))).toEqual([]);
    expect(logger.messages('warning')).toHaveLength(1);
  });

  it('a pattern that does not compile is a UserError naming the rule', () => {
    expect(() => matchRules([rule('broken', [[anchored('t', '(')]])], { t: 'x' }, new MemoryLogger())).toThrow(
      /broken/,
    );
  });
});
