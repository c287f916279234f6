/**
 * The `regex` edit: each named group `(?<var>...)` marks a span that is replaced by variable `var`.
 *
 * Unlike the old action (which did `str_replace(oldValue, newValue, line)` and then replaced that line everywhere in
 * the file), only the captured spans change; the same text elsewhere stays. All matches in the file are edited, as
 * the old action's `preg_match_all` did. Values are inserted literally (no `$&`/`$1` expansion) because the new text
 * is spliced by offset, never passed through `String.prototype.replace`. An empty captured span is replaced too.
 * Nested or overlapping named groups are an error: which variable should win is not knowable. A match of empty
 * text is an error too (a global empty match would write the value between every pair of characters).
 * Several patterns of one edit apply in order, each to the text the previous one produced.
 */
import { type Problem, UserError } from '../errors.js';
import type { Variables } from '../rules/model.js';
import { suggest } from '../suggest.js';
import { type EditOptions, type EditResult, lineAt, type SpanChange, shown } from './model.js';

export interface RegexPattern {
  source: string;
  flags: string;
  label: string;
}

export interface RegexEditResult extends EditResult {
  /** Labels of patterns that matched nothing in this file. */
  unmatched: string[];
}

/**
 * Names of the capture groups declared in a JavaScript regex source, in order. Skips escapes, character classes
 * and lookbehinds (`(?<=`, `(?<!`).
 */
export function namedGroups(source: string): string[] {
  const names: string[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      continue;
    }
    if (c === '(' && source.startsWith('?<', i + 1)) {
      const m = /^\(\?<([^>=!][^>]*)>/.exec(source.slice(i));
      if (m?.[1]) names.push(m[1]);
    }
  }
  return names;
}

/** Compiles a pattern with the flags the editor needs (`g` for all matches, `d` for group offsets). */
export function compilePattern(pattern: RegexPattern): RegExp {
  const flags = new Set([...pattern.flags.replace(/[gdy]/g, ''), 'g', 'd']);
  try {
    return new RegExp(pattern.source, [...flags].join(''));
  } catch (error) {
    throw new UserError({
      code: 'edit/regex-invalid',
      message: `regex ${pattern.label} ${shown(pattern.source)} does not compile in JavaScript: ${(error as Error).message}`,
    });
  }
}

/** Problems with the patterns themselves (compile errors, unknown variables), all at once. */
export function checkPatterns(patterns: RegexPattern[], variables: Variables): void {
  const problems: Problem[] = [];
  const known = Object.keys(variables);
  for (const pattern of patterns) {
    try {
      compilePattern(pattern);
    } catch (error) {
      if (error instanceof UserError) problems.push(...error.problems);
      continue;
    }
    const groups = namedGroups(pattern.source);
    if (groups.length === 0) {
      problems.push({
        code: 'edit/regex-no-group',
        message: `regex ${pattern.label} ${shown(pattern.source)} has no named group; expected e.g. (?<docker_image_tag>[^"]*) to mark what is replaced`,
      });
    }
    for (const name of groups) {
      if (Object.hasOwn(variables, name)) continue;
      const guess = suggest(name, known);
      problems.push({
        code: 'edit/unknown-variable',
        message:
          `regex ${pattern.label} names group '${name}', which is no variable of this dispatch` +
          (guess ? `; did you mean ${guess}?` : `; known variables: ${known.join(', ') || '(none)'}`),
      });
    }
  }
  if (problems.length > 0) throw new UserError(problems);
}

export function editRegex(
  text: string,
  patterns: RegexPattern[],
  variables: Variables,
  options: EditOptions = {},
): RegexEditResult {
  checkPatterns(patterns, variables);
  const spans: SpanChange[] = [];
  const unmatched: string[] = [];
  let current = text;
  for (const pattern of patterns) {
    const re = compilePattern(pattern);
    const names = namedGroups(pattern.source);
    const pieces: string[] = [];
    let cursor = 0;
    let matches = 0;
    for (const match of current.matchAll(re)) {
      matches++;
      if (match[0] === '') {
        // Global and empty: it would write the value at every position where it matches, e.g. between all characters.
        throw new UserError({
          code: 'edit/regex-empty-match',
          message: `regex ${pattern.label} ${shown(pattern.source)} matches empty text at line ${lineAt(current, match.index)}; anchor it on the text around the value, e.g. tag: "(?<docker_image_tag>[^"]*)"`,
        });
      }
      const found: { name: string; start: number; end: number }[] = [];
      for (const name of names) {
        const range = match.indices?.groups?.[name];
        if (range) found.push({ name, start: range[0], end: range[1] });
      }
      found.sort((a, b) => a.start - b.start || a.end - b.end);
      for (let i = 1; i < found.length; i++) {
        const prev = found[i - 1]!;
        const here = found[i]!;
        if (here.start < prev.end || here.start === prev.start) {
          throw new UserError({
            code: 'edit/regex-overlapping-groups',
            message: `regex ${pattern.label} ${shown(pattern.source)}: groups '${prev.name}' and '${here.name}' overlap at line ${lineAt(current, here.start)}; named groups must not nest or overlap`,
          });
        }
      }
      for (const span of found) {
        const before = current.slice(span.start, span.end);
        const after = variables[span.name]!;
        if (before === after) continue;
        const candidate = {
          variable: span.name,
          before,
          after,
          line: lineAt(current, span.start),
          locator: pattern.label,
        };
        if (options.shouldReplace && !options.shouldReplace(candidate)) continue;
        pieces.push(current.slice(cursor, span.start), after);
        cursor = span.end;
        spans.push(candidate);
      }
    }
    if (matches === 0) unmatched.push(pattern.label);
    pieces.push(current.slice(cursor));
    current = pieces.join('');
  }
  return { text: current, spans, unmatched };
}
