/**
 * The dispatch payload contract (client_payload, version 1) and GitHub's limits on it.
 * Key names are a contract (README: dispatch-action): receivers written against the seed read them as they are.
 */

/** Where the dispatch came from; built from the runner's GITHUB_* variables. */
export interface PayloadSource {
  repository: string;
  sha: string;
  run_id: string;
  run_url: string;
  actor: string;
  /** Unique per dispatch (core/github/runs.ts); the receiver's run-name shows it so the sender finds the run. */
  dispatch_id?: string;
}

export interface ClientPayloadV1 {
  docker_image_tag: string;
  git_branch?: string;
  commit_message?: string;
  image?: string;
  digest?: string;
  source?: PayloadSource;
  /** User keys from the `client-payload` input. */
  [key: string]: unknown;
}

/** Keys the action writes itself; a user key with one of these names is an error, never a silent override. */
/** The event type both sides use unless told otherwise (dispatch-action's `event-type`, the config's `event-type`). */
export const DEFAULT_EVENT_TYPE = 'update-gitops-repo';

export const RESERVED_KEYS = ['docker_image_tag', 'git_branch', 'commit_message', 'image', 'digest', 'source'] as const;
export type ReservedKey = (typeof RESERVED_KEYS)[number];

export const LIMITS = {
  /**
   * GitHub: "The total size of the JSON payload must be less than 64KB". Measured here, conservatively, as the
   * UTF-8 bytes of the whole request body (event_type included), which must stay below 65,536.
   */
  maxBodyBytes: 65_535,
  /** GitHub: "The maximum number of top-level properties is 10." (client_payload maxProperties) */
  maxTopLevelKeys: 10,
  /** GitHub: event_type "Must be 100 characters or fewer." Counted in code points, not UTF-16 units. */
  maxEventTypeChars: 100,
  /** GitHub raised workflow_dispatch inputs from 10 to 25 (December 2025). */
  maxWorkflowInputs: 25,
} as const;

export type DispatchMode = 'repository_dispatch' | 'workflow_dispatch';
export const DISPATCH_MODES: readonly DispatchMode[] = ['repository_dispatch', 'workflow_dispatch'];

/** Appended to a commit message shortened to fit the size limit, so a reader knows text is missing. */
export const TRUNCATION_MARKER = '\n… [truncated by gitops-dispatch to fit GitHub’s 64 KB payload limit]';
