/**
 * The last word on every edit of a YAML file: read the text before and after, as YAML 1.2 and as YAML 1.1 (the rules
 * Helm and kustomize read files by, through sigs.k8s.io/yaml), and refuse unless the data is the original with only
 * the targets changed. The editors aim to be right by construction; this check is what makes a wrong byte a refusal
 * instead of a green run that deploys the wrong thing.
 * The usual edit (one scalar value spliced) is first shown by comparing lexical tokens (core/edit/syntax-diff.ts),
 * which costs a fifth of the four readings; whatever that cannot show is read in full. test/edit/syntax-diff.test.ts
 * (and, over real charts, test/corpus/syntax-diff.check.ts) holds the shortcut to never pass what the readings refuse.
 */
import { Composer, parseAllDocuments } from 'yaml';
import type { Edit } from '../rules/model.js';
import { fail, type SpanChange, shown } from './model.js';
import { changedScalars } from './syntax-diff.js';
import { formatPath, type PathSegment, parsedYaml, parseYamlPath, yamlTokens } from './yaml-source.js';

const VERSIONS = ['1.2', '1.1'] as const;
type Version = (typeof VERSIONS)[number];

/** One leaf (a scalar, or an empty map or list) that differs between two readings. */
export interface DataChange {
  path: PathSegment[];
  /** `undefined` when the leaf did not exist. */
  before: unknown;
  after: unknown;
}

/** What an edit may have changed; the check refuses anything else. */
export interface EditExpectation {
  /** True for every leaf path the edit may change or add. */
  allowed: (path: PathSegment[]) => boolean;
  /**
   * The one path the edit targets (yaml-path). Another leaf may change only as an alias copy of it: the same
   * value before, the same value after (an anchored scalar, `tag: &v 1.0` reused as `*v`, changes everywhere).
   */
  target?: PathSegment[];
  /** The strings the edit wrote: a changed leaf must read back as one of them (or contain one, with `contains`). */
  values: string[];
  contains?: boolean;
  /** Whether the edit may add leaves (yaml-path `create`, a new kustomize `images:` entry). */
  mayAdd?: boolean;
  /** At most this many leaves may change (a regex edit changes at most one scalar per span). */
  maxChanges?: number;
}

function samePath(a: PathSegment[], b: PathSegment[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** What one update may change in a file, given the spans its editor reported. */
export function expectationFor(edit: Edit, spans: SpanChange[]): EditExpectation {
  switch (edit.kind) {
    case 'yaml-path': {
      const target = parseYamlPath(edit.path);
      return {
        allowed: (path) => samePath(path, target),
        target,
        values: spans.map((s) => s.after),
        mayAdd: edit.create,
      };
    }
    case 'kustomize-image':
      return {
        allowed: (path) => path[0] === 'images',
        values: [...spans.map((s) => s.after), edit.image],
        mayAdd: true,
      };
    case 'regex':
      return {
        allowed: () => true,
        values: spans.map((s) => s.after),
        contains: true,
        maxChanges: spans.length,
      };
  }
}

/** Only files named as YAML are read as data after a regex edit; yaml-path and kustomize edits always are. */
export function needsDataCheck(edit: Edit, path: string): boolean {
  return edit.kind !== 'regex' || /\.ya?ml$/i.test(path);
}

// logLevel 'error': a map key that is itself a map is data Helm would refuse; the check needs no warning about it.
const readOptions = (version: Version) =>
  ({ version, merge: version === '1.1', uniqueKeys: false, logLevel: 'error' }) as const;

/** The documents of `text` as plain data, or the first parse error. Aliases resolve, as Helm's reader does. */
export function readData(text: string, version: Version): { data: unknown[] } | { error: string } {
  return toData(parseAllDocuments(text, readOptions(version)));
}

/**
 * `readData` for both versions from one lex and parse (the syntax tree does not depend on the version; only
 * composing it into documents does), as `parseAllDocuments` does it. Each edit is checked on four readings, and
 * lexing and parsing were most of the check's time (the text before the edit reuses the editor's tree, and its
 * YAML 1.2 documents when the editor composed them: see `parsedYaml`).
 */
export function readBoth(text: string): Record<Version, { data: unknown[] } | { error: string }> {
  const tokens = yamlTokens(text); // the editor's, for the text before the edit
  const read = (version: Version) => {
    const composed = version === '1.2' ? parsedYaml(text) : undefined;
    if (composed) return toData(composed);
    const docs = Array.from(new Composer(readOptions(version)).compose(tokens));
    // The message with its line and column, exactly as parseAllDocuments words it (rare: the slow way).
    if (docs.some((doc) => doc.errors.length > 0)) return readData(text, version);
    return toData(docs);
  };
  return { '1.2': read('1.2'), '1.1': read('1.1') };
}

function toData(
  docs: readonly { errors: readonly { message: string }[]; toJS(options: { maxAliasCount: number }): unknown }[],
): { data: unknown[] } | { error: string } {
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const first = doc.errors[0];
    if (first) return { error: first.message.split('\n')[0]! };
  }
  try {
    return { data: list.map((doc) => doc.toJS({ maxAliasCount: 10_000 })) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function sameLeaf(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return Object.is(a, b);
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null && !(value instanceof Date);
}

const MISSING: unknown = Symbol('missing');

/** The leaves of `value`: scalars, and empty maps or lists (they are data too). */
function leaves(value: unknown, path: PathSegment[], out: { path: PathSegment[]; value: unknown }[] = []) {
  if (isContainer(value) && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value))
      leaves(item, [...path, Array.isArray(value) ? Number(key) : key], out);
  } else if (value !== MISSING) out.push({ path, value });
  return out;
}

/** Every leaf that differs between `a` and `b`; a subtree present on one side only counts leaf by leaf. */
export function dataChanges(a: unknown, b: unknown, path: PathSegment[] = [], out: DataChange[] = []): DataChange[] {
  const sameKind = isContainer(a) && isContainer(b) && Array.isArray(a) === Array.isArray(b);
  if (sameKind && (Object.keys(a).length > 0 || Object.keys(b).length > 0)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const pick = (o: object) => (Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : MISSING);
      dataChanges(pick(a), pick(b), [...path, Array.isArray(a) ? Number(key) : key], out);
    }
  } else if (!sameKind && (isContainer(a) || isContainer(b))) {
    for (const leaf of leaves(a, path)) out.push({ path: leaf.path, before: leaf.value, after: MISSING });
    for (const leaf of leaves(b, path)) out.push({ path: leaf.path, before: MISSING, after: leaf.value });
  } else if (!sameKind && !sameLeaf(a, b)) {
    out.push({ path, before: a, after: b });
  }
  return out;
}

function describe(value: unknown): string {
  if (value === MISSING) return '(absent)';
  if (value instanceof Date) return `a timestamp (${value.toISOString()})`;
  if (typeof value === 'string') return shown(value);
  return `${typeof value} ${String(value)}`;
}

/**
 * True when comparing lexical tokens shows the edit is what `expect` allows (the usual case: one scalar value
 * spliced), which is what the four readings below would find, at a fraction of the cost; false leaves it to them.
 */
export function shownBySyntax(before: string, after: string, expect: EditExpectation): boolean {
  const changes = changedScalars(before, after);
  if (!changes || (expect.maxChanges !== undefined && changes.length > expect.maxChanges)) return false;
  return changes.every(
    (c) => expect.allowed(c.path) && expect.values.some((v) => (expect.contains ? c.after.includes(v) : c.after === v)),
  );
}

/**
 * Refuses (UserError `edit/verify-failed`, nothing written) unless `after` reads, as YAML 1.2 and as YAML 1.1,
 * as `before` with only allowed leaves changed, each to one of the written strings, and the same in both readings.
 * When `before` itself is not YAML (a template matched by a regex rule), there is no data to compare: skipped.
 */
export function verifyEdit(before: string, after: string, expect: EditExpectation, where: string): void {
  if (before === after || shownBySyntax(before, after, expect)) return;
  verifyByReading(before, after, expect, where);
}

/** `verifyEdit` without the syntax shortcut: the four readings, compared as data. */
export function verifyByReading(before: string, after: string, expect: EditExpectation, where: string): void {
  const refuse = (why: string): never =>
    fail(
      'edit/verify-failed',
      `${where}: the edited file would not be the original with only the target changed (${why}); nothing was written`,
    );
  const readings: Partial<Record<Version, DataChange[]>> = {};
  const olds = readBoth(before);
  // After, read only when before is YAML 1.2 (else there is nothing to compare).
  let nows: ReturnType<typeof readBoth> | undefined;
  for (const version of VERSIONS) {
    const old = olds[version];
    if ('error' in old) {
      if (version === '1.2') return;
      continue; // valid YAML 1.2 that YAML 1.1 cannot read: the 1.2 reading decides
    }
    nows ??= readBoth(after);
    const now = nows[version];
    if ('error' in now) refuse(`it no longer parses as YAML ${version}: ${now.error}`);
    const changes = dataChanges(old.data, (now as { data: unknown[] }).data);
    if (expect.maxChanges !== undefined && changes.length > expect.maxChanges) {
      refuse(
        `as YAML ${version}, ${changes.length} values change (${changes.map((c) => formatPath(c.path.slice(1))).join(', ')}) where the edit wrote ${expect.maxChanges}`,
      );
    }
    const main = expect.target && changes.find((c) => samePath(c.path.slice(1), expect.target!));
    const copy = (c: DataChange) =>
      main !== undefined && sameLeaf(c.before, main.before) && sameLeaf(c.after, main.after);
    for (const change of changes) {
      const at = formatPath(change.path.slice(1)) || '(document root)';
      const doc = Number(change.path[0]) + 1;
      const label = `${at}${doc > 1 ? ` in document ${doc}` : ''}`;
      if (!expect.allowed(change.path.slice(1)) && !copy(change)) {
        refuse(`as YAML ${version}, ${label} changes from ${describe(change.before)} to ${describe(change.after)}`);
      }
      if (change.before === MISSING && !expect.mayAdd) refuse(`as YAML ${version}, ${label} is new`);
      const value = change.after;
      const ok =
        typeof value === 'string' && expect.values.some((v) => (expect.contains ? value.includes(v) : value === v));
      if (!ok) refuse(`as YAML ${version}, ${label} reads as ${describe(value)}, not the value written`);
    }
    readings[version] = changes;
  }
  const a = readings['1.2'];
  const b = readings['1.1'];
  if (a && b) {
    const key = (c: DataChange) => `${JSON.stringify(c.path)}=${describe(c.after)}`;
    const one = new Set(a.map(key));
    const other = b.map(key).filter((k) => !one.has(k));
    if (other.length > 0 || a.length !== b.length) refuse('YAML 1.1 and YAML 1.2 readers would see different changes');
  }
}
