/** The request bodies, serialised once, measured in UTF-8 bytes, and shortened to fit when the commit message allows. */
import { type ClientPayloadV1, LIMITS, TRUNCATION_MARKER } from './model.js';

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function repositoryDispatchBody(eventType: string, payload: ClientPayloadV1): string {
  return JSON.stringify({ event_type: eventType, client_payload: payload });
}

/**
 * workflow_dispatch inputs are strings only. Strings pass unchanged; every other value (the `source` object, user
 * numbers, booleans, objects) is JSON-encoded, so nothing is lost and a receiver reads it back with `fromJSON()`.
 * Flattening `source` into `source_repository`, ... was rejected: it costs five of GitHub's input slots, and the
 * receiving workflow would have to declare each of them.
 */
export function toWorkflowInputs(payload: ClientPayloadV1): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
  );
}

export function workflowDispatchBody(ref: string, payload: ClientPayloadV1): string {
  return JSON.stringify({ ref, inputs: toWorkflowInputs(payload), return_run_details: true });
}

export interface Shortened {
  payload: ClientPayloadV1;
  body: string;
  /** Code points removed from commit_message (the marker is added on top). */
  removedCodePoints: number;
}

/**
 * Shortens commit_message, on a code point boundary and with a visible marker, to the longest prefix whose body
 * fits in `maxBytes`. Returns undefined when even an empty message (plus marker) would not fit.
 */
export function shortenCommitMessage(
  payload: ClientPayloadV1,
  serialize: (payload: ClientPayloadV1) => string,
  maxBytes: number = LIMITS.maxBodyBytes,
): Shortened | undefined {
  const codePoints = Array.from(payload.commit_message ?? '');
  const attempt = (keep: number) => {
    const shorter = { ...payload, commit_message: codePoints.slice(0, keep).join('') + TRUNCATION_MARKER };
    return { payload: shorter, body: serialize(shorter) };
  };
  // Largest `keep` that fits; the body size grows monotonically with `keep`.
  let low = 0;
  let high = codePoints.length - 1;
  let best: { payload: ClientPayloadV1; body: string; keep: number } | undefined;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const candidate = attempt(middle);
    if (utf8Bytes(candidate.body) <= maxBytes) {
      best = { ...candidate, keep: middle };
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  if (!best) return undefined;
  return { payload: best.payload, body: best.body, removedCodePoints: codePoints.length - best.keep };
}
