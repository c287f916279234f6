/** What the runner tells a step about its run: GITHUB_* variables, the event file, and the checkout's HEAD. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gitEnvironment, SAFE_GIT_CONFIG } from '../../core/git/index.js';
import type { PayloadSource } from '../../core/payload/index.js';

export interface RunContext {
  repository: string;
  sha: string;
  runId: string;
  serverUrl: string;
  apiUrl: string;
  actor: string;
  refName: string;
  workspace: string;
  eventPath: string;
}

export function readRunContext(env: NodeJS.ProcessEnv): RunContext {
  return {
    repository: env.GITHUB_REPOSITORY ?? '',
    sha: env.GITHUB_SHA ?? '',
    runId: env.GITHUB_RUN_ID ?? '',
    serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
    apiUrl: env.GITHUB_API_URL ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    refName: env.GITHUB_REF_NAME ?? '',
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    eventPath: env.GITHUB_EVENT_PATH ?? '',
  };
}

export function sourceOf(context: RunContext, dispatchId?: string): PayloadSource {
  return {
    repository: context.repository,
    sha: context.sha,
    run_id: context.runId,
    run_url:
      context.repository && context.runId
        ? `${context.serverUrl}/${context.repository}/actions/runs/${context.runId}`
        : '',
    actor: context.actor,
    ...(dispatchId ? { dispatch_id: dispatchId } : {}),
  };
}

/**
 * The head commit's full message: from the push event (exact text GitHub recorded), else `git log -1 --format=%B`
 * in the workspace, without the trailing newlines git stores and prints (GitHub's event has none either).
 * Undefined when neither is available.
 */
export function headCommitMessage(context: RunContext): string | undefined {
  if (context.eventPath) {
    try {
      const event = JSON.parse(readFileSync(context.eventPath, 'utf8')) as { head_commit?: { message?: unknown } };
      if (typeof event.head_commit?.message === 'string') return event.head_commit.message;
    } catch {
      // Not a push event file, or unreadable: fall back to git.
    }
  }
  try {
    // No hooks, no fsmonitor, no signature check program, and no INPUT_* (the token) in git's environment.
    const out = execFileSync('git', [...SAFE_GIT_CONFIG, '-c', 'log.showSignature=false', 'log', '-1', '--format=%B'], {
      cwd: context.workspace,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...gitEnvironment(process.env), GIT_TERMINAL_PROMPT: '0' },
    });
    return out.replace(/\n+$/, '');
  } catch {
    return undefined;
  }
}
