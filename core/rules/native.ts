/**
 * Native YAML rules -> the rule model. The shape is checked with Ajv against `rules.schema.json` (the same
 * file editors use for completion), then the meaning: unique names, regexes that compile, safe globs. Every
 * problem found is reported at once, each pointing at the line and column of the offending YAML node.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { checkYaml } from '../yaml-schema.js';
import { checkGlob } from './glob.js';
import type { Condition, Edit, FileUpdate, Rule } from './model.js';
import { conditionPatternError } from './pattern.js';
import { regexError } from './regex-error.js';
import schema from './rules.schema.json' with { type: 'json' };

/** The JSON Schema of native rules, for editors and for other tools that validate them. */
export const rulesSchema: object = schema;

const EDIT_KEYS = ['yaml-path', 'regex', 'kustomize-image'] as const;

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  // strictTypes off: `type: [string, array]` with `minLength` and `items` is the intended union, not a mistake.
  // validateSchema off: checking our own schema against the meta-schema took half of the compile (20 ms of every
  // receiver start); test/rules/native.test.ts compiles the file with that check on.
  compiled ??= new Ajv({ allErrors: true, verbose: true, strictTypes: false, validateSchema: false }).compile(schema);
  return compiled;
}

/**
 * Parses native rules from YAML text. `source` names the text in problems (`rules` input or a file path).
 * Throws a `UserError` listing every problem, each with `file: source`, `line` and `column`.
 */
export function parseNativeRules(text: string, source: string): Rule[] {
  const checked = checkYaml(text, {
    domain: 'rules',
    file: source,
    validate: validator(),
    expected: "a list of rules, each with 'name', 'when' and 'update'",
    rootWords: 'the rules document',
    itemWords: (index, rule) =>
      isRecord(rule) && typeof rule.name === 'string' ? `rule '${rule.name}'` : `rule #${index + 1}`,
    patternWords,
    nameWords: () => "a variable name: letters, digits, '_' or '-', not starting with a digit or '-'",
    oneOf: (path, value, here) => {
      if (!(path.length === 3 && path[1] === 'update')) return undefined;
      const present = EDIT_KEYS.filter((k) => isRecord(value) && k in value);
      return {
        code: 'rules/edit-kind',
        message:
          present.length === 0
            ? `${capitalize(here)} needs one way to edit the files: 'yaml-path', 'regex' or 'kustomize-image'`
            : `${capitalize(here)} has ${present.map((k) => `'${k}'`).join(' and ')}; use exactly one of 'yaml-path', 'regex', 'kustomize-image'`,
      };
    },
  });
  const { data, problems } = checked;
  const nodeAt = (path: string[]) => checked.at(path);

  // Meaning checks run on whatever has the right shape, so they are reported together with shape problems.
  const rules: Rule[] = [];
  const names = new Map<string, number>();
  const list = Array.isArray(data) ? data : [];
  list.forEach((raw: unknown, index) => {
    if (!isRecord(raw)) return;
    const rulePath = [String(index)];
    const name = typeof raw.name === 'string' ? raw.name : `#${index + 1}`;
    if (typeof raw.name === 'string') {
      const first = names.get(raw.name);
      if (first !== undefined) {
        problems.add({
          code: 'rules/duplicate-name',
          message: `Rule name '${raw.name}' is used twice (rules #${first + 1} and #${index + 1}); names must be unique`,
          file: source,
          ...nodeAt([...rulePath, 'name']),
        });
      } else {
        names.set(raw.name, index);
      }
    }

    const when: Condition[][] = [];
    const groups = Array.isArray(raw.when) ? raw.when : isRecord(raw.when) ? [raw.when] : [];
    groups.forEach((group: unknown, g) => {
      if (!isRecord(group)) return;
      const groupPath = Array.isArray(raw.when) ? [...rulePath, 'when', String(g)] : [...rulePath, 'when'];
      const conditions: Condition[] = [];
      for (const [variable, pattern] of Object.entries(group)) {
        if (typeof pattern !== 'string') continue;
        const bad = conditionPatternError(pattern, true);
        if (bad) {
          problems.add({
            code: 'rules/bad-regex',
            message: `Rule '${name}': the pattern for '${variable}' is not a valid regular expression (${bad}): ${JSON.stringify(pattern)}`,
            file: source,
            ...nodeAt([...groupPath, variable]),
          });
        }
        conditions.push({ variable, pattern, anchored: true });
      }
      when.push(conditions);
    });

    const update: FileUpdate[] = [];
    const updates = Array.isArray(raw.update) ? raw.update : [];
    updates.forEach((item: unknown, u) => {
      if (!isRecord(item)) return;
      const itemPath = [...rulePath, 'update', String(u)];
      const files = typeof item.files === 'string' ? [item.files] : Array.isArray(item.files) ? item.files : [];
      files.forEach((glob: unknown, f) => {
        if (typeof glob !== 'string' || glob === '') return;
        const problem = checkGlob(glob, 'native');
        if (problem) {
          const filesPath = typeof item.files === 'string' ? [...itemPath, 'files'] : [...itemPath, 'files', String(f)];
          problems.add({
            ...problem,
            message: `Rule '${name}', update[${u}]: ${problem.message}`,
            file: source,
            ...nodeAt(filesPath),
          });
        }
      });
      const edit = buildEdit(item, u);
      if (edit?.kind === 'regex') {
        edit.patterns.forEach((pattern, j) => {
          const bad = regexError(pattern.source);
          if (bad) {
            const regexPath =
              typeof item.regex === 'string' ? [...itemPath, 'regex'] : [...itemPath, 'regex', String(j)];
            problems.add({
              code: 'rules/bad-regex',
              message: `Rule '${name}', ${pattern.label}: not a valid regular expression (${bad}): ${JSON.stringify(pattern.source)}`,
              file: source,
              ...nodeAt(regexPath),
            });
          }
        });
      }
      if (edit)
        update.push({ files: files.filter((f): f is string => typeof f === 'string'), globDialect: 'native', edit });
    });

    const rule: Rule = { name, when, update, origin: { syntax: 'native', source, ...nodeAt(rulePath) } };
    if (typeof raw['pull-request'] === 'boolean') rule.pullRequest = raw['pull-request'];
    if (typeof raw['argocd-app'] === 'string') rule.argocdApp = raw['argocd-app'];
    const onlyNewer = raw['only-newer'];
    if (onlyNewer === true) rule.onlyNewer = { stripSuffix: '' };
    else if (isRecord(onlyNewer) && typeof onlyNewer['strip-suffix'] === 'string') {
      rule.onlyNewer = { stripSuffix: onlyNewer['strip-suffix'] };
    }
    rules.push(rule);
  });

  checked.finish();
  return rules;
}

function buildEdit(item: Record<string, unknown>, index: number): Edit | undefined {
  const kinds = EDIT_KEYS.filter((k) => k in item);
  if (kinds.length !== 1) return undefined; // reported by the schema
  if (typeof item['yaml-path'] === 'string') {
    return {
      kind: 'yaml-path',
      path: item['yaml-path'],
      variable: typeof item.variable === 'string' ? item.variable : 'docker_image_tag',
      create: item.create === true,
    };
  }
  if (typeof item['kustomize-image'] === 'string') return { kind: 'kustomize-image', image: item['kustomize-image'] };
  const regex = item.regex;
  if (typeof regex === 'string') {
    return { kind: 'regex', patterns: [{ source: regex, flags: '', label: `update[${index}].regex` }] };
  }
  if (Array.isArray(regex) && regex.every((r) => typeof r === 'string')) {
    return {
      kind: 'regex',
      patterns: regex.map((source: string, j) => ({ source, flags: '', label: `update[${index}].regex[${j}]` })),
    };
  }
  return undefined;
}

function patternWords(path: string[]): string {
  const last = path[path.length - 1];
  if (last === 'name') return "1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit";
  if (last === 'variable') return "a variable name: letters, digits, '_' or '-'";
  if (last === 'kustomize-image') return 'an image name without spaces, e.g. ghcr.io/org/app';
  if (last === 'argocd-app') return 'an Argo CD Application name (lower case), or namespace/name, e.g. myapp-dev';
  return 'a value of the documented form';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
