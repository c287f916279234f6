import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { packageRoot } from './paths.js';

/** Third-party actions, pinned to full commit SHAs; the version is the trailing comment. */
export const PINNED_ACTIONS = {
  checkout: 'actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0',
  setupBuildx: 'docker/setup-buildx-action@b5ca514318bd6ebac0fb2aedd5d36ec1b5c232a2 # v3.10.0',
  login: 'docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0',
  metadata: 'docker/metadata-action@902fa8ec7d6ecbf8d84d538b9b233a880e428804 # v5.7.0',
  buildPush: 'docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0',
  appToken: 'actions/create-github-app-token@df432ceedc7162793a195dd1713ff69aefc7379e # v2.0.6',
} as const;

export type TemplateName = 'upstream-workflow.yml' | 'downstream-workflow.yml' | 'SETUP.md';

const hbs = Handlebars.create();
/** Indents every non-empty line of a multi-line value (e.g. the rules YAML inside a block scalar). */
hbs.registerHelper('indent', (text: unknown, width: unknown) => {
  const pad = ' '.repeat(Number(width));
  return String(text)
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => (line ? pad + line : line))
    .join('\n');
});

const compiled = new Map<TemplateName, Handlebars.TemplateDelegate>();

export function render(name: TemplateName, data: object): string {
  let template = compiled.get(name);
  if (!template) {
    const source = readFileSync(join(packageRoot(), 'templates', `${name}.hbs`), 'utf8');
    // noEscape: output is YAML/Markdown, not HTML. strict: a misspelt variable fails instead of rendering empty.
    template = hbs.compile(source, { noEscape: true, strict: true });
    compiled.set(name, template);
  }
  return template(data);
}
