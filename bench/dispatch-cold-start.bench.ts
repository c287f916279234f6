// Cold start of the dispatch action, as a runner runs it (action.yml through the composite harness the tests use:
// GitHub's parser and expression evaluator, real bash steps) and as a bare bundle, against the floor of any Node.js
// dispatcher: a bare `node` doing one fetch POST. peter-evans/repository-dispatch's bundle is not on npm, so it is not
// compared here. All three talk to one loopback server answering 204; runs alternate so load drifts hit all three.
// Usage: npm run bench -- dispatch   (or npx vitest run --config vitest.bench.config.ts dispatch)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { dispatchActionDir } from '../test/support/actions.js';
import { runCompositeAction } from '../test/support/composite.js';
import { exec, LOAD_NOTE, median, ms, pairedRatio, record, row, timed } from './support.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const GOAL = 1.25;

it('dispatch action cold start', async () => {
  const started = Date.now();
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-bench-'));
  try {
    const message = 'feat: bench "quoted"\n\nbody';
    const eventPath = join(dir, 'event.json');
    writeFileSync(eventPath, JSON.stringify({ head_commit: { message } }));
    const bundleEnv = {
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
    writeFileSync(bundleEnv.GITHUB_OUTPUT, '');
    writeFileSync(bundleEnv.GITHUB_STEP_SUMMARY, '');
    const bundle = join(dispatchActionDir, 'dist', 'index.js');
    const bareScript = `const r = await fetch(${JSON.stringify(`${apiUrl}/repos/org/app-gitops/dispatches`)}, { method: 'POST', headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', authorization: 'Bearer ghp_bench', 'content-type': 'application/json' }, body: JSON.stringify({ event_type: 'update-gitops-repo', client_payload: { docker_image_tag: '1.2.3-dev' } }) }); if (r.status !== 204) process.exit(1);`;
    const bareEnv = { PATH: process.env.PATH, HOME: process.env.HOME };

    const viaActionYml = async () => {
      const result = await runCompositeAction({
        actionDir: dispatchActionDir,
        workspace: dir,
        inputs: {
          token: 'ghp_bench',
          repository: 'org/app-gitops',
          'image-tag': '1.2.3-dev',
          image: 'ghcr.io/org/app',
        },
        github: { api_url: apiUrl, repository: 'org/app', event: { head_commit: { message } } },
      });
      if (result.exitCode !== 0) throw new Error(`action.yml run failed:\n${result.log}`);
    };
    const bareBundle = () => exec(process.execPath, [bundle], { env: bundleEnv });
    const floor = () => exec(process.execPath, ['--input-type=module', '-e', bareScript], { env: bareEnv });

    const a: number[] = [];
    const b: number[] = [];
    const f: number[] = [];
    // One warm-up each (file cache), not counted.
    await viaActionYml();
    await bareBundle();
    await floor();
    for (let i = 0; i < RUNS; i++) {
      a.push(await timed(viaActionYml));
      b.push(await timed(bareBundle));
      f.push(await timed(floor));
    }
    if (received !== 3 * (RUNS + 1))
      throw new Error(`expected ${3 * (RUNS + 1)} dispatches, the server saw ${received}`);

    const ratioA = median(a) / median(f);
    const ratioB = median(b) / median(f);
    const markdown = [
      `Wall time from start to exit, ${RUNS} alternating runs each after one warm-up, loopback server answering 204. ` +
        '(a) runs `dispatch-action/action.yml` (a bundle of the current sources) through test/support/composite.ts, ' +
        "as a runner would: GitHub's parser and expression evaluator, each step in real bash. " +
        "peter-evans/repository-dispatch's bundle is not published on npm, so the floor is bare `node` + fetch.",
      '',
      LOAD_NOTE,
      '',
      '| process | median ms | min ms | max ms | / floor |',
      '|---|---:|---:|---:|---:|',
      row(['(a) through `dispatch-action/action.yml` (composite harness)', ...ms(a), `${ratioA.toFixed(2)}x`]),
      row(['(b) bare bundle: `node dispatch-action/dist/index.js`', ...ms(b), `${ratioB.toFixed(2)}x`]),
      row(['floor: bare `node --input-type=module -e "await fetch(...)"` (one POST)', ...ms(f), '1.00x']),
      '',
      '| goal | ratio (a) / floor | met | median of per-round ratios (a) | (b) | node |',
      '|---|---:|---|---:|---:|---|',
      row([
        `through action.yml <= ${GOAL}x the floor`,
        `${ratioA.toFixed(2)}x`,
        ratioA <= GOAL ? 'yes' : 'no',
        `${pairedRatio(a, f).toFixed(2)}x`,
        `${pairedRatio(b, f).toFixed(2)}x`,
        process.version,
      ]),
      '',
    ].join('\n');
    record(import.meta.url, (Date.now() - started) / 1000, { title: 'Dispatch action cold start', markdown });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await new Promise((resolve) => server.close(resolve));
  }
});
