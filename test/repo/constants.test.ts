/** Values that must be the same wherever they appear: one constant in code, and the files that repeat it agree. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_EVENT_TYPE } from '../../core/payload/model.js';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('one value each', () => {
  it("dispatch-action's event-type default is the event type the generator and the payload model use", () => {
    expect(parse(read('dispatch-action/action.yml')).inputs['event-type'].default).toBe(DEFAULT_EVENT_TYPE);
  });

  it('every actions/checkout pin in the project is the same commit and version', () => {
    const files = [
      'receive-action/action.yml',
      'generator/src/render.ts',
      '.github/workflows/ci.yml',
      '.github/workflows/check-dist.yml',
    ];
    const pins = new Set(
      files.flatMap((f) =>
        [...read(f).matchAll(/actions\/checkout@([0-9a-f]{40}) # (v[\d.]+)/g)].map((m) => `${m[1]} ${m[2]}`),
      ),
    );
    expect([...pins]).toHaveLength(1);
  });
});
