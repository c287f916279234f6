import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root (where package.json, templates/ and the actions live). Found by walking up from this module so
 * the same code works from generator/src (tests, tsx) and from the ncc bundle in generator/dist, and ncc cannot
 * mistake the lookups for assets to relocate.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'gitops-dispatch') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('gitops-dispatch: cannot find the package root (package.json) above the CLI');
    dir = parent;
  }
}

export interface PackageInfo {
  version: string;
  /** owner/name of the project's GitHub repository. */
  repository: string;
}

/** Used when package.json has no usable `repository` field. */
export const FALLBACK_REPOSITORY = 'gitops-dispatch/gitops-dispatch';

export function packageInfo(): PackageInfo {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    version?: string;
    repository?: string | { url?: string };
  };
  const url = typeof pkg.repository === 'string' ? pkg.repository : (pkg.repository?.url ?? '');
  const match = /github\.com[/:]([^/]+\/[^/.]+)|^(?:github:)?([\w.-]+\/[\w.-]+)$/.exec(url);
  return { version: pkg.version ?? '0.0.0', repository: match?.[1] ?? match?.[2] ?? FALLBACK_REPOSITORY };
}

/** Written by `npm pack` (scripts/record-commit.mjs) into the package: the commit it was packed from. */
export const COMMIT_FILE = 'generator/commit.json';

/**
 * The commit this CLI (and the actions beside it) comes from: recorded in the package when it was packed, or the
 * HEAD of the checkout it runs from. Undefined when neither is known.
 */
export function ownCommit(root: string = packageRoot()): string | undefined {
  const recorded = join(root, COMMIT_FILE);
  if (existsSync(recorded)) {
    const { commit } = JSON.parse(readFileSync(recorded, 'utf8')) as { commit?: string };
    if (typeof commit === 'string' && /^[0-9a-f]{40}$/.test(commit)) return commit;
  }
  if (!existsSync(join(root, '.git'))) return undefined;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    }).trim();
    return /^[0-9a-f]{40}$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The reference of both actions when the config names none: pinned like the third-party actions, the full commit
 * SHA with the version as a comment (`owner/gitops-dispatch@<sha> # v0.1.0`), whenever the commit is known;
 * otherwise the major version tag (`owner/gitops-dispatch@v0`).
 */
export function defaultActionsRef(
  info: PackageInfo = packageInfo(),
  commit: string | null = ownCommit() ?? null,
): string {
  return commit
    ? `${info.repository}@${commit} # v${info.version}`
    : `${info.repository}@v${info.version.split('.')[0]}`;
}
