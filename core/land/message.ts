/**
 * The commit message and pull-request text of a landing. The template comes from the workflow author (trusted);
 * the variables come from the dispatch (untrusted) and are only ever data to it, never template text.
 */
import Handlebars from 'handlebars';
import { codeSpan, oneLine, quoted, stripControls } from '../display.js';
import { UserError } from '../errors.js';
import { imageName } from '../github/pulls.js';
import type { Plan } from '../plan/model.js';
import type { Variables } from '../rules/model.js';

export type MessageTemplate = (variables: Variables) => string;

/**
 * Compiles `template` now, so a broken one fails before any file is touched. A trailer paragraph the template ends
 * with (see `templateTrailers`) is not part of what it renders: the landing puts it in the final trailer block.
 */
export function compileMessageTemplate(template: string, input = 'commit-message'): MessageTemplate {
  let render: HandlebarsTemplateDelegate;
  try {
    // Not strict: a payload without `git_branch` should still land, with that part empty.
    render = Handlebars.compile(splitTemplateTrailers(template).body, { noEscape: true, knownHelpersOnly: true });
    render({});
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UserError({
      code: 'input/template',
      input,
      message: `Input '${input}' is not a valid Handlebars template (${reason}); expected text with {{variable}} placeholders, e.g. "Deploy {{docker_image_tag}}"`,
    });
  }
  return (variables) => neutraliseBody(render(messageVariables(variables)).trim());
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

const TEMPLATE_TRAILER = /^([A-Za-z0-9][A-Za-z0-9-]*): ([^\s].*)$/;

function splitTemplateTrailers(template: string): { body: string; trailers: [string, string][] } {
  const text = template.replace(/\s+$/, '');
  const breaks = [...text.matchAll(/\r?\n[ \t\r]*\n/g)];
  const last = breaks.at(-1);
  if (!last || last.index === undefined) return { body: template, trailers: [] };
  const paragraph = text.slice(last.index + last[0].length);
  if (paragraph.includes('{{') || paragraph.includes('\\')) return { body: template, trailers: [] };
  const trailers: [string, string][] = [];
  for (const line of paragraph.split('\n')) {
    const match = TEMPLATE_TRAILER.exec(line.trimEnd());
    if (!match || /^source-/i.test(match[1] ?? '')) return { body: template, trailers: [] };
    trailers.push([match[1] ?? '', match[2] ?? '']);
  }
  return { body: text.slice(0, last.index), trailers };
}

/**
 * Trailers the workflow author wrote at the end of the `commit-message` template (trusted text), e.g.
 * `Signed-off-by: Release Bot <bot@example.com>` for a DCO check: a last paragraph of `Key: value` lines only, with
 * no `{{placeholder}}` and no `Source-*` key. They stay trailers, in the final block before ours.
 */
export function templateTrailers(template: string): [string, string][] {
  return splitTemplateTrailers(template).trailers;
}

/**
 * Variables as the commit message sees them: control characters stripped (line feeds and tabs kept; CR, U+0085,
 * U+2028 and U+2029 become line feeds), so an ESC sequence or a bare CR cannot reach `git log` or a terminal.
 */
function messageVariables(variables: Variables): Variables {
  return Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, stripControls(value)]));
}

/**
 * Trailer keys that say who wrote, signed or vouched for a commit, and the `Source-*` keys this action writes.
 * A line of the message body starting with one of them is quoted (`> `), so it reads as quoted text to people and
 * to tools that grep for trailers anywhere, and our own `Source-*` block stays the only one.
 */
const FORGEABLE_TRAILER = /^[ \t]*(?:Source-[A-Za-z0-9-]*|Co-authored-by|[A-Za-z0-9-]*-by|Change-Id)[ \t]*:/i;

/**
 * The body of a commit message, made safe to put our trailer block after: forgeable trailer lines quoted, and a
 * line starting with `---` indented one space (git's trailer parser stops at such a divider line, so a body line
 * `---` would otherwise make an earlier paragraph the trailer block for `git interpret-trailers --parse`).
 */
function neutraliseBody(body: string): string {
  return body
    .split('\n')
    .map((line) => (FORGEABLE_TRAILER.test(line) ? `> ${line}` : /^---/.test(line) ? ` ${line}` : line))
    .join('\n');
}

/**
 * The full commit message: the body, a blank line, then our trailers as the last paragraph, built here rather than
 * with `git interpret-trailers`, which would merge them into a trailer-like last paragraph of the (payload) body.
 * `git interpret-trailers --parse` on the result lists exactly `trailers`. Empty values are left out.
 */
export function composeCommitMessage(
  body: string,
  trailers: Record<string, string>,
  /** The template's own trailers (`templateTrailers`), put first. */
  leading: [string, string][] = [],
): string {
  const text = neutraliseBody(body.replace(/\s+$/, ''));
  const lines = [...leading, ...Object.entries(trailers)]
    .filter(([, value]) => value.trim() !== '')
    .map(([key, value]) => `${key}: ${value}`);
  return lines.length === 0 ? `${text}\n` : `${text}\n\n${lines.join('\n')}\n`;
}

/** Where a dispatch came from, as far as the payload's `source` (and `image`) pass validation. */
export interface DispatchSource {
  /** `owner/name` */
  repository?: string;
  /** 40 hex digits, lower case. */
  sha?: string;
  runId?: string;
  /** A workflow run URL on the server this job runs on. */
  runUrl?: string;
  actor?: string;
  /** The image's name without tag or digest, lower case (`imageName`). */
  image?: string;
}

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPOSITORY = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;
const RUN_PATH = /^\/([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)\/actions\/runs\/(\d{1,20})(?:\/attempts\/\d{1,4})?\/?$/;

/**
 * Reads `client_payload.source` (or a workflow_dispatch's `inputs.source`, JSON text) and `image`, keeping only fields of the expected form: `repository` as
 * `owner/name`, `sha` as 40 hex digits, `run_id` as digits, `run_url` as a workflow run URL on `serverUrl` (the
 * runner's GITHUB_SERVER_URL) of that same repository, `actor` as a GitHub login, `image` as an image reference.
 * A field of another form is dropped, with a warning naming it: it is display and provenance only (PR text,
 * trailers, branch name), so the update itself still lands, but nothing the payload shaped is shown.
 */
export function readSource(
  event: unknown,
  variables: Variables,
  serverUrl: string,
): { source: DispatchSource; warnings: string[] } {
  const warnings: string[] = [];
  const out: DispatchSource = {};
  const e = isObject(event) ? event : {};
  const fromInputs = !isObject(e.client_payload) && isObject(e.inputs);
  const prefix = fromInputs ? 'inputs' : 'client_payload';
  const drop = (field: string, value: unknown, expected: string) => {
    const shown =
      typeof value === 'string'
        ? quoted(value.length > 200 ? `${value.slice(0, 200)}...` : value)
        : `a ${Array.isArray(value) ? 'list' : value === null ? 'null' : typeof value}`;
    warnings.push(
      `${prefix}.${field} is ${shown}; expected ${expected}. It is left out of the commit, pull request and summary.`,
    );
  };
  const container = fromInputs ? e.inputs : e.client_payload;
  let source = isObject(container) ? container.source : undefined;
  // workflow_dispatch inputs are strings: the dispatch action sends `source` there as JSON.
  if (fromInputs && typeof source === 'string' && source.trim() !== '') {
    try {
      source = JSON.parse(source);
    } catch {
      drop('source', source, 'a JSON object');
      source = undefined;
    }
  }
  if (source === '') source = undefined;
  if (source !== undefined && source !== null) {
    if (!isObject(source)) drop('source', source, 'an object');
    else {
      const s = source;
      const text = (value: unknown) => (typeof value === 'number' ? String(value) : value);
      if (s.repository !== undefined) {
        if (typeof s.repository === 'string' && REPOSITORY.test(s.repository) && !/\/\.\.?$/.test(s.repository)) {
          out.repository = s.repository;
        } else drop('source.repository', s.repository, 'owner/name, e.g. octo-org/app');
      }
      if (s.sha !== undefined) {
        if (typeof s.sha === 'string' && /^[0-9a-f]{40}$/i.test(s.sha)) out.sha = s.sha.toLowerCase();
        else drop('source.sha', s.sha, 'a commit SHA of 40 hexadecimal digits');
      }
      const runId = text(s.run_id);
      if (runId !== undefined) {
        if (typeof runId === 'string' && /^\d{1,20}$/.test(runId)) out.runId = runId;
        else drop('source.run_id', s.run_id, 'the run id, digits only');
      }
      if (s.run_url !== undefined) {
        const url = runUrl(s.run_url, serverUrl, out.repository);
        if (url) out.runUrl = url;
        else {
          drop(
            'source.run_url',
            s.run_url,
            `a workflow run URL on this server, ${oneLine(serverUrl)}/${out.repository ?? '<owner>/<repo>'}/actions/runs/<run id>`,
          );
        }
      }
      if (s.actor !== undefined) {
        if (typeof s.actor === 'string' && (OWNER.test(s.actor) || /^[A-Za-z0-9-]{1,39}\[bot\]$/.test(s.actor))) {
          out.actor = s.actor;
        } else drop('source.actor', s.actor, 'a GitHub login');
      }
    }
  }
  if (variables.image !== undefined && variables.image !== '') {
    const name = imageName(variables.image);
    if (name) out.image = name;
    else drop('image', variables.image, 'an image reference such as ghcr.io/org/app');
  }
  return { source: out, warnings };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function runUrl(value: unknown, serverUrl: string, repository: string | undefined): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value) || !URL.canParse(serverUrl)) return undefined;
  const url = new URL(value);
  const server = new URL(serverUrl);
  if (url.protocol !== server.protocol || url.host !== server.host) return undefined;
  if (url.username || url.password || url.search || url.hash) return undefined;
  const path = RUN_PATH.exec(url.pathname);
  if (!path) return undefined;
  // The run must belong to the repository the payload names (when it names one).
  if (repository && `${path[1]}/${path[2]}`.toLowerCase() !== repository.toLowerCase()) return undefined;
  return url.href;
}

/** Our commit trailers: where the update came from and which image it is for. Empty values are left out later. */
export function sourceTrailers(source: DispatchSource): Record<string, string> {
  return {
    'Source-Repository': source.repository ?? '',
    'Source-Commit': source.sha ?? '',
    'Source-Run': source.runUrl ?? '',
    'Source-Image': source.image ?? '',
  };
}

/**
 * Title and body of the pull request that carries `plan` into `environments`. Every value from the payload or a
 * file is a code span (`core/display.ts`): shown literally, never Markdown, HTML or a mention.
 */
export function pullRequestText(
  plan: Plan,
  environments: string[],
  variables: Variables,
  source: DispatchSource,
): { title: string; body: string } {
  const tag = variables.docker_image_tag ?? '';
  const what = source.image ? `${source.image}:${tag}` : tag;
  const where = environments.map(oneLine).join(', ') || 'GitOps';
  const title = `Deploy ${what === '' ? '(no tag)' : codeSpan(what)} to ${where}`;
  const lines = ['| environment | file | old value | new value |', '| --- | --- | --- | --- |'];
  for (const change of plan.changes) {
    for (const span of change.spans) {
      const cell = (value: string) => codeSpan(value, { table: true });
      lines.push(
        `| ${cell(span.rule ?? change.rules.join(', '))} | ${cell(change.path)} | ${cell(span.before)} | ${cell(span.after)} |`,
      );
    }
  }
  const image = source.image ? ` of image ${codeSpan(source.image)}` : '';
  let from = '';
  if (source.repository) {
    from = `\n\nFrom ${codeSpan(source.repository)}`;
    if (source.sha) from += ` at ${codeSpan(source.sha)}`;
    // A URL on this server with a path of known characters only: safe inside (...).
    if (source.runUrl) from += ` ([workflow run](${source.runUrl}))`;
    from += '.';
  }
  const body = `Opened by gitops-dispatch for tag ${codeSpan(tag)}${image}.${from}\n\n${lines.join('\n')}\n`;
  return { title, body };
}
