/**
 * The only channel core uses to talk to the outside world. Actions pass an adapter over `@actions/core`;
 * the CLI and tests pass their own. Core never imports `@actions/*`.
 */
export interface Annotation {
  /** Repo-relative file the message is about. */
  file?: string;
  line?: number;
  column?: number;
  title?: string;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  notice(message: string, annotation?: Annotation): void;
  warning(message: string, annotation?: Annotation): void;
  error(message: string, annotation?: Annotation): void;
  /** Runs `fn` inside a collapsible log group. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** A logger that remembers everything; used by tests and by the CLI's quiet mode. */
export class MemoryLogger implements Logger {
  readonly lines: {
    level: 'debug' | 'info' | 'notice' | 'warning' | 'error';
    message: string;
    annotation?: Annotation;
  }[] = [];
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  notice(message: string, annotation?: Annotation): void {
    this.lines.push({ level: 'notice', message, annotation });
  }
  warning(message: string, annotation?: Annotation): void {
    this.lines.push({ level: 'warning', message, annotation });
  }
  error(message: string, annotation?: Annotation): void {
    this.lines.push({ level: 'error', message, annotation });
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.lines.push({ level: 'info', message: `::group::${name}` });
    try {
      return await fn();
    } finally {
      this.lines.push({ level: 'info', message: '::endgroup::' });
    }
  }
  messages(level: 'debug' | 'info' | 'notice' | 'warning' | 'error'): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  notice() {},
  warning() {},
  error() {},
  group: (_name, fn) => fn(),
};
