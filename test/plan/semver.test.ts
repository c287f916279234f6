import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareSemVer, parseSemVer, tagVersion } from '../../core/plan/semver.js';

const cmp = (a: string, b: string) => compareSemVer(parseSemVer(a)!, parseSemVer(b)!);

describe('semver', () => {
  it('orders the semver.org §11 example chain', () => {
    const chain = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.1.0',
      '1.10.0',
      '2.0.0',
    ];
    for (let i = 0; i < chain.length; i++) {
      for (let j = 0; j < chain.length; j++) {
        expect(Math.sign(cmp(chain[i]!, chain[j]!)), `${chain[i]} vs ${chain[j]}`).toBe(Math.sign(i - j));
      }
    }
  });

  it('ignores build metadata and rejects non-versions', () => {
    expect(cmp('1.0.0+a', '1.0.0+b')).toBe(0);
    for (const bad of ['1.0', '01.0.0', '1.0.0-01', 'latest', '1.0.0-', 'main-abc123']) {
      expect(parseSemVer(bad), bad).toBeUndefined();
    }
  });

  it('strips the suffix and a leading v', () => {
    expect(tagVersion('v1.2.3-stable', '-stable')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [] });
    expect(tagVersion('1.2.3-rc.1', '')?.prerelease).toEqual(['rc', '1']);
    expect(tagVersion('feature-x-stable', '-stable')).toBeUndefined();
  });

  it('property: antisymmetric and consistent with numeric order of the core', () => {
    const v = fc.tuple(fc.nat(50), fc.nat(50), fc.nat(50), fc.constantFrom('', '-alpha', '-alpha.1', '-1', '-rc.2'));
    fc.assert(
      fc.property(v, v, ([a1, a2, a3, ap], [b1, b2, b3, bp]) => {
        const a = `${a1}.${a2}.${a3}${ap}`;
        const b = `${b1}.${b2}.${b3}${bp}`;
        expect(Math.sign(cmp(a, b))).toBe(-Math.sign(cmp(b, a)));
        const core = Math.sign(a1 - b1) || Math.sign(a2 - b2) || Math.sign(a3 - b3);
        if (core !== 0) expect(Math.sign(cmp(a, b))).toBe(core);
      }),
    );
  });
});
