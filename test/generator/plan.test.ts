import { cpSync, readdirSync, readFileSync } from 'node:fs';
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
    expect(r.stderr).toMatch(/^3 problem\(s\):/);
    expect(r.stderr).toContain(`Option '--tag' is "bad tag"`);
    expect(r.stderr).toContain(`Option '--digest' is "sha256:xyz"`);
    expect(r.stderr).toContain(`Option '--var' is "=1"`);
  });
});
