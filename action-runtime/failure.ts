/**
 * The one failure presenter of both actions: every problem of a UserError becomes one `::error` annotation (with
 * file, line and column when the problem has them, the code as its title), then the step fails with a one-line
 * summary ("N problems (listed above)"; a single problem is its own summary, not repeated). Anything else thrown
 * fails the step with its message. Each action's main calls this once, last.
 */

import { errorMessage, formatProblem, type Problem, problemSummary, UserError } from '../core/errors.js';
import * as core from './toolkit.js';

export interface PresentOptions {
  /** What the failure left as it was, added to the summary of several problems, e.g. 'nothing was changed'. */
  outcome?: string;
}

/** The annotation properties of a problem: its code as the title, and its position when it has one. */
export function annotationOf(p: Problem): core.AnnotationProperties {
  return {
    title: p.code,
    ...(p.file !== undefined
      ? { file: p.file, startLine: p.line, startColumn: p.line !== undefined ? p.column : undefined }
      : {}),
  };
}

export function presentFailure(error: unknown, options: PresentOptions = {}): void {
  if (!(error instanceof UserError)) {
    core.setFailed(errorMessage(error));
    return;
  }
  for (const p of error.problems) core.error(formatProblem(p), annotationOf(p));
  if (error.problems.length > 1) {
    core.setFailed(`${problemSummary(error.problems)}${options.outcome ? `; ${options.outcome}` : ''}`);
  } else {
    // setFailed would annotate the one problem a second time: fail the step as it does, without the repeat.
    process.exitCode = core.ExitCode.Failure;
  }
}
