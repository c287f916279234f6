import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { adoptPins, type GeneratedFile, imageOfGenerated, isUntouchedGenerated } from './generate.js';

export type FileStatus =
  /** did not exist */
  | 'created'
  /** identical already */
  | 'unchanged'
  /** generated earlier and untouched since, so safe to replace */
  | 'updated'
  /** edited by hand (or not ours) and differs: replaced only with --force */
  | 'changed-by-hand'
  /** a receiver generated for another image (another app's config): replaced only with --force */
  | 'other-image';

export interface FileResult {
  path: string;
  status: FileStatus;
  /** True when the file was written (or would be, in check mode). */
  written: boolean;
  /** For 'other-image': the image the file on disk routes. */
  existingImage?: string;
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
  for (let file of files) {
    const absolute = resolve(options.cwd, file.path);
    const existing = await readIfExists(absolute);
    if (existing !== undefined && file.kind === 'generated' && typeof file.contents === 'string') {
      file = { ...file, contents: adoptPins(file.contents, existing.toString('utf8')) };
    }
    let status: FileStatus;
    const existingImage = existing === undefined ? undefined : imageOfGenerated(existing.toString('utf8'));
    if (existing === undefined) status = 'created';
    else if (existing.equals(Buffer.from(file.contents))) status = 'unchanged';
    else if (file.image !== undefined && existingImage !== undefined && existingImage !== file.image) {
      status = 'other-image';
    } else if (file.kind === 'generated' && isUntouchedGenerated(existing.toString('utf8'))) status = 'updated';
    else status = 'changed-by-hand';
    const forced = status === 'changed-by-hand' || status === 'other-image';
    const written = status === 'created' || status === 'updated' || (forced && !!options.force);
    results.push({
      path: file.path,
      status,
      written,
      absolute,
      contents: file.contents,
      ...(status === 'other-image' ? { existingImage } : {}),
    });
  }
  const differing = results.filter((r) => r.status !== 'unchanged').map((r) => r.path);
  const refused = options.force
    ? []
    : results.filter((r) => r.status === 'changed-by-hand' || r.status === 'other-image').map((r) => r.path);
  if (!options.check && refused.length === 0) {
    for (const r of results.filter((x) => x.written)) {
      await mkdir(dirname(r.absolute), { recursive: true });
      await writeFile(r.absolute, r.contents);
    }
  }
  const nothingWritten = options.check || refused.length > 0;
  return {
    files: results.map(({ path, status, written, existingImage }) => ({
      path,
      status,
      written: written && !nothingWritten,
      ...(existingImage !== undefined ? { existingImage } : {}),
    })),
    differing,
    refused,
  };
}
