// Runs every bench/*.bench.mjs in turn, then the bench/*.bench.ts files through vitest (vitest.bench.config.ts: they
// drive an action.yml with the tests' composite harness, on bundles built from the current sources), and rewrites
// bench/RESULTS.md with the machine, the date and each result. Each benchmark compares against a floor measured in
// the same run, so the ratios mean something across machines.
// Usage: npm run bench [-- name-filter]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs') && f.includes(filter))
  .sort();

const results = [];
for (const file of files) {
  console.log(`running ${file} ...`);
  const started = Date.now();
  const { default: run } = await import(pathToFileURL(join(here, file)).href);
  const result = await run();
  console.log(result.markdown);
  results.push({ file, seconds: (Date.now() - started) / 1000, ...result });
}

const tsFiles = readdirSync(here).filter((f) => f.endsWith('.bench.ts') && f.includes(filter));
if (tsFiles.length > 0) {
  const resultsDir = mkdtempSync(join(tmpdir(), 'bench-results-'));
  try {
    console.log(`running ${tsFiles.join(', ')} through vitest ...`);
    const vitest = spawnSync(
      process.execPath,
      [
        join(here, '..', 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--config',
        'vitest.bench.config.ts',
        ...tsFiles,
      ],
      { cwd: join(here, '..'), stdio: 'inherit', env: { ...process.env, BENCH_RESULTS_DIR: resultsDir } },
    );
    if (vitest.status !== 0) {
      console.error(`vitest exited ${vitest.status}; bench/RESULTS.md is not rewritten`);
      process.exit(1);
    }
    for (const f of readdirSync(resultsDir)) results.push(JSON.parse(readFileSync(join(resultsDir, f), 'utf8')));
  } finally {
    rmSync(resultsDir, { recursive: true, force: true });
  }
}
results.sort((a, b) => (a.file < b.file ? -1 : 1));
const sections = results.map(
  (r) => `## ${r.title}\n\n_${r.file}, ${r.seconds.toFixed(1)} s_\n\n${r.markdown.trim()}\n`,
);

if (filter) {
  console.log('(a filtered run does not rewrite bench/RESULTS.md)');
} else {
  const cpu = cpus();
  const header = [
    '# Benchmark results',
    '',
    'Written by `npm run bench`; do not edit by hand. Each number is a median over repeated runs; each ratio compares',
    'against a floor measured in the same run on the same machine.',
    '',
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}`,
    `- node: ${process.version}`,
    '',
  ].join('\n');
  writeFileSync(join(here, 'RESULTS.md'), `${header}\n${sections.join('\n')}`);
  console.log('wrote bench/RESULTS.md');
}
