/**
 * Hostile splices for testing the read-back's syntax shortcut (core/edit/syntax-diff.ts) against the full reading:
 * every flow scalar of a text, key or value, replaced by raw source an editor bug could write (unquoted `off`, a
 * comment, an alias, a new key, a line break...). The shortcut may let an edit through only where the four readings
 * would; used by test/edit/syntax-diff.test.ts and, over ../shared/corpus, test/corpus/syntax-diff.check.ts.
 */
import { isMap, isScalar, isSeq, type Node, parseAllDocuments } from 'yaml';
import { type EditExpectation, shownBySyntax, verifyByReading } from '../../core/edit/verify.js';
import { yamlTokens } from '../../core/edit/yaml-source.js';
import { UserError } from '../../core/errors.js';

/** Raw replacement sources: ordinary tags, forms another YAML version reads as non-strings, and structure. */
export const RAW_VALUES = [
  'v2.0.0',
  '"v2.0.0"',
  "'v2.0.0'",
  'sha-4f2a9c1',
  'off',
  'yes',
  '1.10',
  '1e3',
  '0o17',
  '1_000',
  '1:20',
  '2024-01-01',
  'null',
  '~',
  '',
  '"1.10"',
  "'it''s'",
  '"\\x41\\u00e9"',
  '"\\q"',
  '"open',
  'a: b',
  'x #c',
  '*ref',
  '&a x',
  '!!str x',
  '[1]',
  '{}',
  '- a',
  '@x',
  '<<',
  'x\ny: 1',
  '\t',
  'é-ü',
  'x'.repeat(1100),
];

type Segment = string | number;

interface Located {
  token: { offset: number; source: string };
  /** The data path of the value, or of the map the key belongs to. */
  path: Segment[];
  isKey: boolean;
}

/** Every scalar that has source in the YAML 1.2 reading, with where it sits. */
function scalars(text: string): Located[] {
  const docs = parseAllDocuments(text, { keepSourceTokens: true, uniqueKeys: false });
  if (!Array.isArray(docs)) return [];
  const out: Located[] = [];
  const visit = (node: unknown, path: Segment[]): void => {
    if (isScalar(node)) {
      const token = node.srcToken as { offset: number; source: string; type: string } | undefined;
      if (token && token.type !== 'block-scalar') out.push({ token, path, isKey: false });
    } else if (isMap(node)) {
      for (const pair of node.items) {
        const keyText = isScalar(pair.key) ? String(pair.key.value) : '?';
        if (isScalar(pair.key)) {
          const token = pair.key.srcToken as { offset: number; source: string; type: string } | undefined;
          if (token && token.type !== 'block-scalar') out.push({ token, path, isKey: true });
        }
        visit(pair.value, [...path, keyText]);
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) visit(item, [...path, i]);
    }
  };
  for (const doc of docs) visit(doc.contents as Node | null, []);
  return out;
}

const same = (a: Segment[], b: Segment[]) => a.length === b.length && a.every((s, i) => s === b[i]);
const unquoted = (raw: string) => (/^(["']).*\1$/s.test(raw) ? raw.slice(1, -1) : raw);

/** The expectations the editors pass to the check, shaped around one located scalar and one raw value. */
function expectations(at: Located, raw: string): EditExpectation[] {
  const values = [raw, unquoted(raw), 'A\u00e9', "it's"];
  return [
    { allowed: (p) => same(p, at.path), target: at.path, values },
    { allowed: () => true, values: [unquoted(raw).slice(0, 3) || 'v'], contains: true, maxChanges: 1 },
  ];
}

export interface ShortcutTally {
  cases: number;
  /** Cases the syntax shortcut let through. */
  shown: number;
  /** Cases the shortcut left to the readings that were read all the same (a sample), and how many they refused. */
  sampled: number;
  refusedByReading: number;
  /** Cases the shortcut let through that the full reading refuses: must stay empty. */
  wrong: string[];
}

/** Runs hostile splices of `text` through both halves of the check; `limit` caps the scalars tried (spread out). */
export function compareShortcut(
  name: string,
  text: string,
  tally: ShortcutTally,
  limit = Infinity,
  raws: readonly string[] = RAW_VALUES,
): void {
  const all = scalars(text);
  const stride = Math.max(1, Math.ceil(all.length / limit));
  for (const at of all.filter((_, i) => i % stride === 0)) {
    const { offset, source } = at.token;
    for (const raw of raws) {
      const after = text.slice(0, offset) + raw + text.slice(offset + source.length);
      if (after === text) continue;
      yamlTokens(text); // as the editor leaves it: the tree of the text before, cached
      for (const expect of expectations(at, raw)) {
        tally.cases++;
        const shown = shownBySyntax(text, after, expect);
        if (shown) tally.shown++;
        // The readings decide every case the shortcut let through, and every 8th other one (to show the splices
        // are hostile: most are refused), which keeps the test a few seconds long.
        if (!shown && tally.cases % 8 !== 0) continue;
        if (!shown) tally.sampled++;
        let refusal: string | undefined;
        try {
          verifyByReading(text, after, expect, name);
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          refusal = error.message;
        }
        if (refusal !== undefined && !shown) tally.refusedByReading++;
        if (shown && refusal !== undefined) {
          tally.wrong.push(`${name} @${offset} ${JSON.stringify(source)} -> ${JSON.stringify(raw)}: ${refusal}`);
        }
      }
    }
  }
}

export const emptyTally = (): ShortcutTally => ({ cases: 0, shown: 0, sampled: 0, refusedByReading: 0, wrong: [] });
