/**
 * Property: for any document with a target scalar (plain, quoted, empty, before a comment, in a flow map, CRLF, no
 * final newline, BOM) and any value the inputs accept, an edit either leaves data that reads, as YAML 1.2 and as
 * YAML 1.1, as the original with only the target changed (every other line byte-identical), or is refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { editFile } from '../../core/plan/planner.js';
import type { FileUpdate } from '../../core/rules/model.js';
import { inexactEdit } from '../support/yaml-oracle.js';

/** Tags YAML 1.1 or 1.2 reads as something else when plain, and any other OCI tag. */
const tagValue = fc.oneof(
  fc.constantFrom(
    'on',
    'off',
    'y',
    'n',
    'yes',
    'no',
    'true',
    'null',
    '1_000',
    '0b101',
    '0o17',
    '0x1F',
    '2024_01_15',
    '2024-01-01',
    '1e3',
    '0123',
    '1.10',
    '1:20',
    '.5',
    '12',
    'v1.2.3',
    '1.2.3-rc.1',
    'sha-4f2a9c1',
    '_',
    '9_9',
  ),
  fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,24}$/),
);

const oldValue = fc.constantFrom('1.0.0', "'1.0.0'", '"1.0.0"', '', '1.2', 'null', '~', "''", '""', 'off');
const comment = fc.constantFrom('', ' # the tag', '  #x', ' # @schema type:[string, null]');
const filler = fc.constantFrom(
  'replicas: 1',
  '# a comment',
  'name: app # why',
  'list:\n  - a\n  - b',
  'flow: {a: 1, b: [x, y]}',
  'on: off',
);

const documentWithTarget = fc
  .record({
    before: fc.array(filler, { maxLength: 3 }),
    after: fc.array(
      filler.filter((f) => f !== 'replicas: 1'),
      { maxLength: 3 },
    ),
    flow: fc.boolean(),
    old: oldValue,
    comment,
    crlf: fc.boolean(),
    finalNewline: fc.boolean(),
    bom: fc.boolean(),
  })
  .map(({ before, after, flow, old, comment, crlf, finalNewline, bom }) => {
    const target = flow
      ? `image: {repository: x, tag: ${old}}${comment}`
      : `image:\n  repository: x\n  tag: ${old}${comment}`;
    const unique = [...new Set([...before, ...after])];
    const lines = [...unique.slice(0, before.length), target, ...unique.slice(before.length)].join('\n');
    const eol = crlf ? '\r\n' : '\n';
    return `${bom ? '\uFEFF' : ''}${lines.replace(/\n/g, eol)}${finalNewline ? eol : ''}`;
  });

const update: FileUpdate = {
  files: ['values.yaml'],
  globDialect: 'native',
  edit: { kind: 'yaml-path', path: 'image.tag', variable: 'docker_image_tag', create: false },
};
const kustomize: FileUpdate = {
  files: ['k.yaml'],
  globDialect: 'native',
  edit: { kind: 'kustomize-image', image: 'app' },
};

describe('edits are exact or refused', () => {
  it('yaml-path, over generated documents and values', () => {
    let edited = 0;
    fc.assert(
      fc.property(documentWithTarget, tagValue, (text, value) => {
        let after: string;
        try {
          after = editFile(update, 'values.yaml', text, { docker_image_tag: value }).text;
        } catch (error) {
          if (error instanceof UserError) return; // refused: the planner writes nothing
          throw error;
        }
        edited++;
        expect(inexactEdit(text, after, { segments: ['image', 'tag'] }, value)).toBeUndefined();
      }),
      { numRuns: 400 },
    );
    // The property is about edits: most runs must be edits, not refusals.
    expect(edited).toBeGreaterThan(300);
  });

  it('kustomize-image newTag, over generated kustomizations and values', () => {
    const kustomization = fc
      .record({ old: oldValue, comment, crlf: fc.boolean(), finalNewline: fc.boolean(), flow: fc.boolean() })
      .map(({ old, comment, crlf, finalNewline, flow }) => {
        const entry = flow
          ? `  - {name: app, newTag: ${old}}${comment}`
          : `  - name: app\n    newTag: ${old}${comment}`;
        const text = `resources:\n  - deployment.yaml\nimages:\n${entry}\n  - name: other\n    newTag: "2"`;
        const eol = crlf ? '\r\n' : '\n';
        return `${text.replace(/\n/g, eol)}${finalNewline ? eol : ''}`;
      });
    fc.assert(
      fc.property(kustomization, tagValue, (text, value) => {
        let after: string;
        try {
          after = editFile(kustomize, 'k.yaml', text, { docker_image_tag: value }).text;
        } catch (error) {
          if (error instanceof UserError) return;
          throw error;
        }
        expect(inexactEdit(text, after, { image: 'app' }, value)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
