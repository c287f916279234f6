/**
 * The variables of one dispatch, from the event the workflow was started by.
 *
 * - `repository_dispatch`: every top-level string or number of `client_payload` (numbers in their JavaScript
 *   string form, `1.50` -> `"1.5"`); objects, arrays, booleans and null are not variables.
 * - `workflow_dispatch` (no `client_payload`): the same, taken from `inputs`.
 * - `event_type`: the event's `action` (repository_dispatch puts the event type there). It is set after the
 *   payload, so a payload key of that name cannot pretend to be another event type.
 * - `overrides` (the receive action's `docker_image_tag` / `git_branch` inputs) replace payload values only
 *   when non-empty: the seed's workflow passes `${{ github.event.client_payload.x }}`, which is `''` when
 *   the key is absent, and that must not wipe a value the payload did send. (The old action treated empty
 *   inputs as "not given" too.) An empty string that comes in the payload itself is a value.
 */
import type { Variables } from './model.js';

export function collectVariables(options: {
  event: unknown;
  overrides?: Record<string, string | undefined>;
}): Variables {
  const entries: [string, string][] = [];
  const event = isRecord(options.event) ? options.event : {};
  const source = isRecord(event.client_payload) ? event.client_payload : isRecord(event.inputs) ? event.inputs : {};
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'string') entries.push([key, value]);
    else if (typeof value === 'number' && Number.isFinite(value)) entries.push([key, String(value)]);
  }
  if (typeof event.action === 'string') entries.push(['event_type', event.action]);
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (typeof value === 'string' && value !== '') entries.push([key, value]);
  }
  // fromEntries defines own properties, so a key such as `__proto__` stays an ordinary variable.
  return Object.fromEntries(entries);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
