/**
 * Byte-preserving YAML edits. The `yaml` package locates nodes (with `keepSourceTokens`, so every scalar knows its
 * exact source text and offset); the edit itself is a splice into the original string. Re-stringifying a Document
 * would re-flow comments, quoting and line endings, so it is never done.
 */
import {
  Composer,
  type CST,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  type Node,
  Parser,
  parseAllDocuments,
  parseDocument,
  type Scalar,
  visit,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { fail, lineAt, shown } from './model.js';

export type PathSegment = string | number;

/** Parses `image.tag`, `images[0].tag`, `"a.b".c`, `'a.b'.c`. */
export function parseYamlPath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  const bad = (why: string): never =>
    fail(
      'edit/yaml-path-invalid',
      `yaml-path ${shown(path)} is not valid (${why}); expected keys separated by dots, [n] for list items and quotes around keys with dots, e.g. image.tag, images[0].tag, "a.b".c`,
    );
  if (path.length === 0) bad('empty');
  let expectKey = true;
  while (i < path.length) {
    const c = path[i];
    if (c === '[') {
      const m = /^\[(\d+)\]/.exec(path.slice(i));
      if (!m) bad(`at character ${i + 1}`);
      segments.push(Number(m![1]));
      i += m![0].length;
      expectKey = false;
      continue;
    }
    if (!expectKey) {
      if (c !== '.') bad(`at character ${i + 1}`);
      i++;
      expectKey = true;
      if (i >= path.length) bad('ends with a dot');
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let key = '';
      while (j < path.length && path[j] !== '"') {
        if (path[j] === '\\' && j + 1 < path.length) j++;
        key += path[j];
        j++;
      }
      if (j >= path.length) bad('unterminated quote');
      segments.push(key);
      i = j + 1;
    } else if (c === "'") {
      let j = i + 1;
      let key = '';
      for (;;) {
        if (j >= path.length) bad('unterminated quote');
        if (path[j] === "'") {
          if (path[j + 1] === "'") {
            key += "'";
            j += 2;
            continue;
          }
          break;
        }
        key += path[j];
        j++;
      }
      segments.push(key);
      i = j + 1;
    } else {
      const m = /^[^.[\]"']+/.exec(path.slice(i));
      if (!m) bad(`at character ${i + 1}`);
      segments.push(m![0]);
      i += m![0].length;
    }
    expectKey = false;
  }
  return segments;
}

export function formatPath(segments: PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += (out ? '.' : '') + (/^[^.[\]"']+$/.test(s) ? s : JSON.stringify(s));
  }
  return out;
}

const NO_ENV: NodeJS.ProcessEnv = Object.freeze({});

/** The lexical tokens of `text` (yaml's Lexer: each token's source, with marker characters before scalars). */
export function lexemes(text: string): string[] {
  return Array.from(new Lexer().lex(text));
}

/**
 * The syntax tree of `lexed`, the lexemes of a text. yaml's Parser reads `process.env.LOG_TOKENS` once per token,
 * and each read of the real environment crosses into C++ (about 0.25 µs): a tenth of a receiver's time on 2,000
 * files. The parse is synchronous, so swapping in an empty environment for its duration is seen by nothing else.
 */
function syntaxTree(lexed: string[]): CST.Token[] {
  const env = process.env;
  process.env = NO_ENV;
  try {
    const parser = new Parser();
    const tokens: CST.Token[] = [];
    for (const lexeme of lexed) for (const token of parser.next(lexeme)) tokens.push(token);
    for (const token of parser.end()) tokens.push(token);
    return tokens;
  } finally {
    process.env = env;
  }
}

let last: { text: string; lexemes: string[]; tokens: CST.Token[]; docs?: Document.Parsed[] } | undefined;

function lastSyntax(text: string): NonNullable<typeof last> {
  if (last?.text !== text) {
    const lexed = lexemes(text);
    last = { text, lexemes: lexed, tokens: syntaxTree(lexed) };
  }
  return last;
}

/**
 * The syntax tree of `text`, lexed and parsed once for the editor and the check that reads the same text again
 * (core/edit/verify.ts): the tree does not depend on the YAML version or other options, only composing it does, and
 * composing never changes it. One entry: the planner edits and checks one file at a time.
 */
export function yamlTokens(text: string): CST.Token[] {
  return lastSyntax(text).tokens;
}

/** The lexemes `yamlTokens` parsed its tree from (the same cache entry). */
export function yamlLexemes(text: string): string[] {
  return lastSyntax(text).lexemes;
}

/**
 * The documents `parseYaml` composed from `text` without an error, if it was the last text lexed: the YAML 1.2
 * reading of that text (its options differ from the check's only in keeping source tokens and refusing duplicate
 * keys, which changes no data of a document without errors). Nothing here changes a parsed document.
 */
export function parsedYaml(text: string): Document.Parsed[] | undefined {
  return last?.text === text ? last.docs : undefined;
}

export function parseYaml(text: string): Document.Parsed[] {
  const tokens = yamlTokens(text);
  const entry = last!;
  let list: Document.Parsed[] = Array.from(new Composer({ keepSourceTokens: true }).compose(tokens));
  // With an error, parseAllDocuments again for its message with line and column (rare: the slow way).
  if (list.some((doc) => doc.errors.length > 0)) {
    const docs = parseAllDocuments(text, { keepSourceTokens: true });
    list = Array.isArray(docs) ? docs : [];
  }
  for (const doc of list) {
    const first = doc.errors[0];
    if (first) {
      const offset = first.pos[0];
      fail('edit/yaml-invalid', `is not valid YAML at line ${lineAt(text, offset)}: ${first.message.split('\n')[0]}`);
    }
  }
  entry.docs = list;
  return list;
}

export type Lookup =
  | { found: true; node: Node | null; parent: YAMLMap | YAMLSeq | null; key: PathSegment | undefined }
  | { found: false; deepest: Node | null; rest: PathSegment[]; at: PathSegment[] };

/** Walks `segments` from the document root. Aliases on the way are refused: editing them would edit the anchor. */
export function lookup(doc: Document.Parsed, segments: PathSegment[], text: string): Lookup {
  let node: Node | null = (doc.contents as Node | null) ?? null;
  let parent: YAMLMap | YAMLSeq | null = null;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (node && isAlias(node)) {
      fail(
        'edit/yaml-alias',
        `yaml-path ${formatPath(segments)} passes through alias *${node.source} at line ${lineAt(text, node.range?.[0] ?? 0)}; edit the anchor's path instead`,
      );
    }
    if (typeof seg === 'number') {
      if (!node || !isSeq(node) || seg >= node.items.length) {
        return { found: false, deepest: node, rest: segments.slice(i), at: segments.slice(0, i) };
      }
      parent = node;
      node = (node.items[seg] as Node | null) ?? null;
      continue;
    }
    if (!node || !isMap(node))
      return { found: false, deepest: node, rest: segments.slice(i), at: segments.slice(0, i) };
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
    if (!pair) return { found: false, deepest: node, rest: segments.slice(i), at: segments.slice(0, i) };
    parent = node;
    node = (pair.value as Node | null) ?? null;
  }
  return { found: true, node, parent, key: segments[segments.length - 1] };
}

/**
 * The first anchor (`&name`) on a collection on the way to `segments` that an alias elsewhere in the document
 * reuses, with the alias's line, or undefined. Editing below such an anchor would change the alias's copy as well,
 * which is rarely meant. (An anchor on the target scalar itself is a shared value by intent: it may be edited.)
 */
export function reusedAnchor(
  doc: Document.Parsed,
  segments: PathSegment[],
  text: string,
): { anchor: string; aliasLine: number } | undefined {
  // An alias is written `*name`: a text without `*` has none, and the walk below is skipped.
  if (!text.includes('*')) return undefined;
  const aliases = new Map<string, number>();
  visit(doc, {
    Alias(_, node) {
      if (!aliases.has(node.source)) aliases.set(node.source, lineAt(text, node.range?.[0] ?? 0));
    },
  });
  if (aliases.size === 0) return undefined;
  let node: Node | null = (doc.contents as Node | null) ?? null;
  for (let i = 0; ; i++) {
    const anchor = node && i < segments.length && (node as { anchor?: string }).anchor;
    if (anchor && aliases.has(anchor)) return { anchor, aliasLine: aliases.get(anchor)! };
    if (i >= segments.length || !node) return undefined;
    const seg = segments[i]!;
    if (typeof seg === 'number') node = isSeq(node) ? ((node.items[seg] as Node | null) ?? null) : null;
    else if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      node = (pair?.value as Node | null) ?? null;
    } else node = null;
  }
}

export function detectEol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/**
 * Forms sigs.k8s.io/yaml (go-yaml v2, which Helm and kustomize read values with) resolves to a non-string that the
 * `yaml` package's YAML 1.1 schema reads as a string: Go's `ParseInt(s, 0, 64)` takes `0o17`, underscores anywhere.
 */
const GO_YAML_NUMBER = /^[-+]?(?:0[oO][0-7_]+|0[xX][0-9a-fA-F_]+|0[bB][01_]+|[0-9][0-9_]*)$/;

/** Answers of `plainReadsAsString`: a run writes one tag into many files, and each answer costs two parses. */
const plainAnswers = new Map<string, boolean>();

/** Does `text`, written plain at this place, read back as exactly this string, as YAML 1.2 and as YAML 1.1? */
export function plainReadsAsString(value: string, inFlow: boolean): boolean {
  const key = `${inFlow ? 'flow' : 'block'}:${value}`;
  let answer = plainAnswers.get(key);
  if (answer === undefined) {
    answer = probePlain(value, inFlow);
    if (plainAnswers.size >= 1000) plainAnswers.clear();
    plainAnswers.set(key, answer);
  }
  return answer;
}

function probePlain(value: string, inFlow: boolean): boolean {
  if (value === '' || value.trim() !== value || GO_YAML_NUMBER.test(value)) return false;
  const probe = inFlow ? `[${value}]` : `k: ${value}\n`;
  for (const version of ['1.2', '1.1'] as const) {
    const doc = parseDocument(probe, { version });
    if (doc.errors.length > 0) return false;
    const node = inFlow
      ? isSeq(doc.contents) && doc.contents.items.length === 1
        ? doc.contents.items[0]
        : undefined
      : isMap(doc.contents) && doc.contents.items.length === 1
        ? doc.contents.items[0]?.value
        : undefined;
    if (!isScalar(node) || node.type !== 'PLAIN' || node.value !== value) return false;
  }
  return true;
}

export function doubleQuoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function singleQuoted(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Source text for `value` in the style of the scalar it replaces. A plain scalar stays plain unless that would not
 * read back as the same string (`1e3`, `true`, `0123`, `null`, `a: b`, ...): then it gets double quotes, because a
 * tag is a string, and Helm renders a number `1.10` as `1.1`.
 */
export function renderScalar(value: string, style: 'plain' | 'single' | 'double', inFlow: boolean): string {
  if (style === 'single') return singleQuoted(value);
  if (style === 'double') return doubleQuoted(value);
  return plainReadsAsString(value, inFlow) ? value : doubleQuoted(value);
}

export function renderKey(key: string): string {
  return plainReadsAsString(key, false) && /^[^:#{}[\],&*!|>'"%@`?-][^:#]*$/.test(key) ? key : doubleQuoted(key);
}

export interface ScalarSplice {
  start: number;
  end: number;
  /** New source text for [start, end). */
  insert: string;
  /** The old value as a string ('' for an empty value). */
  before: string;
}

/** True when the node sits inside a flow collection (`{...}` / `[...]`), where `,]}` are special in plain text. */
function insideFlow(offset: number, doc: Document.Parsed): boolean {
  let inFlow = false;
  const visit = (node: unknown): void => {
    if (inFlow || !node || typeof node !== 'object') return;
    if (isMap(node) || isSeq(node)) {
      const range = node.range;
      if (node.flow && range && range[0] <= offset && offset < range[1]) {
        inFlow = true;
        return;
      }
      for (const item of node.items as unknown[]) {
        if (isMap(node)) {
          const pair = item as { key: unknown; value: unknown };
          visit(pair.key);
          visit(pair.value);
        } else visit(item);
      }
    }
  };
  visit(doc.contents);
  return inFlow;
}

/** How to replace the scalar `node` with `value`, keeping its quoting style where possible. */
export function scalarSplice(
  text: string,
  doc: Document.Parsed,
  node: Node | null,
  value: string,
  where: string,
): ScalarSplice {
  if (node && isAlias(node)) {
    fail('edit/yaml-alias', `${where} is the alias *${node.source}; edit the anchored value instead`);
  }
  if (!node || !isScalar(node)) {
    fail('edit/yaml-not-scalar', `${where} is a ${node && isMap(node) ? 'map' : 'list'}, not a single value`);
  }
  const scalar = node as Scalar;
  const token = scalar.srcToken as { type: string; offset: number; source: string } | undefined;
  const range = scalar.range!;
  const inFlow = insideFlow(range[0], doc);
  if (!token) {
    // An empty value (`tag:`, `tag:  # comment`): the node has zero length, right after the colon or at the comment.
    // The value needs a space after the colon, and one before a comment (`v1#x` would be a plain scalar).
    const at = range[0];
    const space = /[ \t]/.test(text[at - 1] ?? '') ? '' : ' ';
    const gap = text[at] === '#' ? ' ' : '';
    return { start: at, end: at, insert: `${space}${renderScalar(value, 'plain', inFlow)}${gap}`, before: '' };
  }
  switch (token.type) {
    case 'scalar':
      return {
        start: token.offset,
        end: token.offset + token.source.length,
        insert: renderScalar(value, 'plain', inFlow),
        before: token.source,
      };
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
      return {
        start: token.offset,
        end: token.offset + token.source.length,
        insert: renderScalar(value, token.type === 'single-quoted-scalar' ? 'single' : 'double', inFlow),
        before: String(scalar.value ?? ''),
      };
    default:
      fail('edit/yaml-block-scalar', `${where} is a block scalar (| or >); expected a single-line value`);
  }
}

/** Offset where text can be inserted after everything `node` holds: the end of its last content line. */
export function endOfContentLine(text: string, node: Node): number {
  let last: Node = node;
  for (;;) {
    if ((isMap(last) || isSeq(last)) && !last.flow && last.items.length > 0) {
      const item = last.items[last.items.length - 1] as unknown;
      const next = isMap(last)
        ? ((item as { value: Node | null; key: Node }).value ?? (item as { key: Node }).key)
        : (item as Node);
      if (!next) break;
      last = next;
      continue;
    }
    break;
  }
  let pos = last.range ? last.range[1] : text.length;
  // Block scalars end after their final line break; step back onto that line.
  if (pos > 0 && text[pos - 1] === '\n') pos -= text[pos - 2] === '\r' ? 2 : 1;
  const nl = text.indexOf('\n', pos);
  if (nl === -1) return text.length;
  return text[nl - 1] === '\r' ? nl - 1 : nl;
}

/** Column (0-based) of `offset` on its line. */
export function columnAt(text: string, offset: number): number {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return offset - lineStart;
}

/** Key/value lines for nested keys ending in `value`, e.g. `image:` / `  tag: x`, at indentation `indent`. */
export function nestedLines(keys: string[], valueText: string, indent: string, step = '  '): string[] {
  return keys.map(
    (key, i) => `${indent}${step.repeat(i)}${renderKey(key)}:${i === keys.length - 1 ? ` ${valueText}` : ''}`,
  );
}

export interface Insertion {
  at: number;
  insert: string;
}

/**
 * Text that adds `lines` as new last entries of the block map `map` (or of an empty document when `map` is null),
 * keeping line endings and a missing final newline as they were.
 */
export function appendLines(text: string, map: Node | null, lines: (indent: string) => string[]): Insertion {
  const eol = detectEol(text);
  if (map === null) {
    const body = lines('').join(eol);
    if (text.length === 0) return { at: 0, insert: body + eol };
    return text.endsWith('\n') ? { at: text.length, insert: body + eol } : { at: text.length, insert: eol + body };
  }
  if ((isMap(map) || isSeq(map)) && !map.flow) {
    const first = map.items[0] as unknown;
    const firstNode = isMap(map) ? (first as { key: Node } | undefined)?.key : (first as Node | undefined);
    const start = firstNode?.range?.[0] ?? map.range![0];
    const indent = ' '.repeat(columnAt(text, isSeq(map) ? seqDashOffset(text, start) : start));
    const at = endOfContentLine(text, map);
    return { at, insert: eol + lines(indent).join(eol) };
  }
  return fail(
    'edit/yaml-create-unsupported',
    `cannot add entries to a flow collection (${shown(text.slice(map.range?.[0] ?? 0, map.range?.[1] ?? 0))}); write it as a block collection`,
  );
}

/** The offset of the `-` that introduces the seq item starting at `itemStart`. */
function seqDashOffset(text: string, itemStart: number): number {
  const dash = text.lastIndexOf('-', itemStart);
  return dash === -1 ? itemStart : dash;
}

// A splice, not the yaml package's editing: re-stringifying re-flows the file; its CST edits only existing scalars.
export function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}
