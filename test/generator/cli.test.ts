import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useColor } from '../../generator/src/bin.js';
import { createParser } from '../../generator/src/cli.js';
import { builtCli } from '../support/actions.js';
import { cli, ROOT, read, testdir } from './helpers.js';

const EXAMPLE = readFileSync(join(ROOT, 'examples/gitops-dispatch.yml'), 'utf8');
const UP = 'out/upstream/.github/workflows/gitops-dispatch.yml';
const DOWN = 'out/downstream/.github/workflows/gitops-receive.yml';

function project(config = EXAMPLE): string {
  return testdir({ 'gitops-dispatch.yml': config });
}

describe('generate', () => {
  it('writes both workflows and SETUP.md, then rewriting is a no-op', async () => {
    const cwd = project();
    const first = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout.split('\n').filter(Boolean)).toEqual([
      `created     ${UP}`,
      `created     ${DOWN}`,
      'created     out/SETUP.md',
    ]);
    const before = [UP, DOWN, 'out/SETUP.md'].map((p) => read(cwd, p));
    const second = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
    expect(second.code).toBe(0);
    expect(second.stdout.match(/^unchanged/gm)).toHaveLength(3);
    expect([UP, DOWN, 'out/SETUP.md'].map((p) => read(cwd, p))).toEqual(before);
  });

  it('updates untouched generated files when the config changes, without --force', async () => {
    const cwd = project();
    await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
    writeFileSync(join(cwd, 'gitops-dispatch.yml'), EXAMPLE.replace('myorg/myapp-gitops', 'myorg/deploy'));
    const r = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^updated +${UP}$`, 'm'));
    expect(read(cwd, UP)).toContain('repository: myorg/deploy');
  });

  it('refuses to overwrite a file changed by hand (writing nothing at all), and --force overwrites it', async () => {
    const cwd = project();
    await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
    const edited = read(cwd, DOWN).replace('timeout-minutes: 10', 'timeout-minutes: 20');
    writeFileSync(join(cwd, DOWN), edited);
    writeFileSync(join(cwd, 'gitops-dispatch.yml'), EXAMPLE.replace('myorg/myapp-gitops', 'myorg/deploy'));
    const refused = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('Refused: 1 file(s) would be overwritten');
    expect(refused.stdout).toContain(`  ${DOWN} was changed by hand`);
    expect(read(cwd, DOWN)).toBe(edited);
    expect(read(cwd, UP)).not.toContain('myorg/deploy'); // the untouched file was not written either
    const forced = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out', '--force'], { cwd });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(new RegExp(`^overwritten +${DOWN}$`, 'm'));
    expect(read(cwd, DOWN)).toContain('timeout-minutes: 10');
    expect(read(cwd, UP)).toContain('myorg/deploy');
  });

  it('refuses to replace a receiver generated for another image; each app can have its own receiver file', async () => {
    const cwd = project();
    await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
    const first = read(cwd, DOWN);
    expect(first).toContain('# gitops-dispatch-image: ghcr.io/myorg/myapp\n');
    const other = EXAMPLE.replaceAll('ghcr.io/myorg/myapp', 'ghcr.io/myorg/web').replace('myorg/myapp,', 'myorg/web,');
    writeFileSync(join(cwd, 'web.yml'), other);
    const refused = await cli(['generate', '--config', 'web.yml', '--out', 'out'], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`${DOWN} routes another application's image (ghcr.io/myorg/myapp)`);
    expect(refused.stdout).toContain('gitops-receive-<app>.yml');
    expect(read(cwd, DOWN)).toBe(first);
    expect((await cli(['generate', '--config', 'web.yml', '--out', 'out', '--check'], { cwd })).stdout).toContain(
      'generated for ghcr.io/myorg/myapp',
    );

    writeFileSync(
      join(cwd, 'web.yml'),
      other.replace(
        'downstream: { repository: myorg/myapp-gitops }',
        'downstream: { repository: myorg/myapp-gitops, workflow: gitops-receive-web.yml }',
      ),
    );
    const own = await cli(['generate', '--config', 'web.yml', '--out', 'out'], { cwd });
    expect(own.code, own.stdout + own.stderr).toBe(0);
    expect(read(cwd, DOWN)).toBe(first);
    expect(read(cwd, 'out/downstream/.github/workflows/gitops-receive-web.yml')).toContain('ghcr\\.io/myorg/web');
    expect(read(cwd, 'out/SETUP.md')).toContain('.github/workflows/gitops-receive-web.yml');
  });

  it('names --downstream-dir when it is not a folder (exit 2, nothing written)', async () => {
    const cwd = project();
    const r = await cli(['generate', '--config', 'gitops-dispatch.yml', '--downstream-dir', 'missing'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--downstream-dir is "missing", which is not a folder');
    expect(existsSync(join(cwd, 'missing'))).toBe(false);
  });

  it('--check exits 0 when in sync, 1 listing each hand-edited or missing file, and writes nothing', async () => {
    const cwd = project();
    await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
    expect(
      await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out', '--check'], { cwd }),
    ).toMatchObject({
      code: 0,
      stdout: 'All 3 files match gitops-dispatch.yml.\n',
    });
    writeFileSync(join(cwd, UP), `${read(cwd, UP)}# hand edit\n`);
    const r = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out', '--check'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`  ${UP} (changed by hand)`);
    expect(r.stdout).not.toContain(DOWN);
    const fresh = project();
    const missing = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out', '--check'], {
      cwd: fresh,
    });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(`  ${DOWN} (missing)`);
    expect(existsSync(join(fresh, 'out'))).toBe(false);
  });

  it('reports all config problems at once with file:line:column, exit 2, and writes nothing', async () => {
    const cwd = project(`upstream: { repository: myorg, image: ghcr.io/myorg/myapp }
downstream: { repository: myorg/gitops }
environments:
  dev: { tag: '(', files: environments/dev/values.yaml }
  prod: { tag: '.*-stable', files: environments/prod/values.yaml, colour: blue }
`);
    const r = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
    expect(r.code).toBe(2);
    // One line per problem, exactly as the actions annotate it (core's formatProblem), in reading order.
    const problemLines = r.stderr.split('\n').filter((l) => l.startsWith('gitops-dispatch.yml:'));
    expect(problemLines.map((l) => l.split(': ')[0])).toEqual([
      'gitops-dispatch.yml:1:25',
      'gitops-dispatch.yml:4:15',
      'gitops-dispatch.yml:5:67',
    ]);
    expect(problemLines[0]).toBe('gitops-dispatch.yml:1:25: \'upstream.repository\' is "myorg"; expected owner/repo');
    expect(problemLines[1]).toMatch(/^gitops-dispatch\.yml:4:15: 'environments\.dev\.tag' is "\("/);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('3 problems (listed above)');
    // The source line, and a caret under the column.
    expect(r.stderr).toContain(
      "    4 |   dev: { tag: '(', files: environments/dev/values.yaml }\n      |               ^\n",
    );
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it('rejects usage mistakes with exit 2', async () => {
    const cwd = project();
    const noTarget = await cli(['generate', '--config', 'gitops-dispatch.yml'], { cwd });
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain("expected '--out <dir>'");
    const both = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'o', '--upstream-dir', 'u'], {
      cwd,
    });
    expect(both.code).toBe(2);
    const unknown = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'o', '--chek'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown argument: chek/);
    const missing = await cli(['generate', '--config', 'nope.yml', '--out', 'o'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Option '--config' is 'nope.yml', which cannot be read (ENOENT)");
  });

  it('writes straight into checkouts, SETUP.md beside the upstream workflow, after checking the GitOps files', async () => {
    const cwd = project();
    const gitops = join(cwd, 'gitops');
    cpSync(join(ROOT, 'examples/gitops-repo'), gitops, { recursive: true });
    const before = read(gitops, 'environments/dev/values.yaml');
    const r = await cli(
      ['generate', '--config', 'gitops-dispatch.yml', '--upstream-dir', 'app', '--downstream-dir', 'gitops'],
      { cwd },
    );
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(join(cwd, 'app/.github/workflows/gitops-dispatch.yml'))).toBe(true);
    expect(existsSync(join(cwd, 'app/.github/gitops-dispatch/myapp/SETUP.md'))).toBe(true);
    expect(existsSync(join(gitops, '.github/workflows/gitops-receive.yml'))).toBe(true);
    expect(read(gitops, 'environments/dev/values.yaml')).toBe(before);
  });

  it('refuses a GitOps checkout whose files lack what the rules edit, naming the environment', async () => {
    const cwd = project();
    const gitops = join(cwd, 'gitops');
    cpSync(join(ROOT, 'examples/gitops-repo'), gitops, { recursive: true });
    writeFileSync(join(gitops, 'environments/prod/values.yaml'), 'replicaCount: 3\n');
    const r = await cli(['generate', '--config', 'gitops-dispatch.yml', '--downstream-dir', 'gitops'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("environment 'prod'");
    expect(r.stderr).not.toContain("environment 'dev'");
    expect(existsSync(join(gitops, '.github'))).toBe(false);
  });
});

describe('--downstream-dir checks what the rules edit (item 13)', () => {
  const KUSTOMIZE = `upstream: { repository: acme/web, image: ghcr.io/acme/web }
downstream: { repository: acme/k8s }
environments:
  dev:  { tag: '.*-dev', files: overlays/dev/kustomization.yaml, kustomize-image: ghcr.io/acme/wbe }
  prod: { tag: '.*-stable', files: overlays/prod/kustomization.yaml, kustomize-image: ghcr.io/acme/web }
`;
  const overlay = 'resources: [../../base]\nimages:\n  - name: ghcr.io/acme/web\n    newTag: old\n';

  it('a kustomize image name no images: entry has is refused, naming the file, the names there and the likely one', async () => {
    const cwd = testdir({
      'c.yml': KUSTOMIZE,
      'k8s/overlays/dev/kustomization.yaml': overlay,
      'k8s/overlays/prod/kustomization.yaml': overlay,
    });
    const r = await cli(['generate', '--config', 'c.yml', '--downstream-dir', 'k8s'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "environment 'dev': overlays/dev/kustomization.yaml has no images: entry named 'ghcr.io/acme/wbe' (it has: ghcr.io/acme/web)",
    );
    expect(r.stderr).toContain("(did you mean 'ghcr.io/acme/web'?)");
    expect(r.stderr).not.toContain("environment 'prod'");
    expect(existsSync(join(cwd, 'k8s/.github'))).toBe(false);
    writeFileSync(join(cwd, 'c.yml'), KUSTOMIZE.replace('acme/wbe', 'acme/web'));
    expect((await cli(['generate', '--config', 'c.yml', '--downstream-dir', 'k8s'], { cwd })).code).toBe(0);
  });

  it('a regex group the dispatch never sends fails at generate time', async () => {
    const cwd = project(
      EXAMPLE.replace(
        'files: environments/prod/values.yaml,',
        `files: environments/prod/values.yaml, regex: 'tag: "(?<docker_image_tg>[^"]*)"',`,
      ),
    );
    const r = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the dispatch sends no variable 'docker_image_tg'");
    expect(r.stderr).toContain("(did you mean 'docker_image_tag'?)");
  });
});

describe('many apps, one GitOps repository', () => {
  it('two apps generate into one GitOps checkout: own receiver, own SETUP.md naming it, and --check passes for both', async () => {
    const cwd = project();
    cpSync(join(ROOT, 'examples/gitops-repo'), join(cwd, 'gitops'), { recursive: true });
    const web = EXAMPLE.replaceAll('ghcr.io/myorg/myapp', 'ghcr.io/myorg/web')
      .replace('myorg/myapp,', 'myorg/web,')
      .replace(
        'downstream: { repository: myorg/myapp-gitops }',
        'downstream: { repository: myorg/myapp-gitops, workflow: gitops-receive-web.yml }',
      );
    writeFileSync(join(cwd, 'web.yml'), web);
    const args = (config: string) => ['generate', '--config', config, '--downstream-dir', 'gitops'];
    expect(await cli(args('gitops-dispatch.yml'), { cwd })).toMatchObject({ code: 0, stderr: '' });
    expect(await cli(args('web.yml'), { cwd })).toMatchObject({ code: 0, stderr: '' });
    const check = await cli([...args('gitops-dispatch.yml'), '--check'], { cwd });
    expect(check.stdout).toBe('All 2 files match gitops-dispatch.yml.\n');
    expect(check.code).toBe(0);
    expect((await cli([...args('web.yml'), '--check'], { cwd })).code).toBe(0);
    const myapp = read(cwd, 'gitops/.github/gitops-dispatch/myapp/SETUP.md');
    const webSetup = read(cwd, 'gitops/.github/gitops-dispatch/web/SETUP.md');
    expect(myapp).toContain('gitops-receive.yml');
    expect(webSetup).toContain('`gitops-receive-web.yml`');
    // Every mention of a receiver file in web's SETUP.md is its own.
    expect(webSetup.match(/gitops-receive[\w-]*\.yml/g)!.every((m) => m === 'gitops-receive-web.yml')).toBe(true);
    expect(read(cwd, 'gitops/.github/workflows/gitops-receive.yml')).toContain(
      '# gitops-dispatch-image: ghcr.io/myorg/myapp',
    );
    expect(read(cwd, 'gitops/.github/workflows/gitops-receive-web.yml')).toContain(
      '# gitops-dispatch-image: ghcr.io/myorg/web',
    );
  });
});

describe('the config path in generated headers', () => {
  it('is relative to the repository root, so --check from another directory gives the same answer', async () => {
    const cwd = testdir({ '.git/HEAD': 'ref: refs/heads/main\n', 'deploy/gitops-dispatch.yml': EXAMPLE });
    const first = await cli(['generate', '--config', 'deploy/gitops-dispatch.yml', '--out', 'out'], { cwd });
    expect(first.code).toBe(0);
    expect(read(cwd, UP)).toContain('Generated by gitops-dispatch from deploy/gitops-dispatch.yml.');
    const fromSub = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', '../out', '--check'], {
      cwd: join(cwd, 'deploy'),
    });
    expect(fromSub.stdout).toBe('All 3 files match gitops-dispatch.yml.\n');
    expect(fromSub.code).toBe(0);
  });
});

describe('ordinary mistakes: exit 2, one line, no stack', () => {
  it('plan --repo that does not exist', async () => {
    const cwd = project();
    const r = await cli(['plan', '--config', 'gitops-dispatch.yml', '--repo', 'nope', '--tag', 'a-dev'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Option '--repo' is "nope", which is not a folder`);
    expect(r.stderr).not.toMatch(/Internal error|\n +at /);
  });

  it('--out pointing at a file, and a folder that cannot be written; nothing is written', async () => {
    const cwd = testdir({ 'gitops-dispatch.yml': EXAMPLE, 'taken.txt': 'x\n' });
    const file = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', 'taken.txt'], { cwd });
    expect(file.code).toBe(2);
    expect(file.stderr).toContain(`Option '--out' is "taken.txt", but taken.txt is a file, not a folder`);
    expect(file.stderr).not.toMatch(/Internal error|\n +at /);
    expect(read(cwd, 'taken.txt')).toBe('x\n');
    // root ignores file modes; /proc/1 refuses even root.
    const locked = process.getuid?.() === 0 ? '/proc/1/gitops-out' : join(cwd, 'locked', 'out');
    if (process.getuid?.() !== 0) {
      mkdirSync(join(cwd, 'locked'));
      chmodSync(join(cwd, 'locked'), 0o555);
    }
    const ro = await cli(['generate', '--config', 'gitops-dispatch.yml', '--out', locked], { cwd });
    expect(ro.code).toBe(2);
    expect(ro.stderr).toMatch(/Option '--out' is ".*", but .* cannot be written \((EACCES|EPERM)\)/);
    expect(ro.stderr).not.toMatch(/Internal error|\n +at /);
  });

  it('a missing config', async () => {
    const r = await cli(['plan', '--config', 'missing.yml', '--repo', '.', '--tag', 'x'], { cwd: testdir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Option '--config' is 'missing.yml', which cannot be read (ENOENT)");
  });
});

describe('help, version and exit codes', () => {
  it('documents the exit codes in --help of every command', async () => {
    const text = await createParser({} as never).getHelp();
    expect(text).toContain('Exit codes:');
    expect(text).toMatch(/1 +generate --check found files that differ/);
    expect(text).toMatch(/2 +usage or config error/);
    for (const command of ['generate', 'init', 'plan']) {
      let output = '';
      await createParser({} as never).parseAsync([command, '--help'], {}, (_err, _argv, out) => {
        output = out;
      });
      expect(output, command).toContain('Exit codes:');
      expect(output, command).toContain(`gitops-dispatch ${command}`);
    }
    expect(read(ROOT, 'generator/README.md')).toMatch(/\| *2 *\| usage or config error/);
  });

  it('--version prints the package version', async () => {
    let output = '';
    await createParser({} as never).parseAsync(['--version'], {}, (_err, _argv, out) => {
      output = out;
    });
    expect(output).toBe(JSON.parse(read(ROOT, 'package.json')).version);
  });

  it('-h and -v are --help and --version', async () => {
    for (const [short, long] of [
      ['-h', '--help'],
      ['-v', '--version'],
    ]) {
      const outputs: string[] = [];
      for (const flag of [short, long]) {
        await createParser({} as never).parseAsync([flag!], {}, (_err, _argv, out) => {
          outputs.push(out);
        });
      }
      expect(outputs[0], short).toBe(outputs[1]);
      expect(outputs[0]!.length).toBeGreaterThan(0);
    }
  });

  it('the Quick start installs once', () => {
    const readme = read(ROOT, 'README.md');
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Contents'));
    expect(quick.match(/npm (ci|install)\b(?! -g)/g)).toEqual(['npm ci']);
  });

  it('colours only a terminal without NO_COLOR', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: false }, {})).toBe(false);
  });
});

describe('the built bundle', () => {
  it('runs from another directory and finds its templates and schema', async () => {
    const cwd = testdir();
    const r = await promisify(execFile)(
      process.execPath,
      [builtCli, 'generate', '--config', join(ROOT, 'examples/gitops-dispatch.yml'), '--out', 'gen'],
      { cwd, env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(r.stderr).toBe('');
    expect(read(cwd, 'gen/SETUP.md')).toContain('gh secret set GITOPS_DISPATCH_TOKEN --repo myorg/myapp');
    expect(read(cwd, 'gen/downstream/.github/workflows/gitops-receive.yml')).toContain('name: prod');
    const bad = await promisify(execFile)(process.execPath, [builtCli, 'generate', '--config', 'x.yml'], {
      cwd,
    }).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
  });

  // Packs the committed tree, as `npm pack` does: its generator/dist must be current (`npm run build`; CI checks it).
  it('packs into a tarball that installs and runs generate and plan from another directory (item 18)', async () => {
    const run = promisify(execFile);
    const tmp = testdir();
    const packed = await run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const paths = info!.files.map((f) => f.path);
    for (const needed of ['templates/SETUP.md.hbs', 'generator/config.schema.json', 'generator/dist/index.js']) {
      expect(paths).toContain(needed);
    }
    expect(paths).toContain('generator/commit.json');
    expect(paths.filter((p) => p.startsWith('test/') || p.startsWith('bench/') || p.endsWith('.ts'))).toEqual([]);
    expect(existsSync(join(ROOT, 'generator/commit.json'))).toBe(false);
    const prefix = join(tmp, 'prefix');
    await run(
      'npm',
      ['install', '-g', join(tmp, info!.filename), '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund'],
      { cwd: tmp },
    );
    const bin = join(prefix, 'bin', 'gitops-dispatch');
    const cwd = testdir({ 'gitops-dispatch.yml': EXAMPLE });
    cpSync(join(ROOT, 'examples/gitops-repo'), join(cwd, 'gitops'), { recursive: true });
    const help = await run(bin, ['--help'], { cwd });
    expect(help.stdout).toContain('gitops-dispatch generate');
    const gen = await run(bin, ['generate', '--config', 'gitops-dispatch.yml', '--out', 'out'], { cwd });
    expect(gen.stderr).toBe('');
    const head = (await run('git', ['rev-parse', 'HEAD'], { cwd: ROOT })).stdout.trim();
    const version = JSON.parse(read(ROOT, 'package.json')).version;
    expect(read(cwd, 'out/upstream/.github/workflows/gitops-dispatch.yml')).toContain(
      `/dispatch-action@${head} # v${version}`,
    );
    const plan = await run(bin, ['plan', '--config', 'gitops-dispatch.yml', '--repo', 'gitops', '--tag', 'abc-dev'], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(plan.stdout).toContain("Tag 'abc-dev' matches environment dev.");
    expect(plan.stdout).toMatch(/^\+\s+tag: "abc-dev"$/m);
  }, 240_000);
});
