import { stringify } from 'yaml';
import type { Config, EnvironmentConfig } from './config.js';

/** Escapes a literal for use inside a regular expression. */
export function escapeRegExp(text: string): string {
  // Only syntax characters: the receiver's conditions are RE2 (core/rules/pattern.ts), which needs no more.
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function ruleOf(env: EnvironmentConfig, image: string, argocdApp?: string): Record<string, unknown> {
  const update: Record<string, unknown> = { files: env.files.length === 1 ? env.files[0] : env.files };
  if (env.edit.kind === 'yaml-path') update['yaml-path'] = env.edit.path;
  else if (env.edit.kind === 'regex') update.regex = env.edit.regex;
  else update['kustomize-image'] = env.edit.image;
  const rule: Record<string, unknown> = {
    name: env.name,
    // The image condition keeps one app's tags out of another app's files when several share this repository.
    when: { docker_image_tag: env.tag, image: escapeRegExp(image) },
    update: [update],
  };
  if (env.pullRequest) rule['pull-request'] = true;
  if (env.onlyNewer)
    rule['only-newer'] = env.onlyNewer.stripSuffix ? { 'strip-suffix': env.onlyNewer.stripSuffix } : true;
  if (argocdApp) rule['argocd-app'] = argocdApp;
  return rule;
}

/**
 * The native rules (README: Rules) the downstream workflow carries in receive-action's `rules` input.
 * `plan` parses exactly this text, so what it shows is what the receiver will do.
 */
export function nativeRules(config: Config, options: { forPlan?: boolean } = {}): string {
  // `plan` and the --downstream-dir check parse the rules to compute the file changes; Argo CD takes no part there.
  const apps = options.forPlan ? {} : (config.argocd?.apps ?? {});
  const rules = config.environments.map((env) => ruleOf(env, config.upstream.image, apps[env.name]));
  return stringify(rules, { lineWidth: 0, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN' });
}
