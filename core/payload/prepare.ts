/** Turns validated values into the exact request that will be sent, checking GitHub's limits first. */
import type { ProblemList } from '../errors.js';
import type { Logger } from '../logger.js';
import { buildClientPayload, type PayloadFields } from './build.js';
import { type ClientPayloadV1, type DispatchMode, LIMITS } from './model.js';
import { repositoryDispatchBody, shortenCommitMessage, utf8Bytes, workflowDispatchBody } from './serialize.js';

export interface DispatchSpec {
  mode: DispatchMode;
  /** owner/repo, already checked. */
  repository: string;
  eventType: string;
  /** workflow_dispatch: file name (deploy.yml) or numeric id. */
  workflow?: string;
  /** workflow_dispatch: branch or tag; empty = the target's default branch, looked up when sending. */
  ref?: string;
  fields: PayloadFields;
  userKeys: Record<string, unknown>;
}

export interface PreparedDispatch {
  mode: DispatchMode;
  owner: string;
  repo: string;
  eventType: string;
  workflow?: string;
  ref?: string;
  payload: ClientPayloadV1;
  /** The exact request body for `ref` (repository_dispatch ignores it). Throws nothing; size was checked. */
  body(ref?: string): string;
}

/** Git refs longer than this are refused by GitHub anyway; reserved in the size check while the ref is unknown. */
const REF_RESERVE = 'x'.repeat(255);

export function prepareDispatch(
  spec: DispatchSpec,
  problems: ProblemList,
  logger: Logger,
): PreparedDispatch | undefined {
  const before = problems.items.length;
  let payload = buildClientPayload(spec.fields, spec.userKeys, problems);

  const workflowMode = spec.mode === 'workflow_dispatch';
  const maxKeys = workflowMode ? LIMITS.maxWorkflowInputs : LIMITS.maxTopLevelKeys;
  const keys = Object.keys(payload);
  if (keys.length > maxKeys) {
    const userCount = Object.keys(spec.userKeys).length;
    problems.add({
      code: 'payload/too-many-keys',
      input: 'client-payload',
      message: `Input 'client-payload' brings the ${workflowMode ? 'workflow inputs' : 'client_payload'} to ${keys.length} top-level keys (${keys.join(', ')}); GitHub accepts at most ${maxKeys}${workflowMode ? ' workflow_dispatch inputs' : ''}. The action uses ${keys.length - userCount}, so keep 'client-payload' to at most ${Math.max(0, maxKeys - (keys.length - userCount))} keys, e.g. by nesting them in one object`,
    });
  }

  const serialize = (p: ClientPayloadV1, ref?: string) =>
    workflowMode ? workflowDispatchBody(ref || REF_RESERVE, p) : repositoryDispatchBody(spec.eventType, p);
  const full = serialize(payload, spec.ref);
  const fullBytes = utf8Bytes(full);
  if (fullBytes > LIMITS.maxBodyBytes) {
    const shortened = shortenCommitMessage(payload, (p) => serialize(p, spec.ref));
    if (shortened) {
      logger.warning(
        `Input 'commit-message' was shortened by ${shortened.removedCodePoints} characters so the request body fits GitHub's 64 KB limit (${fullBytes} -> ${utf8Bytes(shortened.body)} bytes, limit ${LIMITS.maxBodyBytes})`,
      );
      payload = shortened.payload;
    } else {
      problems.add({
        code: 'payload/too-large',
        input: 'client-payload',
        message: `The request body is ${fullBytes} bytes (UTF-8) even with 'commit-message' shortened to nothing; GitHub requires less than 64 KB (at most ${LIMITS.maxBodyBytes} bytes). Make 'client-payload' smaller`,
      });
    }
  }
  if (problems.items.length > before) return undefined;

  const [owner = '', repo = ''] = spec.repository.split('/');
  const finalPayload = payload;
  return {
    mode: spec.mode,
    owner,
    repo,
    eventType: spec.eventType,
    workflow: spec.workflow,
    ref: spec.ref || undefined,
    payload: finalPayload,
    body: (ref?: string) =>
      workflowMode
        ? workflowDispatchBody(ref ?? spec.ref ?? '', finalPayload)
        : repositoryDispatchBody(spec.eventType, finalPayload),
  };
}
