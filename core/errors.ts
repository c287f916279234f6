/**
 * Errors a user can fix. Every problem names where it comes from (an input, a config file position, a rule)
 * and what is expected, and all problems found are reported together rather than only the first.
 */
export interface Problem {
  /** Stable machine-readable code, e.g. `payload/too-large`, `rules/unknown-variable`. Tests assert this. */
  code: string;
  message: string;
  /** The action input or CLI option the problem is about, e.g. `image-tag`. */
  input?: string;
  /** Where in a file (rules file, config), 1-based. */
  file?: string;
  line?: number;
  column?: number;
}

export class UserError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[] | Problem) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map(formatProblem).join('\n'));
    this.name = 'UserError';
    this.problems = list;
  }
}

export function formatProblem(p: Problem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''}: ` : '';
  return `${where}${p.message}`;
}

/** Collects problems, then throws them all at once. */
export class ProblemList {
  readonly items: Problem[] = [];
  add(problem: Problem): void {
    this.items.push(problem);
  }
  get empty(): boolean {
    return this.items.length === 0;
  }
  throwIfAny(): void {
    if (this.items.length > 0) throw new UserError(this.items);
  }
}

/** Text of anything thrown, for the single `setFailed` in each action's main. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
