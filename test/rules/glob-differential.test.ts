/**
 * The native dialect is compiled by picomatch; test/support/glob-native-oracle.ts keeps the hand-written
 * translation it replaced. Both must select the same files, apart from the differences listed here on purpose.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGlob, globToRegExp } from '../../core/rules/glob.js';
import { oracleNativeRegExp } from '../support/glob-native-oracle.js';

const UNIT = ['a', 'b', '.', '*', '?', '/', '\\', '{', '}', ',', '[', ']', '!', '^', '-', '(', ')', '"', '+', '@', '|'];
const pattern = fc.oneof(
  fc.string({ unit: fc.constantFrom(...UNIT, '$', ':', ' '), minLength: 1, maxLength: 10 }),
  fc
    .array(
      fc.constantFrom(
        ...['**', '*', 'a', '.a', '*.a', 'a*b', '?', 'a?', '{a,b}', '{a,b/.a}', '\\.a', '(a)', 'a|b', '"a"'],
        ...[
          '[ab]',
          '[!a]',
          '[^b]?',
          '[a-b]*',
          '[!a]*',
          '[.a]*',
          '[]a]',
          '[!]a]*',
          '[a-]',
          '[\\]]',
          '*[',
          '[*]',
          '\\d',
          '[\\w]',
          'a\\1',
        ],
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((s) => s.join('/')),
);
// Paths as the walk lists them: non-empty segments, never `.` (a `..` is refused by both, see glob.test.ts).
const name = fc.oneof(
  fc.constantFrom('a', 'b', 'ab', 'a.a', '.a', '.b', '*', '(a)', '[a]', ']', '-', '[', 'a-', '\\', '^', 'a|b', '"a"'),
  fc.string({ unit: fc.constantFrom(...UNIT.filter((c) => c !== '/')), minLength: 1, maxLength: 4 }),
);
const path = fc
  .array(name, { minLength: 1, maxLength: 4 })
  .filter((a) => !a.includes('.'))
  .map((a) => a.join('/'));

/**
 * The old translation; `refused` where it rejected the pattern, `broken` where it built an invalid RegExp and so
 * crashed on it (e.g. `[!-(]` became the range `/-(`): the new one may accept or refuse those, either is better.
 */
function oracle(p: string): RegExp | 'refused' | 'broken' {
  try {
    return oracleNativeRegExp(p);
  } catch (error) {
    return error instanceof SyntaxError ? 'broken' : 'refused';
  }
}

/** Intended differences, as predicates over (pattern, path); where one applies the new matcher only selects more. */
const INTENDED: { why: string; applies: (p: string, path: string) => boolean }[] = [
  {
    why: 'picomatch lets a class at the start of a segment match a leading dot, the old translation never did',
    applies: (p, f) => /(^|[/{,])\[/.test(p) && /(^|\/)\./.test(f),
  },
  {
    why: 'the old translation dropped a trailing `**` after `**` (`a/**/**` matched nothing); picomatch reads it as `**`',
    applies: (p) => /\*\*\/\*\*(\/\*\*)*($|[,}])/.test(p),
  },
];

describe('native globs: picomatch against the old hand-written translation', () => {
  it('refuse the same patterns and select the same paths, apart from the intended differences', () => {
    fc.assert(
      fc.property(pattern, path, (p, f) => {
        if (p.includes('[:')) return true; // POSIX classes: see below
        const problem = checkGlob(p, 'native');
        const old = oracle(p);
        if (problem && problem.code !== 'glob/syntax') return true; // safety checks, unchanged and tested elsewhere
        if (old === 'broken') return true;
        expect(problem === undefined, `${JSON.stringify(p)} accepted by both or neither`).toBe(old !== 'refused');
        if (old === 'refused') return true;
        const now = globToRegExp(p, 'native').test(f);
        if (INTENDED.some((d) => d.applies(p, f))) {
          if (old.test(f)) expect(now, `${JSON.stringify(p)} still selects ${JSON.stringify(f)}`).toBe(true);
        } else {
          expect(now, `${JSON.stringify(p)} against ${JSON.stringify(f)}`).toBe(old.test(f));
        }
        return true;
      }),
      { numRuns: 10_000 },
    );
  });

  const differences: [string, string, boolean, boolean, string][] = [
    ['[!a]*', '.b', false, true, 'a class at a segment start may match a leading dot'],
    ['x/[.]y', 'x/.y', false, true, 'a class at a segment start may match a leading dot'],
    ['a/**/**', 'a/b', false, true, 'a repeated trailing ** is one **'],
    ['[[:digit:]]*.yaml', '1.yaml', false, true, 'POSIX classes are understood'],
    [
      '[[:digit:]]*.yaml',
      ':].yaml',
      true,
      false,
      'POSIX classes are understood (the old one read `[[:digit:]` then `]`)',
    ],
  ];
  it.each(differences)('%s against %s: old %s, now %s (%s)', (p, f, before, after) => {
    expect(oracleNativeRegExp(p).test(f)).toBe(before);
    expect(globToRegExp(p, 'native').test(f)).toBe(after);
  });

  it('the dotfile rule holds everywhere but at a class: wildcards and ** never match a leading dot', () => {
    for (const p of ['*', '?x', '*.yaml', '**/values.yaml', 'a/**', '**']) {
      for (const f of ['.x', '.yaml', '.github/values.yaml', 'a/.hidden', '.values.yaml']) {
        expect(globToRegExp(p, 'native').test(f), `${p} ~ ${f}`).toBe(false);
      }
    }
  });

  it('escaped backslashes in any number are literal, and never reach picomatch as a run (4.0.7 hangs on one)', () => {
    // Dialect sources as raw text: `\\\\` is two escaped backslashes, i.e. two literal ones.
    const raw = String.raw;
    const cases: [string, string, boolean][] = [
      [raw`a\\\\`, raw`a\\`, true], // two at the end: picomatch 4.0.7 never returned on this
      [raw`a\\\\`, 'a\\', false],
      [raw`x\\\\y`, raw`x\\y`, true],
      [raw`x\\\\\\y`, raw`x\\\y`, true],
      [raw`x\\\\\\y`, raw`x\\y`, false],
      [raw`[!\[/\\\\`, raw`[![/\\`, true], // the pattern the property test drew when it hung
      [raw`a\\\\\(`, raw`a\\(`, true],
      [raw`[a\\\\]`, '\\', true],
      [raw`[a\\\\]`, 'a', true],
      [raw`[a\\\\]x`, raw`\\x`, false],
      [raw`*\\\\*`, raw`p\\q`, true],
    ];
    for (const [p, f, selected] of cases) {
      const problem = checkGlob(p, 'native');
      if (problem) {
        expect(problem.code, p).toBe('glob/syntax');
        expect(selected, `${p} refused`).toBe(false);
        continue;
      }
      expect(globToRegExp(p, 'native').test(f), `${JSON.stringify(p)} against ${JSON.stringify(f)}`).toBe(selected);
      expect(globToRegExp(p, 'native').test(f), 'same as the old translation').toBe(oracleNativeRegExp(p).test(f));
    }
    // Many backslashes, brackets and parentheses in a row: every one compiles (or is refused) and agrees with the
    // old translation; a run reaching picomatch would throw "internal" here rather than hang.
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('\\', '\\', 'a', '[', ']', '!', '(', '/'), maxLength: 14 }),
        (p) => {
          const problem = checkGlob(p, 'native');
          expect(problem?.message ?? '', p).not.toMatch(/internal/);
          return true;
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('characters picomatch would read as regex or quoting are literal', () => {
    const cases: [string, string, boolean][] = [
      ['values (1).yaml', 'values (1).yaml', true],
      ['(a|b).yaml', 'a.yaml', false],
      ['*|a', 'ab', false],
      ['a|b', 'a|b', true],
      ['a++$$.yaml', 'a++$$.yaml', true],
      ['a++', 'a+', false],
      ['*\\b', 'a', false], // not a word boundary
      ['x\\d.yaml', 'xd.yaml', true],
      ['[\\d].yaml', '1.yaml', false],
      ['[ab]+', 'aa', false],
      ['[ab]+', 'a+', true],
      ['"*".yaml', '"x".yaml', true],
      ['"*".yaml', '*.yaml', false],
      ['+(a).yaml', '+(a).yaml', true],
      ['!a', '!a', true],
      ['!a', 'b', false],
      ['{1..3}', '2', false],
      ['x[a/b]y', 'x[a/b]y', true], // two segments, `x[a` and `b]y`: a class never spans `/`
      ['x[a/b]y', 'x/y', false],
    ];
    for (const [p, f, expected] of cases) expect(globToRegExp(p, 'native').test(f), `${p} ~ ${f}`).toBe(expected);
  });

  it('an inverted range is a syntax problem, not a pattern that silently selects nothing', () => {
    expect(checkGlob('values-[z-a].yaml', 'native')?.code).toBe('glob/syntax');
  });
});
