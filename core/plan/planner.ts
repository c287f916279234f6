/**
 * The planner: which files each matching rule selects, and what their text becomes. Reads files, never writes.
 * Every rule is planned before anything is written, and every problem found is reported at once (UserError), so a
 * failing second rule leaves the first rule's files untouched.
 */
import { quoted } from '../display.js';
import { editKustomizeImage } from '../edit/kustomize.js';
import type { EditOptions, EditResult } from '../edit/model.js';
import { checkPatterns, editRegex } from '../edit/regex.js';
import { expectationFor, needsDataCheck, verifyEdit } from '../edit/verify.js';
import { editYamlPath, variableValue } from '../edit/yaml-path.js';
import { type Problem, ProblemList, UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { matchRules } from '../rules/match.js';
import type { FileUpdate, Rule, Variables } from '../rules/model.js';
import type { FileChange, Plan, RefusedSpan, SpanChange } from './model.js';
import { compareSemVer, tagVersion } from './semver.js';
import { type FileSource, isInside, workTreeSource } from './source.js';
import { checkValue, writtenVariables } from './validate.js';

export interface PlanOptions {
  /** The checkout; files are read from it unless `source` is given. */
  root: string;
  /** Where files are selected and read (default: the work tree at `root`). */
  source?: FileSource;
  rules: Rule[];
  variables: Variables;
  logger: Logger;
  /**
   * `false` turns the rules' `only-newer` guard off for this run (the receive action's `only-newer: false`, the way
   * to recover an environment pinned by a wrong, too-high version). Default true: rules decide.
   */
  onlyNewer?: boolean;
}

interface FileState {
  path: string;
  before: string;
  text: string;
  rules: string[];
  spans: SpanChange[];
  pullRequest: boolean;
}

export { isInside };

function describeConditions(rule: Rule): string {
  return rule.when
    .map((group) =>
      group.map((c) => `${c.variable} =~ /${c.pattern}/${c.anchored ? ' (full match)' : ''}`).join(' and '),
    )
    .join(' or ');
}

function describeEdit(edit: FileUpdate['edit']): string {
  switch (edit.kind) {
    case 'regex':
      return edit.patterns.map((p) => `regex ${p.label}`).join(', ');
    case 'yaml-path':
      return `yaml-path ${edit.path}`;
    case 'kustomize-image':
      return `kustomize-image ${edit.image}`;
  }
}

function runEdit(update: FileUpdate, text: string, variables: Variables, options: EditOptions) {
  const edit = update.edit;
  switch (edit.kind) {
    case 'regex':
      return editRegex(text, edit.patterns, variables, options);
    case 'yaml-path':
      return editYamlPath(text, edit, variables, options) as EditResult & { unmatched?: string[] };
    case 'kustomize-image':
      return editKustomizeImage(text, edit.image, variables, options) as EditResult & { unmatched?: string[] };
  }
}

/**
 * One update applied to one file's text, then read back as data (YAML 1.2 and 1.1) and refused unless only its
 * targets changed. Throws UserError; the planner adds the rule and file.
 */
export function editFile(
  update: FileUpdate,
  path: string,
  text: string,
  variables: Variables,
  options: EditOptions = {},
): EditResult & { unmatched?: string[] } {
  const result = runEdit(update, text, variables, options);
  if (needsDataCheck(update.edit, path)) {
    verifyEdit(text, result.text, expectationFor(update.edit, result.spans), describeEdit(update.edit));
  }
  return result;
}

export async function planUpdate(options: PlanOptions): Promise<Plan> {
  const { root, rules, variables, logger } = options;
  // The tag and digest are checked before any rule sees them, whatever the rules write: a malformed one is a broken
  // or hostile sender, never "no rule matched".
  const shapes = (['docker_image_tag', 'digest'] as const).flatMap((name) => {
    const value = variables[name];
    if (value === undefined || (name === 'digest' && value === '')) return [];
    const problem = checkValue(name, value);
    return problem ? [problem] : [];
  });
  if (shapes.length > 0) throw new UserError(shapes);
  const matched = matchRules(rules, variables, logger);
  if (matched.length === 0) {
    const tag = variables.docker_image_tag;
    const missed = rules.map((r) => `${r.name}: ${describeConditions(r)}`).join('; ');
    logger.notice(
      `${tag === undefined ? 'This dispatch (no docker_image_tag)' : `Tag ${quoted(tag)}`} matched no rule; nothing to update. Patterns missed: ${missed || '(no rules)'}`,
      { title: 'No rule matched' },
    );
    return { matchedRules: [], changes: [], unchanged: [] };
  }

  const problems = new ProblemList();
  const source = options.source ?? workTreeSource(root);
  const states = new Map<string, FileState>();
  const checkedValues = new Set<string>();
  const refused: RefusedSpan[] = [];

  for (const rule of matched) {
    await logger.group(`Rule ${rule.name}`, async () => {
      const where = { file: rule.origin.source, line: rule.origin.line, column: rule.origin.column };
      const add = (p: Problem, file?: string) =>
        problems.add({
          ...p,
          message: `rule '${rule.name}'${file ? ` in ${file}` : ''}: ${p.message}`,
          ...(file ? { file } : where),
        });
      for (const update of rule.update) {
        // Values first: nothing this update would write may be malformed.
        let valuesOk = true;
        for (const name of writtenVariables(update.edit, variables)) {
          const value = variables[name];
          if (value === undefined) continue; // the editor names unknown variables, with a suggestion
          const problem = checkValue(name, value);
          if (problem) {
            valuesOk = false;
            if (!checkedValues.has(name)) problems.add(problem);
            checkedValues.add(name);
          }
        }
        // Rule-level problems once, not once per selected file.
        const edit = update.edit;
        try {
          if (edit.kind === 'regex') checkPatterns(edit.patterns, variables);
          else if (edit.kind === 'yaml-path') variableValue(variables, edit.variable, `yaml-path ${edit.path}`);
          else variableValue(variables, 'docker_image_tag', `kustomize-image ${edit.image}`);
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          for (const p of error.problems) add(p);
          continue;
        }
        if (!valuesOk) continue;

        let paths: string[];
        try {
          paths = await source.select(update.files, update.globDialect);
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          for (const p of error.problems) add(p);
          continue;
        }
        if (paths.length === 0) {
          logger.warning(
            `rule '${rule.name}': no file matches ${update.files.map((f) => JSON.stringify(f)).join(', ')}`,
            {
              title: `No file for rule ${rule.name}`,
            },
          );
          continue;
        }
        for (const path of paths) {
          const state = await loadState(path);
          if (!state) continue;
          const guard = rule.onlyNewer ? onlyNewerGuard(rule, state.path, rule.onlyNewer.stripSuffix) : undefined;
          let result: EditResult & { unmatched?: string[] };
          try {
            result = runEdit(update, state.text, variables, { shouldReplace: guard });
            if (needsDataCheck(update.edit, state.path)) {
              verifyEdit(state.text, result.text, expectationFor(update.edit, result.spans), describeEdit(update.edit));
            }
          } catch (error) {
            if (!(error instanceof UserError)) throw error;
            for (const p of error.problems) add(p, state.path);
            continue;
          }
          for (const label of result.unmatched ?? []) {
            logger.warning(`rule '${rule.name}': regex ${label} matched nothing in ${state.path}`, {
              file: state.path,
              title: 'Regex matched nothing',
            });
          }
          for (const span of result.spans) {
            logger.info(
              `${state.path}:${span.line}: ${span.variable} ${quoted(span.before)} -> ${quoted(span.after)} (${span.locator})`,
            );
          }
          if (result.spans.length > 0) {
            state.text = result.text;
            state.spans.push(...result.spans.map((span) => ({ ...span, rule: rule.name })));
            if (!state.rules.includes(rule.name)) state.rules.push(rule.name);
            if (rule.pullRequest) state.pullRequest = true;
          }
        }

        async function loadState(path: string): Promise<FileState | undefined> {
          if (path.split('/').includes('.git')) {
            add({
              code: 'plan/git-dir',
              message: `glob selects ${path} inside .git/; expected files of the work tree`,
            });
            return undefined;
          }
          const resolved = await source.resolve(path);
          if ('problem' in resolved) {
            add(resolved.problem, path);
            return undefined;
          }
          const key = resolved.key;
          let state = states.get(key);
          if (!state) {
            const read = await source.read(key);
            if ('problem' in read) {
              add(read.problem, path);
              return undefined;
            }
            const text = read.text;
            state = { path: key, before: text, text, rules: [], spans: [], pullRequest: false };
            states.set(key, state);
          }
          return state;
        }
      }
    });
  }
  problems.throwIfAny();

  const changes: FileChange[] = [];
  const unchanged: string[] = [];
  for (const state of states.values()) {
    if (state.text === state.before) unchanged.push(state.path);
    else
      changes.push({
        path: state.path,
        rules: state.rules,
        before: state.before,
        after: state.text,
        spans: state.spans,
        pullRequest: state.pullRequest,
      });
  }
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  unchanged.sort();
  return { matchedRules: matched.map((r) => r.name), changes, unchanged, ...(refused.length > 0 ? { refused } : {}) };

  function onlyNewerGuard(rule: Rule, path: string, suffix: string): EditOptions['shouldReplace'] {
    return (candidate) => {
      const current = tagVersion(candidate.before, suffix);
      const next = tagVersion(candidate.after, suffix);
      if (current && next && compareSemVer(next, current) < 0) {
        const kept = quoted(candidate.before);
        const older = quoted(candidate.after);
        if (options.onlyNewer === false) {
          logger.notice(
            `rule '${rule.name}': ${path} had ${kept}; writing ${older}, an older version, because input 'only-newer' is false for this run`,
            { file: path, line: candidate.line, title: 'only-newer overridden' },
          );
          return true;
        }
        // An editor may ask twice for one span (e.g. when it checks its result): one row, one warning.
        const seen = refused.some(
          (r) => r.rule === rule.name && r.path === path && r.line === candidate.line && r.refused === candidate.after,
        );
        if (!seen) {
          const { line, variable } = candidate;
          refused.push({ rule: rule.name, path, line, variable, kept: candidate.before, refused: candidate.after });
          logger.warning(
            `rule '${rule.name}': ${path} keeps ${kept}; ${older} is an older version, so it was not written (only-newer). ` +
              `If ${kept} is wrong, run again with input 'only-newer: false' or edit the file by hand (README: Recovering from only-newer).`,
            {
              file: path,
              line,
              title: `only-newer kept ${oneLineVersion(candidate.before)}, refused ${oneLineVersion(candidate.after)}`,
            },
          );
        }
        return false;
      }
      return true;
    };
  }
}

/** A version for an annotation title: quoted, short. */
function oneLineVersion(value: string): string {
  const shown = quoted(value);
  return shown.length > 60 ? `${shown.slice(0, 57)}..."` : shown;
}
