/** What the receive use case takes (a request, where it runs, the services it may use) and what it gives back. */
import type { AppOutcome } from '../argocd/wait.js';
import type { GitNetworkLimits } from '../git/git.js';
import type { RequestFn, RequestLimits } from '../github/client.js';
import type { LandResult } from '../land/model.js';
import type { Logger } from '../logger.js';
import type { Plan } from '../plan/model.js';
import type { Rule } from '../rules/model.js';

/** Where the rules come from: exactly one of the receive action's `rules`, `rules-file` or `mappings`. */
export type RulesSource =
  | { kind: 'rules'; text: string }
  | { kind: 'rules-file'; path: string }
  | {
      kind: 'mappings';
      mappings: string;
      docker_image_tag_regex?: string;
      git_branch_regex?: string;
      regexes?: string;
    };

/** The receive action's inputs, validated (receive-action/src/inputs.ts reads them). */
export interface ReceiveRequest {
  token: string;
  checkout: boolean;
  rules: RulesSource;
  /** Non-empty overrides of the payload's variables. */
  overrides: { docker_image_tag?: string; git_branch?: string };
  commit: boolean;
  push: boolean;
  commitMessage: string;
  authorName: string;
  authorEmail: string;
  pullRequest: boolean;
  labels: string[];
  reviewers: string[];
  maxAttempts: number;
  dryRun: boolean;
  /** `only-newer`: 'rules' (true) lets each rule's only-newer apply; 'false' turns the guard off for this run. */
  onlyNewer: boolean;
  /** Relative to the workspace, normalised, never leaving it. */
  workingDirectory: string;
  /** `git`: commit and push from the checkout; `api`: read and commit through GitHub's API, no clone. */
  commitMethod: 'git' | 'api';
  /** REST base URL without a trailing slash (input `api-url`, else GITHUB_API_URL, else https://api.github.com). */
  apiUrl: string;
  /** GraphQL endpoint: from `api-url` when given, else GITHUB_GRAPHQL_URL. */
  graphqlUrl: string;
}

/** The Argo CD inputs, validated: refresh (and wait for) the apps through the API, or send Argo CD a push webhook. */
export interface ArgoCdSettings {
  server?: { url: string; token: string };
  wait: boolean;
  waitTimeoutSeconds: number;
  webhook?: { url: string; secret: string };
}

/** Where the run happens: the runner's context, read by the action. */
export interface ReceiveContext {
  /** The checkout's folder the rules' paths are relative to (workspace + working-directory). */
  root: string;
  /** The triggering event (GITHUB_EVENT_PATH's JSON); its `client_payload` is hostile. */
  event: unknown;
  /** owner/repo of the GitOps repository (GITHUB_REPOSITORY). */
  repository: string;
  /** The branch the workflow runs on (from GITHUB_REF), when it is a branch. */
  branch?: string;
  /** Web server, without a trailing slash, e.g. https://github.com. */
  serverUrl: string;
}

/** What the use case may reach outside itself; the action passes real ones, tests their own. */
export interface ReceiveServices {
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** GitHub's REST API, asked for only when a pull request is opened (building a client costs start-up time). */
  restRequest: () => RequestFn;
  requestLimits?: RequestLimits;
  gitNetwork?: Partial<GitNetworkLimits>;
}

/** What was asked of Argo CD, for the job summary. */
export type ArgoCdReport = { kind: 'api'; apps: AppOutcome[] } | { kind: 'webhook'; delivered: boolean };

export interface ReceiveResult {
  plan: Plan;
  /** The rules the plan was made with. */
  rules: Rule[];
  /** Rule names that matched the tag (the `environments` output). */
  environments: string[];
  /** Files changed on disk or in the commit. */
  modifiedFiles: string[];
  /** Set when a commit was made (commit: true and something changed). */
  landing?: LandResult;
  /** The dry run's diff ('' when nothing would change); undefined when not a dry run. */
  dryRunDiff?: string;
  /** Why nothing was committed though rules matched; undefined otherwise. */
  noChange?: string;
  /** The tag the rules were matched against, for messages. */
  tag?: string;
}
