/**
 * The `kustomize-image` edit: in a kustomization's `images:` list, set `newTag` (and `digest` when the dispatch has
 * one) on the entry whose `name` matches, leaving `newName` and everything else as it was. A missing entry is
 * appended to the list, a missing `images:` key is added at the end of the file. Same splice discipline as
 * `yaml-path`: no re-stringifying.
 */
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import type { Variables } from '../rules/model.js';
import { type EditOptions, type EditResult, fail, lineAt, type SpanChange } from './model.js';
import { variableValue } from './yaml-path.js';
import { appendLines, columnAt, detectEol, parseYaml, renderScalar, scalarSplice, splice } from './yaml-source.js';

interface Located {
  root: YAMLMap | null;
  images: Node | null | undefined;
  imagesKeyOffset: number;
  entry: YAMLMap | undefined;
  doc: ReturnType<typeof parseYaml>[number] | undefined;
}

function locate(text: string, image: string): Located {
  const docs = parseYaml(text);
  if (docs.length > 1)
    fail('edit/yaml-ambiguous', `a kustomization is one YAML document; this file has ${docs.length}`);
  const doc = docs[0];
  const root = (doc?.contents as Node | null | undefined) ?? null;
  if (root !== null && !isMap(root)) fail('edit/kustomize-invalid', 'a kustomization must be a map at the top level');
  const pair = root?.items.find((p) => isScalar(p.key) && p.key.value === 'images');
  const images = pair ? ((pair.value as Node | null) ?? null) : undefined;
  const imagesKeyOffset = pair && isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
  let entry: YAMLMap | undefined;
  if (images && isSeq(images)) {
    for (const item of images.items) {
      if (!isMap(item)) continue;
      const name = item.get('name', true);
      if (isScalar(name) && String(name.value) === image) {
        entry = item;
        break;
      }
    }
  }
  return { root: root as YAMLMap | null, images, imagesKeyOffset, entry, doc };
}

export function editKustomizeImage(
  text: string,
  image: string,
  variables: Variables,
  options: EditOptions = {},
): EditResult {
  const what = `kustomize-image ${image}`;
  const fields: [string, string, string][] = [
    ['newTag', 'docker_image_tag', variableValue(variables, 'docker_image_tag', what)],
  ];
  if (variables.digest) fields.push(['digest', 'digest', variables.digest]);
  const eol = detectEol(text);
  let current = text;
  const spans: SpanChange[] = [];
  const quote = (v: string) => renderScalar(v, 'plain', false);

  const first = locate(current, image);
  const emptyImages = first.images === null || (isScalar(first.images) && first.images.value === null);
  if (first.images !== undefined && !emptyImages && !isSeq(first.images)) {
    fail('edit/kustomize-invalid', `images: must be a list of {name, newName, newTag, digest} entries`);
  }
  if (!first.entry) {
    // Add the entry (and `images:` when missing); every field is new.
    const entryLines = (indent: string) => [
      `${indent}- name: ${quote(image)}`,
      ...fields.map(([key, , value]) => `${indent}  ${key}: ${quote(value)}`),
    ];
    const candidates = fields.map(([key, variable, value]) => ({
      variable,
      before: '',
      after: value,
      line: 0,
      locator: `images[name=${image}].${key}`,
    }));
    if (options.shouldReplace && !candidates.every((c) => options.shouldReplace!(c))) return { text, spans: [] };
    let at: number;
    let insert: string;
    if (first.images === undefined) {
      ({ at, insert } = appendLines(current, first.root, (indent) => [`${indent}images:`, ...entryLines(indent)]));
    } else if (emptyImages) {
      // `images:` with no value: the list goes right after the colon, indented like the key.
      const indent = ' '.repeat(columnAt(current, first.imagesKeyOffset));
      const node = first.images as Node | null;
      at = node?.range ? node.range[0] : current.indexOf(':', first.imagesKeyOffset) + 1;
      insert = eol + entryLines(indent).join(eol);
    } else {
      ({ at, insert } = appendLines(current, first.images, entryLines));
    }
    current = splice(current, at, at, insert);
    const firstLine = lineAt(current, at + insert.indexOf('- name:'));
    candidates.forEach((c, i) => {
      spans.push({ ...c, line: firstLine + 1 + i });
    });
    return { text: current, spans };
  }

  for (const [key, variable, value] of fields) {
    const { entry, doc } = locate(current, image);
    const locator = `images[name=${image}].${key}`;
    const node = entry!.get(key, true) as Node | undefined;
    if (node !== undefined) {
      const s = scalarSplice(current, doc!, node, value, locator);
      if (s.insert === current.slice(s.start, s.end)) continue;
      const span = { variable, before: s.before, after: value, line: lineAt(current, s.start), locator };
      if (options.shouldReplace && !options.shouldReplace(span)) continue;
      current = splice(current, s.start, s.end, s.insert);
      spans.push(span);
    } else {
      const span = { variable, before: '', after: value, line: 0, locator };
      if (options.shouldReplace && !options.shouldReplace(span)) continue;
      const { at, insert } = appendLines(current, entry!, (indent) => [`${indent}${key}: ${quote(value)}`]);
      current = splice(current, at, at, insert);
      spans.push({ ...span, line: lineAt(current, at + insert.length) });
    }
  }
  return { text: current, spans };
}
