/**
 * The editors against real YAML nobody here wrote: every targeted file of ../shared/corpus/real-yaml (a folder a
 * user's clone does not have, so this is not part of `npm test`; run it with `npm run check:corpus`).
 *
 * For each file, pass 1 edits targets[0] and pass 2 edits targets[1] of the result, with values that need quoting
 * under one YAML version or the other. Each edit must either be exact, judged here independently of the editors'
 * own check (the data, read as YAML 1.2 and as YAML 1.1, is the original with only the target set; every line
 * outside one changed region is byte-identical; line endings, BOM and final newline are kept), or be refused with
 * a clear error. Files with no target (bystanders) must be refused by an edit of a path they lack.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { editFile } from '../../core/plan/planner.js';
import type { FileUpdate } from '../../core/rules/model.js';
import { inexactEdit } from '../support/yaml-oracle.js';

const corpus = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus/real-yaml');
const present = existsSync(join(corpus, 'manifest.json'));

interface Target {
  segments?: (string | number)[];
  yamlPath?: string;
  create?: boolean;
  image?: string;
}
interface Entry {
  id: string;
  kind: string;
  file: string;
  features: string[];
  targets?: Target[];
}

/** Tags that read as something else under YAML 1.2 or 1.1 when plain, and ordinary ones. */
const VALUES = ['v3.1.0', '1.10', 'off', 'yes', '2024-01-01', '1e3', '0123', '1_000', '0b101', 'sha-4f2a9c1'];

function updateFor(target: Target): FileUpdate {
  if (target.image !== undefined)
    return { files: ['x'], globDialect: 'native', edit: { kind: 'kustomize-image', image: target.image } };
  return {
    files: ['x'],
    globDialect: 'native',
    edit: { kind: 'yaml-path', path: target.yamlPath!, variable: 'docker_image_tag', create: target.create === true },
  };
}

describe.skipIf(!present)('real YAML from ../shared/corpus (editors edit exactly or refuse)', () => {
  const manifest: { files: Entry[] } = present
    ? JSON.parse(readFileSync(join(corpus, 'manifest.json'), 'utf8'))
    : { files: [] };

  it('every targeted file is edited exactly or refused with a clear error; untargeted files are untouched', () => {
    const tally = { exact: 0, refused: 0, wrong: 0, files: 0 };
    const refusals = new Map<string, number>();
    const wrong: string[] = [];
    for (const entry of manifest.files) {
      const original = readFileSync(join(corpus, 'files', entry.file), 'utf8');
      tally.files++;
      if (!entry.targets) {
        try {
          const result = editFile(
            updateFor({ yamlPath: 'gitopsDispatchAbsent.tag', segments: [] }),
            entry.file,
            original,
            { docker_image_tag: 'v1' },
          );
          if (result.text !== original) wrong.push(`${entry.id}: bystander changed`);
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
        }
        continue;
      }
      for (const value of VALUES) {
        let text = original;
        for (const target of entry.targets) {
          try {
            const result = editFile(updateFor(target), entry.file, text, { docker_image_tag: value });
            const why = inexactEdit(
              text,
              result.text,
              'image' in target && target.image !== undefined
                ? { image: target.image }
                : { segments: target.segments!, create: target.create },
              value,
            );
            if (why) {
              tally.wrong++;
              wrong.push(`${entry.id} ${entry.file} ${JSON.stringify(target)} ${JSON.stringify(value)}: ${why}`);
            } else tally.exact++;
            text = result.text;
          } catch (error) {
            if (!(error instanceof UserError)) throw error;
            tally.refused++;
            const code = `${error.problems[0]!.code}: ${error.problems[0]!.message.slice(0, 90)}`;
            refusals.set(`${entry.id} ${code}`, (refusals.get(`${entry.id} ${code}`) ?? 0) + 1);
          }
        }
      }
    }
    console.log(
      `corpus: ${tally.files} files, ${tally.exact} edits exact, ${tally.refused} refused, ${tally.wrong} wrong (${VALUES.length} values x 2 passes per targeted file)`,
    );
    for (const [what, n] of refusals) console.log(`  refused x${n}: ${what}`);
    for (const w of wrong.slice(0, 40)) console.log(`  WRONG ${w}`);
    expect(wrong).toEqual([]);
  });
});
