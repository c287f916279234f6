/**
 * The model of docker/metadata-action (generator/src/metadata.ts) on the cases that decide routing, each as the
 * action's source makes it (src/tag.ts, src/meta.ts of the pinned v5.7.0).
 */
import { describe, expect, it } from 'vitest';
import { filterMatches, isSemver, parseTagLine, runMetadata } from '../../generator/src/metadata.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const tag = (name: string) => ({ ref: `refs/tags/${name}`, sha: SHA });

describe('docker/metadata-action semantics', () => {
  it('a pre-release renders every semver pattern as {{version}} except a lone {{raw}}', () => {
    expect(runMetadata(['type=semver,pattern={{major}}.{{minor}}.{{patch}}'], tag('v1.2.3-rc.1')).version).toBe(
      '1.2.3-rc.1',
    );
    expect(runMetadata(['type=semver,pattern={{major}}.{{minor}}'], tag('v1.2.3-rc.1')).version).toBe('1.2.3-rc.1');
    expect(runMetadata(['type=semver,pattern={{raw}}'], tag('v1.2.3-rc.1')).version).toBe('v1.2.3-rc.1');
    expect(runMetadata(['type=semver,pattern={{major}}.{{minor}}'], tag('v1.2.3')).version).toBe('1.2');
  });

  it('a semver line on a tag that is not semver yields nothing, with a warning', () => {
    for (const name of ['rc-1.2.3', '2026.01.05-1']) {
      const r = runMetadata(['type=semver,pattern={{version}}'], tag(name));
      expect(r.version).toBe('');
      expect(r.warnings).toEqual([`${name} is not a valid semver. More info: https://semver.org/`]);
    }
    // 2026.11.30-1 is valid semver (a pre-release of 2026.11.30); 2026.01.05-1 is not (leading zero).
    expect(isSemver('2026.11.30-1')).toBe(true);
    expect(isSemver('2026.01.05-1')).toBe(false);
  });

  it('version is the first non-empty value in priority order (semver 900 ... sha 100), ties in input order', () => {
    const lines = [
      'type=sha,format=long,prefix=',
      'type=ref,event=tag',
      'type=raw,value=x',
      'type=semver,pattern={{version}}',
    ];
    expect(runMetadata(lines, tag('v1.2.3'))).toMatchObject({
      version: '1.2.3',
      values: ['1.2.3', 'v1.2.3', 'x', SHA],
    });
    expect(runMetadata(lines, tag('rc-1')).version).toBe('rc-1');
    expect(runMetadata(['type=raw,value=a', 'type=raw,value=b'], tag('x')).version).toBe('a');
    expect(runMetadata(['type=raw,value=a,priority=50', 'type=sha,format=short'], tag('x')).version).toBe(
      `sha-${SHA.slice(0, 7)}`,
    );
  });

  it('match: unanchored unless the pattern says so, group 0 by default, nothing (warning) when it misses', () => {
    expect(runMetadata(['type=match,pattern=\\d+\\.\\d+'], tag('v1.2.3')).version).toBe('1.2');
    expect(runMetadata(['type=match,pattern=^v(\\d+\\.\\d+\\.\\d+)$,group=1'], tag('v1.2.3-rc.1'))).toMatchObject({
      version: '',
      warnings: ['^v(\\d+\\.\\d+\\.\\d+)$ does not match v1.2.3-rc.1.'],
    });
    // only on tags
    expect(runMetadata(['type=match,pattern=.*'], { ref: 'refs/heads/main', sha: SHA }).version).toBe('');
  });

  it('ref, sha, enable, prefix/suffix expressions and sanitising', () => {
    const branch = { ref: 'refs/heads/release/1.4', sha: SHA };
    expect(runMetadata(['type=ref,event=branch,suffix=-{{sha}}'], branch).version).toBe(
      `release-1.4-${SHA.slice(0, 7)}`,
    );
    expect(runMetadata(['type=ref,event=tag'], branch).version).toBe('');
    expect(runMetadata(['type=sha'], branch).version).toBe(`sha-${SHA.slice(0, 7)}`);
    expect(runMetadata(['type=sha,format=long,prefix=,suffix=-dev,enable=false'], branch).version).toBe('');
    expect(() => runMetadata(['type=sha,enable=maybe'], branch)).toThrow(/Invalid value for enable attribute: maybe/);
    // Fields split on '=': text after a second '=' is lost, which is why the generator writes no '=' in a value.
    expect(parseTagLine('type=raw,value=a=b').attrs.value).toBe('a');
  });

  it("GitHub's push filter: * stops at /, ** does not", () => {
    expect(filterMatches('release/*', 'release/1.4')).toBe(true);
    expect(filterMatches('release/*', 'release/a/b')).toBe(false);
    expect(filterMatches('release/**', 'release/a/b')).toBe(true);
    expect(filterMatches('v*', 'v1.2.3-rc.1')).toBe(true);
    expect(filterMatches('v*', 'x1')).toBe(false);
  });
});
