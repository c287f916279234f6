import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { editKustomizeImage } from '../../core/edit/kustomize.js';
import { problemsOf } from '../support/problems.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

const base = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base # shared
images:
  # the app
  - name: ghcr.io/org/app
    newName: registry.local/org/app   # mirrored
    newTag: "1.0.0"
  - name: other
    newTag: keep
`;

describe('editKustomizeImage', () => {
  it('sets newTag on the matching entry, keeping newName and comments', () => {
    const r = editKustomizeImage(base, 'ghcr.io/org/app', { docker_image_tag: '2.0.0' });
    expect(r.text).toBe(base.replace('newTag: "1.0.0"', 'newTag: "2.0.0"'));
    expect(r.spans).toEqual([
      {
        variable: 'docker_image_tag',
        before: '1.0.0',
        after: '2.0.0',
        line: 9,
        locator: 'images[name=ghcr.io/org/app].newTag',
      },
    ]);
  });

  it('adds digest when the dispatch has one', () => {
    const r = editKustomizeImage(base, 'ghcr.io/org/app', { docker_image_tag: '2.0.0', digest: DIGEST });
    expect(r.text).toBe(base.replace('newTag: "1.0.0"\n', `newTag: "2.0.0"\n    digest: ${DIGEST}\n`));
    expect(r.spans.map((s) => s.variable)).toEqual(['docker_image_tag', 'digest']);
  });

  it('appends a missing entry to images:', () => {
    const r = editKustomizeImage(base, 'new/app', { docker_image_tag: 'v1' });
    expect(r.text).toBe(`${base}  - name: new/app\n    newTag: v1\n`);
    expect(parseDocument(r.text).toJS().images[2]).toEqual({ name: 'new/app', newTag: 'v1' });
  });

  it('adds images: when missing, keeping CRLF and a missing final newline', () => {
    const text = 'kind: Kustomization\r\nresources:\r\n- a.yaml';
    const r = editKustomizeImage(text, 'app', { docker_image_tag: '1e3' });
    expect(r.text).toBe(`${text}\r\nimages:\r\n- name: app\r\n  newTag: "1e3"`);
    expect(parseDocument(r.text).toJS().images).toEqual([{ name: 'app', newTag: '1e3' }]);
  });

  it('fills an empty images: key', () => {
    const r = editKustomizeImage('images:\nkind: K\n', 'app', { docker_image_tag: 'v1' });
    expect(r.text).toBe('images:\n- name: app\n  newTag: v1\nkind: K\n');
  });

  it('adds newTag to an entry that has none', () => {
    const r = editKustomizeImage('images:\n- name: app\n  newName: x\n', 'app', { docker_image_tag: 'v1' });
    expect(r.text).toBe('images:\n- name: app\n  newName: x\n  newTag: v1\n');
  });

  it('rejects files that are not kustomizations and missing variables', () => {
    expect(problemsOf(() => editKustomizeImage('- a\n', 'app', { docker_image_tag: 'v' }))[0]?.code).toBe(
      'edit/kustomize-invalid',
    );
    expect(problemsOf(() => editKustomizeImage('images: 3\n', 'app', { docker_image_tag: 'v' }))[0]?.code).toBe(
      'edit/kustomize-invalid',
    );
    expect(problemsOf(() => editKustomizeImage(base, 'app', { git_branch: 'main' }))[0]?.code).toBe(
      'edit/unknown-variable',
    );
  });

  it('property: any tag round-trips and only the newTag span changes', () => {
    const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
    fc.assert(
      fc.property(tag, (value) => {
        const r = editKustomizeImage(base, 'other', { docker_image_tag: value });
        const head = base.slice(0, base.indexOf('newTag: keep') + 'newTag: '.length);
        const tail = '\n';
        expect(r.text.startsWith(head)).toBe(true);
        expect(r.text.endsWith(tail)).toBe(true);
        expect(parseDocument(r.text).toJS().images[1]).toEqual({ name: 'other', newTag: value });
      }),
      { numRuns: 200 },
    );
  });
});
