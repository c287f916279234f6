/** Checks the values an edit is about to write into a file. Only variables an edit actually writes are checked. */

import { namedGroups } from '../edit/regex.js';
import type { Problem } from '../errors.js';
import { isOciDigest, isOciTag, quoteVisibly, unsafeCharacter } from '../oci.js';
import type { Edit, Variables } from '../rules/model.js';

/** Names of the variables `edit` writes (present or not in this dispatch). */
export function writtenVariables(edit: Edit, variables: Variables): string[] {
  switch (edit.kind) {
    case 'regex':
      return [...new Set(edit.patterns.flatMap((p) => namedGroups(p.source)))];
    case 'yaml-path':
      return [edit.variable];
    case 'kustomize-image':
      return variables.digest ? ['docker_image_tag', 'digest'] : ['docker_image_tag'];
  }
}

/** A problem when `value` of `name` may not be written into a file, else undefined. */
export function checkValue(name: string, value: string): Problem | undefined {
  const shown = quoteVisibly(value);
  const unsafe = unsafeCharacter(value);
  if (unsafe !== undefined) {
    return {
      code: 'plan/invalid-value',
      message: `Variable '${name}' is ${shown}, which holds ${unsafe}; expected a single line without control, line-separator or bidirectional characters (it is written into a file)`,
    };
  }
  if (!value.isWellFormed()) {
    return {
      code: 'plan/invalid-value',
      message: `Variable '${name}' is ${shown}, which holds a lone UTF-16 surrogate; expected text that has a UTF-8 form (it is written into a file)`,
    };
  }
  if (name === 'docker_image_tag' && !isOciTag(value)) {
    return {
      code: 'plan/invalid-value',
      message: `Variable 'docker_image_tag' is ${shown}; expected a valid OCI tag: 1 to 128 characters of A-Z a-z 0-9 _ . -, not starting with . or -`,
    };
  }
  if (name === 'digest' && !isOciDigest(value)) {
    return {
      code: 'plan/invalid-value',
      message: `Variable 'digest' is ${shown}; expected sha256: followed by 64 lowercase hex digits`,
    };
  }
  return undefined;
}
