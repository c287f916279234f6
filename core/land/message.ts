/**
 * The commit message and pull-request text of a landing. The template comes from the workflow author (trusted);
 * the variables come from the dispatch (untrusted) and are only ever data to it, never template text.
 */
import Handlebars from 'handlebars';
import { UserError } from '../errors.js';
import type { Plan } from '../plan/model.js';
import type { Variables } from '../rules/model.js';

export type MessageTemplate = (variables: Variables) => string;

/** Compiles `template` now, so a broken one fails before any file is touched. */
export function compileMessageTemplate(template: string, input = 'commit-message'): MessageTemplate {
  let render: HandlebarsTemplateDelegate;
  try {
    // Not strict: a payload without `git_branch` should still land, with that part empty.
    render = Handlebars.compile(template, { noEscape: true, knownHelpersOnly: true });
    render({});
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UserError({
      code: 'input/template',
      input,
      message: `Input '${input}' is not a valid Handlebars template (${reason}); expected text with {{variable}} placeholders, e.g. "Deploy {{docker_image_tag}}"`,
    });
  }
  return (variables) => render({ ...variables }).trim();
}

/** Renders the template for this dispatch now, so an empty message fails before any file is touched. */
export function checkRendersText(template: MessageTemplate, variables: Variables, input = 'commit-message'): void {
  if (template(variables).trim() === '') {
    throw new UserError({
      code: 'land/empty-commit-message',
      input,
      message: `Input '${input}' renders to an empty message for this dispatch; expected a template that gives some text, e.g. "Deploy {{docker_image_tag}}"`,
    });
  }
}

/** Source trailers from the payload's `source` object, when it has them. */
export function sourceTrailers(event: unknown): Record<string, string> {
  const source = (event as { client_payload?: { source?: unknown } } | undefined)?.client_payload?.source;
  if (!source || typeof source !== 'object') return {};
  const s = source as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && !/[\r\n]/.test(value) ? value : '');
  return {
    'Source-Repository': text(s.repository),
    'Source-Commit': text(s.sha),
    'Source-Run': text(s.run_url),
  };
}

/** Title and body of the pull request that carries `plan` into `environments`. */
export function pullRequestText(
  plan: Plan,
  environments: string[],
  variables: Variables,
  trailers: Record<string, string>,
): { title: string; body: string } {
  const image = variables.image ? `${variables.image}:` : '';
  const title = `Deploy ${image}${variables.docker_image_tag ?? '(no tag)'} to ${environments.join(', ') || 'GitOps'}`;
  const code = (value: string) => `\`${value.replace(/`/g, "'").replace(/\r?\n/g, ' ')}\``;
  const lines = ['| environment | file | old value | new value |', '| --- | --- | --- | --- |'];
  for (const change of plan.changes) {
    for (const span of change.spans) {
      lines.push(
        `| ${span.rule ?? change.rules.join(', ')} | ${code(change.path)} | ${code(span.before)} | ${code(span.after)} |`,
      );
    }
  }
  const from = trailers['Source-Repository']
    ? `\n\nFrom ${trailers['Source-Repository']}${trailers['Source-Commit'] ? ` at ${trailers['Source-Commit']}` : ''}${trailers['Source-Run'] ? ` ([run](${trailers['Source-Run']}))` : ''}.`
    : '';
  const body = `Opened by gitops-dispatch for tag ${code(variables.docker_image_tag ?? '')}.${from}\n\n${lines.join('\n')}\n`;
  return { title, body };
}
