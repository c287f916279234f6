/**
 * A `FileSource` over one commit read through GitHub's GraphQL API: the planner selects, resolves and reads files
 * exactly as over a checkout, with no clone. Only the directories the globs can reach are listed (a literal path
 * lists its parent only), and the selected files are read in batches, so the number of requests does not grow with
 * the size of the repository beyond those listings.
 */
import type { Problem } from '../../errors.js';
import type { GitHubGraphql } from '../../github/graphql.js';
import type { FileSource } from '../../plan/source.js';
import { compileGlobs, expandBraces, type GlobDialect } from '../../rules/glob.js';
import { type BlobText, listTree, type RepositoryName, readBlobs, type TreeEntry } from './repository.js';

export const MODE_FILE = 0o100644;
export const MODE_EXECUTABLE = 0o100755;
export const MODE_SYMLINK = 0o120000;
export const MODE_SUBMODULE = 0o160000;

export function describeMode(mode: number): string {
  const octal = mode.toString(8).padStart(6, '0');
  if (mode === MODE_EXECUTABLE) return `an executable file (mode ${octal})`;
  if (mode === MODE_SYMLINK) return `a symlink (mode ${octal})`;
  if (mode === MODE_SUBMODULE) return `a submodule (mode ${octal})`;
  return `mode ${octal}`;
}

const META = /[*?[\]{}\\]/;

/** Which directory each pattern needs listed, and how deep (Infinity: all the way down). */
export function listingsFor(patterns: string[], dialect: GlobDialect): Map<string, number> {
  const needs = new Map<string, number>();
  const need = (dir: string, depth: number) => needs.set(dir, Math.max(needs.get(dir) ?? 0, depth));
  for (const pattern of patterns) {
    const alternatives = dialect === 'native' ? expandBraces(pattern) : [pattern];
    for (const alternative of alternatives) {
      const segments = alternative.split('/');
      const first = segments.findIndex((s) => META.test(s));
      if (first < 0) {
        need(segments.slice(0, -1).join('/'), 1);
        continue;
      }
      const rest = segments.slice(first).join('/');
      // `**` spans directories; in the seed dialect braces and escapes may hold `/` too.
      const unbounded = rest.includes('**') || (dialect === 'seed' && /[{\\]/.test(rest));
      need(segments.slice(0, first).join('/'), unbounded ? Number.POSITIVE_INFINITY : segments.length - first);
    }
  }
  return needs;
}

export interface ApiFileSource extends FileSource {
  /** The tree entry of a selected path (mode, oid), once `select` has listed it. */
  entry(path: string): TreeEntry | undefined;
}

export function apiFileSource(api: GitHubGraphql, repo: RepositoryName, commit: string): ApiFileSource {
  const entries = new Map<string, TreeEntry>();
  /** dir -> depth listed */
  const listed = new Map<string, number>();
  const blobs = new Map<string, BlobText | null>();

  const covered = (dir: string, depth: number): boolean => {
    for (const [done, doneDepth] of listed) {
      if (done === dir && doneDepth >= depth) return true;
      if (done === '' || dir.startsWith(`${done}/`)) {
        const below = done === '' ? dir.split('/').length : dir.slice(done.length + 1).split('/').length;
        if (doneDepth >= below + depth) return true;
      }
    }
    return false;
  };

  return {
    entry: (path) => entries.get(path),

    async select(patterns: string[], dialect: GlobDialect): Promise<string[]> {
      const regexes = compileGlobs(patterns, dialect);
      if (regexes.length === 0) return [];
      const needs = listingsFor(patterns, dialect);
      for (const [dir, depth] of needs) {
        if (covered(dir, depth)) continue;
        const found = await listTree(api, repo, commit, dir, depth);
        listed.set(dir, depth);
        for (const e of found ?? []) entries.set(e.path, e);
      }
      const selected: string[] = [];
      for (const [path, e] of entries) {
        if (e.type === 'tree') continue;
        if (regexes.some((r) => r.test(path))) selected.push(path);
      }
      selected.sort();
      // The planner reads these next, one by one: fetch them now, many per request.
      const wanted = selected
        .map((p) => entries.get(p)!)
        .filter((e) => e.type === 'blob' && e.mode !== MODE_SYMLINK && !blobs.has(e.oid))
        .map((e) => e.oid);
      if (wanted.length > 0) for (const [oid, blob] of await readBlobs(api, repo, wanted)) blobs.set(oid, blob);
      return [...new Set(selected)];
    },

    async resolve(path: string) {
      const e = entries.get(path);
      if (!e) return { problem: { code: 'plan/unreadable', message: `cannot resolve ${path}: not in ${commit}` } };
      if (e.mode === MODE_SYMLINK || e.mode === MODE_SUBMODULE || e.type !== 'blob') {
        return { problem: modeProblem(path, e.mode) };
      }
      return { key: path };
    },

    async read(key: string) {
      const e = entries.get(key);
      if (!e) return { problem: { code: 'plan/unreadable', message: `cannot read ${key}: not in ${commit}` } };
      if (!blobs.has(e.oid)) for (const [oid, blob] of await readBlobs(api, repo, [e.oid])) blobs.set(oid, blob);
      const blob = blobs.get(e.oid);
      const refuse = (why: string): { problem: Problem } => ({
        problem: {
          code: 'api/not-text',
          message: `cannot read ${key} through GitHub's API byte for byte: ${why}; use 'commit-method: git' for this file`,
        },
      });
      if (!blob || blob.text === null || blob.isBinary) return refuse('it is binary');
      if (blob.isTruncated) return refuse(`it is too large (${blob.byteSize} bytes) to be read whole`);
      if (Buffer.byteLength(blob.text, 'utf8') !== blob.byteSize) {
        return refuse(`its ${blob.byteSize} bytes are not all valid UTF-8`);
      }
      return { text: blob.text };
    },
  };
}

/** A file `createCommitOnBranch` cannot write as it is (it writes mode 100644 only). */
export function modeProblem(path: string, mode: number): Problem {
  return {
    code: 'api/file-mode',
    file: path,
    message:
      `${path} is ${describeMode(mode)}; 'commit-method: api' writes every file as a regular file (mode 100644) ` +
      `and would change that, so nothing was written. Use 'commit-method: git' for this file, or change the rule's ` +
      "'files' so it does not select it",
  };
}
