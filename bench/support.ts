/**
 * Shared by the TypeScript benches (run through vitest, see vitest.bench.config.ts, so they can drive an action.yml
 * with the composite harness the tests use). Each bench measures the product and its floor alternately in one run.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function elapsedMs(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Wall time of `fn`, in ms. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return elapsedMs(started);
}

/** Runs a command to its end; rejects on a non-zero exit, so a broken run never counts as fast. */
export function exec(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string },
): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      output += d;
    });
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve({ stdout });
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.slice(-4000)}`));
    });
  });
}

/** The median of the ratios of runs made back to back: less moved by load that changes between rounds. */
export function pairedRatio(product: number[], floor: number[]): number {
  return median(product.map((value, i) => value / floor[i]!));
}

export function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function ms(values: number[]): string[] {
  return [median(values).toFixed(1), Math.min(...values).toFixed(1), Math.max(...values).toFixed(1)];
}

export interface BenchResult {
  title: string;
  markdown: string;
}

/**
 * Prints a bench's section and, under `npm run bench` (BENCH_RESULTS_DIR set by bench/run.mjs), leaves it there for
 * bench/RESULTS.md.
 */
export function record(fileUrl: string, seconds: number, result: BenchResult): void {
  const file = basename(fileURLToPath(fileUrl));
  console.log(`## ${result.title}\n\n${result.markdown}`);
  const dir = process.env.BENCH_RESULTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${file}.json`), JSON.stringify({ file, seconds, ...result }));
}

export const LOAD_NOTE =
  'Other processes share the machine while benches run (here: 2 cores shared with other builds and test runs), so ' +
  'absolute times drift; runs alternate between the product and its floor so drifts hit both, and only the ratios ' +
  'of medians are compared with the goals.';
