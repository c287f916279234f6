/** Builds client_payload v1 as an object; it is serialised exactly once, by serialize.ts. */
import type { ProblemList } from '../errors.js';
import { type ClientPayloadV1, type PayloadSource, RESERVED_KEYS } from './model.js';
import { pathsWithLoneSurrogates, show } from './validate.js';

export interface PayloadFields {
  dockerImageTag: string;
  gitBranch?: string;
  commitMessage?: string;
  /** Omitted from the payload when empty. */
  image?: string;
  /** Omitted from the payload when empty. */
  digest?: string;
  source?: PayloadSource;
}

/** Where each reserved key comes from, to name the right input in problems. */
const INPUT_OF: Record<string, string> = {
  docker_image_tag: 'image-tag',
  git_branch: 'git-branch',
  commit_message: 'commit-message',
  image: 'image',
  digest: 'digest',
};

/**
 * Reserved keys first (in contract order), then the user's keys in their order. A user key that names a reserved
 * key is a problem: silently letting either side win would send a tag or branch the user did not mean.
 */
export function buildClientPayload(
  fields: PayloadFields,
  userKeys: Record<string, unknown>,
  problems: ProblemList,
  userInput = 'client-payload',
): ClientPayloadV1 {
  const entries: [string, unknown][] = [['docker_image_tag', fields.dockerImageTag]];
  if (fields.gitBranch !== undefined) entries.push(['git_branch', fields.gitBranch]);
  if (fields.commitMessage !== undefined) entries.push(['commit_message', fields.commitMessage]);
  if (fields.image) entries.push(['image', fields.image]);
  if (fields.digest) entries.push(['digest', fields.digest]);
  if (fields.source) entries.push(['source', fields.source]);

  const clashes = Object.keys(userKeys).filter((key) => (RESERVED_KEYS as readonly string[]).includes(key));
  for (const key of clashes) {
    const from = INPUT_OF[key];
    problems.add({
      code: 'payload/reserved-key',
      input: userInput,
      message: `Input '${userInput}' sets key ${show(key)}, which the action writes itself${from ? ` (from input '${from}')` : ''}; remove it from '${userInput}'${from ? ` and use '${from}'` : ''}. Reserved keys: ${RESERVED_KEYS.join(', ')}`,
    });
  }
  for (const [key, value] of Object.entries(userKeys)) {
    if (!clashes.includes(key)) entries.push([key, value]);
  }

  for (const [key, value] of entries) {
    const input = INPUT_OF[key] ?? userInput;
    for (const path of pathsWithLoneSurrogates(value, `/${key}`)) {
      problems.add({
        code: 'payload/lone-surrogate',
        input,
        message: `Input '${input}' has an unpaired UTF-16 surrogate at client_payload${path}; it has no UTF-8 form and would not arrive as sent. Expected well-formed Unicode text`,
      });
    }
    if (pathsWithLoneSurrogates(key).length > 0 && input === userInput) {
      problems.add({
        code: 'payload/lone-surrogate',
        input,
        message: `Input '${input}' has a key with an unpaired UTF-16 surrogate (${show(key)}); expected well-formed Unicode text`,
      });
    }
  }
  // Object.fromEntries defines own properties, so a user key "__proto__" stays an ordinary key.
  return Object.fromEntries(entries) as ClientPayloadV1;
}
