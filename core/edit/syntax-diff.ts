/**
 * The cheap half of reading an edit back (core/edit/verify.ts): compare the lexical tokens of the text before and
 * after instead of composing both texts into data as YAML 1.2 and 1.1.
 *
 * Why this shows what composing would: yaml's Parser builds its tree from the token types and the layout tokens,
 * never from a flow scalar's text (only its line breaks, refused here), and composing is a function of that tree. So
 * when the tokens are the same but for some single-line flow scalars of the same kind, the data can differ only in
 * those scalars' values. It also takes: no anchor, alias or tag in the file (a value could show up elsewhere or read
 * by another schema), the scalars in value position of block collections, and only keys on the way that read as the
 * same string in YAML 1.2 and 1.1 (`on`, `1` and `<<` do not). Anything else is "not shown": the full reading decides.
 */
import { CST } from 'yaml';
import type { PathSegment } from './yaml-source.js';
import { lexemes, plainReadsAsString, yamlLexemes, yamlTokens } from './yaml-source.js';

/** One scalar whose source differs, with the data path it has in both readings and its new value. */
export interface ScalarChange {
  path: PathSegment[];
  /** The value of the new source: a string in YAML 1.2 and 1.1 alike (checked here). */
  after: string;
}

type FlowScalarToken = CST.FlowScalar & { type: 'scalar' | 'single-quoted-scalar' | 'double-quoted-scalar' };

/** The Lexer's marker tokens (document mode, flow error end, scalar follows): no source, so no width. */
const MARKERS = [CST.DOCUMENT, CST.FLOW_END, CST.SCALAR];
const hasMarker = (text: string) => MARKERS.some((marker) => text.includes(marker));
const FLOW_SCALARS = new Set(['scalar', 'single-quoted-scalar', 'double-quoted-scalar']);
const LINE_BREAK = /[\n\r]/;

class NotShown extends Error {}
const notShown = (): never => {
  throw new NotShown();
};

/** Where a token sits: the chain of collections above it, turned into a data path only when a change is found. */
interface Frame {
  parent: Frame | undefined;
  /** A block-map entry (its key is read lazily), a list index, or a flow collection (not shown). */
  step: { item: CST.BlockMap['items'][number] } | { index: number } | 'flow';
}

/**
 * The scalars whose values differ between `before` and `after`, each with its data path, when the tokens show that
 * nothing else can differ in either YAML reading; undefined when they do not show it.
 */
export function changedScalars(before: string, after: string): ScalarChange[] | undefined {
  if (hasMarker(before) || hasMarker(after)) return undefined;
  const was = yamlLexemes(before);
  const now = lexemes(after);
  if (was.length !== now.length) return undefined;
  // Offsets of changed scalars in `before` (as the Parser counts them), with their new source.
  const changed = new Map<number, { before: string; after: string }>();
  let offset = 0;
  for (let i = 0; i < was.length; i++) {
    const a = was[i]!;
    const b = now[i]!;
    const afterScalarMarker = i > 0 && was[i - 1] === CST.SCALAR;
    if (!afterScalarMarker && (a[0] === '&' || a[0] === '*' || a[0] === '!')) return undefined;
    if (a !== b) {
      if (LINE_BREAK.test(a) || LINE_BREAK.test(b)) return undefined;
      // Plain text follows a scalar marker; a quoted scalar is one token whose first character gives its kind.
      const quote = a[0] === "'" || a[0] === '"' ? a[0] : undefined;
      if (!afterScalarMarker && (quote === undefined || b[0] !== quote)) return undefined;
      changed.set(offset, { before: a, after: b });
    }
    if (!MARKERS.includes(a)) offset += a.length;
  }
  if (changed.size === 0) return undefined;
  const out: ScalarChange[] = [];
  try {
    for (const token of yamlTokens(before)) {
      if (token.type === 'document' && token.value) collect(token.value, undefined, changed, out);
    }
  } catch (error) {
    if (error instanceof NotShown) return undefined;
    throw error;
  }
  return out.length === changed.size ? out : undefined;
}

/** Walks the tree before the edit, collecting the changed scalars with their paths. */
function collect(
  token: CST.Token,
  frame: Frame | undefined,
  changed: Map<number, { before: string; after: string }>,
  out: ScalarChange[],
): void {
  if (FLOW_SCALARS.has(token.type)) {
    const scalar = token as FlowScalarToken;
    const change = changed.get(scalar.offset);
    if (change === undefined) return;
    if (scalar.source !== change.before) notShown();
    out.push({ path: pathOf(frame), after: stringValue({ ...scalar, source: change.after }) });
    return;
  }
  switch (token.type) {
    case 'block-map':
      for (const item of token.items) {
        if (item.key && changed.has(item.key.offset)) notShown(); // a renamed key moves data
        if (item.value) collect(item.value, { parent: frame, step: { item } }, changed, out);
      }
      return;
    case 'block-seq': {
      let index = 0;
      for (const item of token.items) {
        // An item without `-` holds only comments, and is no list item (as the composer reads it).
        if (!item.start.some((t) => t.type === 'seq-item-ind')) continue;
        if (item.value) collect(item.value, { parent: frame, step: { index } }, changed, out);
        index++;
      }
      return;
    }
    case 'flow-collection':
      // Flow collections (and their implicit pairs) are left to the full reading.
      for (const item of token.items) {
        for (const part of [item.key, item.value])
          if (part) collect(part, { parent: frame, step: 'flow' }, changed, out);
      }
      return;
    default:
      return;
  }
}

function pathOf(frame: Frame | undefined): PathSegment[] {
  const path: PathSegment[] = [];
  for (let at = frame; at; at = at.parent) {
    if (at.step === 'flow') notShown();
    else path.unshift('index' in at.step ? at.step.index : keySegment(at.step.item));
  }
  return path;
}

/** The key of a block-map entry as both readings see it, or not shown (merge keys, `on`/`1` keys, complex keys). */
function keySegment(item: CST.BlockMap['items'][number]): string {
  const key = item.key;
  if (item.explicitKey || !key || !FLOW_SCALARS.has(key.type)) notShown();
  const value = stringValue(key as FlowScalarToken);
  if (value === '<<') notShown();
  return value;
}

/** A flow scalar's value, when it is the same string in YAML 1.2 and 1.1 and has no error; else not shown. */
function stringValue(token: FlowScalarToken): string {
  let bad = false;
  const { value } = CST.resolveAsScalar(token, true, () => {
    bad = true;
  });
  if (bad || (token.type === 'scalar' && !plainReadsAsString(value, false))) notShown();
  return value;
}
