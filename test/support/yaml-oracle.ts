/**
 * An oracle for YAML edits, independent of the editors and of core's own read-back: is `after` exactly `before`
 * with one target set to `value`? Used by the property tests and by the corpus check.
 */
import { isDeepStrictEqual } from 'node:util';
import { diffLines } from 'diff';
import { parseAllDocuments } from 'yaml';

export type Target = { segments: (string | number)[]; create?: boolean } | { image: string };

function read(text: string, version: '1.1' | '1.2'): unknown[] | undefined {
  const docs = parseAllDocuments(text, { version, merge: version === '1.1', uniqueKeys: false });
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  return docs.map((d) => d.toJS({ maxAliasCount: 10_000 }));
}

/** The data `before` should become: the target set to `value` in the one document that has it. */
export function expectedData(before: unknown[], target: Target, value: string): unknown[] {
  const data = structuredClone(before);
  if ('image' in target) {
    const doc = data[0] as Record<string, unknown>;
    const images = (Array.isArray(doc.images) ? doc.images : []) as Record<string, unknown>[];
    const entry = images.find((e) => e && String(e.name) === target.image);
    if (entry) entry.newTag = value;
    else {
      images.push({ name: target.image, newTag: value });
      doc.images = images;
    }
    return data;
  }
  const { segments } = target;
  for (const doc of data) {
    let node: unknown = doc;
    let i = 0;
    for (; i < segments.length - 1; i++) {
      const next = (node as Record<string | number, unknown> | null)?.[segments[i]!];
      if (next === undefined || next === null || typeof next !== 'object') break;
      node = next;
    }
    const holder = node as Record<string | number, unknown> | null;
    if (i === segments.length - 1 && holder && typeof holder === 'object' && segments[i]! in holder) {
      holder[segments[i]!] = value;
      return data;
    }
    if (target.create && holder && typeof holder === 'object') {
      let at = holder as Record<string, unknown>;
      for (; i < segments.length - 1; i++) {
        at[segments[i] as string] = {};
        at = at[segments[i] as string] as Record<string, unknown>;
      }
      at[segments[i] as string] = value;
      return data;
    }
  }
  return data;
}

/** Why `after` is not an exact edit of `before`, or undefined when it is. */
export function inexactEdit(before: string, after: string, target: Target, value: string): string | undefined {
  for (const version of ['1.2', '1.1'] as const) {
    const a = read(before, version);
    if (!a) continue;
    const b = read(after, version);
    if (!b) return `no longer parses as YAML ${version}`;
    if (!isDeepStrictEqual(b, expectedData(a, target, value))) {
      return `read as YAML ${version}, the data is not the original with only the target changed`;
    }
  }
  if (before.startsWith('\uFEFF') !== after.startsWith('\uFEFF')) return 'BOM changed';
  if (before.endsWith('\n') !== after.endsWith('\n')) return 'final newline changed';
  if (before.includes('\r\n') && after.replace(/\r\n/g, '').includes('\n')) return 'a bare LF in a CRLF file';
  const parts = diffLines(before, after).filter((part) => part.added || part.removed);
  const removed = parts.filter((p) => p.removed).reduce((n, p) => n + (p.count ?? 0), 0);
  const added = parts.filter((p) => p.added).reduce((n, p) => n + (p.count ?? 0), 0);
  if (removed > 1 || added > 4) return `${removed} lines removed and ${added} added; expected one changed line`;
  return undefined;
}
