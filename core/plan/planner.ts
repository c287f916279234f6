/**
 * The planner: which files each matching rule selects, and what their text becomes. Reads files, never writes.
 * Every rule is planned before anything is written, and every problem found is reported at once (UserError), so a
 * failing second rule leaves the first rule's files untouched.
 */
import { editKustomizeImage } from '../edit/kustomize.js';
import type { EditOptions, EditResult } from '../edit/model.js';
import { checkPatterns, editRegex } from '../edit/regex.js';
import { editYamlPath, variableValue } from '../edit/yaml-path.js';
import { type Problem, ProblemList, UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { matchRules } from '../rules/match.js';
import type { FileUpdate, Rule, Variables } from '../rules/model.js';
import type { FileChange, Plan, SpanChange } from './model.js';
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

export async function planUpdate(options: PlanOptions): Promise<Plan> {
  const { root, rules, variables, logger } = options;
  const matched = matchRules(rules, variables, logger);
  if (matched.length === 0) {
    const tag = variables.docker_image_tag;
    const missed = rules.map((r) => `${r.name}: ${describeConditions(r)}`).join('; ');
    logger.notice(
      `${tag === undefined ? 'This dispatch (no docker_image_tag)' : `Tag ${JSON.stringify(tag)}`} matched no rule; nothing to update. Patterns missed: ${missed || '(no rules)'}`,
      { title: 'No rule matched' },
    );
    return { matchedRules: [], changes: [], unchanged: [] };
  }

  const problems = new ProblemList();
  const source = options.source ?? workTreeSource(root);
  const states = new Map<string, FileState>();
  const checkedValues = new Set<string>();

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
              `${state.path}:${span.line}: ${span.variable} ${JSON.stringify(span.before)} -> ${JSON.stringify(span.after)} (${span.locator})`,
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
  return { matchedRules: matched.map((r) => r.name), changes, unchanged };

  function onlyNewerGuard(rule: Rule, path: string, suffix: string): EditOptions['shouldReplace'] {
    return (candidate) => {
      const current = tagVersion(candidate.before, suffix);
      const next = tagVersion(candidate.after, suffix);
      if (current && next && compareSemVer(next, current) < 0) {
        logger.warning(
          `rule '${rule.name}': ${path} keeps ${candidate.before}; ${candidate.after} is an older version (only-newer)`,
          { file: path, line: candidate.line, title: 'Older version not written' },
        );
        return false;
      }
      return true;
    };
  }
}
