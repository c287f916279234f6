// commit-method git versus api, both against loopback servers over one bare repository: git over HTTP (`git
// http-backend`) and the GraphQL API on GitHub's schema (test/support, compiled here with tsc into .tmp/).
// 1) A 1-file update on a 200-file and a 20,000-file repository: wall time and requests for git (a depth-1 clone as
//    actions/checkout makes it, then the receiver commits and pushes) and for api (the receiver alone, no clone).
// 2) 16 receivers racing on one branch in each mode, against the same 16 run one after another; every round checks
//    that all 16 updates landed, once each, on a linear history. Parallel runs use the real jittered backoff.
// Usage: node bench/commit-method-api.bench.mjs   (prints the markdown table); needs receive-action/dist built.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const receiver = process.env.BENCH_RECEIVER ?? join(root, 'receive-action', 'dist', 'index.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RACE_ROUNDS = Number(process.env.BENCH_RACE_ROUNDS ?? 2);
const RACERS = 16;
const TOKEN = 'bench-token-4e1f0c';
const ENVIRONMENTS = ['dev', 'test', 'qa', 'staging', 'prod', 'perf', 'demo', 'sandbox', 'uat', 'preprod'];

const GIT_ENV = {
  PATH: process.env.PATH,
  HOME: process.env.HOME ?? tmpdir(),
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
  // No background gc while a tree is built or removed.
  GIT_CONFIG_COUNT: '1',
  GIT_CONFIG_KEY_0: 'gc.auto',
  GIT_CONFIG_VALUE_0: '0',
};
const AUTH = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;

function git(cwd, ...args) {
  return execFileSync('git', args, {
    cwd,
    env: {
      ...GIT_ENV,
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@e',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@e',
    },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  }).trim();
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function loadServers() {
  const out = join(root, '.tmp', 'bench-support');
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      ...['--outDir', out, '--rootDir', root, '--module', 'nodenext', '--moduleResolution', 'nodenext'],
      ...['--target', 'es2022', '--skipLibCheck'],
      join(root, 'test', 'support', 'github-graphql.ts'),
      join(root, 'test', 'support', 'git-http-server.ts'),
    ],
    { stdio: 'inherit' },
  );
  const graphql = await import(pathToFileURL(join(out, 'test', 'support', 'github-graphql.js')).href);
  const http = await import(pathToFileURL(join(out, 'test', 'support', 'git-http-server.js')).href);
  return { startGitHubGraphql: graphql.startGitHubGraphql, startGitHttpServer: http.startGitHttpServer };
}

const values = (name, tag) =>
  `# ${name}\nimage:\n  repository: ghcr.io/org/${name}\n  tag: ${tag}\n  pullPolicy: IfNotPresent\n`;

/** A bare org/gitops.git under `dir` holding `files` values files (apps x environments); returns its first commit. */
function makeRepository(dir, apps, environments) {
  const bare = join(dir, 'org', 'gitops.git');
  const seed = join(dir, 'seed');
  mkdirSync(dirname(bare), { recursive: true });
  git(dir, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  git(dir, 'init', '--quiet', '--initial-branch=main', seed);
  for (let a = 0; a < apps; a++) {
    for (const env of environments) {
      mkdirSync(join(seed, 'apps', `app-${a}`, env), { recursive: true });
      writeFileSync(join(seed, 'apps', `app-${a}`, env, 'values.yaml'), values(`app-${a}-${env}`, '1.0.0'));
    }
  }
  git(seed, 'add', '--all');
  git(seed, 'commit', '--quiet', '-m', 'tree');
  git(seed, 'push', '--quiet', bare, 'HEAD:refs/heads/main');
  git(bare, 'config', 'core.logAllRefUpdates', 'always');
  return { bare, first: git(bare, 'rev-parse', 'main') };
}

function receiverEnv(work, o) {
  mkdirSync(work, { recursive: true });
  const event = join(work, 'event.json');
  writeFileSync(
    event,
    JSON.stringify({
      action: 'update-gitops-repo',
      client_payload: {
        docker_image_tag: o.tag,
        image: `ghcr.io/org/${o.app}`,
        git_branch: 'main',
        commit_message: `build of ${o.app}`,
        source: {
          repository: `org/${o.app}`,
          sha: 'a'.repeat(40),
          run_url: `https://github.com/org/${o.app}/actions/runs/${o.run}`,
        },
      },
    }),
  );
  for (const f of ['output', 'summary']) writeFileSync(join(work, f), '');
  const rules = [
    `- name: ${o.app}`,
    `  when: { image: 'ghcr\\.io/org/${o.app}' }`,
    '  update:',
    `    - files: ${o.file}`,
    '      yaml-path: image.tag',
  ].join('\n');
  return {
    ...GIT_ENV,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'repository_dispatch',
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: 'org/gitops',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_OUTPUT: join(work, 'output'),
    GITHUB_STEP_SUMMARY: join(work, 'summary'),
    GITHUB_API_URL: o.apiBase,
    GITHUB_GRAPHQL_URL: `${o.apiBase}/graphql`,
    RUNNER_TEMP: work,
    INPUT_TOKEN: TOKEN,
    INPUT_RULES: rules,
    INPUT_CHECKOUT: 'false',
    INPUT_COMMIT_METHOD: o.method,
    INPUT_MAX_ATTEMPTS: String(RACERS + 4),
  };
}

function runReceiver(env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [receiver], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && !/^::error::/m.test(output)) resolve(output);
      else reject(new Error(`receiver exited ${code}:\n${output.slice(-2000)}`));
    });
  });
}

/** A depth-1 clone over HTTP with the credential as actions/checkout persists it. Async: the servers share this process. */
async function checkout(url, target) {
  await new Promise((resolve, reject) => {
    const args = [
      '-c',
      `http.extraheader=${AUTH}`,
      'clone',
      '--quiet',
      '--depth',
      '1',
      '--branch',
      'main',
      url,
      target,
    ];
    const child = spawn('git', args, { env: GIT_ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`git clone failed: ${stderr}`))));
  });
  git(target, 'config', '--local', 'http.extraheader', AUTH);
}

function verify(bare, base, expected, checkForced = true) {
  if (git(bare, 'rev-list', '--min-parents=2', 'main') !== '') throw new Error('merge commits on main');
  const count = Number(git(bare, 'rev-list', '--count', `${base}..main`));
  if (count !== expected.length) throw new Error(`expected ${expected.length} new commits, found ${count}`);
  for (const [file, tag] of expected) {
    if (!git(bare, 'show', `main:${file}`).includes(`tag: ${tag}`)) throw new Error(`update of ${file} missing`);
  }
  if (!checkForced) return;
  const updates = git(bare, 'reflog', 'show', '--format=%H', 'main').split('\n').reverse();
  for (let k = 1; k < updates.length; k++) {
    if (git(bare, 'rev-parse', `${updates[k]}^`) !== updates[k - 1]) throw new Error('main was forced');
  }
}

function counters(servers) {
  const g = servers.http.requests;
  const q = servers.graphql.requests;
  const mark = { g: g.length, q: q.length };
  return () => {
    const gs = g.slice(mark.g);
    const qs = q.slice(mark.q);
    return {
      gitRequests: gs.length,
      gitBytes: gs.reduce((n, r) => n + (r.bytesOut ?? 0), 0),
      apiRequests: qs.length,
      apiBytes: qs.reduce((n, r) => n + r.bytesOut, 0),
      stale: qs.filter((r) => r.errorTypes.includes('STALE_DATA')).length,
    };
  };
}

async function serve(lib, dir) {
  const http = await lib.startGitHttpServer({ root: dir, token: TOKEN });
  const graphql = await lib.startGitHubGraphql({ root: dir, token: TOKEN });
  return {
    http,
    graphql,
    url: `${http.url}/org/gitops.git`,
    close: () => Promise.all([http.close(), graphql.close()]),
  };
}

async function oneFile(lib, apps) {
  const dir = mkdtempSync(join(tmpdir(), 'commit-method-'));
  try {
    const { bare, first } = makeRepository(dir, apps, ENVIRONMENTS);
    const servers = await serve(lib, dir);
    const file = 'apps/app-7/prod/values.yaml';
    const rows = { git: [], api: [] };
    try {
      for (let r = 0; r < ROUNDS; r++) {
        for (const method of ['git', 'api']) {
          git(bare, 'update-ref', 'refs/heads/main', first);
          const work = join(dir, `${method}-${r}`);
          const workspace = join(work, 'ws');
          const env = receiverEnv(work, {
            app: 'app-7',
            file,
            tag: `2.${r}.0`,
            run: r,
            method,
            workspace,
            apiBase: servers.graphql.base,
          });
          const count = counters(servers);
          const started = process.hrtime.bigint();
          if (method === 'git') await checkout(servers.url, workspace);
          else mkdirSync(workspace, { recursive: true });
          await runReceiver(env);
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          verify(bare, first, [[file, `2.${r}.0`]], false); // the bench itself resets main between runs
          rows[method].push({ ms, ...count() });
          rmSync(work, { recursive: true, force: true });
        }
      }
    } finally {
      await servers.close();
    }
    const summary = (list) => ({
      ms: median(list.map((x) => x.ms)),
      requests: list[0].gitRequests + list[0].apiRequests,
      bytes: list[0].gitBytes + list[0].apiBytes,
    });
    return { files: apps * ENVIRONMENTS.length, git: summary(rows.git), api: summary(rows.api) };
  } finally {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

async function race(lib, method, mode, r) {
  const dir = mkdtempSync(join(tmpdir(), 'commit-method-race-'));
  const servers = await serve(lib, dir);
  try {
    const { bare, first } = makeRepository(dir, RACERS, ['prod']);
    const envs = [];
    const expected = [];
    for (let i = 0; i < RACERS; i++) {
      const work = join(dir, `r${i}`);
      const workspace = join(work, 'ws');
      const file = `apps/app-${i}/prod/values.yaml`;
      const tag = `3.${r}.${i}`;
      if (method === 'git')
        await checkout(servers.url, workspace); // untimed, as in parallel-receivers.bench.mjs
      else mkdirSync(workspace, { recursive: true });
      envs.push(
        receiverEnv(work, { app: `app-${i}`, file, tag, run: i, method, workspace, apiBase: servers.graphql.base }),
      );
      expected.push([file, tag]);
    }
    const count = counters(servers);
    const started = process.hrtime.bigint();
    if (mode === 'parallel') await Promise.all(envs.map(runReceiver));
    else for (const env of envs) await runReceiver(env);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    verify(bare, first, expected);
    return { ms, ...count() };
  } finally {
    await servers.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

export default async function run() {
  const lib = await loadServers();
  const small = await oneFile(lib, 20);
  const large = await oneFile(lib, Number(process.env.BENCH_LARGE_APPS ?? 2000));
  const races = {};
  for (const method of ['git', 'api']) {
    const parallel = [];
    const sequential = [];
    for (let r = 0; r < RACE_ROUNDS; r++) {
      parallel.push(await race(lib, method, 'parallel', r));
      sequential.push(await race(lib, method, 'sequential', r));
    }
    races[method] = { parallel, sequential };
  }
  const s = (ms) => (ms / 1000).toFixed(2);
  const kib = (b) => (b / 1024).toFixed(1);
  const lines = [
    `Measured ${new Date().toISOString()}. One bare repository behind both loopback servers: git over HTTP (\`git`,
    "http-backend`) and the GraphQL API executing on GitHub's schema. Median of " + `${ROUNDS} runs.`,
    '',
    '### 1-file update',
    '',
    'git: depth-1 clone over HTTP (as actions/checkout), then the receiver bundle commits and pushes. api: the receiver',
    'bundle alone (`commit-method: api`, no clone). Requests and bytes are what the servers answered.',
    '',
    '| files in repository | method | wall time (ms) | requests | response KiB | api / git time |',
    '|---:|---|---:|---:|---:|---:|',
  ];
  for (const row of [small, large]) {
    lines.push(`| ${row.files} | git | ${row.git.ms.toFixed(0)} | ${row.git.requests} | ${kib(row.git.bytes)} | |`);
    lines.push(
      `| ${row.files} | api | ${row.api.ms.toFixed(0)} | ${row.api.requests} | ${kib(row.api.bytes)} | ${(row.api.ms / row.git.ms).toFixed(2)}x |`,
    );
  }
  lines.push(
    '',
    `api requests at ${large.files} files vs ${small.files}: ${large.api.requests} vs ${small.api.requests} ` +
      `(the literal path lists only its own directory; response ${kib(large.api.bytes)} vs ${kib(small.api.bytes)} KiB).`,
    '',
    `### ${RACERS} receivers racing on one branch`,
    '',
    `Started together versus one after another (median of ${RACE_ROUNDS} rounds each); every round checked: all`,
    `${RACERS} updates on main in ${RACERS} new commits, linear, never forced. git clones are made before the clock starts`,
    '(as in parallel-receivers.bench.mjs); api needs none. Retries use the real jittered backoff (1 s base).',
    '',
    '| method | parallel (s) | sequential (s) | parallel / sequential | requests, parallel | STALE_DATA, parallel |',
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const method of ['git', 'api']) {
    const p = races[method].parallel;
    const q = races[method].sequential;
    const pm = median(p.map((x) => x.ms));
    const qm = median(q.map((x) => x.ms));
    const req = median(p.map((x) => x.gitRequests + x.apiRequests));
    lines.push(
      `| ${method} | ${s(pm)} | ${s(qm)} | ${(pm / qm).toFixed(2)} | ${req} | ${method === 'api' ? median(p.map((x) => x.stale)) : '-'} |`,
    );
  }
  return { title: 'commit-method git versus api', markdown: lines.join('\n') };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run();
  console.log(result.markdown);
  process.exit(0);
}
