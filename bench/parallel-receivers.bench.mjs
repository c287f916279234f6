// N receivers landing at once against one bare remote, versus the same N run one after another.
// Each receiver is a separate `node receive-action/dist/index.js` (checkout false, commit true, push true) on its own
// clone, updating its own app's file with a native rule, exactly as N concurrent workflow runs would. Parallel runs
// lose pushes to each other and retry (fetch, re-plan, push, with the real jittered backoff); the table shows what
// that costs next to running them in a row. After every round the remote must hold all N updates on a linear history.
// Usage: node bench/parallel-receivers.bench.mjs   (prints the markdown table)
//        BENCH_RECEIVER=/path/to/index.js overrides the bundle (same env interface).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const receiver = process.env.BENCH_RECEIVER ?? join(root, 'receive-action', 'dist', 'index.js');
const SIZES = [1, 4, 8, 16];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const GIT_ENV = {
  PATH: process.env.PATH,
  HOME: process.env.HOME ?? tmpdir(),
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
};

function git(cwd, ...args) {
  return execFileSync('git', args, {
    cwd,
    env: {
      ...GIT_ENV,
      GIT_AUTHOR_NAME: 'bench',
      GIT_AUTHOR_EMAIL: 'b@e',
      GIT_COMMITTER_NAME: 'bench',
      GIT_COMMITTER_EMAIL: 'b@e',
    },
    encoding: 'utf8',
  }).trim();
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const valuesFile = (i) => `apps/app-${i}/values.yaml`;

/** A bare remote holding `count` apps' values files, and one clone per receiver. */
function makeRemote(dir, count) {
  const bare = join(dir, 'remote.git');
  const seed = join(dir, 'seed');
  git(dir, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  git(dir, 'init', '--quiet', '--initial-branch=main', seed);
  for (let i = 0; i < count; i++) {
    mkdirSync(join(seed, 'apps', `app-${i}`), { recursive: true });
    writeFileSync(join(seed, valuesFile(i)), `# app-${i}\nimage:\n  repository: ghcr.io/org/app-${i}\n  tag: v0\n`);
  }
  git(seed, 'add', '--all');
  git(seed, 'commit', '--quiet', '-m', 'apps');
  git(seed, 'push', '--quiet', bare, 'HEAD:refs/heads/main');
  git(bare, 'config', 'core.logAllRefUpdates', 'always');
  return bare;
}

/** One receiver's process environment: its clone, its rule, its dispatch event. */
function receiverEnv(dir, bare, i, tag, count) {
  const work = join(dir, `r${i}`);
  const clone = join(work, 'clone');
  mkdirSync(work, { recursive: true });
  git(work, 'clone', '--quiet', bare, clone);
  const event = join(work, 'event.json');
  writeFileSync(
    event,
    JSON.stringify({
      action: 'update-gitops-repo',
      branch: 'main',
      client_payload: {
        docker_image_tag: tag,
        image: `ghcr.io/org/app-${i}`,
        git_branch: 'main',
        commit_message: `build of app-${i}`,
      },
      repository: { full_name: 'org/gitops', name: 'gitops', owner: { login: 'org' } },
    }),
  );
  const output = join(work, 'output');
  const summary = join(work, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const rules = [
    `- name: app-${i}`,
    `  when: { image: 'ghcr\\.io/org/app-${i}' }`,
    '  update:',
    `    - files: ${valuesFile(i)}`,
    '      yaml-path: image.tag',
  ].join('\n');
  return {
    ...GIT_ENV,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'repository_dispatch',
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: 'org/gitops',
    GITHUB_WORKSPACE: clone,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: work,
    INPUT_TOKEN: 'bench-token-not-used-for-file-remotes',
    INPUT_RULES: rules,
    INPUT_CHECKOUT: 'false',
    INPUT_COMMIT: 'true',
    INPUT_PUSH: 'true',
    INPUT_MAX_ATTEMPTS: String(count + 2),
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

/** All N updates on the remote, one commit each, linear, and main never moved to a non-descendant (no force). */
function verify(bare, count, tag) {
  const merges = git(bare, 'rev-list', '--min-parents=2', 'main');
  if (merges !== '') throw new Error('remote history has merge commits');
  for (let i = 0; i < count; i++) {
    const text = git(bare, 'show', `main:${valuesFile(i)}`);
    if (!text.includes(`tag: ${tag(i)}`)) throw new Error(`update of app-${i} is missing on the remote`);
  }
  const commits = git(bare, 'rev-list', '--count', 'main');
  if (Number(commits) !== count + 1) throw new Error(`expected ${count + 1} commits on main, found ${commits}`);
  const updates = git(bare, 'reflog', 'show', '--format=%H', 'main').split('\n').reverse();
  for (let k = 1; k < updates.length; k++) {
    if (git(bare, 'rev-parse', `${updates[k]}^`) !== updates[k - 1]) throw new Error('main was force-pushed');
  }
}

/** One round: fresh remote and clones (untimed), then the N receivers (timed), then the check. */
async function round(count, mode, r) {
  const dir = mkdtempSync(join(tmpdir(), 'parallel-receivers-'));
  try {
    const bare = makeRemote(dir, count);
    const tag = (i) => `1.${r}.${i}-${mode}`;
    const envs = Array.from({ length: count }, (_, i) => receiverEnv(dir, bare, i, tag(i), count));
    const started = process.hrtime.bigint();
    if (mode === 'parallel') await Promise.all(envs.map(runReceiver));
    else for (const env of envs) await runReceiver(env);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    verify(bare, count, tag);
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function run() {
  const rows = [];
  for (const n of SIZES) {
    const parallel = [];
    const sequential = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate so load from other processes on the machine hits both modes alike.
      parallel.push(await round(n, 'parallel', r));
      sequential.push(await round(n, 'sequential', r));
    }
    rows.push({ n, parallel: median(parallel), sequential: median(sequential) });
  }
  const s = (ms) => (ms / 1000).toFixed(2);
  const lines = [
    `Wall time for N receivers (separate \`node\` processes, receive-action bundle, commit and push) to all land on`,
    `one bare remote: started together, versus one after another. Median of ${ROUNDS} rounds; every round checked`,
    'that all N updates are on the remote in N commits on a linear history (no force push). Parallel runs retry with',
    'the real jittered backoff (1 s base), as on a runner.',
    '',
    '| N | parallel (s) | sequential (s) | parallel / sequential | per receiver, parallel (s) |',
    '|---:|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.n} | ${s(row.parallel)} | ${s(row.sequential)} | ${(row.parallel / row.sequential).toFixed(2)} | ${s(row.parallel / row.n)} |`,
    ),
  ];
  return { title: 'Parallel receivers landing on one remote', markdown: lines.join('\n') };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run();
  console.log(result.markdown);
}
