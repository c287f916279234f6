// Proves the suite is deterministic: runs it N times in a row on a fresh clone while other processes keep every
// core busy, and stops at the first failure (its output is kept). A flaky test is a bug; this is how one is found.
// Usage: node scripts/stress-test.mjs [--runs 5] [--load N] [--keep]
//   --runs  how many runs in a row (default 5)
//   --load  how many busy-loop processes run beside the suite (default: one per core)
//   --keep  keep the clone afterwards (it is removed otherwise)
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

if (process.argv[2] === '--burn') {
  // A child that keeps one core busy until its parent goes away (it yields every 50 ms to notice that).
  process.on('disconnect', () => process.exit(0));
  const burn = () => {
    const until = Date.now() + 50;
    while (Date.now() < until);
    setImmediate(burn);
  };
  burn();
} else {
  await main();
}

async function main() {
  const { values } = parseArgs({
    allowPositionals: true,
    options: { runs: { type: 'string', default: '5' }, load: { type: 'string' }, keep: { type: 'boolean' } },
  });
  const runs = Number(values.runs);
  const load = Number(values.load ?? cpus().length);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const clone = mkdtempSync(join(tmpdir(), 'gitops-dispatch-stress-'));

  console.log(`Cloning ${root} (HEAD, committed work only) into ${clone}`);
  execFileSync('git', ['clone', '--quiet', root, clone], { stdio: 'inherit' });
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: clone, stdio: 'inherit' });

  const burners = Array.from({ length: load }, () =>
    fork(fileURLToPath(import.meta.url), ['--burn'], { stdio: 'ignore' }),
  );
  console.log(`${load} busy-loop process(es) started beside the suite`);

  function runSuite() {
    return new Promise((resolve) => {
      const started = Date.now();
      const child = spawn('npm', ['test'], {
        cwd: clone,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('exit', (code) => resolve({ code, output, seconds: (Date.now() - started) / 1000 }));
    });
  }

  let failed = 0;
  try {
    for (let i = 1; i <= runs; i++) {
      const { code, output, seconds } = await runSuite();
      const summary = output.match(/Tests\s+.*$/m)?.[0] ?? '';
      console.log(`run ${i}/${runs}: ${code === 0 ? 'passed' : 'FAILED'} in ${seconds.toFixed(0)} s  ${summary}`);
      if (code !== 0) {
        failed++;
        const log = join(clone, `stress-run-${i}.log`);
        writeFileSync(log, output);
        console.log(`  output kept in ${log}`);
        break;
      }
    }
  } finally {
    for (const burner of burners) burner.kill();
    if (!values.keep && failed === 0) rmSync(clone, { recursive: true, force: true });
  }
  console.log(
    failed === 0 ? `${runs} runs in a row passed under load.` : 'A run failed: the suite is not deterministic.',
  );
  process.exit(failed === 0 ? 0 : 1);
}
