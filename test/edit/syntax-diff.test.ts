import { describe, expect, it } from 'vitest';
import { changedScalars } from '../../core/edit/syntax-diff.js';
import { type EditExpectation, shownBySyntax, verifyEdit } from '../../core/edit/verify.js';
import { editYamlPath } from '../../core/edit/yaml-path.js';
import { yamlTokens } from '../../core/edit/yaml-source.js';
import { compareShortcut, emptyTally } from '../support/splice-cases.js';

/** Shapes the shortcut must either see through or leave to the full reading. */
const FIXTURES: Record<string, string> = {
  helm: `# values
replicaCount: 2  # scaled
image:
  repository: ghcr.io/org/app
  # the tag
  tag: "1.0.0"
  pullPolicy: IfNotPresent
resources:
  limits: {cpu: 500m, memory: 256Mi}
ingress:
  hosts:
    # a comment item
    - host: a.example.com
      paths: [/, /api]
    - host: 'b.example.com'
`,
  anchors: `base: &b
  tag: v1
  pull: Always
other:
  <<: *b
  tag: v2
shared: &s v3
copy: *s
inline:
  <<: {tag: v4}
  name: x
`,
  mergeWithoutAlias: `merged:
  <<:
    tag: v5
  name: y
`,
  versionKeys: `on: push
1: one
0x1F: hex
yes: y
"quoted": q
? explicit
: value
dup: a
dup: b
`,
  tags: `tag: !!str 1.0
other: !custom x
bin: !!binary aGk=
`,
  documents: `%YAML 1.1
---
image: {tag: v1}
---
image:
  tag: v1
...
--- plain root
`,
  crlf: 'image:\r\n  tag: v1\r\n  list:\r\n  - a\r\n  - "b"\r\n',
  kustomize: `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
  - name: ghcr.io/org/app
    newTag: 1.0.0
  - name: other
    newName: x
    digest: sha256:abc
`,
  blockScalars: `script: |
  echo hi
folded: >-
  a
  b
after: v1
multi: a
  b
`,
};

describe('the read-back shortcut (lexical tokens instead of four readings)', () => {
  it('never lets through an edit the four readings refuse, on every hostile splice of every fixture', () => {
    const tally = emptyTally();
    for (const [name, text] of Object.entries(FIXTURES)) compareShortcut(name, text, tally);
    expect(tally.wrong).toEqual([]);
    // Teeth: most splices are ones the readings refuse, and the shortcut still decides some of the rest.
    console.log(
      `shortcut: ${tally.cases} cases, ${tally.shown} shown; of ${tally.sampled} others read, ${tally.refusedByReading} refused`,
    );
    expect(tally.refusedByReading).toBeGreaterThan(tally.sampled / 2);
    expect(tally.shown).toBeGreaterThan(200);
  });

  it("sees through the editors' own edits of a values file and a kustomization", () => {
    const before = FIXTURES.helm!;
    for (const value of ['v2.0.0', 'off', '1.10']) {
      const result = editYamlPath(before, { path: 'image.tag', variable: 'tag', create: false }, { tag: value });
      const expectTag: EditExpectation = { allowed: (p) => p.join('.') === 'image.tag', values: [value] };
      expect(shownBySyntax(before, result.text, expectTag)).toBe(true);
      expect(changedScalars(before, result.text)).toEqual([{ path: ['image', 'tag'], after: value }]);
    }
    const seq = FIXTURES.helm!.replace("'b.example.com'", "'c.example.com'");
    yamlTokens(FIXTURES.helm!);
    expect(changedScalars(FIXTURES.helm!, seq)).toEqual([
      { path: ['ingress', 'hosts', 1, 'host'], after: 'c.example.com' },
    ]);
  });

  it('leaves to the full reading: keys, flow collections, anchors, tags, `on`-like keys, line breaks, numbers', () => {
    const leftAlone = (before: string, after: string) => {
      yamlTokens(before);
      return changedScalars(before, after);
    };
    expect(leftAlone('image:\n  tag: v1\n', 'image:\n  tog: v1\n')).toBeUndefined();
    expect(leftAlone('image: {tag: v1}\n', 'image: {tag: v2}\n')).toBeUndefined();
    expect(leftAlone('a: &x v1\nb: *x\n', 'a: &x v2\nb: *x\n')).toBeUndefined();
    expect(leftAlone('a: !!str v1\n', 'a: !!str v2\n')).toBeUndefined();
    expect(leftAlone('on:\n  tag: v1\n', 'on:\n  tag: v2\n')).toBeUndefined();
    expect(leftAlone('<<:\n  tag: v1\n', '<<:\n  tag: v2\n')).toBeUndefined();
    expect(leftAlone('a: "v1"\n', 'a: "v2\n  x"\n')).toBeUndefined();
    expect(leftAlone('a: v1\n', 'a: 2\n')).toBeUndefined();
    expect(leftAlone('a: v1\n', 'a: v1 # c\n')).toBeUndefined();
    // And the check as a whole still refuses what the readings refuse.
    expect(() =>
      verifyEdit('a: v1\nb: 1\n', 'a: v2\nb: 2\n', { allowed: () => true, values: ['v2'], maxChanges: 1 }, 'x'),
    ).toThrow(/2 values change/);
  });
});
