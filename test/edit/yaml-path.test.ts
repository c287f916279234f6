import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { editYamlPath } from '../../core/edit/yaml-path.js';
import { parseYamlPath } from '../../core/edit/yaml-source.js';
import { hasControlCharacter } from '../../core/oci.js';
import { problemsOf } from '../support/problems.js';

const edit = (text: string, path: string, value: string, create = false) =>
  editYamlPath(text, { path, variable: 'docker_image_tag', create }, { docker_image_tag: value });

const commented = `# Default values for myapp.
# This is a YAML-formatted file.

replicaCount: 1   # keep it small

image:
  repository: ghcr.io/org/app   # where
  # the tag is set by CI
  tag: 1.0.0-dev  # comment after

  pullPolicy: IfNotPresent
"a.b":
  c: 'old'
images:
  - name: one
    tag: "v1"
  - {name: two, tag: v2}
`;

describe('parseYamlPath', () => {
  it('parses keys, indexes and quoted keys', () => {
    expect(parseYamlPath('image.tag')).toEqual(['image', 'tag']);
    expect(parseYamlPath('images[0].tag')).toEqual(['images', 0, 'tag']);
    expect(parseYamlPath('"a.b".c')).toEqual(['a.b', 'c']);
    expect(parseYamlPath("'it''s'.x[2][3]")).toEqual(["it's", 'x', 2, 3]);
  });
  it('rejects malformed paths', () => {
    for (const bad of ['', 'a.', 'a..b', 'a[x]', '"a', 'a]']) {
      expect(problemsOf(() => parseYamlPath(bad))[0]?.code).toBe('edit/yaml-path-invalid');
    }
  });
});

describe('editYamlPath', () => {
  it('changes only the scalar, keeping comments, blank lines and order', () => {
    const r = edit(commented, 'image.tag', '2.0.0-dev');
    expect(r.text).toBe(commented.replace('tag: 1.0.0-dev  #', 'tag: 2.0.0-dev  #'));
    expect(r.spans).toEqual([
      { variable: 'docker_image_tag', before: '1.0.0-dev', after: '2.0.0-dev', line: 9, locator: 'image.tag' },
    ]);
  });

  it('keeps quoting style, edits list items and quoted keys, and flow maps', () => {
    expect(edit(commented, 'images[0].tag', 'v9').text).toBe(commented.replace('tag: "v1"', 'tag: "v9"'));
    expect(edit(commented, '"a.b".c', "it's").text).toBe(commented.replace("c: 'old'", "c: 'it''s'"));
    expect(edit(commented, 'images[1].tag', 'v3').text).toBe(commented.replace('tag: v2}', 'tag: v3}'));
  });

  it('quotes a plain value that would otherwise not read back as a string', () => {
    for (const value of ['1e3', 'true', '0123', 'null', '1.10', '0x1F', 'yes_no'.slice(0, 0) || '~']) {
      const r = edit('image:\n  tag: abc\n', 'image.tag', value);
      expect(r.text).toBe(`image:\n  tag: "${value}"\n`);
      expect(parseDocument(r.text).getIn(['image', 'tag'])).toBe(value);
    }
  });

  it('writes a string over an old plain number (decision: tags are strings)', () => {
    expect(edit('tag: 1.2\n', 'tag', '1.3').text).toBe('tag: "1.3"\n');
    // The same digits as a number are not the string: quoted once, then left alone.
    expect(edit('tag: 1.2\n', 'tag', '1.2').text).toBe('tag: "1.2"\n');
    expect(edit('tag: "1.2"\n', 'tag', '1.2').spans).toEqual([]);
    expect(edit('tag: null\n', 'tag', 'null').text).toBe('tag: "null"\n');
  });

  it('quotes inside flow collections when `,` or `}` would break plain text', () => {
    const r = edit('i: {tag: a, x: 1}\n', 'i.tag', 'a,b');
    expect(r.text).toBe('i: {tag: "a,b", x: 1}\n');
  });

  it('keeps CRLF, a BOM and a missing final newline', () => {
    const text = '\uFEFF# c\r\nimage:\r\n  tag: old # x\r\n  other: 1';
    expect(edit(text, 'image.tag', 'new').text).toBe('\uFEFF# c\r\nimage:\r\n  tag: new # x\r\n  other: 1');
    expect(edit(text, 'image.other', 'z').text).toBe('\uFEFF# c\r\nimage:\r\n  tag: old # x\r\n  other: z');
  });

  it('edits an anchored scalar in place, keeping the anchor', () => {
    const text = 'base: &tag 1.0.0\nimage:\n  tag: *tag\n';
    expect(edit(text, 'base', '2.0.0').text).toBe('base: &tag 2.0.0\nimage:\n  tag: *tag\n');
    expect(problemsOf(() => edit(text, 'image.tag', '2'))[0]?.code).toBe('edit/yaml-alias');
  });

  it('fills an empty value', () => {
    expect(edit('image:\n  tag:\n  x: 1\n', 'image.tag', 'v1').text).toBe('image:\n  tag: v1\n  x: 1\n');
  });

  it('rejects block scalars, maps and missing paths', () => {
    expect(problemsOf(() => edit('tag: |\n  x\n', 'tag', 'v'))[0]?.code).toBe('edit/yaml-block-scalar');
    expect(problemsOf(() => edit('image:\n  tag: 1\n', 'image', 'v'))[0]?.code).toBe('edit/yaml-not-scalar');
    const missing = problemsOf(() => edit('image:\n  repo: x\n', 'image.tag', 'v'))[0];
    expect(missing?.code).toBe('edit/yaml-path-not-found');
    expect(missing?.message).toContain('create: true');
    expect(problemsOf(() => edit('a: [\n', 'a', 'v'))[0]?.code).toBe('edit/yaml-invalid');
  });

  it('multi-document files: edits the one document holding the path, refuses ambiguity', () => {
    const text = 'kind: A\n---\nimage:\n  tag: old\n---\nkind: C\n';
    expect(edit(text, 'image.tag', 'new').text).toBe(text.replace('old', 'new'));
    expect(problemsOf(() => edit('tag: a\n---\ntag: b\n', 'tag', 'c'))[0]?.code).toBe('edit/yaml-ambiguous');
  });

  it('creates missing keys with create: true, indented like their siblings', () => {
    expect(edit('image:\n    repository: x # c\nother: 1\n', 'image.tag', 'v1', true).text).toBe(
      'image:\n    repository: x # c\n    tag: v1\nother: 1\n',
    );
    expect(edit('a: 1\r\n', 'image.tag', 'true', true).text).toBe('a: 1\r\nimage:\r\n  tag: "true"\r\n');
    expect(edit('a: 1', 'b', 'v', true).text).toBe('a: 1\nb: v');
    expect(edit('', 'image.tag', 'v', true).text).toBe('image:\n  tag: v\n');
    expect(edit('# only a comment\n', 'tag', 'v', true).text).toBe('# only a comment\ntag: v\n');
    expect(problemsOf(() => edit('a: {b: 1}\n', 'a.c', 'v', true))[0]?.code).toBe('edit/yaml-create-unsupported');
    expect(problemsOf(() => edit('a: []\n', 'a[0]', 'v', true))[0]?.code).toBe('edit/yaml-create-unsupported');
  });

  it('property: any single-line string round-trips as a string, in block and flow context and every quote style', () => {
    const value = fc
      .string({
        unit: fc.oneof(
          fc.constantFrom(
            '$&',
            '$1',
            '\\',
            '"',
            "'",
            ': ',
            ' #',
            '#',
            '-',
            '*',
            '&',
            '!',
            '%',
            '@',
            '`',
            '{',
            '}',
            '[',
            ']',
            ',',
            '?',
            '|',
            '>',
            ' ',
            '~',
          ),
          fc.string({ minLength: 1, maxLength: 1 }),
        ),
        maxLength: 12,
      })
      .filter((v) => !hasControlCharacter(v));
    const shape = fc.constantFrom(
      ['a:\n  tag: old\nb: 1\n', 'a.tag'],
      ["a:\n  tag: 'old'\nb: 1\n", 'a.tag'],
      ['a:\n  tag: "old"\nb: 1\n', 'a.tag'],
      ['a: {tag: old, x: 1}\n', 'a.tag'],
      ['a: [old, x]\n', 'a[0]'],
      ['- tag: old # c\n', '[0].tag'],
    );
    fc.assert(
      fc.property(value, shape, (v, [text, path]) => {
        const r = editYamlPath(text, { path, variable: 'branch', create: false }, { branch: v });
        const doc = parseDocument(r.text);
        expect(doc.errors).toEqual([]);
        expect(doc.getIn(parseYamlPath(path))).toBe(v);
      }),
      { numRuns: 500 },
    );
  });

  it('property: any valid tag round-trips and no byte outside the scalar changes', () => {
    const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
    const style = fc.constantFrom('plain', 'single', 'double');
    const eol = fc.constantFrom('\n', '\r\n');
    const comment = fc.constantFrom('', '  # a comment', ' #x');
    fc.assert(
      fc.property(tag, style, eol, comment, fc.boolean(), (value, s, nl, c, bom) => {
        const old = s === 'plain' ? 'old-1' : s === 'single' ? "'old-1'" : '"old-1"';
        const head = `${bom ? '\uFEFF' : ''}# values${nl}anchor: &a x${nl}image:${nl}  repository: r${nl}  tag: `;
        const tail = `${c}${nl}  # after${nl}ref: *a${nl}list: [1, 2]`;
        const r = edit(head + old + tail, 'image.tag', value);
        expect(r.text.startsWith(head)).toBe(true);
        expect(r.text.endsWith(tail)).toBe(true);
        const written = r.text.slice(head.length, r.text.length - tail.length);
        const doc = parseDocument(r.text.replace(/^\uFEFF/, ''));
        expect(doc.getIn(['image', 'tag'])).toBe(value);
        if (s === 'single') expect(written).toBe(`'${value}'`);
        if (s === 'double') expect(written).toBe(`"${value}"`);
        if (s === 'plain') expect([value, `"${value}"`]).toContain(written);
      }),
      { numRuns: 300 },
    );
  });
});
