/**
 * Reads, defaults and validates every input in one place. Composite actions get no INPUT_* variables by
 * themselves: action.yml maps each input through `env:` as INPUT_<NAME> (upper case, `-` -> `_`).
 */

import { getInput } from '../../action-runtime/inputs.js';
import { ProblemList } from '../../core/errors.js';
import { newDispatchId } from '../../core/github/runs.js';
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
  /** Set when input 'deployment' is true. */
  deployment?: DeploymentInputs;
}

export interface DeploymentInputs {
  /** The application repository's own token (input 'github-token'). */
  token: string;
  environment: string;
  environmentUrl: string;
  production: boolean;
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
  const waitInput = TRUE.includes(waitText);
  if (!waitInput && !FALSE.includes(waitText)) {
    problems.add({
      code: 'input/wait',
      input: 'wait',
      message: `Input 'wait' is ${show(waitText)}; expected true or false`,
    });
  }
  const deployment = readDeploymentInputs(env, problems);
  // A deployment's final state comes from the run, so asking for one means waiting for it.
  const wait = waitInput || deployment !== undefined;

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
      fields: {
        dockerImageTag: imageTag,
        gitBranch,
        commitMessage,
        image,
        digest,
        source: sourceOf(context, newDispatchId()),
      },
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
    deployment,
  };
}

function readBoolean(env: NodeJS.ProcessEnv, name: string, problems: ProblemList): boolean {
  const text = getInput(env, name) || 'false';
  if (TRUE.includes(text)) return true;
  if (!FALSE.includes(text)) {
    problems.add({
      code: `input/${name}`,
      input: name,
      message: `Input '${name}' is ${show(text)}; expected true or false`,
    });
  }
  return false;
}

/** Inputs 'deployment', 'environment', 'environment-url', 'production-environment', 'github-token'. */
function readDeploymentInputs(env: NodeJS.ProcessEnv, problems: ProblemList): DeploymentInputs | undefined {
  const enabled = readBoolean(env, 'deployment', problems);
  const production = readBoolean(env, 'production-environment', problems);
  const environment = getInput(env, 'environment');
  const environmentUrl = getInput(env, 'environment-url');
  if (!enabled) {
    for (const [name, value] of [
      ['environment', environment],
      ['environment-url', environmentUrl],
    ] as const) {
      if (value !== '') {
        problems.add({
          code: 'input/deployment-off',
          input: name,
          message: `Input '${name}' is ${show(value)}, but it is only used when 'deployment' is true; set deployment: true or remove it`,
        });
      }
    }
    return undefined;
  }
  if (environment === '') {
    problems.add({
      code: 'input/required',
      input: 'environment',
      message: "Input 'environment' is required when 'deployment' is true; e.g. environment: dev",
    });
  } else if (environment.length > 255 || hasControlCharacter(environment)) {
    problems.add({
      code: 'input/environment',
      input: 'environment',
      message: `Input 'environment' is ${show(environment)}; expected a GitHub environment name of at most 255 characters without control characters, e.g. dev`,
    });
  }
  if (environmentUrl !== '') {
    let ok = false;
    try {
      const url = new URL(environmentUrl);
      ok = (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
    } catch {
      ok = false;
    }
    if (!ok) {
      problems.add({
        code: 'input/environment-url',
        input: 'environment-url',
        message: `Input 'environment-url' is ${show(environmentUrl)}; expected an http(s) URL without credentials, e.g. https://dev.example.com`,
      });
    }
  }
  const token = getInput(env, 'github-token');
  if (token === '') {
    problems.add({
      code: 'input/required',
      input: 'github-token',
      message:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the Actions expression to write in the workflow
        "Input 'github-token' is empty but 'deployment' is true; leave it at its default (${{ github.token }}) and give the job 'permissions: deployments: write'",
    });
  }
  return { token, environment, environmentUrl, production };
}
