/**
 * Reads, defaults and validates every input in one place. Composite actions get no INPUT_* variables by
 * themselves: action.yml maps each input through `env:` as INPUT_<NAME> (upper case, `-` -> `_`).
 */

import { getInput } from '../../action-runtime/inputs.js';
import { ProblemList } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { hasControlCharacter } from '../../core/oci.js';
import { DISPATCH_MODES, type DispatchMode } from '../../core/payload/model.js';
import { type PreparedDispatch, prepareDispatch } from '../../core/payload/prepare.js';
import {
  checkDigest,
  checkEventType,
  checkImage,
  checkImageTag,
  checkRepository,
  parseClientPayload,
  show,
} from '../../core/payload/validate.js';
import { headCommitMessage, type RunContext, sourceOf } from './context.js';

export const DEFAULT_EVENT_TYPE = 'update-gitops-repo';
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 600;
/** A GitHub-hosted job may run 6 hours; waiting longer than that for another run is never meant. */
export const MAX_WAIT_TIMEOUT_SECONDS = 6 * 60 * 60;

export interface DispatchInputs {
  token: string;
  apiUrl: string;
  repository: string;
  mode: DispatchMode;
  eventType: string;
  imageTag: string;
  image: string;
  workflow: string;
  wait: boolean;
  waitTimeoutSeconds: number;
  prepared: PreparedDispatch;
}

export { getInput };

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

export function readInputs(env: NodeJS.ProcessEnv, context: RunContext, logger: Logger): DispatchInputs {
  const problems = new ProblemList();
  const required = (name: string, value: string, example: string) => {
    if (value === '') {
      problems.add({ code: 'input/required', input: name, message: `Input '${name}' is required; e.g. ${example}` });
      return false;
    }
    return true;
  };

  const token = getInput(env, 'token');
  required('token', token, 'token: ${{ secrets.GITOPS_DISPATCH_TOKEN }}');

  const repository = getInput(env, 'repository');
  if (required('repository', repository, 'repository: myorg/myapp-gitops')) {
    checkRepository(repository, 'repository', problems);
  }

  const eventType = getInput(env, 'event-type') || DEFAULT_EVENT_TYPE;
  checkEventType(eventType, 'event-type', problems);

  const imageTag = getInput(env, 'image-tag');
  if (required('image-tag', imageTag, 'image-tag: 1.4.2-dev')) checkImageTag(imageTag, 'image-tag', problems);

  const image = getInput(env, 'image');
  if (image) checkImage(image, 'image', problems);

  const digest = getInput(env, 'digest');
  if (digest) checkDigest(digest, 'digest', problems);

  const gitBranch = getInput(env, 'git-branch') || context.refName;

  // Not trimmed: the commit message travels byte for byte, trailing newlines included.
  const commitMessageInput = getInput(env, 'commit-message', { trim: false });
  const commitMessage = commitMessageInput !== '' ? commitMessageInput : (headCommitMessage(context) ?? '');

  const userKeys = parseClientPayload(getInput(env, 'client-payload'), 'client-payload', problems) ?? {};

  const modeText = getInput(env, 'mode') || 'repository_dispatch';
  const mode = DISPATCH_MODES.find((m) => m === modeText);
  if (!mode) {
    problems.add({
      code: 'input/mode',
      input: 'mode',
      message: `Input 'mode' is ${show(modeText)}; expected one of: ${DISPATCH_MODES.join(', ')}`,
    });
  }

  const workflow = getInput(env, 'workflow');
  const ref = getInput(env, 'ref');
  if (mode === 'workflow_dispatch') {
    if (workflow === '') {
      problems.add({
        code: 'input/workflow-required',
        input: 'workflow',
        message: `Input 'workflow' is required when mode is workflow_dispatch; expected the workflow file name in the target's .github/workflows, e.g. gitops-receive.yml`,
      });
    } else if (!/^(?:[A-Za-z0-9._-]+\.ya?ml|[0-9]+)$/.test(workflow)) {
      problems.add({
        code: 'input/workflow',
        input: 'workflow',
        message: `Input 'workflow' is ${show(workflow)}; expected a workflow file name ending in .yml or .yaml (no directory), e.g. gitops-receive.yml, or a numeric workflow id`,
      });
    }
  } else if (mode === 'repository_dispatch') {
    for (const [name, value] of [
      ['workflow', workflow],
      ['ref', ref],
    ] as const) {
      if (value !== '') {
        problems.add({
          code: 'input/mode-mismatch',
          input: name,
          message: `Input '${name}' is ${show(value)}, but it is only used when mode is workflow_dispatch (mode is repository_dispatch); remove it or set mode: workflow_dispatch`,
        });
      }
    }
  }
  if (ref !== '' && (ref.length > 255 || hasControlCharacter(ref) || /\s/.test(ref))) {
    problems.add({
      code: 'input/ref',
      input: 'ref',
      message: `Input 'ref' is ${show(ref)}; expected a branch or tag name without spaces or control characters, e.g. main`,
    });
  }

  const waitText = getInput(env, 'wait') || 'false';
  const wait = TRUE.includes(waitText);
  if (!wait && !FALSE.includes(waitText)) {
    problems.add({
      code: 'input/wait',
      input: 'wait',
      message: `Input 'wait' is ${show(waitText)}; expected true or false`,
    });
  }
  if (wait && mode === 'repository_dispatch') {
    problems.add({
      code: 'input/mode-mismatch',
      input: 'wait',
      message: `Input 'wait' is true, but only a workflow_dispatch reports the run it starts (mode is repository_dispatch); set mode: workflow_dispatch and workflow, or remove wait`,
    });
  }

  const timeoutText = getInput(env, 'wait-timeout') || String(DEFAULT_WAIT_TIMEOUT_SECONDS);
  const waitTimeoutSeconds = /^[0-9]+$/.test(timeoutText) ? Number(timeoutText) : Number.NaN;
  if (!(waitTimeoutSeconds >= 1 && waitTimeoutSeconds <= MAX_WAIT_TIMEOUT_SECONDS)) {
    problems.add({
      code: 'input/wait-timeout',
      input: 'wait-timeout',
      message: `Input 'wait-timeout' is ${show(timeoutText)}; expected whole seconds from 1 to ${MAX_WAIT_TIMEOUT_SECONDS}, e.g. 600`,
    });
  }

  const apiUrlText = getInput(env, 'api-url') || context.apiUrl || 'https://api.github.com';
  let apiUrl = apiUrlText.replace(/\/+$/, '');
  try {
    const url = new URL(apiUrlText);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
    if (url.search || url.hash || url.username || url.password) throw new Error('has query, fragment or credentials');
  } catch {
    apiUrl = '';
    problems.add({
      code: 'input/api-url',
      input: 'api-url',
      message: `Input 'api-url' is ${show(apiUrlText)}; expected the REST API base URL, e.g. https://api.github.com or https://ghe.example.com/api/v3`,
    });
  }

  const prepared = prepareDispatch(
    {
      mode: mode ?? 'repository_dispatch',
      repository,
      eventType,
      workflow: workflow || undefined,
      ref: ref || undefined,
      fields: { dockerImageTag: imageTag, gitBranch, commitMessage, image, digest, source: sourceOf(context) },
      userKeys,
    },
    problems,
    logger,
  );
  problems.throwIfAny();

  return {
    token,
    apiUrl,
    repository,
    mode: mode!,
    eventType,
    imageTag,
    image,
    workflow,
    wait,
    waitTimeoutSeconds,
    prepared: prepared!,
  };
}
