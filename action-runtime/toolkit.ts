/**
 * The part of @actions/core the actions use: workflow commands on stdout, the GITHUB_OUTPUT file command and the job
 * summary, written exactly as @actions/core 3 writes them (test/infra/toolkit.test.ts compares the bytes).
 * @actions/core itself loads its HTTP client (a bundled undici, for OIDC tokens) and @actions/exec when it is
 * imported, for features neither action uses: about a quarter of the dispatch's cold start.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { access, appendFile, constants, writeFile } from 'node:fs/promises';
import { EOL } from 'node:os';

export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

export enum ExitCode {
  Success = 0,
  Failure = 1,
}

/** null and undefined as '', strings as they are, anything else as JSON. */
function commandValue(input: unknown): string {
  if (input === null || input === undefined) return '';
  if (typeof input === 'string' || input instanceof String) return String(input);
  return JSON.stringify(input);
}

function escapeData(value: unknown): string {
  return commandValue(value).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(value: unknown): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * `::name key=value,...::message`. Properties without a value are left out, but as in @actions/core the space
 * after the name stays whenever any property was given.
 */
export function issueCommand(name: string, properties: Record<string, unknown>, message: unknown): void {
  const entries = Object.entries(properties);
  const set = entries.filter(([, value]) => value).map(([key, value]) => `${key}=${escapeProperty(value)}`);
  process.stdout.write(`::${name}${entries.length > 0 ? ` ${set.join(',')}` : ''}::${escapeData(message)}${EOL}`);
}

function commandProperties(p: AnnotationProperties): Record<string, unknown> {
  if (Object.keys(p).length === 0) return {};
  return {
    title: p.title,
    file: p.file,
    line: p.startLine,
    endLine: p.endLine,
    col: p.startColumn,
    endColumn: p.endColumn,
  };
}

export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret);
}

export function setOutput(name: string, value: unknown): void {
  const file = process.env.GITHUB_OUTPUT || '';
  if (!file) {
    process.stdout.write(EOL);
    issueCommand('set-output', { name }, commandValue(value));
    return;
  }
  // A fresh random delimiter, refused if the name or value happens to hold it.
  const delimiter = `ghadelimiter_${randomUUID()}`;
  const text = commandValue(value);
  if (name.includes(delimiter))
    throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
  if (text.includes(delimiter))
    throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`);
  appendFileSync(file, `${name}<<${delimiter}${EOL}${text}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' });
}

export function debug(message: string): void {
  issueCommand('debug', {}, message);
}

export function info(message: string): void {
  process.stdout.write(message + EOL);
}

function annotate(level: string, message: string | Error, properties: AnnotationProperties = {}): void {
  issueCommand(level, commandProperties(properties), message instanceof Error ? message.toString() : message);
}

export function notice(message: string | Error, properties?: AnnotationProperties): void {
  annotate('notice', message, properties);
}

export function warning(message: string | Error, properties?: AnnotationProperties): void {
  annotate('warning', message, properties);
}

export function error(message: string | Error, properties?: AnnotationProperties): void {
  annotate('error', message, properties);
}

export function setFailed(message: string | Error): void {
  process.exitCode = ExitCode.Failure;
  error(message);
}

export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  issueCommand('group', {}, name);
  try {
    return await fn();
  } finally {
    issueCommand('endgroup', {}, '');
  }
}

export type SummaryTableCell = string | { data: string; header?: boolean; colspan?: string; rowspan?: string };

/** The job summary (GITHUB_STEP_SUMMARY): HTML and Markdown collected in a buffer, appended by `write`. */
export class Summary {
  private buffer = '';

  private wrap(tag: string, content: string, attrs: Record<string, string> = {}): string {
    const html = Object.entries(attrs)
      .map(([key, value]) => ` ${key}="${value}"`)
      .join('');
    return content ? `<${tag}${html}>${content}</${tag}>` : `<${tag}${html}>`;
  }

  addRaw(text: string, addEOL = false): this {
    this.buffer += text;
    return addEOL ? this.addEOL() : this;
  }

  addEOL(): this {
    return this.addRaw(EOL);
  }

  addHeading(text: string, level: number | string = 1): this {
    const tag = `h${level}`;
    return this.addRaw(this.wrap(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag) ? tag : 'h1', text)).addEOL();
  }

  addTable(rows: SummaryTableCell[][]): this {
    const body = rows
      .map((row) =>
        this.wrap(
          'tr',
          row
            .map((cell) => {
              if (typeof cell === 'string') return this.wrap('td', cell);
              const { header, data, colspan, rowspan } = cell;
              return this.wrap(header ? 'th' : 'td', data, {
                ...(colspan ? { colspan } : {}),
                ...(rowspan ? { rowspan } : {}),
              });
            })
            .join(''),
        ),
      )
      .join('');
    return this.addRaw(this.wrap('table', body)).addEOL();
  }

  stringify(): string {
    return this.buffer;
  }

  async write(options: { overwrite?: boolean } = {}): Promise<this> {
    const file = process.env.GITHUB_STEP_SUMMARY;
    if (!file) {
      throw new Error(
        'Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.',
      );
    }
    try {
      await access(file, constants.R_OK | constants.W_OK);
    } catch {
      throw new Error(
        `Unable to access summary file: '${file}'. Check if the file has correct read/write permissions.`,
      );
    }
    await (options.overwrite ? writeFile : appendFile)(file, this.buffer, { encoding: 'utf8' });
    this.buffer = '';
    return this;
  }
}

export const summary = new Summary();
