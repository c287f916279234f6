import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, testdir } from './helpers.js';

function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const p = join(entry.parentPath, entry.name);
      out[p] = readFileSync(p, 'utf8');
    }
  }
  return out;
}

function setup() {
  const cwd = testdir();
  cpSync(join(ROOT, 'examples/gitops-repo'), join(cwd, 'gitops'), { recursive: true });
  cpSync(join(ROOT, 'examples/gitops-dispatch.yml'), join(cwd, 'gitops-dispatch.yml'));
  return cwd;
}

describe('plan', () => {
  it('shows the dev environment and a dev-only diff for a dev tag, and changes nothing', async () => {
    const cwd = setup();
    const before = snapshotTree(cwd);
    const r = await cli(['plan', '--config', 'gitops-dispatch.yml', '--repo', 'gitops', '--tag', 'abc123-dev'], {
      cwd,
    });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain("Tag 'abc123-dev' matches environment dev.");
    expect(r.stdout).toContain('environments/dev/values.yaml');
    expect(r.stdout).not.toContain('environments/prod/values.yaml');
    expect(r.stdout).not.toContain('pull request');
    expect(r.stdout).toMatch(/^-\s+tag: "0000000000000000000000000000000000000000-dev"$/m);
    expect(r.stdout).toMatch(/^\+\s+tag: "abc123-dev"$/m);
    // NO_COLOR / not a terminal: no escape sequences.
    expect(r.stdout).not.toContain('\u001b[');
    expect(snapshotTree(cwd)).toEqual(before);
  });

  it('colours the diff for a terminal', async () => {
    const cwd = setup();
    const r = await cli(['plan', '--config', 'gitops-dispatch.yml', '--repo', 'gitops', '--tag', '1.4.0-stable'], {
      cwd,
      color: true,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('matches environment prod.');
    expect(r.stdout).toContain('\u001b[');
  });

  it('says so when a tag matches no environment', async () => {
    const cwd = setup();
    const r = await cli(['plan', '--config', 'gitops-dispatch.yml', '--repo', 'gitops', '--tag', 'v1-nightly'], {
      cwd,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Tag 'v1-nightly' matches no environment (dev: .*-dev; prod: .*-stable)");
  });

  it('rejects a bad tag, digest and --var together (exit 2)', async () => {
    const cwd = setup();
    const r = await cli(
      [
        'plan',
        '--config',
        'gitops-dispatch.yml',
        '--repo',
        'gitops',
        '--tag',
        'bad tag',
        '--digest',
        'sha256:xyz',
        '--var',
        '=1',
      ],
      { cwd },
    );
    expect(r.code).toBe(2);
    // One line per problem, then the summary (core's formatProblem and problemSummary, as the actions show them).
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('3 problems (listed above)');
    expect(r.stderr).toContain(`Option '--tag' is "bad tag"`);
    expect(r.stderr).toContain(`Option '--digest' is "sha256:xyz"`);
    expect(r.stderr).toContain(`Option '--var' is "=1"`);
  });
});

describe('plan says why nothing changes, and shows the digest line (item 15)', () => {
  it('"no file matched" when the environment\'s files match nothing', async () => {
    const cwd = setup();
    writeFileSync(
      join(cwd, 'gitops-dispatch.yml'),
      readFileSync(join(cwd, 'gitops-dispatch.yml'), 'utf8').replace('environments/dev/values.yaml', 'env/dev/*.yaml'),
    );
    const r = await cli(['plan', '--config', 'gitops-dispatch.yml', '--repo', 'gitops', '--tag', 'abc-dev'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No file matched: dev: env/dev/*.yaml match nothing in gitops');
    expect(r.stdout).not.toContain('already hold');
  });

  it('names only-newer when that is why nothing changes', async () => {
    const cwd = setup();
    // The file holds 1.0.0-stable.
    expect(readFileSync(join(cwd, 'gitops/environments/prod/values.yaml'), 'utf8')).toContain('tag: "1.0.0-stable"');
    const r = await cli(['plan', '--config', 'gitops-dispatch.yml', '--repo', 'gitops', '--tag', '0.0.1-stable'], {
      cwd,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'No change because of only-newer: environments/prod/values.yaml holds a newer version than 0.0.1-stable.',
    );
  });

  it('shows the digest line the receiver writes into a kustomization, with a stand-in or the given digest', async () => {
    const cwd = testdir({
      'c.yml': `upstream: { repository: acme/web, image: ghcr.io/acme/web }
downstream: { repository: acme/k8s }
environments:
  dev:  { tag: '.*-dev', files: overlays/dev/kustomization.yaml, kustomize-image: ghcr.io/acme/web }
  prod: { tag: '.*-stable', files: overlays/prod/kustomization.yaml, kustomize-image: ghcr.io/acme/web }
`,
      'k8s/overlays/dev/kustomization.yaml': 'images:\n  - name: ghcr.io/acme/web\n    newTag: old-dev\n',
    });
    const stand = await cli(['plan', '--config', 'c.yml', '--repo', 'k8s', '--tag', 'new-dev'], { cwd });
    expect(stand.stdout).toMatch(new RegExp(`^\\+\\s+digest: sha256:${'0'.repeat(64)}$`, 'm'));
    expect(stand.stdout).toContain('stands in for the one the build pushes; pass --digest');
    const digest = `sha256:${'ab'.repeat(32)}`;
    const real = await cli(['plan', '--config', 'c.yml', '--repo', 'k8s', '--tag', 'new-dev', '--digest', digest], {
      cwd,
    });
    expect(real.stdout).toMatch(new RegExp(`^\\+\\s+digest: ${digest}$`, 'm'));
    expect(real.stdout).not.toContain('stands in');
  });
});
