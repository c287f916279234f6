// Runs every bench/*.bench.mjs in turn and rewrites bench/RESULTS.md with the machine, the date and each result.
// Each benchmark compares against a floor measured in the same run, so the ratios mean something across machines.
// Usage: npm run bench [-- name-filter]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs') && f.includes(filter))
  .sort();

const sections = [];
for (const file of files) {
  console.log(`running ${file} ...`);
  const started = Date.now();
  const { default: run } = await import(pathToFileURL(join(here, file)).href);
  const result = await run();
  console.log(result.markdown);
  sections.push(
    `## ${result.title}\n\n_${file}, ${((Date.now() - started) / 1000).toFixed(1)} s_\n\n${result.markdown.trim()}\n`,
  );
}

if (filter && process.env.BENCH_WRITE !== '1') {
  console.log('(a filtered run does not rewrite bench/RESULTS.md; BENCH_WRITE=1 replaces only its own sections)');
} else if (filter) {
  // Replace (or append) only the sections this run measured; the others keep their own measurements.
  const file = join(here, 'RESULTS.md');
  const text = readFileSync(file, 'utf8');
  const parts = text.split(/\n(?=## )/);
  for (const section of sections) {
    const title = section.split('\n')[0];
    const index = parts.findIndex((p) => p.split('\n')[0] === title);
    if (index >= 0) parts[index] = section.trimEnd() + '\n';
    else parts.push(section);
  }
  writeFileSync(file, `${parts.map((p) => p.trimEnd()).join('\n\n')}\n`);
  console.log('updated its sections of bench/RESULTS.md');
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
