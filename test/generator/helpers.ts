import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { MemoryLogger } from '../../core/logger.js';
import { main } from '../../generator/src/bin.js';
import type { CliContext } from '../../generator/src/cli.js';
import { removeWhenDone } from '../support/git.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** A fixed published reference, so snapshots do not change with package.json. */
export const ACTIONS_REF = 'gitops-dispatch/gitops-dispatch@v0';

/** A temporary directory holding `tree` (path -> contents); removed after the test. */
export function testdir(tree: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-dispatch-gen-'));
  removeWhenDone(dir);
  for (const [path, contents] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), contents);
  }
  return dir;
}

export function read(dir: string, path: string): string {
  return readFileSync(join(dir, path), 'utf8');
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, through the same `main` the bundle uses. */
export async function cli(
  args: string[],
  options: { cwd: string; input?: string; interactive?: boolean; color?: boolean } = { cwd: ROOT },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  if (options.input !== undefined) stdin.end(options.input);
  else stdin.end();
  const ctx: CliContext = {
    cwd: options.cwd,
    stdout: {
      write: (s: string | Uint8Array) => {
        stdout += String(s);
        return true;
      },
    } as CliContext['stdout'],
    stderr: {
      write: (s: string | Uint8Array) => {
        stderr += String(s);
        return true;
      },
    } as CliContext['stderr'],
    stdin,
    interactive: options.interactive ?? false,
    color: options.color ?? false,
    logger: new MemoryLogger(),
    exitCode: 0,
    actionsRef: ACTIONS_REF,
  };
  const code = await main(args, ctx);
  return { code, stdout, stderr };
}
