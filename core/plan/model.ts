/** What the planner produces: pure data, written to disk only by `apply.ts`. */
import type { SpanChange } from '../edit/model.js';

export type { SpanChange };

export interface FileChange {
  /** Repo-relative path with `/` separators. */
  path: string;
  /** Names of the rules that edited this file. */
  rules: string[];
  before: string;
  after: string;
  spans: SpanChange[];
  /** True when the rule asked for a pull request. */
  pullRequest: boolean;
}

export interface Plan {
  /** Names of the rules whose conditions matched, in rule order. */
  matchedRules: string[];
  /** Files whose content changes; files that would stay identical are not listed. */
  changes: FileChange[];
  /** Files selected by a matching rule whose content already holds the values. */
  unchanged: string[];
  /** Spans `only-newer` kept because the dispatched version is older than the one in the file. */
  refused?: RefusedSpan[];
}

/** A value `only-newer` did not write: the file keeps `kept`, the dispatch asked for `refused`. */
export interface RefusedSpan {
  rule: string;
  path: string;
  /** 1-based line of the span in the file. */
  line: number;
  variable: string;
  kept: string;
  refused: string;
}
