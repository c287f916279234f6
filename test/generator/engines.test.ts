/**
 * Item 17: no EBADENGINE on the Node version the package declares. Every installed package's `engines.node` (as
 * recorded in package-lock.json, which is what npm checks) must admit the lowest Node this package supports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

type V = [number, number, number];
const parseV = (s: string): V => {
  const [a, b, c] = s.replace(/^v/, '').split('.');
  const n = (x: string | undefined) => (x === undefined || x === '*' || x === 'x' ? 0 : Number(x));
  return [n(a), n(b), n(c)];
};
const cmp = (a: V, b: V) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** node-semver ranges of the forms engines use: ||, spaces (and), >= > <= < =, ^, ~, x/* wildcards. */
function satisfies(version: string, range: string): boolean {
  const v = parseV(version);
  return range.split('||').some((part) =>
    part
      .trim()
      .replace(/([<>=^~]+)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean)
      .every((comparator) => {
        const m = /^([<>]=?|=|\^|~)?(.+)$/.exec(comparator)!;
        const op = m[1] ?? '';
        const text = m[2]!;
        const w = parseV(text);
        const parts = text.split('.');
        const wild = parts.length < 3 || parts.some((p) => p === '*' || p === 'x');
        if (text === '*') return true;
        switch (op) {
          case '>=':
            return cmp(v, w) >= 0;
          case '>':
            return cmp(v, w) > 0;
          case '<=':
            return cmp(v, w) <= 0;
          case '<':
            return cmp(v, w) < 0;
          case '^':
            return cmp(v, w) >= 0 && (w[0] > 0 ? v[0] === w[0] : v[0] === 0 && v[1] === w[1]);
          case '~':
            return cmp(v, w) >= 0 && v[0] === w[0] && v[1] === w[1];
          default:
            if (!wild) return cmp(v, w) === 0;
            return parts.every((p, i) => p === '*' || p === 'x' || Number(p) === v[i]);
        }
      }),
  );
}

describe('engines', () => {
  it('the range check reads node-semver ranges as npm does', () => {
    expect(satisfies('20.19.0', '>=22')).toBe(false);
    expect(satisfies('20.19.0', '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies('20.18.0', '^20.19.0 || >=22.12.0')).toBe(false);
    expect(satisfies('20.19.0', '6.* || 8.* || >= 10.*')).toBe(true);
    expect(satisfies('20.19.0', '>=0.6.11 <=0.7.0 || >=0.7.3')).toBe(true);
    expect(satisfies('20.19.0', '^12.17.0 || ^14.13 || >=16.0.0')).toBe(true);
    expect(satisfies('20.19.0', '^18')).toBe(false);
  });

  it('every installed package admits the lowest Node version package.json declares', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    const lowest = /^>=\s*(\d+\.\d+(?:\.\d+)?)$/.exec(pkg.engines.node)![1]!;
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { engines?: { node?: string } | string[] }>;
    };
    const refusing = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && !Array.isArray(p.engines) && p.engines?.node)
      .filter(([, p]) => !satisfies(lowest, (p.engines as { node: string }).node))
      .map(([path, p]) => `${path} (${(p.engines as { node: string }).node})`);
    expect(refusing).toEqual([]);
  });
});
