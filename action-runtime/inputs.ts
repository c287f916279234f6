/**
 * The one input layer of both actions. Composite steps get no INPUT_* variables by themselves: each action.yml maps
 * every input through `env:` as INPUT_<NAME> (upper case, `-` -> `_`), and both bundles read them here.
 *
 * One shape for every complaint: "Input 'NAME' is "VALUE"; expected FORM", and one code per kind of input
 * (`input/boolean`, `input/integer`, `input/choice`, `input/required`, `input/url`), so a typo in a boolean reads
 * the same in both actions. Values are trimmed, except free text that travels byte for byte (`raw`).
 */
import { ProblemList } from '../core/errors.js';
import { show } from '../core/payload/index.js';

export { show };

/** The value of input `name` (`rules-file` -> INPUT_RULES_FILE), trimmed unless `trim: false`. */
export function getInput(env: NodeJS.ProcessEnv, name: string, options: { trim?: boolean } = {}): string {
  const value = env[`INPUT_${name.replace(/[- ]/g, '_').toUpperCase()}`] ?? '';
  return options.trim === false ? value : value.trim();
}

/** Exactly what @actions/core's getBooleanInput accepts (YAML 1.2 core schema booleans). */
export const TRUE_VALUES: readonly string[] = ['true', 'True', 'TRUE'];
export const FALSE_VALUES: readonly string[] = ['false', 'False', 'FALSE'];

/**
 * A boolean input: true/True/TRUE or false/False/FALSE (after trimming), as getBooleanInput reads it; empty means
 * `fallback` (the default in action.yml, so the bundle also runs alone). Anything else is a problem.
 */
export function parseBoolean(text: string, fallback: boolean): boolean | undefined {
  const value = text.trim();
  if (value === '') return fallback;
  if (TRUE_VALUES.includes(value)) return true;
  if (FALSE_VALUES.includes(value)) return false;
  return undefined;
}

export interface IntegerOptions {
  min: number;
  max: number;
  fallback: number;
  /** What the number counts, e.g. 'whole seconds'; default 'a whole number'. */
  unit?: string;
}

export interface ChoiceOptions<T extends string> {
  fallback: T;
  /** Words for the expected form when the bare list needs explaining; default "one of: a, b". */
  expected?: string;
}

export interface UrlOptions {
  /** Shown as the example of the expected form. */
  example: string;
  /** Default false: a query or fragment is refused (the URL is a base that paths are added to). */
  allowQuery?: boolean;
  /** Where the problem's message needs more than "an http(s) URL". */
  expected?: string;
}

/** Reads inputs from `env`, collecting every problem in `problems` (thrown together by the caller). */
export class InputReader {
  constructor(
    readonly env: NodeJS.ProcessEnv,
    readonly problems: ProblemList = new ProblemList(),
  ) {}

  /** Trimmed text; '' when not set. */
  text(name: string): string {
    return getInput(this.env, name);
  }

  /** Free text that travels byte for byte (a commit message, rules YAML whose line numbers matter). */
  raw(name: string): string {
    return getInput(this.env, name, { trim: false });
  }

  /** Trimmed text that must not be empty; `example` shows a working line of a workflow. */
  required(name: string, example: string): string {
    const value = this.text(name);
    if (value === '') {
      this.problems.add({
        code: 'input/required',
        input: name,
        message: `Input '${name}' is required; e.g. ${example}`,
      });
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const text = this.text(name);
    const value = parseBoolean(text, fallback);
    if (value !== undefined) return value;
    this.problems.add({
      code: 'input/boolean',
      input: name,
      message: `Input '${name}' is ${show(text)}; expected true or false (True, TRUE, False and FALSE also work)`,
    });
    return fallback;
  }

  /** A whole number in [min, max]; empty means `fallback`. Returns NaN when the value is refused. */
  integer(name: string, options: IntegerOptions): number {
    const text = this.text(name);
    if (text === '') return options.fallback;
    const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
    if (value >= options.min && value <= options.max) return value;
    this.problems.add({
      code: 'input/integer',
      input: name,
      message: `Input '${name}' is ${show(text)}; expected ${options.unit ?? 'a whole number'} from ${options.min} to ${options.max}, e.g. ${options.fallback}`,
    });
    return Number.NaN;
  }

  /** One of `choices`; empty means `fallback`. Returns undefined when the value is refused. */
  choice<T extends string>(name: string, choices: readonly T[], options: ChoiceOptions<T>): T | undefined {
    const text = this.text(name);
    if (text === '') return options.fallback;
    const value = choices.find((c) => c === text);
    if (value !== undefined) return value;
    this.problems.add({
      code: 'input/choice',
      input: name,
      message: `Input '${name}' is ${show(text)}; expected ${options.expected ?? `one of: ${choices.join(', ')}`}`,
    });
    return undefined;
  }

  /** Items separated by commas or newlines, each trimmed, empty ones left out. */
  list(name: string): string[] {
    return parseList(this.raw(name));
  }

  /**
   * An http(s) URL without credentials, with trailing slashes removed; '' when not set. Returns '' when refused.
   * `text` is given when the value comes with a fallback (e.g. the runner's GITHUB_API_URL).
   */
  url(name: string, options: UrlOptions, text: string = this.text(name)): string {
    if (text === '') return '';
    try {
      const url = new URL(text);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
      if (url.username || url.password) throw new Error('credentials');
      if (!options.allowQuery && (url.search || url.hash)) throw new Error('query or fragment');
      return text.replace(/\/+$/, '');
    } catch {
      this.problems.add({
        code: 'input/url',
        input: name,
        message: `Input '${name}' is ${show(text)}; expected ${options.expected ?? `an http(s) URL without credentials${options.allowQuery ? '' : ', query or fragment'}`}, e.g. ${options.example}`,
      });
      return '';
    }
  }
}

export function parseList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
