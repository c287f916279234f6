import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GITHUB_TOKEN, parseFileCommand, runCompositeAction, type UsesStub } from '../support/composite.js';
import { tempDir, writeTree } from '../support/git.js';

const fixture = fileURLToPath(new URL('../fixtures/composite-basic', import.meta.url));

async function workspace(): Promise<string> {
  const dir = await tempDir('gitops-ws-');
  await mkdir(join(dir, 'sub'));
  return dir;
}

async function actionIn(yaml: string): Promise<string> {
  const dir = await tempDir('gitops-action-');
  await writeTree(dir, { 'action.yml': yaml });
  return dir;
}

describe('runCompositeAction with the fixture action', () => {
  beforeEach(() => {
    process.env.HOST_ONLY_VAR = 'from-the-host';
  });
  afterEach(() => {
    delete process.env.HOST_ONLY_VAR;
  });

  it('runs steps in order with inputs, defaults, outputs, env, working-directory and the runner env', async () => {
    const ws = await workspace();
    const result = await runCompositeAction({
      actionDir: fixture,
      inputs: { greeting: 'Hello "there"' },
      workspace: ws,
      github: {
        event_name: 'repository_dispatch',
        event: { action: 'update-gitops-repo', client_payload: { docker_image_tag: '1.2.3-dev' } },
        repository: 'org/app-gitops',
      },
      env: { EXTRA_VAR: 'extra' },
    });
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(result).toMatchObject({ exitCode: 0, conclusion: 'success' });
    expect(result.outputs).toEqual({
      message: 'Hello "there", world!',
      multi: 'line one\nline "two" = 2',
      combined: 'Hello "there", world! / skipped / world',
      'token-length': String(DEFAULT_GITHUB_TOKEN.length),
    });
    expect(result.stepOutputs['env-check']).toEqual({
      cwd: 'sub',
      from_env: 'set-by-greet',
      expr_env: 'set-by-greet',
      action_path: fixture,
      event_name: 'repository_dispatch',
      repository: 'org/app-gitops',
      payload_tag: '1.2.3-dev',
      host_only: 'unset',
      extra: 'extra',
      ci: 'true/true',
      token_length: String(DEFAULT_GITHUB_TOKEN.length),
    });
    expect(result.stepResults).toEqual({
      mask: { outcome: 'skipped', conclusion: 'skipped' },
      greet: { outcome: 'success', conclusion: 'success' },
      'env-check': { outcome: 'success', conclusion: 'success' },
      soft: { outcome: 'skipped', conclusion: 'skipped' },
      'maybe-fail': { outcome: 'skipped', conclusion: 'skipped' },
      after: { outcome: 'success', conclusion: 'success' },
      'on-failure': { outcome: 'skipped', conclusion: 'skipped' },
      always: { outcome: 'success', conclusion: 'success' },
    });
    expect(result.summary).toBe('## Summary for world\n');
    expect(result.annotations).toEqual([
      { level: 'notice', message: 'greeted\nworld', file: 'action.yml', line: 3, title: 'Hi' },
    ]);
    // github.token is masked in the log like on a runner, but the raw stream shows it was printed.
    expect(result.masked).toContain(DEFAULT_GITHUB_TOKEN);
    expect(result.stdout).toContain(`printing the token: ${DEFAULT_GITHUB_TOKEN}`);
    expect(result.log).toContain('printing the token: ***');
    expect(result.log).not.toContain(DEFAULT_GITHUB_TOKEN);
    expect(result.log).toContain('Greet\n');
  });

  it('a failing step fails the run, skips later steps, runs failure() and always() steps', async () => {
    const result = await runCompositeAction({
      actionDir: fixture,
      inputs: { greeting: 'Hi', who: 'you', fail: 'true' },
      workspace: await workspace(),
    });
    expect(result).toMatchObject({ exitCode: 1, conclusion: 'failure' });
    expect(result.stepResults['maybe-fail']).toEqual({ outcome: 'failure', conclusion: 'failure' });
    expect(result.stepResults.after).toEqual({ outcome: 'skipped', conclusion: 'skipped' });
    expect(result.stepOutputs['on-failure']).toEqual({ ran: 'yes' });
    expect(result.stepOutputs.always).toEqual({ ran: 'yes' });
    expect(result.outputs.combined).toBe('Hi, you! / failure / you');
    expect(result.stderr).toContain('about to fail');
    expect(result.annotations).toContainEqual({ level: 'error', message: 'failing on purpose', title: 'Boom' });
    expect(result.annotations).toContainEqual({ level: 'error', message: 'Process completed with exit code 3.' });
    // Both streams land in the log, in order.
    expect(result.log.indexOf('about to fail')).toBeLessThan(result.log.indexOf('Process completed with exit code 3.'));
  });

  it('continue-on-error: outcome failure, conclusion success, the run succeeds', async () => {
    const result = await runCompositeAction({
      actionDir: fixture,
      inputs: { greeting: 'Hi', 'soft-fail': 'true' },
      workspace: await workspace(),
    });
    expect(result.stepResults.soft).toEqual({ outcome: 'failure', conclusion: 'success' });
    expect(result.stepResults.after).toEqual({ outcome: 'success', conclusion: 'success' });
    expect(result.conclusion).toBe('success');
  });

  it('::add-mask:: hides a value in the log and annotations, and records it', async () => {
    const secret = 's3cr3t-value';
    const result = await runCompositeAction({
      actionDir: fixture,
      inputs: { greeting: 'Hi', secret, who: secret },
      workspace: await workspace(),
      github: { token: 'ghs_specific' },
    });
    expect(result.masked).toEqual(['ghs_specific', secret]);
    expect(result.stdout).toContain(`the secret is ${secret}`);
    expect(result.log).toContain('the secret is ***');
    expect(result.log).not.toContain(secret);
    expect(result.annotations[0]?.message).toBe('greeted\n***');
    expect(result.stepOutputs['env-check']?.token_length).toBe(String('ghs_specific'.length));
  });

  it('options.secrets are masked like secrets.* values the runner knows', async () => {
    const result = await runCompositeAction({
      actionDir: fixture,
      inputs: { greeting: 'Hi', token: 'pat_from_secrets' },
      workspace: await workspace(),
      secrets: ['pat_from_secrets'],
    });
    expect(result.stdout).toContain('printing the token: pat_from_secrets');
    expect(result.log).toContain('printing the token: ***');
    expect(result.log).not.toContain('pat_from_secrets');
  });

  it('warns about a missing required input and an unexpected one, as the runner does', async () => {
    const result = await runCompositeAction({
      actionDir: fixture,
      inputs: { bogus: 'x' },
      workspace: await workspace(),
    });
    const warnings = result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings[0]).toMatch(/^Unexpected input\(s\) 'bogus', valid inputs are \['greeting', 'who'/);
    expect(warnings[1]).toBe('Input required and not supplied: greeting');
  });
});

describe('runCompositeAction semantics', () => {
  it('substitutes expressions into run: text before bash sees it (why untrusted values must go through env:)', async () => {
    const dir = await actionIn(`name: t
description: t
inputs:
  value: { description: v }
outputs:
  direct: { description: d, value: '\${{ steps.s.outputs.direct }}' }
  via-env: { description: e, value: '\${{ steps.s.outputs.via_env }}' }
runs:
  using: composite
  steps:
    - id: s
      shell: bash
      env:
        VALUE: \${{ inputs.value }}
      run: |
        echo "direct=\${{ inputs.value }}" >> "$GITHUB_OUTPUT"
        echo "via_env=$VALUE" >> "$GITHUB_OUTPUT"
`);
    const result = await runCompositeAction({
      actionDir: dir,
      inputs: { value: '$(echo injected)' },
      workspace: await workspace(),
    });
    expect(result.outputs).toEqual({ direct: 'injected', 'via-env': '$(echo injected)' });
  });

  it('evaluates with GitHub functions (format, fromJSON, toJSON, contains) and step-level env in run text', async () => {
    const dir = await actionIn(`name: t
description: t
inputs:
  json: { description: j, default: '{"a":[1,2],"b":"x"}' }
outputs:
  o: { description: o, value: "\${{ format('{0}-{1}', fromJSON(inputs.json).b, contains(fromJSON(inputs.json).a, 2)) }}" }
  obj: { description: o, value: '\${{ toJSON(fromJSON(inputs.json).a) }}' }
runs:
  using: composite
  steps:
    - id: s
      shell: sh
      env: { LOCAL: here }
      run: echo "seen=\${{ env.LOCAL }}" >> "$GITHUB_OUTPUT"
`);
    const result = await runCompositeAction({ actionDir: dir, inputs: {}, workspace: await workspace() });
    expect(result.conclusion).toBe('success');
    expect(result.outputs.o).toBe('x-true');
    expect(JSON.parse(result.outputs.obj ?? '')).toEqual([1, 2]);
    expect(result.stepOutputs.s).toEqual({ seen: 'here' });
  });

  it('fails the run on an action.yml that GitHub would reject, naming the problem', async () => {
    const dir = await actionIn(`name: t
description: t
runs:
  using: composite
  steps:
    - id: s
      shell: bash
      run: echo hi
      bogus-key: 1
`);
    const result = await runCompositeAction({ actionDir: dir, inputs: {}, workspace: await workspace() });
    expect(result.conclusion).toBe('failure');
    expect(result.stderr).toMatch(/not a valid action/);
    expect(result.stderr).toMatch(/bogus-key/);
  });

  it('uses: calls the stub with evaluated `with:` and the step env; a missing stub fails the step', async () => {
    const dir = await actionIn(`name: t
description: t
inputs:
  ref: { description: r, default: main }
runs:
  using: composite
  steps:
    - id: co
      uses: actions/checkout@v4
      env: { FOO: bar }
      with:
        ref: \${{ inputs.ref }}
        path: sub
    - id: use
      shell: bash
      run: echo "got=\${{ steps.co.outputs.commit }}" >> "$GITHUB_OUTPUT"
    - id: other
      uses: someone/else@v1
`);
    const calls: Parameters<UsesStub>[0][] = [];
    const ws = await workspace();
    const result = await runCompositeAction({
      actionDir: dir,
      inputs: { ref: 'release' },
      workspace: ws,
      uses: {
        'actions/checkout': async (ctx) => {
          calls.push(ctx);
          return { commit: 'abc123' };
        },
      },
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.with).toEqual({ ref: 'release', path: 'sub' });
    expect(calls[0]?.workspace).toBe(ws);
    expect(calls[0]?.env.FOO).toBe('bar');
    expect(calls[0]?.env.GITHUB_WORKSPACE).toBe(ws);
    expect(result.stepOutputs.use).toEqual({ got: 'abc123' });
    expect(result.conclusion).toBe('failure');
    expect(result.stepResults.other?.outcome).toBe('failure');
    expect(result.stderr).toMatch(/No stub for 'uses: someone\/else@v1'/);
  });

  it('if: accepts a YAML boolean and rejects an unknown context by name', async () => {
    const ok = await actionIn(`name: t
description: t
runs:
  using: composite
  steps:
    - id: off
      if: false
      shell: bash
      run: echo never
    - id: on
      if: \${{ true }}
      shell: bash
      run: echo "ran=1" >> "$GITHUB_OUTPUT"
`);
    const result = await runCompositeAction({ actionDir: ok, inputs: {}, workspace: await workspace() });
    expect(result.stepResults).toEqual({
      off: { outcome: 'skipped', conclusion: 'skipped' },
      on: { outcome: 'success', conclusion: 'success' },
    });
    const bad = await actionIn(`name: t
description: t
runs:
  using: composite
  steps:
    - if: secrets.X == 'y'
      shell: bash
      run: echo hi
`);
    const failed = await runCompositeAction({ actionDir: bad, inputs: {}, workspace: await workspace() });
    expect(failed.conclusion).toBe('failure');
    expect(failed.stderr).toMatch(/secrets/);
  });

  it('parseFileCommand reads k=v and heredoc forms and rejects an unterminated heredoc', () => {
    expect(parseFileCommand('a=1\nb=x=y\nc<<EOF\nl1\n\nl3\nEOF\nd=\n', 'GITHUB_OUTPUT')).toEqual({
      a: '1',
      b: 'x=y',
      c: 'l1\n\nl3',
      d: '',
    });
    expect(() => parseFileCommand('c<<EOF\nnever closed\n', 'GITHUB_OUTPUT')).toThrow(/delimiter/);
  });
});
