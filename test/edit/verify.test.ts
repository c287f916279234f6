import { describe, expect, it } from 'vitest';
import { dataChanges, type EditExpectation, readBoth, readData, verifyEdit } from '../../core/edit/verify.js';
import { parsedYaml, parseYaml, yamlTokens } from '../../core/edit/yaml-source.js';
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

  it('reads the same after the editor parsed the text (its YAML 1.2 documents are reused), and refuses the same', () => {
    const samples = [
      'image:\n  tag: v1\n',
      'a: yes\nb: on\nc: 0777\nd: 1_000\ne: 2001-12-14\nf: 0x1F\ng: .inf\nh: ~\n',
      'base: &b { x: 1 }\nuse:\n  <<: *b\n  y: 2\n',
      'anchored: &t v1\ncopy: *t\n',
      '--- one\n--- [two]\n...\n',
      '%YAML 1.1\n---\nx: y\n',
      's: !!str 123\nb: !!binary aGk=\nset: !!set { a, b }\n',
      'a: 1\na: 2\n', // the editor refuses duplicate keys; the check reads them as before
      'image:\n  tag: [v2\n',
    ];
    for (const text of samples) {
      yamlTokens('other: text\n'); // nothing of `text` remembered
      const fresh = readBoth(text);
      expect(fresh['1.2'], text).toEqual(readData(text, '1.2'));
      let parsed = true;
      try {
        parseYaml(text);
      } catch {
        parsed = false;
      }
      expect(parsedYaml(text) !== undefined, text).toBe(parsed);
      expect(readBoth(text), text).toEqual(fresh);
    }
    // A document the editor composed is not reused for another text.
    parseYaml('image:\n  tag: v1\n');
    expect(parsedYaml('image:\n  tag: v2\n')).toBeUndefined();
    expect(readBoth('image:\n  tag: v2\n')['1.2']).toEqual({ data: [{ image: { tag: 'v2' } }] });
    // Refusals do not depend on what the editor parsed before the check.
    const before = 'image:\n  tag: v1\nx: 1\n';
    parseYaml(before);
    expect(problemsOf(() => verifyEdit(before, 'image:\n  tag: v2\nx: 2\n', tagOnly, 'x'))[0]?.message).toMatch(
      /as YAML 1\.2, x changes from number 1 to number 2/,
    );
  });
});
