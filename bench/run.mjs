// Runs every bench/*.bench.mjs in turn, then the bench/*.bench.ts files through vitest (vitest.bench.config.ts: they
// drive an action.yml with the tests' composite harness, on bundles built from the current sources), and rewrites
// bench/RESULTS.md with the machine, the date and each result. Each benchmark compares against a floor measured in
// the same run, so the ratios mean something across machines.
// Usage: npm run bench [-- name-filter ...]
//   With filters, only the benches whose file name holds one of them run, and only their sections of
//   bench/RESULTS.md are replaced (each section says when it was measured); the others stay as they were.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const selected = (f) => filters.length === 0 || filters.some((filter) => f.includes(filter));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs') && selected(f))
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

const tsFiles = readdirSync(here).filter((f) => f.endsWith('.bench.ts') && selected(f));
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
if (results.length === 0) {
  console.log(`no bench file matches ${filters.join(', ')}; bench/RESULTS.md is left as it was`);
  process.exit(1);
}
const date = new Date().toISOString();
/** file -> its section of RESULTS.md, from the heading to the next one. */
const sections = new Map();
const resultsFile = join(here, 'RESULTS.md');
if (filters.length > 0 && existsSync(resultsFile)) {
  // A filtered run keeps the sections of the benches it did not run, as they were.
  for (const part of readFileSync(resultsFile, 'utf8')
    .split(/^(?=## )/m)
    .slice(1)) {
    const file = /^_([^,_]+),/m.exec(part)?.[1];
    if (file) sections.set(file, `${part.trimEnd()}\n`);
  }
}
for (const r of results) {
  sections.set(
    r.file,
    `## ${r.title}\n\n_${r.file}, ${r.seconds.toFixed(1)} s, measured ${date}_\n\n${r.markdown.trim()}\n`,
  );
}
const ordered = [...sections.keys()].sort().map((file) => sections.get(file));

const cpu = cpus();
const header = [
  '# Benchmark results',
  '',
  'Written by `npm run bench`; do not edit by hand. Each number is a median over repeated runs; each ratio compares',
  'against a floor measured in the same run on the same machine. A run of some benches (`npm run bench -- NAME`)',
  'replaces only their sections.',
  '',
  `- date of the last run: ${date}`,
  `- machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}`,
  `- node: ${process.version}`,
  '',
].join('\n');
writeFileSync(resultsFile, `${header}\n${ordered.join('\n')}`);
console.log(`wrote bench/RESULTS.md (${results.map((r) => r.file).join(', ')})`);
