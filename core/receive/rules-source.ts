/** The rules of a run, from whichever of `rules`, `rules-file` or `mappings` was given. */
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, UserError } from '../errors.js';
import { isInside } from '../plan/source.js';
import type { Rule } from '../rules/model.js';
import { parseNativeRules } from '../rules/native.js';
import { parseSeedMappings } from '../rules/seed-dsl.js';
import type { RulesSource } from './model.js';

/**
 * Parses the rules. A `rules-file` is read from `root` (never outside it), or through `read` when the files come
 * from GitHub's API instead of a checkout.
 */
export async function loadRules(
  source: RulesSource,
  root: string,
  read?: (path: string) => Promise<string>,
): Promise<Rule[]> {
  switch (source.kind) {
    case 'rules':
      return parseNativeRules(source.text, 'rules');
    case 'mappings':
      return parseSeedMappings(source);
    case 'rules-file': {
      let text: string;
      try {
        if (read) text = await read(source.path);
        else {
          const real = await realpath(join(root, source.path));
          if (!isInside(await realpath(root), real)) throw new Error('it resolves outside the repository');
          text = await readFile(real, 'utf8');
        }
      } catch (error) {
        if (read && error instanceof UserError) throw error;
        throw new UserError({
          code: 'input/rules-file',
          input: 'rules-file',
          message: `Input 'rules-file' is ${JSON.stringify(source.path)}, which cannot be read (${errorMessage(error)}); expected a file in the repository`,
        });
      }
      return parseNativeRules(text, source.path);
    }
  }
}
