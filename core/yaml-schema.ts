/**
 * YAML checked against a JSON Schema, every problem with its position: the one mapping of Ajv's errors used by native
 * rules (core/rules/native.ts) and the generator's config (generator/src/config.ts). Same codes (`<domain>/...`),
 * same path wording, aliases followed to the node they name, problems reported in reading order.
 *
 * Use: `const checked = checkYaml(text, options)` (throws on YAML syntax and on an empty document), add meaning
 * problems with `checked.add(code, message, path)`, then `checked.finish()` throws them all, sorted by position.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
} from 'yaml';
import { type ErrorCode, type Problem, ProblemList } from './errors.js';
import { pointerSegments } from './json-pointer.js';
import { suggest } from './suggest.js';

export type SchemaDomain = 'rules' | 'config';
export type Segment = string | number;
export interface Position {
  line?: number;
  column?: number;
}

export interface YamlSchemaOptions {
  /** Prefix of every code: `rules/unknown-key`, `config/unknown-key`. */
  domain: SchemaDomain;
  /** Names the text in problems (a file path or an input name). */
  file: string;
  validate: ValidateFunction;
  /** The expected form of the whole document, for an empty one, e.g. "a list of rules, each with ...". */
  expected: string;
  /** Words for the document itself, e.g. 'the rules document'. */
  rootWords: string;
  /** Words for an item of a top-level list, e.g. `rule 'dev'`; without it, paths read `'environments.dev.tag'`. */
  itemWords?: (index: number, item: unknown) => string;
  /** Words for the form a `pattern` keyword expects at `path`. */
  patternWords?: (path: string[]) => string;
  /** Words for the names a `propertyNames` keyword accepts at `path`. */
  nameWords?: (path: string[]) => string;
  /**
   * One message for a failed `oneOf` at `path` (the errors of its branches are left out); undefined keeps the
   * default "is X; expected one of the documented forms". May return a code of its own (e.g. `rules/edit-kind`).
   */
  oneOf?: (path: string[], value: unknown, here: string) => { code?: ErrorCode; message: string } | undefined;
}

export interface CheckedYaml {
  /** The document as plain data (aliases resolved). */
  data: unknown;
  problems: ProblemList;
  /** Position of the node at `path`, or of its nearest existing parent; of the key when `key` is true. */
  at(path: Segment[], key?: boolean): Position;
  /** How problems name the place at `path`, e.g. `rule 'dev', update[0].files` or `'environments.dev.tag'`. */
  describe(path: Segment[]): string;
  add(code: ErrorCode, message: string, path: Segment[], key?: boolean): void;
  /** Throws every problem (schema and meaning) in reading order, once each. */
  finish(): void;
}

/** Parses `text`, checks it against the schema and collects the schema's problems; see the module comment. */
export function checkYaml(text: string, o: YamlSchemaOptions): CheckedYaml {
  const problems = new ProblemList();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const pos = (offset: number | undefined): Position => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  for (const error of [...doc.errors, ...doc.warnings]) {
    problems.add({
      code: `${o.domain}/yaml-syntax`,
      message: `${o.file} is not valid YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      file: o.file,
      ...pos(error.pos[0]),
    });
  }
  problems.throwIfAny();

  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) {
    problems.add({
      code: `${o.domain}/empty`,
      message: `${o.file} is empty; expected ${o.expected}`,
      file: o.file,
      line: 1,
      column: 1,
    });
    problems.throwIfAny();
  }

  const at = (path: Segment[], key = false): Position => {
    if (key) {
      const { pair } = locate(doc, path.map(String));
      if (pair && isScalar(pair.key)) return pos(pair.key.range?.[0]);
      path = path.slice(0, -1);
    }
    for (let n = path.length; n >= 0; n--) {
      const { node, pair } = locate(doc, path.slice(0, n).map(String));
      if (node?.range) return pos(node.range[0]);
      if (pair && isScalar(pair.key)) return pos(pair.key.range?.[0]);
    }
    return { line: 1, column: 1 };
  };
  const describe = (path: Segment[]): string => describePath(path.map(String), data, o);
  const add = (code: ErrorCode, message: string, path: Segment[], key = false) =>
    problems.add({ code, message, file: o.file, ...at(path, key) });

  if (!o.validate(data)) {
    for (const p of schemaProblems(o.validate.errors ?? [], data, o, describe)) add(p.code, p.message, p.path, p.key);
  }

  return {
    data,
    problems,
    at,
    describe,
    add,
    finish() {
      const seen = new Set<string>();
      const unique = problems.items.filter((p) => {
        const k = `${p.code}|${p.line}|${p.column}|${p.message}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      // Reading order, whichever check found them (a stable sort keeps the order of problems at one place).
      unique.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
      problems.items.splice(0, problems.items.length, ...unique);
      problems.throwIfAny();
    },
  };
}

/** The node (and, for map entries, the pair) at `path`, following aliases. */
function locate(doc: Document, path: string[]): { node?: Node | null; pair?: Pair } {
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
}

interface SchemaProblem {
  code: ErrorCode;
  message: string;
  path: Segment[];
  key?: boolean;
}

function schemaProblems(
  errors: ErrorObject[],
  data: unknown,
  o: YamlSchemaOptions,
  describe: (path: Segment[]) => string,
): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  // A failed oneOf also reports every branch's complaint; one message naming the accepted forms reads better.
  const oneOfAt = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath);
  const insideOneOf = (e: ErrorObject) =>
    e.keyword !== 'oneOf' &&
    /\/oneOf\//.test(e.schemaPath) &&
    oneOfAt.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`));
  const d = o.domain;
  for (const e of errors) {
    if (insideOneOf(e)) continue;
    const path = pointerSegments(e.instancePath);
    const here = describe(path);
    const Here = capitalize(here);
    const value = valueAt(data, path);
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String(e.params.additionalProperty);
        const allowed = allowedKeys(e.parentSchema);
        const hint = suggest(key, allowed);
        out.push({
          code: `${d}/unknown-key`,
          message: `Unknown key '${key}' in ${here}${hint ? ` (did you mean '${hint}'?)` : ''}; expected one of: ${allowed.join(', ')}`,
          path: [...path, key],
          key: true,
        });
        break;
      }
      case 'required':
        out.push({ code: `${d}/missing-key`, message: `${Here} needs '${String(e.params.missingProperty)}'`, path });
        break;
      case 'oneOf': {
        const custom = o.oneOf?.(path, value, here);
        out.push({
          code: custom?.code ?? `${d}/invalid-value`,
          message: custom?.message ?? `${Here} is ${describeValue(value)}; expected one of the documented forms`,
          path,
        });
        break;
      }
      case 'dependencies': {
        const key = String(e.params.property);
        out.push({
          code: `${d}/misplaced-key`,
          message: `'${key}' in ${here} only applies together with '${String(e.params.missingProperty)}'`,
          path: [...path, key],
          key: true,
        });
        break;
      }
      case 'type':
        out.push({
          code: `${d}/wrong-type`,
          message: `${Here} is ${describeValue(value)}; expected ${describeType(e.params.type)}`,
          path,
        });
        break;
      case 'minItems':
      case 'minProperties':
      case 'minLength':
        out.push({ code: `${d}/empty-value`, message: `${Here} is empty`, path });
        break;
      case 'propertyNames': {
        const key = String(e.params.propertyName);
        out.push({
          code: `${d}/invalid-value`,
          message: `Name '${key}' in ${here} is not a valid name; expected ${o.nameWords?.(path) ?? 'letters, digits and . _ -'}`,
          path: [...path, key],
          key: true,
        });
        break;
      }
      case 'pattern':
        if (e.propertyName !== undefined) break; // reported by its `propertyNames` error
        out.push({
          code: `${d}/invalid-value`,
          message: `${Here} is ${JSON.stringify(value)}; expected ${o.patternWords?.(path) ?? 'a value of the documented form'}`,
          path,
        });
        break;
      case 'enum':
        out.push({
          code: `${d}/invalid-value`,
          message: `${Here} is ${JSON.stringify(value)}; expected one of: ${(e.params.allowedValues as unknown[]).join(', ')}`,
          path,
        });
        break;
      default:
        out.push({ code: `${d}/invalid-value`, message: `${Here} ${e.message ?? 'is invalid'}`, path });
    }
  }
  return out;
}

function allowedKeys(parentSchema: unknown): string[] {
  if (isRecord(parentSchema) && isRecord(parentSchema.properties)) return Object.keys(parentSchema.properties);
  return [];
}

export function valueAt(data: unknown, path: Segment[]): unknown {
  let value = data;
  for (const segment of path) {
    if (Array.isArray(value)) value = value[Number(segment)];
    else if (isRecord(value)) value = value[String(segment)];
    else return undefined;
  }
  return value;
}

/** `rule 'dev', update[0].files` (with itemWords) or `'environments.dev.files[0]'`. */
function describePath(path: string[], data: unknown, o: YamlSchemaOptions): string {
  if (path.length === 0) return o.rootWords;
  const tailOf = (segments: string[]) => {
    let tail = '';
    for (const s of segments) tail += /^\d+$/.test(s) ? `[${s}]` : `${tail ? '.' : ''}${s}`;
    return tail;
  };
  if (o.itemWords && Array.isArray(data) && /^\d+$/.test(path[0]!)) {
    const head = o.itemWords(Number(path[0]), valueAt(data, [path[0]!]));
    const tail = tailOf(path.slice(1));
    return tail ? `${head}, ${tail}` : head;
  }
  return `'${tailOf(path)}'`;
}

export function describeValue(value: unknown): string {
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

export type { Problem };
