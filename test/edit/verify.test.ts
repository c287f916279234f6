import { describe, expect, it } from 'vitest';
import { dataChanges, type EditExpectation, readBoth, readData, verifyEdit } from '../../core/edit/verify.js';
import { problemsOf } from '../support/problems.js';

const tagOnly: EditExpectation = {
  allowed: (p: (string | number)[]) => p.join('.') === 'image.tag',
  target: ['image', 'tag'],
  values: ['v2'],
};

describe('verifyEdit', () => {
  it('accepts the target changed to the value written, and alias copies of an anchored target', () => {
    expect(() => verifyEdit('image:\n  tag: v1\n', 'image:\n  tag: v2\n', tagOnly, 'x')).not.toThrow();
    const anchored = 'image:\n  tag: &t v1\nsidecar:\n  tag: *t\n';
    expect(() => verifyEdit(anchored, anchored.replace('&t v1', '&t v2'), tagOnly, 'x')).not.toThrow();
  });

  it('refuses another key changing, a key appearing, a type the 1.1 reader sees differently, a broken file', () => {
    const codes = (before: string, after: string, expect: EditExpectation = tagOnly) =>
      problemsOf(() => verifyEdit(before, after, expect, 'x')).map((p) => p.message);
    expect(codes('image:\n  tag: v1\nx: 1\n', 'image:\n  tag: v2\nx: 2\n')[0]).toMatch(
      /as YAML 1\.2, x changes from number 1 to number 2/,
    );
    expect(codes('image:\n  tag: v1\n', 'image:\n  tag: v2\n  privileged: true\n')[0]).toMatch(/image\.privileged/);
    expect(codes('image:\n  tag: v1\n', 'image:\n  tag: off\n', { ...tagOnly, values: ['off'] })[0]).toMatch(
      /as YAML 1\.1, image\.tag reads as boolean false/,
    );
    expect(codes('image:\n  tag: v1\n', 'image:\n  tag: [v2\n')[0]).toMatch(/no longer parses as YAML 1\.2/);
    const regex = { allowed: () => true, values: ['v2'], contains: true, maxChanges: 1 };
    expect(codes('a: x-v1\nb: y-v1\n', 'a: x-v2\nb: y-v2\n', regex)[0]).toMatch(
      /2 values change \(a, b\) where the edit wrote 1/,
    );
  });

  it('does not judge a file that was not YAML before (a Helm template edited by a regex)', () => {
    const template = 'image: {{ .Values.image }}:v1\n{{- if .Values.x }}\n';
    expect(() =>
      verifyEdit(template, template.replace('v1', 'v2'), { allowed: () => true, values: ['v2'], contains: true }, 'x'),
    ).not.toThrow();
  });

  it('dataChanges lists leaves, with subtrees that appear leaf by leaf', () => {
    expect(dataChanges([{ a: 1, b: { c: 2 } }], [{ a: 1, b: { c: 3, d: [4] } }]).map((c) => c.path.join('.'))).toEqual([
      '0.b.c',
      '0.b.d.0',
    ]);
  });
});

describe('readBoth (one parse, both readings)', () => {
  it('reads each version exactly as readData does, errors included', () => {
    const samples = [
      '',
      '# only a comment\n',
      'image:\n  tag: v1\n',
      'a: yes\nb: on\nc: 0777\nd: 1_000\ne: 2001-12-14\n',
      'base: &b { x: 1 }\nuse:\n  <<: *b\n  y: 2\n',
      'a: 1\na: 2\n',
      '--- one\n--- [two]\n...\n',
      'image:\n  tag: [v2\n',
      'a: *missing\n',
      '%YAML 1.1\n---\nx: y\n',
      'k: "unterminated\n',
    ];
    for (const text of samples) {
      const both = readBoth(text);
      expect(both['1.2'], text).toEqual(readData(text, '1.2'));
      expect(both['1.1'], text).toEqual(readData(text, '1.1'));
    }
  });
});
