/** Every case of the old action (test/fixtures/seed-action/cases.json), through the planner and through the action. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { MemoryLogger } from '../../core/logger.js';
import { applyPlan } from '../../core/plan/apply.js';
import { planUpdate } from '../../core/plan/planner.js';
import { parseSeedMappings } from '../../core/rules/seed-dsl.js';
import { collectVariables } from '../../core/rules/variables.js';
import { runCompositeAction } from '../support/composite.js';
import { git, readTree, tempDir, writeTree } from '../support/git.js';
import { actionDir, repoRoot } from './build.js';

interface SeedCase {
  name: string;
  mappings: string;
  inputs: {
    docker_image_tag_regex?: string;
    git_branch_regex?: string;
    regexes?: string;
    variables: Record<string, unknown>;
  };
  before: Record<string, string>;
  after: Record<string, string>;
  total_modified_files: number;
  matched_rules?: string[];
  error?: { code: string; mentions: string[] };
}

const cases: SeedCase[] = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/seed-action/cases.json'), 'utf8'));

describe('seed cases through the planner', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const root = await tempDir('seed-case-');
      await writeTree(root, c.before);
      const { variables: payload, ...regexInputs } = c.inputs;
      const run = async () => {
        const rules = parseSeedMappings({ mappings: c.mappings, ...regexInputs });
        const variables = collectVariables({ event: { action: 'update-gitops-repo', client_payload: payload } });
        const plan = await planUpdate({ root, rules, variables, logger: new MemoryLogger() });
        await applyPlan(root, plan);
        return plan;
      };
      if (c.error) {
        const error = await run().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(UserError);
        const problems = (error as UserError).problems;
        expect(problems.map((p) => p.code)).toContain(c.error.code);
        for (const word of c.error.mentions) expect((error as Error).message).toContain(word);
      } else {
        const plan = await run();
        expect(plan.changes.length).toBe(c.total_modified_files);
        if (c.matched_rules) expect(plan.matchedRules).toEqual(c.matched_rules);
      }
      expect(await readTree(root)).toEqual(c.after);
    });
  }
});

describe('seed cases through receive-action/action.yml', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const ws = await tempDir('seed-action-');
      await git(ws, 'init', '-q', '-b', 'main');
      await writeTree(ws, c.before);
      const { variables: payload, ...regexInputs } = c.inputs;
      const inputs: Record<string, string> = { checkout: 'false', commit: 'false', mappings: c.mappings };
      for (const [k, v] of Object.entries(regexInputs)) if (v !== undefined) inputs[k] = v;
      const r = await runCompositeAction({
        actionDir,
        workspace: ws,
        inputs,
        github: { event_name: 'repository_dispatch', event: { action: 'update-gitops-repo', client_payload: payload } },
      });
      if (c.error) {
        expect(r.exitCode).not.toBe(0);
        for (const word of c.error.mentions) expect(r.log).toContain(word);
      } else {
        expect(r.exitCode, r.log).toBe(0);
        expect(r.outputs.total_modified_files).toBe(String(c.total_modified_files));
        if (c.matched_rules) expect(JSON.parse(r.outputs.environments!)).toEqual(c.matched_rules);
      }
      expect(await readTree(ws)).toEqual(c.after);
    });
  }
});
