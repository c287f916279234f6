/** The dispatch action's metadata: the contract names, the env mapping, and the Node.js check step, run with real bash. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { nodeVersionProblem } from '../../action-runtime/node-version.js';
import { dispatchActionDir, receiveActionDir } from '../support/actions.js';
import { tempDir } from '../support/git.js';

const actionPath = new URL('../../dispatch-action/action.yml', import.meta.url);
const action = parse(readFileSync(actionPath, 'utf8')) as {
  name: string;
  description: string;
  branding: { icon: string; color: string };
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: { id?: string; run: string; shell: string; env?: Record<string, string> }[] };
};

const INPUTS = [
  'token',
  'repository',
  'event-type',
  'image-tag',
  'image',
  'digest',
  'git-branch',
  'commit-message',
  'client-payload',
  'mode',
  'workflow',
  'ref',
  'wait',
  'wait-timeout',
  'api-url',
  'deployment',
  'environment',
  'environment-url',
  'production-environment',
  'github-token',
];

describe('dispatch-action/action.yml', () => {
  it('is a composite action with name, description, branding, and every input and output described', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.name).toBeTruthy();
    expect(action.description).toBeTruthy();
    expect(action.branding.icon).toBeTruthy();
    expect(action.branding.color).toBeTruthy();
    expect(Object.keys(action.inputs)).toEqual(INPUTS);
    for (const input of Object.values(action.inputs)) expect(input.description.length).toBeGreaterThan(10);
    expect(Object.keys(action.outputs)).toEqual(['payload', 'run-id', 'run-url', 'run-conclusion']);
    for (const [name, output] of Object.entries(action.outputs)) {
      expect(output.description.length).toBeGreaterThan(10);
      expect(output.value).toBe(`\${{ steps.dispatch.outputs.${name} }}`);
    }
    expect(action.inputs.token!.required).toBe(true);
    expect(action.inputs.repository!.required).toBe(true);
    expect(action.inputs['image-tag']!.required).toBe(true);
    expect(action.inputs['event-type']!.default).toBe('update-gitops-repo');
  });

  it('runs the committed bundle and maps every input through env as INPUT_<NAME>', () => {
    const step = action.runs.steps.find((s) => s.id === 'dispatch')!;
    expect(step.run.trim().split('\n').at(-1)).toBe('exec node "$GITHUB_ACTION_PATH/dist/index.js"');
    const expected = Object.fromEntries(
      INPUTS.map((name) => [`INPUT_${name.replace(/-/g, '_').toUpperCase()}`, `\${{ inputs.${name} }}`]),
    );
    expect(step.env).toEqual(expected);
  });

  it('puts no expression inside a run: script (untrusted values only through env)', () => {
    for (const step of action.runs.steps) expect(step.run).not.toContain('${{');
  });

  describe("the step's Node.js check", () => {
    it('is part of the one step that runs the bundle (each step is one more bash start)', () => {
      expect(action.runs.steps).toHaveLength(1);
    });

    const check = action.runs.steps[0]!;
    const runCheck = async (nodeScript: string | undefined) => {
      const bin = await tempDir();
      // Only the tools the script uses, plus a fake node when given.
      for (const tool of ['bash', 'sh']) {
        await writeFile(join(bin, tool), `#!/bin/sh\nexec /bin/${tool} "$@"\n`);
        await chmod(join(bin, tool), 0o755);
      }
      if (nodeScript !== undefined) {
        await writeFile(join(bin, 'node'), nodeScript);
        await chmod(join(bin, 'node'), 0o755);
      }
      return new Promise<{ code: number; stdout: string }>((resolve) => {
        const env = { PATH: bin, GITHUB_ACTION_PATH: '/action' };
        execFile('/bin/bash', ['-e', '-c', check.run], { env }, (error, stdout) => {
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout });
        });
      });
    };

    it('fails with a clear message when node is missing', async () => {
      const { code, stdout } = await runCheck(undefined);
      expect(code).toBe(1);
      expect(stdout).toContain("'node' was not found on PATH");
      expect(stdout).toContain('actions/setup-node');
    });

    it('starts node once, on the bundle (the bundle checks the version): any node on PATH passes', async () => {
      const { code, stdout } = await runCheck('#!/bin/sh\necho "node started with: $*"\n');
      expect(code).toBe(0);
      expect(stdout).toBe('node started with: /action/dist/index.js\n');
      // The bundle's exit code is the step's.
      expect((await runCheck('#!/bin/sh\nexit 3\n')).code).toBe(3);
    });
  });

  describe("the bundle's own Node.js check (action-runtime/startup.ts)", () => {
    it('names the version and the fix, and accepts 20 and newer', () => {
      expect(nodeVersionProblem('18.19.1')).toContain("'node' on PATH is version 18.19.1");
      expect(nodeVersionProblem('18.19.1')).toContain('Node.js 20 or newer: add actions/setup-node');
      expect(nodeVersionProblem('v16')).toBeDefined();
      for (const v of ['20.0.0', '20.19.0', '22.1.0', '24.11.1']) expect(nodeVersionProblem(v)).toBeUndefined();
    });

    it('runs before the rest of each bundle loads, and fails the step with an ::error', async () => {
      const dir = await tempDir();
      const fake = join(dir, 'old-node.mjs');
      await writeFile(
        fake,
        "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '18.19.1' } });\n",
      );
      for (const actionDir of [dispatchActionDir, receiveActionDir]) {
        const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
          execFile(
            process.execPath,
            ['--import', pathToFileURL(fake).href, join(actionDir, 'dist', 'index.js')],
            { env: { PATH: process.env.PATH } },
            (error, out) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: out }),
          );
        });
        expect(code).toBe(1);
        // The first line: nothing (no input read, no mask) before the version check.
        expect(stdout.split('\n')[0]).toMatch(
          /^::error title=gitops-dispatch needs Node.js 20::'node' on PATH is version 18\.19\.1; .*actions\/setup-node/,
        );
      }
    });
  });
});
