import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editRegex, namedGroups } from '../../core/edit/regex.js';
import { problemsOf } from '../support/problems.js';

const p = (source: string, flags = '', label = 'test') => ({ source, flags, label });
const vars = { docker_image_tag: '2.0.0', git_branch: 'main' };

describe('namedGroups', () => {
  it('finds named groups, skipping escapes, classes and lookbehinds', () => {
    expect(namedGroups(String.raw`(?<a>x)\(?<no>y)[(?<no2>]`)).toEqual(['a']);
    expect(namedGroups('(?<=x)(?<!y)(?<b>z)(?<c_1>w)')).toEqual(['b', 'c_1']);
  });
});

describe('editRegex', () => {
  it('replaces only the captured span, all matches, and not the same text elsewhere', () => {
    const text = 'imageTag: "1.0.0"\n# old was 1.0.0\nother: 1.0.0\nimageTag: "1.0.0" # again\n';
    const r = editRegex(text, [p('imageTag: "(?<docker_image_tag>[^"]*)"')], vars);
    expect(r.text).toBe('imageTag: "2.0.0"\n# old was 1.0.0\nother: 1.0.0\nimageTag: "2.0.0" # again\n');
    expect(r.spans.map((s) => [s.line, s.before, s.after])).toEqual([
      [1, '1.0.0', '2.0.0'],
      [4, '1.0.0', '2.0.0'],
    ]);
  });

  it('does not corrupt text the old action would (whole-line string replace)', () => {
    // The old action replaced the old value inside the matched line, then that line everywhere in the file.
    const text = 'a: "x"  tag: "x"\n';
    const r = editRegex(text, [p('tag: "(?<docker_image_tag>[^"]*)"')], vars);
    expect(r.text).toBe('a: "x"  tag: "2.0.0"\n');
  });

  it('inserts hostile values literally', () => {
    for (const value of ['$&', '$1', '$$', "$'", '$`', '\\1', 'a\\\\b', '$<docker_image_tag>']) {
      const r = editRegex('tag: "old"\n', [p('tag: "(?<docker_image_tag>[^"]*)"')], { docker_image_tag: value });
      expect(r.text).toBe(`tag: "${value}"\n`);
    }
  });

  it('replaces an empty captured span', () => {
    const r = editRegex('tag: ""\n', [p('tag: "(?<docker_image_tag>[^"]*)"')], vars);
    expect(r.text).toBe('tag: "2.0.0"\n');
    expect(r.spans[0]?.before).toBe('');
  });

  it('edits several groups in one match and applies patterns in order', () => {
    const text = 'tag: "a" branch: "b"\n';
    const r = editRegex(
      text,
      [p('tag: "(?<docker_image_tag>[^"]*)" branch: "(?<git_branch>[^"]*)"'), p('tag: "(?<git_branch>T)"')],
      { docker_image_tag: 'T', git_branch: 'main' },
    );
    // The second pattern sees the text the first produced.
    expect(r.text).toBe('tag: "main" branch: "main"\n');
    expect(r.unmatched).toEqual([]);
  });

  it('reports patterns that matched nothing', () => {
    const r = editRegex('nothing here\n', [p('tag: (?<docker_image_tag>\\S+)', '', 'docker_image_tag_regex')], vars);
    expect(r.text).toBe('nothing here\n');
    expect(r.unmatched).toEqual(['docker_image_tag_regex']);
  });

  it('leaves spans the guard vetoes', () => {
    const r = editRegex(
      't: 1\nt: 3\n',
      [p('t: (?<docker_image_tag>\\d)')],
      { docker_image_tag: '2' },
      {
        shouldReplace: (c) => c.before < c.after,
      },
    );
    expect(r.text).toBe('t: 2\nt: 3\n');
  });

  it('rejects a group naming no variable', () => {
    const problems = problemsOf(() => editRegex('x', [p('(?<git_brach>.*)')], vars));
    expect(problems[0]?.code).toBe('edit/unknown-variable');
    expect(problems[0]?.message).toContain('git_brach');
  });

  it('rejects a regex that does not compile, naming its label', () => {
    const problems = problemsOf(() => editRegex('x', [p('(?P<docker_image_tag>.*)', '', 'mapping-1')], vars));
    expect(problems[0]?.code).toBe('edit/regex-invalid');
    expect(problems[0]?.message).toContain('mapping-1');
  });

  it('rejects nested named groups', () => {
    const problems = problemsOf(() => editRegex('ab', [p('(?<docker_image_tag>a(?<git_branch>b))')], vars));
    expect(problems[0]?.code).toBe('edit/regex-overlapping-groups');
  });

  it('rejects a pattern whose whole match is empty', () => {
    expect(problemsOf(() => editRegex('abc', [p('x*(?<docker_image_tag>)')], vars))[0]?.code).toBe(
      'edit/regex-empty-match',
    );
  });

  it('rejects a pattern without any named group', () => {
    expect(problemsOf(() => editRegex('x', [p('x')], vars))[0]?.code).toBe('edit/regex-no-group');
  });

  it('property: any OCI tag round-trips and no byte outside the span changes', () => {
    const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,40}$/);
    const filler = fc.string({ unit: fc.constantFrom('a', ' ', '\n', '"', '#', '$', '\\', ':', '1') });
    fc.assert(
      fc.property(filler, tag, tag, filler, (head, old, next, tail) => {
        const safeHead = head.replace(/imageTag/g, '');
        const safeTail = tail.replace(/imageTag/g, '');
        const text = `${safeHead}\nimageTag: "${old}"\n${safeTail}`;
        const r = editRegex(text, [p('imageTag: "(?<docker_image_tag>[^"]*)"')], { docker_image_tag: next });
        expect(r.text).toBe(`${safeHead}\nimageTag: "${next}"\n${safeTail}`);
      }),
    );
  });
});
