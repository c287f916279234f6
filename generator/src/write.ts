import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type GeneratedFile, isUntouchedGenerated } from './generate.js';

export type FileStatus =
  /** did not exist */
  | 'created'
  /** identical already */
  | 'unchanged'
  /** generated earlier and untouched since, so safe to replace */
  | 'updated'
  /** edited by hand (or not ours) and differs: replaced only with --force */
  | 'changed-by-hand';

export interface FileResult {
  path: string;
  status: FileStatus;
  /** True when the file was written (or would be, in check mode). */
  written: boolean;
}

export interface WriteOptions {
  cwd: string;
  force?: boolean;
  /** Compare only; write nothing. */
  check?: boolean;
}

export interface WriteReport {
  files: FileResult[];
  /** Files that differ from what the config gives (drift, for --check). */
  differing: string[];
  /** Files changed by hand that were not overwritten (no --force). */
  refused: string[];
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The only step of `generate` that touches the disk. Decides for every file first; when any hand-edited file would
 * be overwritten without `force`, it writes nothing at all.
 */
export async function writeFiles(files: GeneratedFile[], options: WriteOptions): Promise<WriteReport> {
  const results: (FileResult & { absolute: string; contents: string | Buffer })[] = [];
  for (const file of files) {
    const absolute = resolve(options.cwd, file.path);
    const existing = await readIfExists(absolute);
    let status: FileStatus;
    if (existing === undefined) status = 'created';
    else if (existing.equals(Buffer.from(file.contents))) status = 'unchanged';
    else if (file.kind === 'generated' && isUntouchedGenerated(existing.toString('utf8'))) status = 'updated';
    else status = 'changed-by-hand';
    const written = status === 'created' || status === 'updated' || (status === 'changed-by-hand' && !!options.force);
    results.push({ path: file.path, status, written, absolute, contents: file.contents });
  }
  const differing = results.filter((r) => r.status !== 'unchanged').map((r) => r.path);
  const refused = options.force ? [] : results.filter((r) => r.status === 'changed-by-hand').map((r) => r.path);
  if (!options.check && refused.length === 0) {
    for (const r of results.filter((x) => x.written)) {
      await mkdir(dirname(r.absolute), { recursive: true });
      await writeFile(r.absolute, r.contents);
    }
  }
  const nothingWritten = options.check || refused.length > 0;
  return {
    files: results.map(({ path, status, written }) => ({ path, status, written: written && !nothingWritten })),
    differing,
    refused,
  };
}
