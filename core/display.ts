/**
 * Showing untrusted values to people: the one place that decides how a payload value appears in a pull request
 * (title and body), the job summary, a log line or a commit message. Every such value goes through a function here.
 *
 * Markdown (PR body, job summary): a value is shown as a code span, never as Markdown or HTML. GitHub renders a code
 * span's content literally: no HTML (`<img>`, `<details>`), no emphasis, no links or autolinks, and no `@mention`
 * or `#123` reference (GitHub skips code when it links mentions and references), so nobody is pinged and nothing
 * is fetched. The fence is one backtick longer than the longest backtick run in the value, so a value cannot close
 * its own span. `<code>` with HTML escaping was not used: Markdown is still parsed inside an inline HTML element,
 * so `[text](https://evil)` or `*x*` would still render there. A zero-width joiner after `@` was not used either:
 * it breaks copy and paste of the value and leaves HTML and links to other escaping.
 *
 * Logs: a value is JSON-quoted with every control, line separator, bidi and BOM character as a `\uXXXX` escape, so a
 * value cannot start a new line (and with it a `::workflow-command::`), colour the log, or reorder what is read.
 */

/** C0 (but tab and line feed), DEL, C1. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is exactly what is removed
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
/** Characters that reorder or hide text: bidi embeddings, overrides, isolates, marks; BOM; zero-width space. */
const INVISIBLE = /[\u061C\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
const LINE_BREAK = /\r\n|[\r\u0085\u2028\u2029]/g;

/** Line breaks to `\n` (U+0085, U+2028, U+2029 and CR count as breaks), then controls and bidi characters removed. */
export function stripControls(value: string): string {
  return value.replace(LINE_BREAK, '\n').replace(CONTROL, '').replace(INVISIBLE, '');
}

/** One line: `stripControls`, with every line break and tab as a space. */
export function oneLine(value: string): string {
  return stripControls(value).replace(/[\n\t]/g, ' ');
}

/**
 * A Markdown code span showing `value` literally (one line). `table: true` for a GFM table cell, where a `|` would
 * end the cell even inside a code span: it becomes `\|`, which GitHub shows as `|`. Empty -> `(empty)`.
 */
export function codeSpan(value: string, options: { table?: boolean } = {}): string {
  let text = oneLine(value);
  if (text === '') return '(empty)';
  if (options.table) {
    // A backslash run before `|` would escape the `\` we add; double it (the cell then shows one extra `\`).
    text = text.replace(/(\\*)\|/g, (_, slashes: string) => `${slashes}${slashes}\\|`);
  }
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // CommonMark strips one space on each side when both are there; pad so the value's own edges survive.
  const pad = text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** `value` quoted for a log line or annotation: JSON string syntax, every invisible or line-breaking character escaped. */
export function quoted(value: string): string {
  return JSON.stringify(value).replace(
    /[\u007F-\u009F\u061C\u200B\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
