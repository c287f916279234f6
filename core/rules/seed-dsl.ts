/**
 * The seed's `mappings` DSL (dreitier/conditional-regex-search-and-replace-action), parsed the way that
 * action's `Mapping\Collection` does, into the rule model:
 *
 *   var==regex {OR} var2==regex {THEN_UPDATE_FILES} glob=regex_a&regex_b {AND} glob2 {NEXT_MAPPING} ...
 *
 * - `{NEXT_MAPPING}` separates mappings (empty ones are skipped); each becomes a rule `mapping-<n>`.
 * - `{OR}` separates conditions; any one matching is enough. Conditions are unanchored searches, as the
 *   old action's `preg_match("/regex/", value)`. A condition without `==regex` is `==.*`.
 * - A mapping without `{THEN_UPDATE_FILES}` updates `**=*`: every file, with every defined regex.
 * - `{AND}` separates file selections; `glob` without `=` uses `*`, every defined regex; `&` chains regex names.
 * - Every piece is trimmed. Regex values are trimmed and an empty one counts as not given (the old action
 *   read them from environment variables the same way).
 * - `__true__` and `__always__` are the old action's built-in variables with the value `1`.
 * - Regex names come from the inputs `docker_image_tag_regex`, `git_branch_regex` and the `regexes` map.
 *
 * Deliberate differences, all of them errors where the old action silently did nothing or something odd:
 * an unknown regex name (with a suggestion), a second `{THEN_UPDATE_FILES}`, an empty condition or file
 * selection, a regex that does not compile, an unknown `{SEPARATOR}`, a glob that leaves the repository.
 * A condition's regex is everything after the first `==` (the old action dropped text after a second `==`).
 * PCRE-only named-group spellings `(?P<name>...)`, `(?'name'...)` and `(?P=name)` are translated to
 * JavaScript's.
 */
import { parseDocument } from 'yaml';
import { type ErrorCode, type Problem, ProblemList } from '../errors.js';
import { suggest } from '../suggest.js';
import { checkGlob } from './glob.js';
import type { Condition, FileUpdate, Rule } from './model.js';
import { compileCondition, conditionPatternError } from './pattern.js';
import { regexError } from './regex-error.js';

export interface SeedInputs {
  mappings: string;
  docker_image_tag_regex?: string;
  git_branch_regex?: string;
  /** YAML map name -> regex. */
  regexes?: string;
}

const NEXT_MAPPING = '{NEXT_MAPPING}';
const THEN_UPDATE_FILES = '{THEN_UPDATE_FILES}';
const OR = '{OR}';
const AND = '{AND}';
const SEPARATORS = [NEXT_MAPPING, THEN_UPDATE_FILES, OR, AND];
const WELL_KNOWN_REGEX_INPUTS = ['docker_image_tag_regex', 'git_branch_regex'] as const;
const ALWAYS_VARIABLES = new Set(['__true__', '__always__']);

interface Piece {
  text: string;
  /** 0-based offset of `text` in the whole `mappings` input. */
  offset: number;
}

interface NamedRegex {
  source: string;
  input: string;
}

export function parseSeedMappings(inputs: SeedInputs): Rule[] {
  const problems = new ProblemList();
  const regexes = collectRegexes(inputs, problems);
  const text = inputs.mappings ?? '';
  const mappingProblem = (message: string, code: ErrorCode = 'mappings/syntax'): void =>
    problems.add({ code, message, input: 'mappings' });

  if (text.trim() === '') {
    mappingProblem(
      `Input 'mappings' is empty; expected e.g. "docker_image_tag==.*-dev {THEN_UPDATE_FILES} **dev/values.yaml=docker_image_tag_regex"`,
      'mappings/empty',
    );
    problems.throwIfAny();
  }

  for (const token of new Set(text.match(/\{[A-Z][A-Z_ ]*[A-Z]\}/g) ?? [])) {
    if (SEPARATORS.includes(token)) continue;
    const hint = suggest(token, SEPARATORS);
    mappingProblem(
      `Input 'mappings' has an unknown separator '${token}'${hint ? ` (did you mean '${hint}'?)` : ''}; separators are ${SEPARATORS.join(', ')}`,
    );
  }

  const rules: Rule[] = [];
  const mappings = split({ text, offset: 0 }, NEXT_MAPPING).filter((m) => m.text !== '');
  mappings.forEach((mapping, index) => {
    const name = `mapping-${index + 1}`;
    const quoted = JSON.stringify(mapping.text);
    const sides = split(mapping, THEN_UPDATE_FILES);
    if (sides.length > 2) {
      mappingProblem(
        `Mapping ${name} (${quoted}) has ${THEN_UPDATE_FILES} more than once; expected conditions ${THEN_UPDATE_FILES} files`,
      );
      return;
    }
    const [conditionSide, fileSide] = sides as [Piece, Piece | undefined];

    const when: Condition[][] = [];
    if (conditionSide.text === '') {
      mappingProblem(
        `Mapping ${name} (${quoted}) has no condition before ${THEN_UPDATE_FILES}; expected e.g. docker_image_tag==.*-dev (or __always__)`,
      );
    } else {
      for (const piece of split(conditionSide, OR)) {
        const group = parseCondition(piece, name, quoted, problems);
        if (group) when.push(group);
      }
    }

    const update: FileUpdate[] = [];
    const files = fileSide ?? { text: '**=*', offset: mapping.offset + mapping.text.length };
    if (files.text === '') {
      mappingProblem(
        `Mapping ${name} (${quoted}) has nothing after ${THEN_UPDATE_FILES}; expected glob=regex_name&other_regex_name`,
      );
    } else {
      for (const piece of split(files, AND)) {
        const fileUpdate = parseFileSelection(piece, name, quoted, regexes, inputs, problems);
        if (fileUpdate) update.push(fileUpdate);
      }
    }

    const pos = position(text, mapping.offset);
    rules.push({ name, when, update, origin: { syntax: 'seed', source: 'mappings', ...pos } });
  });

  if (mappings.length === 0 && problems.empty) {
    mappingProblem(
      `Input 'mappings' has only separators (${JSON.stringify(text)}); expected at least one mapping`,
      'mappings/empty',
    );
  }
  problems.throwIfAny();
  return rules;
}

/** One `var==regex`; `[]` (always true) for the built-in `__true__`/`__always__`, undefined when never true. */
function parseCondition(piece: Piece, name: string, quoted: string, problems: ProblemList): Condition[] | undefined {
  if (piece.text === '') {
    problems.add({
      code: 'mappings/syntax',
      input: 'mappings',
      message: `Mapping ${name} (${quoted}) has an empty condition next to ${OR}; expected variable==regex`,
    });
    return undefined;
  }
  const at = piece.text.indexOf('==');
  const variable = (at < 0 ? piece.text : piece.text.slice(0, at)).trim();
  const pattern = at < 0 ? '.*' : translatePcre(piece.text.slice(at + 2).trim());
  if (!/^[^\s{}=&]+$/.test(variable)) {
    problems.add({
      code: 'mappings/syntax',
      input: 'mappings',
      message: `Mapping ${name}: condition ${JSON.stringify(piece.text)} does not start with a variable name; expected variable==regex, e.g. docker_image_tag==.*-dev`,
    });
    return undefined;
  }
  const bad = conditionPatternError(pattern, false);
  if (bad) {
    problems.add({
      code: 'mappings/bad-regex',
      input: 'mappings',
      message: `Mapping ${name}: the regex for '${variable}' does not compile (${bad}): ${JSON.stringify(pattern)}`,
    });
    return undefined;
  }
  if (ALWAYS_VARIABLES.has(variable)) {
    // The old action defined these as the value '1'; decide now instead of inventing a variable.
    return compileCondition(pattern, false).test('1') ? [] : undefined;
  }
  return [{ variable, pattern, anchored: false }];
}

/** One `glob=regex_a&regex_b` (or bare `glob`, meaning every defined regex). */
function parseFileSelection(
  piece: Piece,
  name: string,
  quoted: string,
  regexes: Map<string, NamedRegex>,
  inputs: SeedInputs,
  problems: ProblemList,
): FileUpdate | undefined {
  const fail = (code: ErrorCode, message: string): undefined => {
    problems.add({ code, input: 'mappings', message: `Mapping ${name}: ${message}` });
    return undefined;
  };
  if (piece.text === '')
    return fail('mappings/syntax', `(${quoted}) has an empty file selection next to ${AND}; expected glob=regex_name`);
  const at = piece.text.indexOf('=');
  const glob = (at < 0 ? piece.text : piece.text.slice(0, at)).trim();
  const refsText = at < 0 ? '*' : piece.text.slice(at + 1).trim();
  if (glob === '')
    return fail(
      'mappings/syntax',
      `file selection ${JSON.stringify(piece.text)} has no glob before '='; expected glob=regex_name`,
    );
  const globProblem = checkGlob(glob, 'seed');
  if (globProblem)
    problems.add({ ...globProblem, input: 'mappings', message: `Mapping ${name}: ${globProblem.message}` });
  if (refsText === '') {
    return fail(
      'mappings/syntax',
      `file selection ${JSON.stringify(piece.text)} names no regex after '='; expected glob=regex_name&other_regex_name`,
    );
  }

  const chosen = new Map<string, NamedRegex>();
  let ok = !globProblem;
  for (const ref of refsText.split('&').map((r) => r.trim())) {
    if (ref === '') {
      ok = false;
      fail('mappings/syntax', `file selection ${JSON.stringify(piece.text)} has an empty regex name between '&'`);
    } else if (ref === '*') {
      if (regexes.size === 0) {
        ok = false;
        fail(
          'mappings/unknown-regex',
          `${JSON.stringify(glob)} uses every defined regex ('*'), but none is defined; set docker_image_tag_regex, git_branch_regex or regexes`,
        );
      }
      for (const [key, value] of regexes) chosen.set(key, value);
    } else if (regexes.has(ref)) {
      chosen.set(ref, regexes.get(ref)!);
    } else {
      ok = false;
      const wellKnown = (WELL_KNOWN_REGEX_INPUTS as readonly string[]).includes(ref);
      if (wellKnown && (inputs[ref as keyof SeedInputs] ?? '').trim() === '') {
        fail(
          'mappings/unknown-regex',
          `${JSON.stringify(glob)} uses the regex '${ref}', but the input '${ref}' is empty; set it, e.g. ${ref}: 'tag: "(?<${ref.replace(/_regex$/, '')}>[^"]*)"'`,
        );
      } else {
        const candidates = [...new Set([...regexes.keys(), ...WELL_KNOWN_REGEX_INPUTS])];
        const hint = suggest(ref, candidates);
        fail(
          'mappings/unknown-regex',
          `${JSON.stringify(glob)} uses the regex '${ref}', which is not defined${hint ? ` (did you mean '${hint}'?)` : ''}; defined: ${regexes.size > 0 ? [...regexes.keys()].join(', ') : 'none'} (set docker_image_tag_regex, git_branch_regex, or add it to regexes)`,
        );
      }
    }
  }
  if (!ok) return undefined;
  return {
    files: [glob],
    globDialect: 'seed',
    edit: {
      kind: 'regex',
      patterns: [...chosen].map(([label, r]) => ({ source: r.source, flags: '', label })),
    },
  };
}

/** The named regexes: the two well-known inputs, then the `regexes` map, each trimmed, empty = not given. */
function collectRegexes(inputs: SeedInputs, problems: ProblemList): Map<string, NamedRegex> {
  const out = new Map<string, NamedRegex>();
  const add = (name: string, raw: string, input: string, extra: Partial<Problem> = {}): void => {
    const source = translatePcre(raw.trim());
    const bad = regexError(source);
    if (bad) {
      problems.add({
        code: 'mappings/bad-regex',
        input,
        ...extra,
        message: `Regex '${name}' (input '${input}') does not compile (${bad}): ${JSON.stringify(raw)}`,
      });
      return;
    }
    const existing = out.get(name);
    if (existing && existing.source !== source) {
      problems.add({
        code: 'mappings/duplicate-regex',
        input,
        ...extra,
        message: `Regex '${name}' is defined twice with different values (input '${existing.input}' and input '${input}'); keep one`,
      });
      return;
    }
    out.set(name, { source, input });
  };
  for (const name of WELL_KNOWN_REGEX_INPUTS) {
    const value = inputs[name];
    if (typeof value === 'string' && value.trim() !== '') add(name, value, name);
  }
  const mapText = inputs.regexes ?? '';
  if (mapText.trim() === '') return out;

  const doc = parseDocument(mapText, { uniqueKeys: true, prettyErrors: true });
  for (const error of doc.errors) {
    problems.add({
      code: 'mappings/bad-regexes-input',
      input: 'regexes',
      message: `Input 'regexes' is not valid YAML (${error.message.split('\n')[0]}); expected a map of name: regex`,
    });
  }
  if (doc.errors.length > 0) return out;
  const map: unknown = doc.toJS();
  if (map === null || map === undefined) return out;
  if (typeof map !== 'object' || Array.isArray(map)) {
    problems.add({
      code: 'mappings/bad-regexes-input',
      input: 'regexes',
      message: `Input 'regexes' is ${Array.isArray(map) ? 'a list' : JSON.stringify(map)}; expected a map of name: regex, e.g. "image_regex: 'image: (?<image>\\\\S+)'"`,
    });
    return out;
  }
  for (const [name, value] of Object.entries(map as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
      problems.add({
        code: 'mappings/bad-regexes-input',
        input: 'regexes',
        message: `Input 'regexes' has the name ${JSON.stringify(name)}; expected letters, digits, '_', '.' or '-' (it is referenced as glob=name)`,
      });
    } else if (typeof value !== 'string' || value.trim() === '') {
      problems.add({
        code: 'mappings/bad-regexes-input',
        input: 'regexes',
        message: `Input 'regexes': '${name}' is ${typeof value === 'string' ? 'empty' : JSON.stringify(value)}; expected a regular expression string`,
      });
    } else {
      add(name, value, 'regexes');
    }
  }
  return out;
}

/** Splits at `separator`, trimming each piece and keeping its offset in the whole input. */
function split(piece: Piece, separator: string): Piece[] {
  const out: Piece[] = [];
  let start = 0;
  for (;;) {
    const at = piece.text.indexOf(separator, start);
    const raw = piece.text.slice(start, at < 0 ? undefined : at);
    const lead = raw.length - raw.trimStart().length;
    out.push({ text: raw.trim(), offset: piece.offset + start + lead });
    if (at < 0) return out;
    start = at + separator.length;
  }
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** PCRE spells named groups in ways JavaScript does not accept; the old action ran on PCRE. */
export function translatePcre(source: string): string {
  return source
    .replace(/(?<!\\)\(\?P<(?=[A-Za-z_])/g, '(?<')
    .replace(/(?<!\\)\(\?'([A-Za-z_][A-Za-z0-9_]*)'/g, '(?<$1>')
    .replace(/(?<!\\)\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, '\\k<$1>');
}
