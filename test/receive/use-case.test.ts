/**
 * The receive use case (core/receive) called directly, on real git repositories: what it returns for each way a
 * run can go, and that a refusal leaves every file, the index and the remote as they were.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { MemoryLogger } from '../../core/logger.js';
import {
  type ArgoCdSettings,
  followLanding,
  type ReceiveRequest,
  type ReceiveServices,
  receive,
} from '../../core/receive/index.js';
import { bareRemote, cloneRemote, git, readTree, remoteLog } from '../support/git.js';

const TREE = {
  'envs/dev/values.yaml': 'image:\n  tag: v1.0.0-dev # bumped by CI\n',
  'envs/prod/values.yaml': 'image:\n  tag: v1.0.0-stable\n',
};

const RULES = `
- name: dev
  when: { docker_image_tag: '.*-dev' }
  update:
    - files: envs/dev/values.yaml
      yaml-path: image.tag
- name: prod
  when: { docker_image_tag: '.*-stable' }
  update:
    - files: envs/prod/values.yaml
      yaml-path: image.tag
`;

const NO_ARGOCD: ArgoCdSettings = { wait: false, waitTimeoutSeconds: 300 };

function request(overrides: Partial<ReceiveRequest> = {}): ReceiveRequest {
  return {
    token: '',
    checkout: true,
    rules: { kind: 'rules', text: RULES },
    overrides: {},
    commit: true,
    push: true,
    commitMessage: 'Deploy {{docker_image_tag}}',
    authorName: 'gitops-bot',
    authorEmail: 'bot@example.com',
    pullRequest: false,
    labels: [],
    reviewers: [],
    maxAttempts: 3,
    dryRun: false,
    onlyNewer: true,
    workingDirectory: '.',
    commitMethod: 'git',
    apiUrl: 'https://api.github.com',
    graphqlUrl: 'https://api.github.com/graphql',
    ...overrides,
  };
}

function services(logger = new MemoryLogger()): ReceiveServices {
  return {
    logger,
    sleep: async () => {},
    now: () => Date.now(),
    restRequest: () => {
      throw new Error('no pull request in these tests: the REST client must not be built');
    },
  };
}

async function checkout() {
  const { bare } = await bareRemote(TREE);
  const root = await cloneRemote(bare);
  return { bare, root };
}

function dispatched(tag: string) {
  return { client_payload: { docker_image_tag: tag, git_branch: 'main', commit_message: 'ci' } };
}

describe('receive (core use case)', () => {
  it('commits and pushes the matched environment, and returns what it did', async () => {
    const { bare, root } = await checkout();
    const context = {
      root,
      event: dispatched('v1.1.0-dev'),
      repository: 'org/gitops',
      serverUrl: 'https://github.com',
    };
    const result = await receive(request(), NO_ARGOCD, context, services());

    expect(result.environments).toEqual(['dev']);
    expect(result.modifiedFiles).toEqual(['envs/dev/values.yaml']);
    expect(result.landing).toMatchObject({ committed: true, pushed: true, pullRequestUrl: '' });
    const [head] = await remoteLog(bare);
    expect(head).toMatchObject({ sha: result.landing!.commitSha, subject: 'Deploy v1.1.0-dev' });
    expect(await git(bare, 'show', 'main:envs/dev/values.yaml')).toBe('image:\n  tag: v1.1.0-dev # bumped by CI');
    // Nothing configured for Argo CD: the follow-up asks nothing of anyone.
    expect(await followLanding(result, NO_ARGOCD, context, services())).toBeUndefined();
  });

  it('dry run: returns the diff and writes nothing', async () => {
    const { root } = await checkout();
    const before = await readTree(root);
    const result = await receive(
      request({ dryRun: true }),
      NO_ARGOCD,
      { root, event: dispatched('v2.0.0-stable'), repository: 'org/gitops', serverUrl: 'https://github.com' },
      services(),
    );
    expect(result.dryRunDiff).toContain('+  tag: v2.0.0-stable');
    expect(result.landing).toBeUndefined();
    expect(result.modifiedFiles).toEqual([]);
    expect(await readTree(root)).toEqual(before);
  });

  it('commit false: writes the files and commits nothing', async () => {
    const { bare, root } = await checkout();
    const result = await receive(
      request({ commit: false }),
      NO_ARGOCD,
      { root, event: dispatched('v2.0.0-stable'), repository: 'org/gitops', serverUrl: 'https://github.com' },
      services(),
    );
    expect(result.modifiedFiles).toEqual(['envs/prod/values.yaml']);
    expect(await readFile(join(root, 'envs/prod/values.yaml'), 'utf8')).toBe('image:\n  tag: v2.0.0-stable\n');
    expect(await remoteLog(bare)).toHaveLength(1);
  });

  it('rules matched but the file already holds the tag: says why nothing is committed', async () => {
    const { bare, root } = await checkout();
    const logger = new MemoryLogger();
    const result = await receive(
      request(),
      NO_ARGOCD,
      { root, event: dispatched('v1.0.0-dev'), repository: 'org/gitops', serverUrl: 'https://github.com' },
      services(logger),
    );
    expect(result.noChange).toMatch(/envs\/dev\/values\.yaml already holds the values of tag/);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'notice', message: result.noChange }));
    expect(result.landing).toBeUndefined();
    expect(await remoteLog(bare)).toHaveLength(1);
  });

  it('no rule matches: an empty result and one notice naming the patterns missed', async () => {
    const { root } = await checkout();
    const logger = new MemoryLogger();
    const result = await receive(
      request(),
      NO_ARGOCD,
      { root, event: dispatched('v1.0.0-feature'), repository: 'org/gitops', serverUrl: 'https://github.com' },
      services(logger),
    );
    expect(result).toMatchObject({ environments: [], modifiedFiles: [] });
    expect(result.noChange).toBeUndefined();
    expect(result.landing).toBeUndefined();
    const notices = logger.lines.filter((l) => l.level === 'notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toContain('matched no rule; nothing to update. Patterns missed: dev:');
  });

  it('a commit message that cannot render is refused before any file is written', async () => {
    const { bare, root } = await checkout();
    const before = await readTree(root);
    const run = receive(
      request({ commitMessage: 'Deploy {{#if}}' }),
      NO_ARGOCD,
      { root, event: dispatched('v1.1.0-dev'), repository: 'org/gitops', serverUrl: 'https://github.com' },
      services(),
    );
    await expect(run).rejects.toBeInstanceOf(UserError);
    await expect(run).rejects.toMatchObject({ problems: [expect.objectContaining({ input: 'commit-message' })] });
    expect(await readTree(root)).toEqual(before);
    expect(await git(root, 'status', '--porcelain')).toBe('');
    expect(await remoteLog(bare)).toHaveLength(1);
  });

  it('a rules-file outside the repository is refused with the input named', async () => {
    const { root } = await checkout();
    const run = receive(
      request({ rules: { kind: 'rules-file', path: 'missing/rules.yml' } }),
      NO_ARGOCD,
      { root, event: dispatched('v1.1.0-dev'), repository: 'org/gitops', serverUrl: 'https://github.com' },
      services(),
    );
    await expect(run).rejects.toMatchObject({
      problems: [expect.objectContaining({ code: 'input/rules-file', input: 'rules-file' })],
    });
  });
});
