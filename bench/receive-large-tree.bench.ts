// The receiver on a large GitOps tree, as a runner runs it (action.yml through the composite harness the tests use)
// and as a bare bundle, against the floor of the same edit done by `find | xargs sed -i`. 2,000 apps x 10
// environments of ~40-line commented values files; one native rule selects the 2,000 prod files and sets image.tag.
// Each run starts from the same tree, runs alternate, and all trees must be identical afterwards.
// Usage: npm run bench -- receive   (or npx vitest run --config vitest.bench.config.ts receive)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { receiveActionDir } from '../test/support/actions.js';
import { runCompositeAction } from '../test/support/composite.js';
import { elapsedMs, exec, LOAD_NOTE, median, pairedRatio, record, row } from './support.js';

const APPS = 2000;
const ENVIRONMENTS = ['dev', 'test', 'qa', 'staging', 'prod', 'perf', 'demo', 'sandbox', 'uat', 'preprod'];
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const GOAL = 3;
const OLD_TAG = '1.0.0';
const NEW_TAG = '2.0.0';

function valuesFile(app: string, env: string): string {
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

const appName = (i: number) => `app-${String(i).padStart(4, '0')}`;

function generate(dir: string): void {
  for (let i = 1; i <= APPS; i++) {
    for (const env of ENVIRONMENTS) {
      const folder = join(dir, 'apps', appName(i), env);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'values.yaml'), valuesFile(appName(i), env));
    }
  }
}

/** Puts the edited files back as generated, so each run starts from the same tree without copying 20,000 files. */
function reset(dir: string): void {
  for (let i = 1; i <= APPS; i++) {
    writeFileSync(join(dir, 'apps', appName(i), 'prod', 'values.yaml'), valuesFile(appName(i), 'prod'));
  }
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Wall ms and peak RSS (MiB, by /usr/bin/time -v when there is one) of a command. */
async function measure(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string }) {
  const started = process.hrtime.bigint();
  if (!TIME) {
    await exec(command, args, options);
    return { ms: elapsedMs(started), rssMiB: Number.NaN };
  }
  // /usr/bin/time writes to stderr; exec keeps only stdout, so ask it for a file.
  const report = join(options.cwd, '..', 'time.txt');
  await exec(TIME, ['-v', '-o', report, command, ...args], options);
  const ms = elapsedMs(started);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(report, 'utf8'));
  return { ms, rssMiB: rss ? Number(rss[1]) / 1024 : Number.NaN };
}

it('receiver on a 20,000-file tree', async () => {
  const startedAt = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'receive-bench-'));
  try {
    const template = join(work, 'template');
    const viaAction = join(work, 'action');
    const viaBundle = join(work, 'bundle');
    const viaSed = join(work, 'floor');
    for (const dir of [template, viaAction, viaBundle, viaSed]) generate(dir);
    const rules = `- name: prod\n  when: { docker_image_tag: '.*' }\n  update:\n    - files: apps/*/prod/values.yaml\n      yaml-path: image.tag\n`;
    const event = { action: 'update-gitops-repo', client_payload: { docker_image_tag: NEW_TAG } };
    const eventPath = join(work, 'event.json');
    writeFileSync(eventPath, JSON.stringify(event));
    const output = join(work, 'output');
    const bundleEnv = {
      PATH: process.env.PATH,
      GITHUB_WORKSPACE: viaBundle,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_OUTPUT: output,
      INPUT_RULES: rules,
      INPUT_CHECKOUT: 'false',
      INPUT_COMMIT: 'false',
    };
    const bundle = join(receiveActionDir, 'dist', 'index.js');
    const sed = `find . -path '*/prod/values.yaml' | xargs sed -i 's/^\\(  tag: \\).*/\\1${NEW_TAG}/'`;

    const action: number[] = [];
    const bare: { ms: number; rssMiB: number }[] = [];
    const floor: { ms: number; rssMiB: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Alternate so drifts in machine load hit all three.
      reset(viaAction);
      const started = process.hrtime.bigint();
      const result = await runCompositeAction({
        actionDir: receiveActionDir,
        workspace: viaAction,
        inputs: { rules, checkout: 'false', commit: 'false' },
        github: { event_name: 'repository_dispatch', event },
      });
      action.push(elapsedMs(started));
      if (result.exitCode !== 0 || result.outputs.total_modified_files !== String(APPS)) {
        throw new Error(
          `action.yml run: exit ${result.exitCode}, outputs ${JSON.stringify(result.outputs)}\n${result.log.slice(-3000)}`,
        );
      }

      reset(viaBundle);
      writeFileSync(output, '');
      bare.push(await measure(process.execPath, [bundle], { cwd: viaBundle, env: bundleEnv }));
      const outputs = readFileSync(output, 'utf8');
      if (!new RegExp(`total_modified_files<<\\S+\\n${APPS}\\n`).test(outputs))
        throw new Error(`bundle outputs:\n${outputs}`);

      reset(viaSed);
      floor.push(await measure('bash', ['-c', sed], { cwd: viaSed, env: { PATH: process.env.PATH } }));
    }
    for (const dir of [viaAction, viaBundle]) {
      const same = spawnSync('diff', ['-rq', dir, viaSed], { encoding: 'utf8' });
      if (same.status !== 0) throw new Error(`trees differ:\n${same.stdout.slice(0, 2000)}`);
    }
    const changed = spawnSync('diff', ['-rq', template, viaSed], { encoding: 'utf8' }).stdout.trim().split('\n').length;

    const floorMs = floor.map((r) => r.ms);
    const bareMs = bare.map((r) => r.ms);
    const f = median(floorMs);
    const a = median(action);
    const b = median(bare.map((r) => r.ms));
    const rssB = median(bare.map((r) => r.rssMiB));
    const rssF = median(floor.map((r) => r.rssMiB));
    const markdown = [
      `${APPS * ENVIRONMENTS.length} values files (~40 lines each), ${changed} edited by one rule (\`apps/*/prod/values.yaml\`, \`yaml-path: image.tag\`), no commit; all trees identical afterwards. Median of ${RUNS} alternating runs. (a) runs \`receive-action/action.yml\` (checkout false, a bundle of the current sources) through test/support/composite.ts, as a runner would. Peak RSS by ${TIME ? '`/usr/bin/time -v`' : '(no /usr/bin/time here)'}.`,
      '',
      LOAD_NOTE,
      '',
      '| process | median ms | min ms | max ms | / floor | peak RSS |',
      '|---|---:|---:|---:|---:|---:|',
      row([
        '(a) through `receive-action/action.yml` (composite harness)',
        a.toFixed(0),
        Math.min(...action).toFixed(0),
        Math.max(...action).toFixed(0),
        `${(a / f).toFixed(2)}x`,
        '',
      ]),
      row([
        '(b) bare bundle: `node receive-action/dist/index.js`',
        b.toFixed(0),
        Math.min(...bare.map((r) => r.ms)).toFixed(0),
        Math.max(...bare.map((r) => r.ms)).toFixed(0),
        `${(b / f).toFixed(2)}x`,
        `${rssB.toFixed(0)} MiB`,
      ]),
      row([
        "floor: `find -path '*/prod/values.yaml' \\| xargs sed -i`",
        f.toFixed(0),
        Math.min(...floor.map((r) => r.ms)).toFixed(0),
        Math.max(...floor.map((r) => r.ms)).toFixed(0),
        '1.00x',
        `${rssF.toFixed(1)} MiB`,
      ]),
      '',
      '| goal | ratio (a) / floor | met | median of per-round ratios (a) | (b) | node |',
      '|---|---:|---|---:|---:|---|',
      row([
        `through action.yml <= ${GOAL}x the floor`,
        `${(a / f).toFixed(2)}x`,
        a / f <= GOAL ? 'yes' : 'no',
        `${pairedRatio(action, floorMs).toFixed(2)}x`,
        `${pairedRatio(bareMs, floorMs).toFixed(2)}x`,
        process.version,
      ]),
      '',
    ].join('\n');
    record(import.meta.url, (Date.now() - startedAt) / 1000, {
      title: 'Receiver on a 20,000-file GitOps tree',
      markdown,
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
