import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../generator/src/config.js';
import { findTagPath, proposeEnvironments, runInit } from '../../generator/src/init-command.js';
import { ACTIONS_REF, cli, ROOT, read, testdir } from './helpers.js';

describe('init', () => {
  it('without a terminal, asks nothing and writes a valid config from flags, $schema line first', async () => {
    const cwd = testdir();
    const r = await cli(
      [
        'init',
        '--upstream',
        'acme/shop',
        '--downstream',
        'acme/deploy',
        '--env',
        'dev=.*-dev',
        '--env',
        'prod=.*-stable',
        '--files',
        'prod=k8s/prod/*.yaml',
        '--schema',
        '../schema.json',
      ],
      { cwd, input: 'this would be an answer\n' },
    );
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).not.toContain('?');
    const text = read(cwd, 'gitops-dispatch.yml');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema.json');
    expect(parse(text)).toEqual({
      upstream: { repository: 'acme/shop', image: 'ghcr.io/acme/shop' },
      downstream: { repository: 'acme/deploy' },
      environments: {
        dev: { tag: '.*-dev', files: 'environments/dev/values.yaml', on: { branch: 'main' } },
        prod: { tag: '.*-stable', files: 'k8s/prod/*.yaml', on: { tag: 'v*' } },
      },
    });
    expect(() => parseConfig(text, 'gitops-dispatch.yml', { actionsRef: ACTIONS_REF })).not.toThrow();
  });

  it('points $schema at the published schema of this version by default', async () => {
    const cwd = testdir();
    await cli(['init', '--upstream', 'a/b', '--downstream', 'a/c'], { cwd });
    const { version } = JSON.parse(read(ROOT, 'package.json'));
    expect(read(cwd, 'gitops-dispatch.yml').split('\n')[0]).toMatch(
      new RegExp(
        `^# yaml-language-server: \\$schema=https://raw\\.githubusercontent\\.com/.+/v${version}/generator/config\\.schema\\.json$`,
      ),
    );
  });

  it('lists every missing flag at once (exit 2) and refuses to replace a config without --force', async () => {
    const cwd = testdir({ 'gitops-dispatch.yml': 'mine\n' });
    const missing = await cli(['init', '--out', 'new.yml'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Option '--upstream' is missing");
    expect(missing.stderr).toContain("Option '--downstream' is missing");
    const exists = await cli(['init', '--upstream', 'a/b', '--downstream', 'a/c'], { cwd });
    expect(exists.code).toBe(2);
    expect(read(cwd, 'gitops-dispatch.yml')).toBe('mine\n');
    const bad = await cli(['init', '--out', 'x.yml', '--upstream', 'a/b', '--downstream', 'a/c', '--env', 'dev'], {
      cwd,
    });
    expect(bad.stderr).toContain(`Option '--env' is "dev"; expected name=value`);
  });

  it('in a terminal, asks with defaults proposed from a GitOps checkout (injected streams)', async () => {
    const cwd = testdir();
    cpSync(join(ROOT, 'examples/gitops-repo'), join(cwd, 'gitops'), { recursive: true });
    const input = new PassThrough();
    const output = new PassThrough();
    let asked = '';
    output.on('data', (chunk) => {
      asked += String(chunk);
    });
    // All answers arrive before the first question; none may be lost. Empty answers take the default.
    // repo, image, gitops repo, environments; per environment tag, files, built from, edit, pull request; token.
    input.end(
      [
        'acme/shop',
        '',
        'acme/deploy',
        '',
        '',
        '',
        '',
        '',
        '',
        '.*-release',
        'environments/prod/*.yaml',
        '',
        '',
        'y',
        '',
      ].join('\n'),
    );
    const result = await runInit({ cwd, repo: 'gitops', interactive: true, input, output, schema: 's.json' });
    expect(asked).toContain('Image [ghcr.io/acme/shop]: ');
    expect(asked).toContain('Environments (comma-separated) [dev,prod]: ');
    expect(asked).toContain('Tag pattern for prod (full match) [.*-stable]: ');
    expect(asked).toContain('Built from for prod (branch:<name> or tag:<glob>) [tag:v*]: ');
    expect(asked).toContain('Pull request for prod? (y/n) [n]: ');
    expect(asked).toContain('Token (pat: personal access token, app: GitHub App) [pat]: ');
    expect(parse(result.contents)).toEqual({
      upstream: { repository: 'acme/shop', image: 'ghcr.io/acme/shop' },
      downstream: { repository: 'acme/deploy' },
      environments: {
        dev: { tag: '.*-dev', files: 'environments/dev/values.yaml', on: { branch: 'main' } },
        prod: { tag: '.*-release', files: 'environments/prod/*.yaml', on: { tag: 'v*' }, 'pull-request': true },
      },
    });
    expect(readFileSync(join(cwd, 'gitops-dispatch.yml'), 'utf8')).toBe(result.contents);
  });

  it('proposes environments from environments/*/values.yaml, dev first, production last, and finds the tag path', () => {
    const repo = testdir({
      'environments/prod/values.yaml': 'image:\n  tag: "1"\n',
      'environments/staging/values.yaml': 'app:\n  imageTag: "1" # here\n',
      'environments/dev/values.yaml': 'image:\n  tag: "1"\n',
      'environments/notes/readme.md': 'no values here\n',
    });
    expect(proposeEnvironments(repo)).toEqual([
      { name: 'dev', tag: '.*-dev', files: 'environments/dev/values.yaml' },
      { name: 'staging', tag: '.*-staging', files: 'environments/staging/values.yaml', yamlPath: 'app.imageTag' },
      { name: 'prod', tag: '.*-stable', files: 'environments/prod/values.yaml' },
    ]);
    expect(findTagPath('replicas: 1\n')).toBeUndefined();
  });

  it('from a checkout without flags for environments, the written config generates cleanly against that checkout', async () => {
    const cwd = testdir();
    cpSync(join(ROOT, 'examples/gitops-repo'), join(cwd, 'gitops'), { recursive: true });
    expect((await cli(['init', '--upstream', 'a/b', '--downstream', 'a/c', '--repo', 'gitops'], { cwd })).code).toBe(0);
    const r = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out', '--downstream-dir', 'gitops'], {
      cwd,
    });
    expect(r.stderr).toContain("'--out' is 'out' and '--upstream-dir'/'--downstream-dir' are given too");
    const ok = await cli(
      ['generate', '--config', 'gitops-dispatch.yml', '--upstream-dir', 'app', '--downstream-dir', 'gitops'],
      { cwd },
    );
    expect(ok).toMatchObject({ code: 0, stderr: '' });
  });

  it('sets trigger, from, edit, pull request and token kind by flag (item 14)', async () => {
    const cwd = testdir();
    const r = await cli(
      [
        'init',
        '--upstream',
        'acme/web',
        '--downstream',
        'acme/k8s',
        '--env',
        'dev=.*-dev',
        '--env',
        'prod=\\d+\\.\\d+\\.\\d+',
        '--on',
        'prod=tag:release-*',
        '--from',
        'prod=version',
        '--edit',
        'dev=kustomize-image:ghcr.io/acme/web',
        '--edit',
        'prod=yaml-path:app.image.tag',
        '--pull-request',
        'prod',
        '--token',
        'app',
      ],
      { cwd },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(parse(read(cwd, 'gitops-dispatch.yml'))).toEqual({
      upstream: { repository: 'acme/web', image: 'ghcr.io/acme/web' },
      downstream: { repository: 'acme/k8s' },
      token: 'app',
      environments: {
        dev: {
          tag: '.*-dev',
          files: 'environments/dev/values.yaml',
          'kustomize-image': 'ghcr.io/acme/web',
          on: { branch: 'main' },
        },
        prod: {
          tag: '\\d+\\.\\d+\\.\\d+',
          files: 'environments/prod/values.yaml',
          'yaml-path': 'app.image.tag',
          on: { tag: 'release-*' },
          from: 'version',
          'pull-request': true,
        },
      },
    });
    const bad = await cli(
      [
        'init',
        '--out',
        'x.yml',
        '--upstream',
        'a/b',
        '--downstream',
        'a/c',
        '--on',
        'qa=branch:x',
        '--edit',
        'dev=jq:.x',
      ],
      { cwd },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      `Option '--on' is "qa=branch:x", which names no environment; expected one of: dev, prod`,
    );
    expect(bad.stderr).toContain(`Option '--edit' is "dev=jq:.x", which does not say what to do`);
  });

  it('in a terminal, shows a problem and asks again with the answers so far as defaults (item 14)', async () => {
    const cwd = testdir();
    const input = new PassThrough();
    const output = new PassThrough();
    let asked = '';
    output.on('data', (chunk) => {
      asked += String(chunk);
    });
    const first = ['acme/shop', '', 'acme/deploy', 'dev,prod', '(', '', '', '', '', '', '', '', '', '', 'app'];
    const second = ['', '', '', '', '.*-dev', '', '', '', '', '', '', '', '', '', ''];
    input.end([...first, ...second].join('\n'));
    const result = await runInit({ cwd, interactive: true, input, output, schema: 's.json' });
    expect(asked).toContain('\'environments.dev.tag\' is "(", which is not a valid regular expression');
    expect(asked).toContain('Please answer again; your answers are the defaults.');
    expect(asked).toContain('GitOps repository (owner/repo) [acme/deploy]: ');
    expect(asked).toContain('Tag pattern for dev (full match) [(]: ');
    expect(parse(result.contents)).toMatchObject({
      downstream: { repository: 'acme/deploy' },
      token: 'app',
      environments: { dev: { tag: '.*-dev' } },
    });
  });

  it('in a terminal whose input ends on a problem: exit 2 naming it, nothing written', async () => {
    const cwd = testdir();
    const r = await cli(['init'], { cwd, interactive: true, input: 'acme/shop\n\nacme/deploy\ndev\n(\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a valid regular expression');
    expect(existsSync(join(cwd, 'gitops-dispatch.yml'))).toBe(false);
  });
});
