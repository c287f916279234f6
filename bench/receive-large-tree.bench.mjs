// The receiver on a large GitOps tree against the floor of the same edit done by `find | xargs sed -i`.
// 2,000 apps x 10 environments of ~40-line commented values files; one native rule selects the 2,000 prod files
// and sets image.tag. Both tools start from the same generated tree each run and must produce identical trees.
// Usage: node bench/receive-large-tree.bench.mjs   (prints the markdown table)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'receive-action', 'dist', 'index.js');
const APPS = 2000;
const ENVIRONMENTS = ['dev', 'test', 'qa', 'staging', 'prod', 'perf', 'demo', 'sandbox', 'uat', 'preprod'];
const RUNS = 3;
const GOAL = 3;
const OLD_TAG = '1.0.0';
const NEW_TAG = '2.0.0';

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function valuesFile(app, env) {
  return `# Default values for ${app} in ${env}.
# This is a YAML-formatted file.
# Declare variables to be passed into your templates.

replicaCount: 2  # scaled by the HPA in prod

image:
  repository: ghcr.io/org/${app}
  # Overrides the image tag whose default is the chart appVersion.
  tag: ${OLD_TAG}
  pullPolicy: IfNotPresent

imagePullSecrets: []
nameOverride: ""
fullnameOverride: ""

serviceAccount:
  # Specifies whether a service account should be created
  create: true
  annotations: {}
  name: ""

podAnnotations: {}

service:
  type: ClusterIP
  port: 80

ingress:
  enabled: false
  className: ""
  annotations: {}
    # kubernetes.io/ingress.class: nginx
  hosts:
    - host: ${app}.${env}.example.com
      paths:
        - path: /
          pathType: ImplementationSpecific

resources:
  limits: {cpu: 500m, memory: 256Mi}  # 'tag: x' in a comment stays
`;
}

function generate(dir) {
  for (let i = 1; i <= APPS; i++) {
    const app = `app-${String(i).padStart(4, '0')}`;
    for (const env of ENVIRONMENTS) {
      const folder = join(dir, 'apps', app, env);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'values.yaml'), valuesFile(app, env));
    }
  }
}

/** Puts the edited files back as generated, so each run starts from the same tree without copying 20,000 files. */
function reset(dir) {
  for (let i = 1; i <= APPS; i++) {
    const app = `app-${String(i).padStart(4, '0')}`;
    writeFileSync(join(dir, 'apps', app, 'prod', 'values.yaml'), valuesFile(app, 'prod'));
  }
}

const haveTime = existsSync('/usr/bin/time');

/** Runs a command; returns wall ms and peak RSS in MiB (of the largest process in the tree, via getrusage). */
function measure(command, args, options) {
  const started = process.hrtime.bigint();
  const r = haveTime
    ? spawnSync('/usr/bin/time', ['-v', command, ...args], { ...options, encoding: 'utf8', maxBuffer: 256 << 20 })
    : spawnSync(
        process.execPath,
        [
          '-e',
          `const r=require('node:child_process').spawnSync(process.argv[1],process.argv.slice(2),{stdio:'inherit'});` +
            `process.stderr.write('\\nMaximum resident set size (kbytes): '+process.resourceUsage().maxRSS+'\\n');process.exit(r.status??1)`,
          command,
          ...args,
        ],
        { ...options, encoding: 'utf8', maxBuffer: 256 << 20 },
      );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return { ms, rssMiB: rss ? Number(rss[1]) / 1024 : Number.NaN, stdout: r.stdout };
}

export default async function run() {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing; run node scripts/build.mjs receive-action`);
  const work = mkdtempSync(join(tmpdir(), 'receive-bench-'));
  try {
    const template = join(work, 'template');
    const a = join(work, 'receiver');
    const b = join(work, 'floor');
    for (const dir of [template, a, b]) generate(dir);
    const rules = `- name: prod\n  when: { docker_image_tag: '.*' }\n  update:\n    - files: apps/*/prod/values.yaml\n      yaml-path: image.tag\n`;
    const eventPath = join(work, 'event.json');
    writeFileSync(
      eventPath,
      JSON.stringify({ action: 'update-gitops-repo', client_payload: { docker_image_tag: NEW_TAG } }),
    );
    const output = join(work, 'output');
    const env = {
      PATH: process.env.PATH,
      GITHUB_WORKSPACE: a,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_OUTPUT: output,
      INPUT_RULES: rules,
      INPUT_CHECKOUT: 'false',
      INPUT_COMMIT: 'false',
    };
    const sed = `find . -path '*/prod/values.yaml' | xargs sed -i 's/^\\(  tag: \\).*/\\1${NEW_TAG}/'`;

    const receiver = [];
    const floor = [];
    for (let i = 0; i < RUNS; i++) {
      // Alternate so drifts in machine load hit both sides.
      reset(a);
      writeFileSync(output, '');
      receiver.push(measure(process.execPath, [bundle], { cwd: a, env }));
      const outputs = readFileSync(output, 'utf8');
      if (!/total_modified_files<<\S+\n2000\n/.test(outputs)) throw new Error(`receiver outputs:\n${outputs}`);
      reset(b);
      floor.push(measure('bash', ['-c', sed], { cwd: b, env: { PATH: process.env.PATH } }));
    }
    const same = spawnSync('diff', ['-rq', a, b], { encoding: 'utf8' });
    if (same.status !== 0) throw new Error(`trees differ:\n${same.stdout.slice(0, 2000)}`);
    const changed = spawnSync('diff', ['-rq', template, b], { encoding: 'utf8' }).stdout.trim().split('\n').length;

    const rMs = median(receiver.map((r) => r.ms));
    const fMs = median(floor.map((r) => r.ms));
    const rRss = median(receiver.map((r) => r.rssMiB));
    const fRss = median(floor.map((r) => r.rssMiB));
    const ratio = rMs / fMs;
    const markdown = [
      `${APPS * ENVIRONMENTS.length} values files (~40 lines each), ${changed} edited by one rule (\`apps/*/prod/values.yaml\`, \`yaml-path: image.tag\`); both trees identical afterwards. Median of ${RUNS} runs; RSS by ${haveTime ? '`/usr/bin/time -v`' : 'getrusage of a wrapper'}.`,
      '',
      '| | median time | peak RSS |',
      '| --- | ---: | ---: |',
      `| receiver bundle (\`node receive-action/dist/index.js\`) | ${rMs.toFixed(0)} ms | ${rRss.toFixed(0)} MiB |`,
      `| floor: \`find -path '*/prod/values.yaml' \\| xargs sed -i\` | ${fMs.toFixed(0)} ms | ${fRss.toFixed(1)} MiB |`,
      `| ratio | ${ratio.toFixed(2)}x (goal <= ${GOAL}x: ${ratio <= GOAL ? 'met' : 'NOT met'}) | ${(rRss / fRss).toFixed(1)}x |`,
      '',
    ].join('\n');
    return { title: 'Receiver on a 20,000-file GitOps tree', markdown };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run();
  console.log(`## ${result.title}\n\n${result.markdown}`);
}
