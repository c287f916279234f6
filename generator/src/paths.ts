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

/** The published reference of both actions, e.g. `owner/gitops-dispatch@v0` (major version tag). */
export function defaultActionsRef(info: PackageInfo = packageInfo()): string {
  return `${info.repository}@v${info.version.split('.')[0]}`;
}
