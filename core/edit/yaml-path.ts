/**
 * The `yaml-path` edit: set one scalar node, leaving every other byte of the file as it was.
 *
 * Decisions:
 * - The written value is always a YAML string. A plain scalar stays plain unless the new value would read back as
 *   something else (`1e3`, `true`, `0123`, `null`); then it is double-quoted. An old plain *number* (`tag: 1.2`) is
 *   therefore replaced by `"1.3"`: image tags are strings, and Helm would render a number `1.10` as `1.1`.
 *   A value equal to the old source text is left alone (no churn).
 * - Quoted scalars keep their quote style; block scalars (`|`, `>`) and aliases are errors.
 * - Multi-document files: the path must exist in exactly one document; present in several is an error (ambiguous),
 *   and `create` is refused in a file of several documents.
 * - `create: true` adds the missing keys as new last entries of the deepest existing block map, indented like its
 *   siblings; list items are never created.
 */

import { isScalar } from 'yaml';
import type { Variables } from '../rules/model.js';
import { suggest } from '../suggest.js';
import { type EditOptions, type EditResult, fail, lineAt, type SpanChange, shown } from './model.js';
import {
  appendLines,
  formatPath,
  lookup,
  nestedLines,
  parseYaml,
  parseYamlPath,
  renderScalar,
  reusedAnchor,
  scalarSplice,
  splice,
} from './yaml-source.js';

export interface YamlPathEdit {
  path: string;
  variable: string;
  create: boolean;
}

export function variableValue(variables: Variables, name: string, what: string): string {
  const value = variables[name];
  if (value !== undefined) return value;
  const guess = suggest(name, Object.keys(variables));
  return fail(
    'edit/unknown-variable',
    `${what} writes variable '${name}', which this dispatch does not have` +
      (guess ? `; did you mean ${guess}?` : `; known variables: ${Object.keys(variables).join(', ') || '(none)'}`),
  );
}

export function editYamlPath(
  text: string,
  edit: YamlPathEdit,
  variables: Variables,
  options: EditOptions = {},
): EditResult {
  const segments = parseYamlPath(edit.path);
  const value = variableValue(variables, edit.variable, `yaml-path ${edit.path}`);
  const docs = parseYaml(text);
  const lookups = docs.map((doc) => lookup(doc, segments, text));
  const hits = lookups.flatMap((l, i) => (l.found ? [i] : []));
  const locator = formatPath(segments);
  if (hits.length > 1) {
    fail(
      'edit/yaml-ambiguous',
      `yaml-path ${locator} exists in ${hits.length} documents of this file (documents ${hits.map((i) => i + 1).join(', ')}); expected exactly one`,
    );
  }
  if (hits.length === 1) {
    const index = hits[0]!;
    const hit = lookups[index]!;
    if (!hit.found) throw new Error('unreachable');
    const reused = reusedAnchor(docs[index]!, segments, text);
    if (reused) {
      fail(
        'edit/yaml-anchored',
        `yaml-path ${locator} lies under the anchor &${reused.anchor}, which the alias at line ${reused.aliasLine} reuses; writing it would change that copy too. Give the target its own value (no anchor), or edit the anchor's path if every copy should change`,
      );
    }
    const s = scalarSplice(text, docs[index]!, hit.node, value, `yaml-path ${locator}`);
    // Unchanged only when the text written would be the text there: `tag: null` holds no string "null".
    if (s.insert === text.slice(s.start, s.end)) return { text, spans: [] };
    const span: SpanChange = {
      variable: edit.variable,
      before: s.before,
      after: value,
      line: lineAt(text, s.start),
      locator,
    };
    if (options.shouldReplace && !options.shouldReplace(span)) return { text, spans: [] };
    // The planner reads every edited file back as data (core/edit/verify.ts), for splices and `create` alike.
    return { text: splice(text, s.start, s.end, s.insert), spans: [span] };
  } else {
    const miss = lookups[0];
    if (!edit.create) {
      const where = miss && !miss.found && miss.at.length > 0 ? ` (${formatPath(miss.at)} exists)` : '';
      fail(
        'edit/yaml-path-not-found',
        `yaml-path ${locator} does not exist${where}; add it to the file, or set create: true on the rule`,
      );
    }
    if (docs.length > 1) {
      fail('edit/yaml-ambiguous', `yaml-path ${locator} cannot be created in a file of ${docs.length} documents`);
    }
    const rest = miss && !miss.found ? miss.rest : segments;
    const deepest = miss && !miss.found ? miss.deepest : null;
    if (rest.some((s) => typeof s === 'number')) {
      fail('edit/yaml-create-unsupported', `yaml-path ${locator}: create: true adds map keys, not list items`);
    }
    if (deepest !== null && !(deepest as { items?: unknown }).items) {
      const at = miss && !miss.found ? formatPath(miss.at) : '';
      fail(
        'edit/yaml-create-unsupported',
        `yaml-path ${locator}: ${at || 'the document'} holds ${shown(String(isScalar(deepest) ? deepest.value : deepest))}, not a map, so ${formatPath(rest)} cannot be created in it`,
      );
    }
    const valueText = renderScalar(value, 'plain', false);
    const insertion = appendLines(text, deepest, (indent) => nestedLines(rest as string[], valueText, indent));
    const result = splice(text, insertion.at, insertion.at, insertion.insert);
    const span: SpanChange = {
      variable: edit.variable,
      before: '',
      after: value,
      line: lineAt(result, insertion.at + insertion.insert.length),
      locator,
    };
    if (options.shouldReplace && !options.shouldReplace(span)) return { text, spans: [] };
    return { text: result, spans: [span] };
  }
}
