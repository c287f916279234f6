import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { DISPATCH_ID_PATTERN } from '../../core/github/runs.js';
import { MemoryLogger } from '../../core/logger.js';
import { readRunContext } from '../../dispatch-action/src/context.js';
import { getInput, readInputs } from '../../dispatch-action/src/inputs.js';
import { git, tempDir } from '../support/git.js';

const GITHUB = {
  GITHUB_REPOSITORY: 'org/app',
  GITHUB_SHA: 'c'.repeat(40),
  GITHUB_RUN_ID: '99',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_ACTOR: 'octocat',
  GITHUB_REF_NAME: 'feature/x',
};

function read(env: Record<string, string>) {
  const full = { ...GITHUB, ...env };
  const logger = new MemoryLogger();
  return { inputs: readInputs(full, readRunContext(full), logger), logger };
}

function problemsOf(env: Record<string, string>) {
  try {
    read(env);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as UserError).problems;
  }
  throw new Error('expected a UserError');
}

const BASE = {
  INPUT_TOKEN: 'ghp_secret',
  INPUT_REPOSITORY: 'org/app-gitops',
  INPUT_IMAGE_TAG: '1.0.0-dev',
  INPUT_COMMIT_MESSAGE: 'given message',
};

describe('getInput', () => {
  it('reads INPUT_<NAME> with - turned into _, trimming unless asked not to', () => {
    const env = { INPUT_IMAGE_TAG: '  v1 \n', INPUT_COMMIT_MESSAGE: ' keep \n' };
    expect(getInput(env, 'image-tag')).toBe('v1');
    expect(getInput(env, 'commit-message', { trim: false })).toBe(' keep \n');
    expect(getInput(env, 'missing')).toBe('');
  });
});

describe('readInputs', () => {
  it('applies the defaults: event type, branch from GITHUB_REF_NAME, api url from GITHUB_API_URL, source', () => {
    const { inputs } = read(BASE);
    expect(inputs).toMatchObject({
      mode: 'repository_dispatch',
      eventType: 'update-gitops-repo',
      apiUrl: 'https://api.github.com',
      wait: false,
      waitTimeoutSeconds: 600,
    });
    const body = JSON.parse(inputs.prepared.body());
    expect(body.client_payload).toEqual({
      docker_image_tag: '1.0.0-dev',
      git_branch: 'feature/x',
      commit_message: 'given message',
      source: {
        repository: 'org/app',
        sha: 'c'.repeat(40),
        run_id: '99',
        run_url: 'https://github.com/org/app/actions/runs/99',
        actor: 'octocat',
        dispatch_id: expect.stringMatching(DISPATCH_ID_PATTERN),
      },
    });
    // Unique per dispatch: a second read (a second run) gets another id.
    const again = JSON.parse(read(BASE).inputs.prepared.body());
    expect(again.client_payload.source.dispatch_id).not.toBe(body.client_payload.source.dispatch_id);
  });

  it('falls back to https://api.github.com without GITHUB_API_URL and keeps a GHES path', () => {
    expect(read({ ...BASE, GITHUB_API_URL: '' }).inputs.apiUrl).toBe('https://api.github.com');
    expect(read({ ...BASE, INPUT_API_URL: 'https://ghe.example.com/api/v3/' }).inputs.apiUrl).toBe(
      'https://ghe.example.com/api/v3',
    );
  });

  it('keeps the commit message byte for byte (no trimming)', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an Actions expression must travel as plain text
    const message = '  spaced\n\n\ttabbed "quoted" \\ $& ${{ x }}\n';
    const body = JSON.parse(read({ ...BASE, INPUT_COMMIT_MESSAGE: message }).inputs.prepared.body());
    expect(body.client_payload.commit_message).toBe(message);
  });

  it('defaults the commit message to head_commit.message of the push event', async () => {
    const dir = await tempDir();
    const eventPath = join(dir, 'event.json');
    const message = 'feat: x\n\nbody with "quotes"\nand 🚀';
    await writeFile(eventPath, JSON.stringify({ head_commit: { message } }));
    const { INPUT_COMMIT_MESSAGE: _, ...rest } = BASE;
    const body = JSON.parse(read({ ...rest, GITHUB_EVENT_PATH: eventPath }).inputs.prepared.body());
    expect(body.client_payload.commit_message).toBe(message);
  });

  it('falls back to git log -1 --format=%B in the workspace (real git)', async () => {
    const dir = await tempDir();
    await git(dir, 'init', '-q');
    await writeFile(join(dir, 'f'), 'x');
    await git(dir, 'add', 'f');
    await git(dir, 'commit', '-q', '-m', 'subject line', '-m', 'second paragraph\nwith "quotes"');
    const eventPath = join(dir, 'event.json');
    await writeFile(eventPath, JSON.stringify({ inputs: {} })); // not a push event
    const { INPUT_COMMIT_MESSAGE: _, ...rest } = BASE;
    const body = JSON.parse(
      read({ ...rest, GITHUB_EVENT_PATH: eventPath, GITHUB_WORKSPACE: dir }).inputs.prepared.body(),
    );
    expect(body.client_payload.commit_message).toBe('subject line\n\nsecond paragraph\nwith "quotes"');
  });

  it('reports every bad input together, each naming the input and showing the value', () => {
    const problems = problemsOf({
      INPUT_TOKEN: '',
      INPUT_REPOSITORY: 'myapp',
      INPUT_EVENT_TYPE: 'e'.repeat(101),
      INPUT_IMAGE_TAG: '-bad tag',
      INPUT_DIGEST: 'sha256:xyz',
      INPUT_IMAGE: 'ghcr.io/org/app:1.0',
      INPUT_CLIENT_PAYLOAD: '[1, 2]',
      INPUT_WAIT: 'yes',
      INPUT_WAIT_TIMEOUT: '-5',
      INPUT_API_URL: 'ftp://example.com',
      INPUT_COMMIT_MESSAGE: 'm',
    });
    expect(problems.map((p) => p.input)).toEqual([
      'token',
      'repository',
      'event-type',
      'image-tag',
      'image',
      'digest',
      'client-payload',
      'wait',
      'wait-timeout',
      'api-url',
    ]);
    const byInput = Object.fromEntries(problems.map((p) => [p.input, p.message]));
    expect(byInput.repository).toBe('Input \'repository\' is "myapp"; expected owner/repo, e.g. myorg/myapp-gitops');
    expect(byInput['event-type']).toContain('101 characters');
    expect(byInput['image-tag']).toContain('"-bad tag"');
    expect(byInput.digest).toContain('sha256: followed by 64 lower-case hex digits');
    expect(byInput['client-payload']).toContain('a JSON array');
  });

  it('accepts event-type of exactly 100 characters and a valid digest', () => {
    const { inputs } = read({ ...BASE, INPUT_EVENT_TYPE: 'e'.repeat(100), INPUT_DIGEST: `sha256:${'0'.repeat(64)}` });
    expect(inputs.eventType).toHaveLength(100);
  });

  it('reports client-payload that is not JSON, and a reserved key, without sending anything', () => {
    expect(problemsOf({ ...BASE, INPUT_CLIENT_PAYLOAD: '{"a": ' })[0]).toMatchObject({
      code: 'input/client-payload-json',
      input: 'client-payload',
    });
    expect(problemsOf({ ...BASE, INPUT_CLIENT_PAYLOAD: '{"git_branch": "x"}' })[0]).toMatchObject({
      code: 'payload/reserved-key',
      input: 'client-payload',
    });
  });

  it('checks mode, workflow, ref and wait for consistency', () => {
    expect(problemsOf({ ...BASE, INPUT_MODE: 'workflow_dispatch' }).map((p) => p.code)).toEqual([
      'input/workflow-required',
    ]);
    expect(
      problemsOf({ ...BASE, INPUT_MODE: 'workflow_dispatch', INPUT_WORKFLOW: '.github/workflows/x.yml' }).map(
        (p) => p.code,
      ),
    ).toEqual(['input/workflow']);
    expect(
      problemsOf({ ...BASE, INPUT_WORKFLOW: 'x.yml', INPUT_REF: 'main', INPUT_WAIT: 'true' }).map((p) => [
        p.code,
        p.input,
      ]),
    ).toEqual([
      ['input/mode-mismatch', 'workflow'],
      ['input/mode-mismatch', 'ref'],
    ]);
    // repository_dispatch can wait too: the run is found by source.dispatch_id.
    expect(read({ ...BASE, INPUT_WAIT: 'true' }).inputs).toMatchObject({ mode: 'repository_dispatch', wait: true });
    expect(problemsOf({ ...BASE, INPUT_MODE: 'workflow' }).map((p) => p.code)).toEqual(['input/choice']);
    const { inputs } = read({
      ...BASE,
      INPUT_MODE: 'workflow_dispatch',
      INPUT_WORKFLOW: 'receive.yml',
      INPUT_WAIT: 'true',
      INPUT_WAIT_TIMEOUT: '30',
    });
    expect(inputs).toMatchObject({
      mode: 'workflow_dispatch',
      workflow: 'receive.yml',
      wait: true,
      waitTimeoutSeconds: 30,
    });
  });

  it('deployment: implies wait, needs environment and github-token, checks the URL and booleans', () => {
    const on = { ...BASE, INPUT_DEPLOYMENT: 'true', INPUT_ENVIRONMENT: 'dev', INPUT_GITHUB_TOKEN: 'ghs_app' };
    expect(read(on).inputs).toMatchObject({
      wait: true,
      deployment: { token: 'ghs_app', environment: 'dev', environmentUrl: '', production: false },
    });
    expect(
      read({ ...on, INPUT_PRODUCTION_ENVIRONMENT: 'true', INPUT_ENVIRONMENT_URL: 'https://dev.example.com' }).inputs
        .deployment,
    ).toMatchObject({ production: true, environmentUrl: 'https://dev.example.com' });
    expect(read(BASE).inputs.deployment).toBeUndefined();
    expect(
      problemsOf({ ...on, INPUT_ENVIRONMENT: '', INPUT_GITHUB_TOKEN: '', INPUT_ENVIRONMENT_URL: 'ftp://x' }).map(
        (p) => [p.code, p.input],
      ),
    ).toEqual([
      ['input/required', 'environment'],
      ['input/url', 'environment-url'],
      ['input/required', 'github-token'],
    ]);
    expect(problemsOf({ ...BASE, INPUT_DEPLOYMENT: 'yes' }).map((p) => p.input)).toEqual(['deployment']);
    // An environment without deployment is a mistake worth naming, not something to ignore.
    expect(problemsOf({ ...BASE, INPUT_ENVIRONMENT: 'dev' }).map((p) => [p.code, p.input])).toEqual([
      ['input/deployment-off', 'environment'],
    ]);
  });

  it('never puts the token in a problem message', () => {
    const problems = problemsOf({ ...BASE, INPUT_REPOSITORY: 'bad', INPUT_IMAGE_TAG: '' });
    for (const p of problems) expect(p.message).not.toContain('ghp_secret');
  });
});
