/** Checks of single input values. Each adds problems that name the input, show the value and the expected form. */
import type { ProblemList } from '../errors.js';
import { hasControlCharacter, isOciDigest, isOciTag, quoteVisibly } from '../oci.js';
import { LIMITS } from './model.js';

/** Shows a user value in a message: quoted, control characters escaped, long values cut. */
export function show(value: string, max = 80): string {
  const cut = [...value].length > max ? `${[...value].slice(0, max).join('')}…` : value;
  return quoteVisibly(cut);
}

/** GitHub owner and repository names: letters, digits, `-`, `_`, `.`; owners never start with `-`. */
const REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;

export function checkRepository(value: string, input: string, problems: ProblemList): void {
  if (!REPOSITORY.test(value) || value.endsWith('/.') || value.endsWith('/..')) {
    problems.add({
      code: 'input/repository',
      input,
      message: `Input '${input}' is ${show(value)}; expected owner/repo, e.g. myorg/myapp-gitops`,
    });
  }
}

export function checkEventType(value: string, input: string, problems: ProblemList): void {
  const chars = [...value].length;
  if (chars < 1 || chars > LIMITS.maxEventTypeChars || hasControlCharacter(value)) {
    problems.add({
      code: 'input/event-type',
      input,
      message: `Input '${input}' is ${show(value)} (${chars} characters); expected 1 to ${LIMITS.maxEventTypeChars} characters without control characters, e.g. update-gitops-repo`,
    });
  }
}

export function checkImageTag(value: string, input: string, problems: ProblemList): void {
  if (!isOciTag(value)) {
    problems.add({
      code: 'input/image-tag',
      input,
      message: `Input '${input}' is ${show(value)}; expected an OCI image tag: 1 to 128 of A-Z a-z 0-9 _ . -, not starting with . or -, e.g. 1.4.2-dev`,
    });
  }
}

export function checkDigest(value: string, input: string, problems: ProblemList): void {
  if (!isOciDigest(value)) {
    problems.add({
      code: 'input/digest',
      input,
      message: `Input '${input}' is ${show(value)}; expected sha256: followed by 64 lower-case hex digits`,
    });
  }
}

/**
 * An image name without tag or digest (those travel in their own keys): optional registry host[:port], then
 * lower-case path components as the OCI distribution spec allows them.
 */
const IMAGE =
  /^(?:[A-Za-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

export function checkImage(value: string, input: string, problems: ProblemList): void {
  if (value.length > 255 || !IMAGE.test(value)) {
    problems.add({
      code: 'input/image',
      input,
      message: `Input '${input}' is ${show(value)}; expected an image name without tag or digest (those go in 'image-tag' and 'digest'), e.g. ghcr.io/myorg/myapp`,
    });
  }
}

/** Parses `client-payload`; it must be a JSON object (its keys become top-level keys of client_payload). */
export function parseClientPayload(
  text: string,
  input: string,
  problems: ProblemList,
): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    problems.add({
      code: 'input/client-payload-json',
      input,
      message: `Input '${input}' is not valid JSON (${error instanceof Error ? error.message : String(error)}): ${show(text)}; expected a JSON object, e.g. {"environment": "dev"}`,
    });
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.add({
      code: 'input/client-payload-type',
      input,
      message: `Input '${input}' is ${show(text)}, a JSON ${Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed}; expected a JSON object, e.g. {"environment": "dev"}`,
    });
    return undefined;
  }
  return parsed as Record<string, unknown>;
}

/**
 * Finds every string (keys included) in a JSON value that holds a lone UTF-16 surrogate; returns JSON-pointer-like
 * paths. JSON.stringify escapes them (so they would survive JSON), but they have no UTF-8 form: GitHub stores
 * payloads as UTF-8 and the receiver writes files as UTF-8, so such a value could never arrive as sent. They are
 * rejected rather than silently replaced by U+FFFD.
 */
export function pathsWithLoneSurrogates(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return value.isWellFormed() ? [] : [path || '/'];
  if (Array.isArray(value)) return value.flatMap((item, i) => pathsWithLoneSurrogates(item, `${path}/${i}`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(key.isWellFormed() ? [] : [`${path}/${key}`]),
      ...pathsWithLoneSurrogates(item, `${path}/${key}`),
    ]);
  }
  return [];
}
