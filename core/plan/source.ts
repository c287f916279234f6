/**
 * Where the planner reads files from. The planner only selects, resolves and reads through a `FileSource`, so the
 * same rules, editors and checks plan over a checkout (`workTreeSource`) or over a commit read through GitHub's API
 * (core/land/api/source.ts) without a clone.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Problem } from '../errors.js';
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
// round trip left the process mostly idle (measured by bench/receive-large-tree.bench.mjs).
/** The files of a work tree at `root`; symlinks inside the repository resolve to their target. */
export function workTreeSource(root: string): FileSource {
  let realRoot: Promise<string> | undefined;
  return {
    select: (patterns, dialect) => expandGlobs(root, patterns, dialect),
    async resolve(path) {
      realRoot ??= realpath(root);
      const base = await realRoot;
      let real: string;
      try {
        real = realpathSync(join(root, path));
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
        return { text: readFileSync(join(await realRoot, key), 'utf8') };
      } catch (error) {
        return { problem: { code: 'plan/unreadable', message: `cannot read ${key}: ${(error as Error).message}` } };
      }
    },
  };
}
