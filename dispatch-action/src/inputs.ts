/**
 * Reads, defaults and validates every input in one place. Composite actions get no INPUT_* variables by
 * themselves: action.yml maps each input through `env:` as INPUT_<NAME> (upper case, `-` -> `_`).
 */

import { getInput, InputReader } from '../../action-runtime/inputs.js';
import type { ProblemList } from '../../core/errors.js';
import { newDispatchId } from '../../core/github/index.js';
import type { Logger } from '../../core/logger.js';
import { hasControlCharacter } from '../../core/oci.js';
import {
  checkDigest,
  checkEventType,
  checkImage,
  checkImageTag,
  checkRepository,
  DEFAULT_EVENT_TYPE,
  DISPATCH_MODES,
  type DispatchMode,
  type PreparedDispatch,
  parseClientPayload,
  prepareDispatch,
  show,
} from '../../core/payload/index.js';
import { headCommitMessage, type RunContext, sourceOf } from './context.js';

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

export function readInputs(env: NodeJS.ProcessEnv, context: RunContext, logger: Logger): DispatchInputs {
  const read = new InputReader(env);
  const problems = read.problems;

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the Actions expression to write in the workflow
  const token = read.required('token', 'token: ${{ secrets.GITOPS_DISPATCH_TOKEN }}');

  const repository = read.required('repository', 'repository: myorg/myapp-gitops');
  if (repository) checkRepository(repository, 'repository', problems);

  const eventType = read.text('event-type') || DEFAULT_EVENT_TYPE;
  checkEventType(eventType, 'event-type', problems);

  const imageTag = read.required('image-tag', 'image-tag: 1.4.2-dev');
  if (imageTag) checkImageTag(imageTag, 'image-tag', problems);

  const image = read.text('image');
  if (image) checkImage(image, 'image', problems);

  const digest = read.text('digest');
  if (digest) checkDigest(digest, 'digest', problems);

  const gitBranch = read.text('git-branch') || context.refName;

  // Not trimmed: the commit message travels byte for byte, trailing newlines included.
  const commitMessageInput = read.raw('commit-message');
  const commitMessage = commitMessageInput !== '' ? commitMessageInput : (headCommitMessage(context) ?? '');

  const userKeys = parseClientPayload(read.text('client-payload'), 'client-payload', problems) ?? {};

  const mode = read.choice('mode', DISPATCH_MODES, { fallback: 'repository_dispatch' });

  const workflow = read.text('workflow');
  const ref = read.text('ref');
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

  const waitInput = read.boolean('wait', false);
  const deployment = readDeploymentInputs(read);
  // A deployment's final state comes from the run, so asking for one means waiting for it.
  const wait = waitInput || deployment !== undefined;

  const waitTimeoutSeconds = read.integer('wait-timeout', {
    min: 1,
    max: MAX_WAIT_TIMEOUT_SECONDS,
    fallback: DEFAULT_WAIT_TIMEOUT_SECONDS,
    unit: 'whole seconds',
  });

  const apiUrl = read.url(
    'api-url',
    {
      example: 'https://api.github.com or https://ghe.example.com/api/v3',
      expected: 'the REST API base URL (http or https, without credentials, query or fragment)',
    },
    read.text('api-url') || context.apiUrl || 'https://api.github.com',
  );

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

/** Inputs 'deployment', 'environment', 'environment-url', 'production-environment', 'github-token'. */
function readDeploymentInputs(read: InputReader): DeploymentInputs | undefined {
  const problems: ProblemList = read.problems;
  const enabled = read.boolean('deployment', false);
  const production = read.boolean('production-environment', false);
  const environment = read.text('environment');
  const environmentUrl = read.text('environment-url');
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
  read.url('environment-url', { example: 'https://dev.example.com', allowQuery: true });
  const token = read.text('github-token');
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
