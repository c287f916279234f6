/**
 * Where the planner reads files from. The planner only selects, resolves and reads through a `FileSource`, so the
 * same rules, editors and checks plan over a checkout (`workTreeSource`) or over a commit read through GitHub's API
 * (core/land/api/source.ts) without a clone.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { type Problem, UserError } from '../errors.js';
import { expandGlobs, type GlobDialect } from '../rules/glob.js';

export interface FileSource {
  /** Files any pattern selects: repo-relative, '/'-separated, sorted, without duplicates (see `expandGlobs`). */
  select(patterns: string[], dialect: GlobDialect): Promise<string[]>;
  /** The key of the file `path` names (one key per real file, e.g. a symlink's target), or why it cannot be used. */
  resolve(path: string): Promise<{ key: string } | { problem: Problem }>;
  /** The text of the file `key` (from `resolve`), or why it cannot be read. */
  read(key: string): Promise<{ text: string } | { problem: Problem }>;
}

/** True when `target` is `root` itself or below it. */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

// Sync reads on purpose: thousands of small files are read one after another, and each async call's thread-pool
// round trip left the process mostly idle (measured by bench/receive-large-tree.bench.ts). Reading 16 files ahead
// on the thread pool while earlier ones are edited did not pay either: for 2,000 small files the async reads cost
// the main thread about twice the CPU time of the sync ones they would overlap.
/**
 * The files of a work tree at `root`; symlinks inside the repository resolve to their target, with one realpath(3)
 * call per file (realpathSync walks every parent folder with lstat: three times the time).
 */
export function workTreeSource(root: string): FileSource {
  let realRoot: Promise<string> | undefined;
  return {
    select: (patterns, dialect) => expandGlobs(root, patterns, dialect),
    async resolve(path) {
      realRoot ??= realpath(root);
      const base = await realRoot;
      let real: string;
      try {
        real = realpathSync.native(join(root, path));
      } catch (error) {
        return { problem: { code: 'plan/unreadable', message: `cannot resolve ${path}: ${(error as Error).message}` } };
      }
      if (!isInside(base, real)) {
        return {
          problem: {
            code: 'plan/outside-repository',
            message: `${path} resolves to ${real}, outside the repository; symlinks must stay inside it`,
          },
        };
      }
      const key = relative(base, real).split(sep).join('/');
      if (key.split('/').includes('.git')) {
        return {
          problem: { code: 'plan/git-dir', message: `${path} resolves into .git/; expected files of the work tree` },
        };
      }
      return { key };
    },
    async read(key) {
      realRoot ??= realpath(root);
      try {
        return { text: decodeText(readFileSync(join(await realRoot, key))) };
      } catch (error) {
        if (error instanceof UserError) return { problem: error.problems[0]! };
        return { problem: { code: 'plan/unreadable', message: `cannot read ${key}: ${(error as Error).message}` } };
      }
    },
  };
}

// fatal: a byte that is not UTF-8 throws instead of becoming U+FFFD; ignoreBOM: a BOM stays in the text, and so in
// the file written back.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of a file the rules select; binary (a NUL byte) and non-UTF-8 files are refused, never rewritten. */
export function decodeText(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    throw new UserError({
      code: 'plan/not-text',
      message: `holds a NUL byte at offset ${nul}, so it is not a text file; narrow the rule's files glob so it does not select it`,
    });
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw new UserError({
      code: 'plan/not-text',
      message: "is not valid UTF-8 (perhaps Latin-1 or UTF-16); convert it to UTF-8, or narrow the rule's files glob",
    });
  }
}
