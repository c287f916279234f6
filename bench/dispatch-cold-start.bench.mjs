// Cold start of the dispatch action's bundle against the floor of any Node.js dispatcher: a bare `node` that does
// one fetch POST. Both talk to the same loopback server answering 204, runs alternate so load drifts hit both.
// Usage: node bench/dispatch-cold-start.bench.mjs   (prints the markdown table)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dispatch-action', 'dist', 'index.js');
const RUNS = 15;
const GOAL = 1.5;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Wall time from spawn to exit, in ms; rejects on a non-zero exit so a broken run never counts as fast. */
function timed(args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`node ${args.join(' ')} exited ${code}:\n${output}`));
    });
  });
}

export default async function run() {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/dispatches$/.test(req.url ?? '')) {
        received++;
        res.writeHead(204).end();
      } else res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${server.address().port}`;
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-bench-'));
  try {
    const eventPath = join(dir, 'event.json');
    writeFileSync(eventPath, JSON.stringify({ head_commit: { message: 'feat: bench "quoted"\n\nbody' } }));
    const actionEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'org/app',
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_RUN_ID: '1',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: apiUrl,
      GITHUB_ACTOR: 'bench',
      GITHUB_REF_NAME: 'main',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_WORKSPACE: dir,
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      INPUT_TOKEN: 'ghp_bench',
      INPUT_REPOSITORY: 'org/app-gitops',
      INPUT_EVENT_TYPE: 'update-gitops-repo',
      INPUT_IMAGE_TAG: '1.2.3-dev',
      INPUT_IMAGE: 'ghcr.io/org/app',
      INPUT_CLIENT_PAYLOAD: '{}',
      INPUT_MODE: 'repository_dispatch',
      INPUT_WAIT: 'false',
      INPUT_WAIT_TIMEOUT: '600',
    };
    writeFileSync(actionEnv.GITHUB_OUTPUT, '');
    writeFileSync(actionEnv.GITHUB_STEP_SUMMARY, '');
    const bareScript = `const r = await fetch(${JSON.stringify(`${apiUrl}/repos/org/app-gitops/dispatches`)}, { method: 'POST', headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', authorization: 'Bearer ghp_bench', 'content-type': 'application/json' }, body: JSON.stringify({ event_type: 'update-gitops-repo', client_payload: { docker_image_tag: '1.2.3-dev' } }) }); if (r.status !== 204) process.exit(1);`;
    const bareEnv = { PATH: process.env.PATH, HOME: process.env.HOME };

    const action = [];
    const bare = [];
    // One warm-up each (file cache), not counted.
    await timed([bundle], actionEnv);
    await timed(['--input-type=module', '-e', bareScript], bareEnv);
    for (let i = 0; i < RUNS; i++) {
      action.push(await timed([bundle], actionEnv));
      bare.push(await timed(['--input-type=module', '-e', bareScript], bareEnv));
    }
    if (received !== 2 * (RUNS + 1))
      throw new Error(`expected ${2 * (RUNS + 1)} dispatches, the server saw ${received}`);

    const a = median(action);
    const b = median(bare);
    const ratio = a / b;
    const row = (name, values) =>
      `| ${name} | ${median(values).toFixed(1)} | ${Math.min(...values).toFixed(1)} | ${Math.max(...values).toFixed(1)} |`;
    const markdown = [
      `Wall time from spawn to exit, ${RUNS} alternating runs each after one warm-up, loopback server answering 204.`,
      '',
      '| process | median ms | min ms | max ms |',
      '|---|---:|---:|---:|',
      row('(a) `node dispatch-action/dist/index.js` (INPUT_* and GITHUB_* set)', action),
      row('(b) bare `node --input-type=module -e "await fetch(...)"` (one POST)', bare),
      '',
      `| ratio a/b | goal | met | node | date |`,
      '|---:|---:|---|---|---|',
      `| ${ratio.toFixed(2)}x | <= ${GOAL}x | ${ratio <= GOAL ? 'yes' : 'no'} | ${process.version} | ${new Date().toISOString()} |`,
      '',
    ].join('\n');
    return { title: 'Dispatch action cold start', markdown };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await new Promise((resolve) => server.close(resolve));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { markdown } = await run();
  console.log(markdown);
}
