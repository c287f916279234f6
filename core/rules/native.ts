/**
 * Native YAML rules -> the rule model. The shape is checked with Ajv against `rules.schema.json` (the same
 * file editors use for completion), then the meaning: unique names, regexes that compile, safe globs. Every
 * problem found is reported at once, each pointing at the line and column of the offending YAML node.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, type Pair, parseDocument } from 'yaml';
import { type Problem, ProblemList } from '../errors.js';
import { pointerSegments } from '../json-pointer.js';
import { suggest } from '../suggest.js';
import { checkGlob } from './glob.js';
import type { Condition, Edit, FileUpdate, Rule } from './model.js';
import { conditionPatternError } from './pattern.js';
import { regexError } from './regex-error.js';
import schema from './rules.schema.json' with { type: 'json' };

/** The JSON Schema of native rules, for editors and for other tools that validate them. */
export const rulesSchema: object = schema;

const EDIT_KEYS = ['yaml-path', 'regex', 'kustomize-image'] as const;

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  // strictTypes off: `type: [string, array]` with `minLength` and `items` is the intended union, not a mistake.
  compiled ??= new Ajv({ allErrors: true, verbose: true, strictTypes: false }).compile(schema);
  return compiled;
}

/**
 * Parses native rules from YAML text. `source` names the text in problems (`rules` input or a file path).
 * Throws a `UserError` listing every problem, each with `file: source`, `line` and `column`.
 */
export function parseNativeRules(text: string, source: string): Rule[] {
  const problems = new ProblemList();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const at = (
    node: { range?: [number, number, number?] | null } | null | undefined,
  ): { line?: number; column?: number } => {
    if (!node?.range) return {};
    const pos = lineCounter.linePos(node.range[0]);
    return { line: pos.line, column: pos.col };
  };

  for (const error of doc.errors) {
    const pos = error.linePos?.[0];
    problems.add({
      code: 'rules/yaml-syntax',
      message: `${source} is not valid YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      file: source,
      line: pos?.line,
      column: pos?.col,
    });
  }
  problems.throwIfAny();

  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) {
    problems.add({
      code: 'rules/empty',
      message: `${source} holds no rules; expected a list of rules, each with 'name', 'when' and 'update'`,
      file: source,
      line: 1,
      column: 1,
    });
    problems.throwIfAny();
  }

  /** Finds the node (and, for map entries, the pair) that a JSON pointer path names. */
  const locate = (path: string[]): { node?: Node | null; pair?: Pair } => {
    let node: unknown = doc.contents;
    let pair: Pair | undefined;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isSeq(node)) {
        node = node.items[Number(segment)];
        pair = undefined;
      } else if (isMap(node)) {
        pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === segment) as
          | Pair
          | undefined;
        node = pair?.value;
      } else {
        return {};
      }
    }
    return { node: node as Node | null | undefined, pair };
  };
  const nodeAt = (path: string[]): { line?: number; column?: number } => {
    for (let n = path.length; n >= 0; n--) {
      const { node, pair } = locate(path.slice(0, n));
      const pos = at(node);
      if (pos.line) return pos;
      if (pair && isScalar(pair.key)) return at(pair.key);
    }
    return { line: 1, column: 1 };
  };
  const keyAt = (path: string[], key: string): { line?: number; column?: number } => {
    const { pair } = locate([...path, key]);
    return pair && isScalar(pair.key) ? at(pair.key) : nodeAt(path);
  };
  const where = (path: (string | number)[]): string => describePath(path.map(String), data);

  const validate = validator();
  if (!validate(data)) {
    for (const problem of schemaProblems(validate.errors ?? [], data, where, nodeAt, keyAt)) {
      problems.add({ ...problem, file: source });
    }
  }

  // Meaning checks run on whatever has the right shape, so they are reported together with shape problems.
  const rules: Rule[] = [];
  const names = new Map<string, number>();
  const list = Array.isArray(data) ? data : [];
  list.forEach((raw: unknown, index) => {
    if (!isRecord(raw)) return;
    const rulePath = [String(index)];
    const name = typeof raw.name === 'string' ? raw.name : `#${index + 1}`;
    if (typeof raw.name === 'string') {
      const first = names.get(raw.name);
      if (first !== undefined) {
        problems.add({
          code: 'rules/duplicate-name',
          message: `Rule name '${raw.name}' is used twice (rules #${first + 1} and #${index + 1}); names must be unique`,
          file: source,
          ...nodeAt([...rulePath, 'name']),
        });
      } else {
        names.set(raw.name, index);
      }
    }

    const when: Condition[][] = [];
    const groups = Array.isArray(raw.when) ? raw.when : isRecord(raw.when) ? [raw.when] : [];
    groups.forEach((group: unknown, g) => {
      if (!isRecord(group)) return;
      const groupPath = Array.isArray(raw.when) ? [...rulePath, 'when', String(g)] : [...rulePath, 'when'];
      const conditions: Condition[] = [];
      for (const [variable, pattern] of Object.entries(group)) {
        if (typeof pattern !== 'string') continue;
        const bad = conditionPatternError(pattern, true);
        if (bad) {
          problems.add({
            code: 'rules/bad-regex',
            message: `Rule '${name}': the pattern for '${variable}' is not a valid regular expression (${bad}): ${JSON.stringify(pattern)}`,
            file: source,
            ...nodeAt([...groupPath, variable]),
          });
        }
        conditions.push({ variable, pattern, anchored: true });
      }
      when.push(conditions);
    });

    const update: FileUpdate[] = [];
    const updates = Array.isArray(raw.update) ? raw.update : [];
    updates.forEach((item: unknown, u) => {
      if (!isRecord(item)) return;
      const itemPath = [...rulePath, 'update', String(u)];
      const files = typeof item.files === 'string' ? [item.files] : Array.isArray(item.files) ? item.files : [];
      files.forEach((glob: unknown, f) => {
        if (typeof glob !== 'string' || glob === '') return;
        const problem = checkGlob(glob, 'native');
        if (problem) {
          const filesPath = typeof item.files === 'string' ? [...itemPath, 'files'] : [...itemPath, 'files', String(f)];
          problems.add({
            ...problem,
            message: `Rule '${name}', update[${u}]: ${problem.message}`,
            file: source,
            ...nodeAt(filesPath),
          });
        }
      });
      const edit = buildEdit(item, u);
      if (edit?.kind === 'regex') {
        edit.patterns.forEach((pattern, j) => {
          const bad = regexError(pattern.source);
          if (bad) {
            const regexPath =
              typeof item.regex === 'string' ? [...itemPath, 'regex'] : [...itemPath, 'regex', String(j)];
            problems.add({
              code: 'rules/bad-regex',
              message: `Rule '${name}', ${pattern.label}: not a valid regular expression (${bad}): ${JSON.stringify(pattern.source)}`,
              file: source,
              ...nodeAt(regexPath),
            });
          }
        });
      }
      if (edit)
        update.push({ files: files.filter((f): f is string => typeof f === 'string'), globDialect: 'native', edit });
    });

    const rule: Rule = { name, when, update, origin: { syntax: 'native', source, ...nodeAt(rulePath) } };
    if (typeof raw['pull-request'] === 'boolean') rule.pullRequest = raw['pull-request'];
    const onlyNewer = raw['only-newer'];
    if (onlyNewer === true) rule.onlyNewer = { stripSuffix: '' };
    else if (isRecord(onlyNewer) && typeof onlyNewer['strip-suffix'] === 'string') {
      rule.onlyNewer = { stripSuffix: onlyNewer['strip-suffix'] };
    }
    rules.push(rule);
  });

  // Reported in reading order, whichever check found them.
  problems.items.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  problems.throwIfAny();
  return rules;
}

function buildEdit(item: Record<string, unknown>, index: number): Edit | undefined {
  const kinds = EDIT_KEYS.filter((k) => k in item);
  if (kinds.length !== 1) return undefined; // reported by the schema
  if (typeof item['yaml-path'] === 'string') {
    return {
      kind: 'yaml-path',
      path: item['yaml-path'],
      variable: typeof item.variable === 'string' ? item.variable : 'docker_image_tag',
      create: item.create === true,
    };
  }
  if (typeof item['kustomize-image'] === 'string') return { kind: 'kustomize-image', image: item['kustomize-image'] };
  const regex = item.regex;
  if (typeof regex === 'string') {
    return { kind: 'regex', patterns: [{ source: regex, flags: '', label: `update[${index}].regex` }] };
  }
  if (Array.isArray(regex) && regex.every((r) => typeof r === 'string')) {
    return {
      kind: 'regex',
      patterns: regex.map((source: string, j) => ({ source, flags: '', label: `update[${index}].regex[${j}]` })),
    };
  }
  return undefined;
}

/** Turns Ajv's errors into problems with codes, positions and plain words. */
function schemaProblems(
  errors: ErrorObject[],
  data: unknown,
  where: (path: string[]) => string,
  nodeAt: (path: string[]) => { line?: number; column?: number },
  keyAt: (path: string[], key: string) => { line?: number; column?: number },
): Omit<Problem, 'file'>[] {
  const out: Omit<Problem, 'file'>[] = [];
  const seen = new Set<string>();
  const editKindAt = new Set(
    errors
      .filter((e) => e.keyword === 'oneOf' && /^\/\d+\/update\/\d+$/.test(e.instancePath))
      .map((e) => e.instancePath),
  );
  for (const e of errors) {
    const path = pointerSegments(e.instancePath);
    const here = where(path);
    const value = valueAt(data, path);
    let problem: Omit<Problem, 'file'> | undefined;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String(e.params.additionalProperty);
        const allowed = allowedKeys(e.parentSchema);
        const hint = suggest(key, allowed);
        problem = {
          code: 'rules/unknown-key',
          message: `Unknown key '${key}' in ${here}${hint ? ` (did you mean '${hint}'?)` : ''}; expected one of: ${allowed.join(', ')}`,
          ...keyAt(path, key),
        };
        break;
      }
      case 'required': {
        const key = String(e.params.missingProperty);
        if (editKindAt.has(e.instancePath) && (EDIT_KEYS as readonly string[]).includes(key)) break;
        problem = { code: 'rules/missing-key', message: `${capitalize(here)} needs '${key}'`, ...nodeAt(path) };
        break;
      }
      case 'oneOf': {
        if (!editKindAt.has(e.instancePath)) break;
        const present = EDIT_KEYS.filter((k) => isRecord(value) && k in value);
        problem = {
          code: 'rules/edit-kind',
          message:
            present.length === 0
              ? `${capitalize(here)} needs one way to edit the files: 'yaml-path', 'regex' or 'kustomize-image'`
              : `${capitalize(here)} has ${present.map((k) => `'${k}'`).join(' and ')}; use exactly one of 'yaml-path', 'regex', 'kustomize-image'`,
          ...nodeAt(path),
        };
        break;
      }
      case 'dependencies': {
        const key = String(e.params.property);
        problem = {
          code: 'rules/misplaced-key',
          message: `'${key}' in ${here} only applies together with '${String(e.params.missingProperty)}'`,
          ...keyAt(path, key),
        };
        break;
      }
      case 'type':
        problem = {
          code: 'rules/wrong-type',
          message: `${capitalize(here)} is ${describeValue(value)}; expected ${describeType(e.params.type)}`,
          ...nodeAt(path),
        };
        break;
      case 'minItems':
      case 'minProperties':
      case 'minLength':
        problem = { code: 'rules/empty-value', message: `${capitalize(here)} is empty`, ...nodeAt(path) };
        break;
      case 'propertyNames': {
        const key = String(e.params.propertyName);
        problem = {
          code: 'rules/invalid-value',
          message: `Variable name '${key}' in ${here} is not a valid name; expected letters, digits, '_' or '-', not starting with a digit or '-'`,
          ...keyAt(path, key),
        };
        break;
      }
      case 'pattern':
        if (e.propertyName !== undefined) break; // reported by its `propertyNames` error
        problem = {
          code: 'rules/invalid-value',
          message: `${capitalize(here)} is ${JSON.stringify(value)}; expected ${patternWords(path)}`,
          ...nodeAt(path),
        };
        break;
      default:
        problem = {
          code: 'rules/invalid-value',
          message: `${capitalize(here)} ${e.message ?? 'is invalid'}`,
          ...nodeAt(path),
        };
    }
    if (!problem) continue;
    const key = `${problem.code}|${problem.line}|${problem.column}|${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(problem);
  }
  return out;
}

function patternWords(path: string[]): string {
  const last = path[path.length - 1];
  if (last === 'name') return "1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit";
  if (last === 'variable') return "a variable name: letters, digits, '_' or '-'";
  if (last === 'kustomize-image') return 'an image name without spaces, e.g. ghcr.io/org/app';
  return 'a value of the documented form';
}

function allowedKeys(parentSchema: unknown): string[] {
  if (isRecord(parentSchema) && isRecord(parentSchema.properties)) return Object.keys(parentSchema.properties);
  return [];
}

function valueAt(data: unknown, path: string[]): unknown {
  let value = data;
  for (const segment of path) {
    if (Array.isArray(value)) value = value[Number(segment)];
    else if (isRecord(value)) value = value[segment];
    else return undefined;
  }
  return value;
}

/** `rule 'dev', update[0].files` for `/0/update/0/files`. */
function describePath(path: string[], data: unknown): string {
  if (path.length === 0) return 'the rules document';
  const [first, ...rest] = path;
  const rule = valueAt(data, [first!]);
  let out = isRecord(rule) && typeof rule.name === 'string' ? `rule '${rule.name}'` : `rule #${Number(first) + 1}`;
  let tail = '';
  for (const segment of rest) tail += /^\d+$/.test(segment) ? `[${segment}]` : `${tail ? '.' : ''}${segment}`;
  if (tail) out += `, ${tail}`;
  return out;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value === 'string' ? 'a string' : `a ${typeof value}`} (${JSON.stringify(value)})`;
}

function describeType(type: unknown): string {
  const words: Record<string, string> = {
    object: 'a map',
    array: 'a list',
    string: 'a string',
    boolean: 'true or false',
    number: 'a number',
    integer: 'a whole number',
  };
  const list = Array.isArray(type) ? type : [type];
  return list.map((t) => words[String(t)] ?? String(t)).join(' or ');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
