import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatProblem, type Problem, problemSummary, UserError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { type CliContext, createParser, UsageError } from './cli.js';

const FILE_ERRORS = new Map([
  ['ENOENT', 'no such file or folder'],
  ['ENOTDIR', 'a path component is a file, not a folder'],
  ['EISDIR', 'is a folder, not a file'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'operation not permitted'],
  ['EROFS', 'read-only file system'],
  ['EEXIST', 'exists already'],
  ['ENOSPC', 'no space left on the device'],
]);

/** Runs the CLI over a context and returns the exit code; the only place that turns errors into exit codes. */
export async function main(argv: string[], ctx: CliContext): Promise<number> {
  try {
    await createParser(ctx).parseAsync(argv);
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof UserError) {
      ctx.stderr.write(`${presentProblems(error.problems, ctx.cwd)}\n`);
      return 2;
    }
    if (error instanceof UsageError || (error instanceof Error && error.name === 'YError')) {
      ctx.stderr.write(`${error.message}\nRun 'gitops-dispatch --help' for usage.\n`);
      return 2;
    }
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === 'string' && FILE_ERRORS.has(code)) {
      // An ordinary file-system mistake the commands did not foresee: one line, no stack.
      const path = (error as NodeJS.ErrnoException).path;
      ctx.stderr.write(
        `${path ? `${path}: ` : ''}${FILE_ERRORS.get(code)} (${code}); check the paths given to the command\n`,
      );
      return 2;
    }
    ctx.stderr.write(
      `Internal error (please report): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 3;
  }
}

function stderrLogger(): Logger {
  const write = (prefix: string) => (message: string) => process.stderr.write(`${prefix}${message}\n`);
  return {
    debug: () => {},
    // The planner's per-span info lines repeat the diff; keep stderr for what needs attention.
    info: () => {},
    notice: write('notice: '),
    warning: write('warning: '),
    error: write('error: '),
    group: (_name, fn) => fn(),
  };
}

/**
 * The problems as both actions show them (core's formatProblem: one `file:line:column: message` line each), each
 * followed by its source line with a caret under the column, then the one-line summary when there are several.
 */
export function presentProblems(problems: readonly Problem[], cwd: string): string {
  const lines = problems.map((p) => withSource(p, cwd));
  if (problems.length > 1) lines.push(problemSummary(problems));
  return lines.join('\n');
}

/** One problem, and for a file position the source line with a caret under the column. */
export function withSource(p: Problem, cwd: string): string {
  const head = formatProblem(p);
  if (!p.file || !p.line) return head;
  let line: string | undefined;
  try {
    line = readFileSync(resolve(cwd, p.file), 'utf8').split(/\r?\n/)[p.line - 1];
  } catch {
    return head;
  }
  if (line === undefined) return head;
  return `${head}\n    ${p.line} | ${line}\n    ${' '.repeat(String(p.line).length)} | ${' '.repeat(Math.max(0, (p.column ?? 1) - 1))}^`;
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

/** Entry point of the bundle: process in, exit code out. */
export function run(): void {
  const ctx: CliContext = {
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    color: useColor(process.stdout, process.env),
    logger: stderrLogger(),
    exitCode: 0,
  };
  main(process.argv.slice(2), ctx).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 3;
    },
  );
}
