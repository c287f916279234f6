/** The per-rule `argocd-app` key of native rules: parsed, its shape checked by the schema with a pointed error. */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { parseNativeRules } from '../../core/rules/native.js';

const rule = (app: string) =>
  `- name: dev\n  when: { docker_image_tag: '.*-dev' }\n  argocd-app: ${app}\n  update:\n    - files: a.yaml\n      yaml-path: image.tag\n`;

describe('native rules: argocd-app', () => {
  it('keeps the Application name (or namespace/name) on the rule', () => {
    expect(parseNativeRules(rule('myapp-dev'), 'rules')[0]!.argocdApp).toBe('myapp-dev');
    expect(parseNativeRules(rule('team-a/myapp.dev'), 'rules')[0]!.argocdApp).toBe('team-a/myapp.dev');
    expect(parseNativeRules(rule('x').replace('  argocd-app: x\n', ''), 'rules')[0]!.argocdApp).toBeUndefined();
  });

  it('refuses a name Argo CD cannot have, pointing at the line', () => {
    let error: unknown;
    try {
      parseNativeRules(rule('MyApp Dev'), 'rules');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    const problem = (error as UserError).problems[0]!;
    expect(problem.line).toBe(3);
    expect(problem.message).toContain('argocd-app');
    expect(problem.message).toContain('Argo CD Application name');
  });
});
