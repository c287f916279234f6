import { describe, expect, it } from 'vitest';
import { landChanges } from '../../core/land/index.js';
import { silentLogger } from '../../core/logger.js';
import { applyPlan } from '../../core/plan/apply.js';
import { planUpdate } from '../../core/plan/planner.js';
import { parseNativeRules } from '../../core/rules/native.js';
import { bareRemote, cloneRemote, commitTo, git, remoteLog } from '../support/git.js';
import { ISOLATED_GIT_ENV } from './fake-planner.js';

const RULES = parseNativeRules(
  `
- name: dev
  when: { docker_image_tag: '.*-dev' }
  update:
    - files: environments/dev/values.yaml
      yaml-path: image.tag
`,
  'rules',
);

const VALUES = '# dev values\nimage:\n  repository: ghcr.io/org/app\n  tag: v1-dev # bumped by CI\nreplicas: 1\n';

async function landTag(clone: string, tag: string) {
  const variables = { docker_image_tag: tag };
  const replan = () => planUpdate({ root: clone, rules: RULES, variables, logger: silentLogger });
  const apply = (p: Awaited<ReturnType<typeof replan>>) => applyPlan(clone, p);
  const plan = await replan();
  await apply(plan);
  return landChanges({
    root: clone,
    logger: silentLogger,
    plan,
    replan,
    apply,
    commitMessage: () => `Branch main led to updated Docker image '${tag}'`,
    trailers: { 'Source-Repository': 'org/app' },
    author: { name: 'Bot', email: 'bot@example.com' },
    push: true,
    maxAttempts: 3,
    sleep: async () => {},
    random: () => 0,
    env: ISOLATED_GIT_ENV,
  });
}

describe('landChanges with the real planner', () => {
  it('re-plans the YAML edit on top of a concurrent change to the same file, keeping comments', async () => {
    const { bare } = await bareRemote({ 'environments/dev/values.yaml': VALUES });
    const clone = await cloneRemote(bare);
    const other = await cloneRemote(bare);
    const scaled = VALUES.replace('replicas: 1', 'replicas: 4');
    // The other writer lands first, after our clone was made: our first push is rejected.
    const variables = { docker_image_tag: 'v2-dev' };
    const plan = await planUpdate({ root: clone, rules: RULES, variables, logger: silentLogger });
    expect(plan.changes.map((c) => c.path)).toEqual(['environments/dev/values.yaml']);
    await commitTo(bare, { 'environments/dev/values.yaml': scaled }, 'scale dev');

    const result = await landTag(clone, 'v2-dev');
    expect(result).toMatchObject({ pushed: true, attempts: 2, modifiedFiles: ['environments/dev/values.yaml'] });
    expect(`${await git(bare, 'show', 'main:environments/dev/values.yaml')}\n`).toBe(
      scaled.replace('tag: v1-dev # bumped by CI', 'tag: v2-dev # bumped by CI'),
    );

    // A second receiver with the same tag, from a stale clone: the re-plan finds nothing left to do.
    const again = await landTag(other, 'v2-dev');
    expect(again).toMatchObject({ committed: false, pushed: false, attempts: 1 });
    expect(again.reason).toMatch(/Another run already wrote these values/);
    expect(await remoteLog(bare)).toHaveLength(3);
  });
});
