/**
 * A small semantic-version compare (semver.org 2.0.0) for the `onlyNewer` guard; build metadata is ignored.
 * Hand-written, not the `semver` package: strict parsing and precedence are all the guard needs (no ranges, coercion).
 */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function parseSemVer(text: string): SemVer | undefined {
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  const nums = [m[1], m[2], m[3]].map(Number);
  if (nums.some((n) => !Number.isSafeInteger(n))) return undefined;
  return { major: nums[0]!, minor: nums[1]!, patch: nums[2]!, prerelease: m[4] ? m[4].split('.') : [] };
}

/** Negative when a < b, 0 when equal in precedence, positive when a > b. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  }
  // §11.3: a version without prerelease ranks above one with.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return (a.prerelease.length === 0 ? 1 : 0) - (b.prerelease.length === 0 ? 1 : 0);
  }
  // §11.4: identifier by identifier; numeric < alphanumeric; numbers numerically; longer set wins a tie.
  const n = Math.max(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < n; i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xNum = /^\d+$/.test(x);
    const yNum = /^\d+$/.test(y);
    if (xNum && yNum) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d < 0 ? -1 : 1;
    } else if (xNum !== yNum) {
      return xNum ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/** Parses a tag as a version after removing `suffix` (when it ends with it) and one leading `v`. */
export function tagVersion(tag: string, suffix: string): SemVer | undefined {
  let text = suffix && tag.endsWith(suffix) ? tag.slice(0, -suffix.length) : tag;
  if (text.startsWith('v') || text.startsWith('V')) text = text.slice(1);
  return parseSemVer(text);
}
