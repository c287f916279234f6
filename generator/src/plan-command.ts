import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ProblemList, UserError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { isOciDigest, isOciTag } from '../../core/oci.js';
import { type Plan, planUpdate, renderDiff } from '../../core/plan/index.js';
import { parseNativeRules, type Variables } from '../../core/rules/index.js';
import { loadConfig } from './config.js';
import { nativeRules } from './rules.js';

/** Shown when no --digest is given: the real one is only known after the build. */
export const STAND_IN_DIGEST = `sha256:${'0'.repeat(64)}`;

export interface PlanCommandOptions {
  cwd: string;
  config: string;
  /** The GitOps checkout to plan against. */
  repo: string;
  tag: string;
  digest?: string;
  /** Extra variables, `key=value`. */
  vars?: string[];
  color: boolean;
  logger: Logger;
}

export interface PlanCommandResult {
  variables: Variables;
  plan: Plan;
  /** What to print: matched environments, then the diff. */
  text: string;
}

function variablesOf(o: PlanCommandOptions, image: string): Variables {
  const problems = new ProblemList();
  if (!isOciTag(o.tag)) {
    problems.add({
      code: 'usage/bad-tag',
      input: 'tag',
      message: `Option '--tag' is ${JSON.stringify(o.tag)}; expected an image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})`,
    });
  }
  if (o.digest !== undefined && !isOciDigest(o.digest)) {
    problems.add({
      code: 'usage/bad-digest',
      input: 'digest',
      message: `Option '--digest' is ${JSON.stringify(o.digest)}; expected sha256: and 64 lowercase hex digits`,
    });
  }
  // The generated sender always sends the digest the build pushed, so the receiver writes one wherever an edit
  // takes it (kustomize images); without --digest a stand-in shows that line.
  const variables: Variables = { docker_image_tag: o.tag, image, digest: o.digest ?? STAND_IN_DIGEST };
  for (const pair of o.vars ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(pair);
    if (!m) {
      problems.add({
        code: 'usage/bad-var',
        input: 'var',
        message: `Option '--var' is ${JSON.stringify(pair)}; expected name=value (name: letters, digits, _)`,
      });
    } else variables[m[1]!] = m[2]!;
  }
  problems.throwIfAny();
  return variables;
}

/** Shows what the receiver would do for a tag: the same rules text as the downstream workflow, planned dry. */
export async function runPlan(o: PlanCommandOptions): Promise<PlanCommandResult> {
  const config = await loadConfig(o.config, o.cwd);
  const variables = variablesOf(o, config.upstream.image);
  const root = resolve(o.cwd, o.repo);
  if (
    !(await stat(root).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    throw new UserError({
      code: 'usage/repo',
      input: 'repo',
      message: `Option '--repo' is ${JSON.stringify(o.repo)}, which is not a folder (${root}); expected a checkout of ${config.downstream.repository}`,
    });
  }
  const rules = parseNativeRules(nativeRules(config, { forPlan: true }), `rules generated from ${config.source}`);
  // The planner warns when only-newer keeps a value; plan says so instead of a bare "no change".
  const kept: string[] = [];
  const base = o.logger;
  const logger: Logger = {
    debug: (m) => base.debug(m),
    info: (m) => base.info(m),
    notice: (m, a) => base.notice(m, a),
    error: (m, a) => base.error(m, a),
    group: (name, fn) => base.group(name, fn),
    warning: (message, annotation) => {
      // Only the file is taken from the planner's warning, so its wording may change.
      if (message.includes('(only-newer)') && annotation?.file) {
        kept.push(`${annotation.file} holds a newer version than ${o.tag}`);
      } else base.warning(message, annotation);
    },
  };
  const plan = await planUpdate({ root, rules, variables, logger });
  const lines: string[] = [];
  if (plan.matchedRules.length === 0) {
    lines.push(
      `Tag '${o.tag}' matches no environment (${config.environments.map((e) => `${e.name}: ${e.tag}`).join('; ')}); the receiver would change nothing.`,
    );
  } else {
    lines.push(`Tag '${o.tag}' matches environment ${plan.matchedRules.join(', ')}.`);
    const viaPr = [...new Set(plan.changes.filter((c) => c.pullRequest).flatMap((c) => c.rules))];
    if (viaPr.length > 0) lines.push(`${viaPr.join(', ')}: the change lands through a pull request.`);
    const envs = config.environments.filter((e) => plan.matchedRules.includes(e.name));
    if (plan.changes.length === 0 && plan.unchanged.length === 0) {
      lines.push(
        `No file matched: ${envs.map((e) => `${e.name}: ${e.files.join(', ')}`).join('; ')} match nothing in ${o.repo}; the receiver would change nothing.`,
      );
    } else if (plan.changes.length === 0 && kept.length > 0) {
      lines.push(`No change because of only-newer: ${kept.join('; ')}.`);
    } else if (plan.changes.length === 0) {
      lines.push(`No change: ${plan.unchanged.join(', ')} already hold(s) these values.`);
    } else if (kept.length > 0) {
      lines.push(`Kept by only-newer: ${kept.join('; ')}.`);
    }
    if (o.digest === undefined && plan.changes.some((c) => c.after.includes(STAND_IN_DIGEST))) {
      lines.push(`The digest ${STAND_IN_DIGEST} stands in for the one the build pushes; pass --digest to see it.`);
    }
  }
  let text = `${lines.join('\n')}\n`;
  if (plan.changes.length > 0) text += renderDiff(plan, { color: o.color });
  return { variables, plan, text };
}
