/**
 * A GitHub deployment in the application repository for the dispatched image, so its Environments page shows what is
 * deployed where: created once GitHub accepted the dispatch, `in_progress` with the downstream run as `log_url`, then
 * `success`, `failure` or `error` from the run's conclusion. GitHub itself marks earlier successful deployments of
 * the environment `inactive` when the new one succeeds (`auto_inactive`, its default; GitHub documents it for
 * non-transient, non-production environments).
 *
 * It uses the application repository's own token (`deployments: write`). Nothing here throws: the image is already
 * dispatched, so a refused deployment (403, 404, 409, 422) is explained as a warning and the dispatch goes on.
 */
import type { Logger } from '../logger.js';
import { GitHubApiError, type GitHubClient, type ResponseData, type Route } from './client.js';

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error';

export interface DeploymentSpec {
  /** owner/repo of the application repository (GITHUB_REPOSITORY). */
  repository: string;
  /** The source commit (GITHUB_SHA). */
  sha: string;
  environment: string;
  environmentUrl?: string;
  production: boolean;
  /** Shown on the deployment, e.g. "ghcr.io/org/app:1.4.2-dev -> org/app-gitops". */
  description: string;
  /** Stored in the deployment's payload for tools that read it. */
  payload: Record<string, unknown>;
}

/** GitHub's conclusion of the waited run -> the final deployment state. */
export function deploymentStateFor(conclusion: string | undefined): 'success' | 'failure' | 'error' {
  if (conclusion === 'success') return 'success';
  if (conclusion === 'failure' || conclusion === 'timed_out') return 'failure';
  return 'error';
}

const ROUTES = {
  create: 'POST /repos/{owner}/{repo}/deployments',
  status: 'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
} as const satisfies Record<string, Route>;

/** GitHub documents a deployment (201), or only a message when it made none (202); the fields read are checked. */
type CreateAnswer = Partial<Extract<ResponseData<typeof ROUTES.create>, { id: unknown }>> &
  Partial<Exclude<ResponseData<typeof ROUTES.create>, { id: unknown }>>;

/** GitHub limits a deployment status description to 140 characters. */
function short(text: string): string {
  return text.length <= 140 ? text : `${text.slice(0, 139)}…`;
}

export function explainDeploymentFailure(error: unknown, spec: DeploymentSpec, action: string): string {
  const head = `Could not ${action} in ${spec.repository} (the image was dispatched; this only affects the Environments page)`;
  if (!(error instanceof GitHubApiError)) return `${head}: ${error instanceof Error ? error.message : String(error)}`;
  const said = error.githubMessage ? ` GitHub said: "${error.githubMessage}".` : '';
  const permission = `The workflow needs 'permissions: deployments: write' for the token in input 'github-token' (default github.token)`;
  switch (error.status) {
    case undefined:
      return `${head}: no answer from GitHub (${error.message}).`;
    case 401:
      return `${head}: HTTP 401, input 'github-token' was rejected.${said} Leave it at its default, \${{ github.token }}.`;
    case 403:
    case 404:
      return `${head}: HTTP ${error.status}, the token may not create deployments.${said} ${permission}; a fine-grained token needs "Deployments: Read and write" on ${spec.repository}.`;
    case 409:
      return `${head}: HTTP 409, GitHub refused the deployment as a conflict.${said} The deployment is created with auto_merge false and no required contexts; check that commit ${spec.sha} is still on a branch of ${spec.repository}.`;
    case 422:
      return `${head}: HTTP 422, GitHub rejected the deployment.${said} Check inputs 'environment' (${JSON.stringify(spec.environment)}) and 'environment-url'; an environment with protection rules may refuse deployments from this branch.`;
    default:
      return `${head}: HTTP ${error.status}.${said}`;
  }
}

export class DeploymentTracker {
  private id: number | undefined;
  private logUrl = '';
  private readonly owner: string;
  private readonly repo: string;
  /** Every state set, in order (for the summary and tests). */
  readonly states: string[] = [];

  constructor(
    private readonly client: GitHubClient,
    private readonly spec: DeploymentSpec,
    private readonly logger: Logger,
  ) {
    [this.owner = '', this.repo = ''] = spec.repository.split('/');
  }

  get deploymentId(): number | undefined {
    return this.id;
  }

  /** Creates the deployment for the source commit; a refusal only warns. */
  async create(): Promise<void> {
    try {
      const answer = await this.client.request(ROUTES.create, {
        owner: this.owner,
        repo: this.repo,
        ref: this.spec.sha,
        environment: this.spec.environment,
        auto_merge: false,
        required_contexts: [],
        production_environment: this.spec.production,
        description: short(this.spec.description),
        payload: this.spec.payload,
      });
      const id = (answer.data as CreateAnswer | undefined)?.id;
      if (answer.status !== 201 || typeof id !== 'number') {
        const message = (answer.data as CreateAnswer | undefined)?.message;
        this.logger.warning(
          `GitHub did not create a deployment in ${this.spec.repository} (HTTP ${answer.status}${typeof message === 'string' ? `: ${message}` : ''}); the Environments page will not show this dispatch`,
        );
        return;
      }
      this.id = id;
      this.logger.info(
        `Created deployment ${id} of ${this.spec.sha.slice(0, 12)} to '${this.spec.environment}' in ${this.spec.repository}`,
      );
    } catch (error) {
      this.logger.warning(explainDeploymentFailure(error, this.spec, 'create a deployment'));
    }
  }

  /** The downstream run is known: `in_progress`, with the run as the log. */
  async started(runUrl: string | undefined): Promise<void> {
    this.logUrl = runUrl ?? '';
    await this.setState('in_progress', 'The GitOps repository is updating');
  }

  /** Final state from the run's conclusion (undefined: no conclusion, e.g. the run was never found -> error). */
  async finish(conclusion: string | undefined, reason?: string): Promise<void> {
    const state = deploymentStateFor(conclusion);
    const description =
      conclusion === undefined
        ? `No conclusion: ${reason ?? 'the run was not followed'}`
        : `The GitOps run concluded ${conclusion}`;
    await this.setState(state, description);
  }

  private async setState(state: DeploymentState, description: string): Promise<void> {
    if (this.id === undefined) return;
    const final = state !== 'in_progress';
    try {
      await this.client.request(ROUTES.status, {
        owner: this.owner,
        repo: this.repo,
        deployment_id: this.id,
        state,
        description: short(description),
        ...(this.logUrl ? { log_url: this.logUrl } : {}),
        ...(final && this.spec.environmentUrl ? { environment_url: this.spec.environmentUrl } : {}),
        ...(state === 'success' ? { auto_inactive: true } : {}),
      });
      this.states.push(state);
      this.logger.info(`Deployment ${this.id} is ${state}`);
    } catch (error) {
      this.logger.warning(explainDeploymentFailure(error, this.spec, `set deployment ${this.id} to ${state}`));
    }
  }
}
