/** What every editor returns and accepts. Editors are pure: text in, text and the changed spans out. */
import { type ErrorCode, UserError } from '../errors.js';
import { quoteVisibly } from '../oci.js';

/** One changed span inside one file. */
export interface SpanChange {
  /** Variable written, e.g. `docker_image_tag`. */
  variable: string;
  before: string;
  after: string;
  /** 1-based line of the span's start in the original file. */
  line: number;
  /** How it was found: the regex label, the YAML path, or `images[name=...].newTag`. */
  locator: string;
  /** Name of the rule that made this change (set by the planner; editors leave it out). */
  rule?: string;
}

export interface EditResult {
  text: string;
  /** Only spans whose text actually changed, in file order per pattern. */
  spans: SpanChange[];
}

/** A span an editor is about to replace; the planner's ordering guard may veto it. */
export interface SpanCandidate {
  variable: string;
  before: string;
  after: string;
  line: number;
  locator: string;
}

export interface EditOptions {
  /** Return false to leave this span as it is (the `onlyNewer` guard). Default: replace. */
  shouldReplace?: (candidate: SpanCandidate) => boolean;
}

/** 1-based line number of `offset` in `text`. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** A value shown inside an error message: quoted and escaped so control characters are visible. */
export function shown(value: string): string {
  return quoteVisibly(value);
}

/** Editors refuse with a UserError carrying a stable code; the planner adds the file and rule. */
export function fail(code: ErrorCode, message: string): never {
  throw new UserError({ code, message });
}
