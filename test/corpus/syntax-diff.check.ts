/**
 * The read-back's syntax shortcut against the full reading, on real YAML nobody here wrote: hostile splices of
 * scalars spread over every file of ../shared/corpus/real-yaml (absent from a user's clone: `npm run check:corpus`).
 * The shortcut may let through only what the four readings let through.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareShortcut, emptyTally } from '../support/splice-cases.js';

const corpus = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus/real-yaml');
const present = existsSync(join(corpus, 'manifest.json'));
// Each splice parses the whole file again: a sample of scalars and of the splices keeps this about a minute.
const SCALARS_PER_FILE = 8;
const RAWS = ['v2.0.0', '"v2.0.0"', 'off', '1.10', 'x #c', 'a: b', '*ref', '<<', "'it''s'", '"\\q"'];

describe.skipIf(!present)('read-back shortcut on ../shared/corpus', () => {
  it('lets through no hostile splice that the four readings refuse', () => {
    const manifest: { files: { id: string; file: string }[] } = JSON.parse(
      readFileSync(join(corpus, 'manifest.json'), 'utf8'),
    );
    const tally = emptyTally();
    for (const entry of manifest.files) {
      const text = readFileSync(join(corpus, 'files', entry.file), 'utf8');
      compareShortcut(entry.id, text, tally, SCALARS_PER_FILE, RAWS);
    }
    console.log(
      `corpus shortcut: ${manifest.files.length} files, ${tally.cases} splices, ${tally.shown} shown; of ${tally.sampled} others read, ${tally.refusedByReading} refused`,
    );
    expect(tally.wrong).toEqual([]);
    expect(tally.shown).toBeGreaterThan(0);
  });
});
