/**
 * The GraphQL pieces of commit-method api against the loopback server (GitHub's schema, a real bare repository):
 * reads, the compare-and-swap, error shapes and types, and the exactly-once check, without running the action.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { UserError } from '../../core/errors.js';
import { GitHubApiError } from '../../core/github/client.js';
import { explainApiFailure } from '../../core/github/explain-api.js';
import {
  fetchTransport,
  GitHubGraphql,
  GraphqlError,
  type GraphqlTransport,
  graphqlUrlFor,
} from '../../core/github/graphql.js';
import { apiCommitMessage, isOurCommit, landThroughApi, planThroughApi } from '../../core/land/api/land.js';
import { listTree, readBranchHead } from '../../core/land/api/repository.js';
import { listingsFor } from '../../core/land/api/source.js';
import { MemoryLogger } from '../../core/logger.js';
import { planUpdate } from '../../core/plan/planner.js';
import type { FileSource } from '../../core/plan/source.js';
import { parseNativeRules } from '../../core/rules/native.js';
import { bareRemote, commitTo, git, remoteLog, tempDir } from '../support/git.js';
import { startGitHubGraphql } from '../support/github-graphql.js';

const TOKEN = 'graphql-unit-token-2c9d';
const REPO = { owner: 'org', name: 'gitops' };

async function setup(tree: Record<string, string>, wrap?: (t: GraphqlTransport) => GraphqlTransport) {
  const root = await tempDir('graphql-unit-');
  const { bare } = await bareRemote(tree, { at: join(root, 'org', 'gitops.git') });
  const server = await startGitHubGraphql({ root, token: TOKEN });
  onTestFinished(() => server.close());
  const logger = new MemoryLogger();
  const transport = fetchTransport({ url: server.url, token: TOKEN });
  const api = new GitHubGraphql({ transport: wrap ? wrap(transport) : transport, logger, sleep: async () => {} });
  return { bare, server, api, logger };
}

const rules = (files: string) =>
  parseNativeRules(
    `- name: app\n  when: { docker_image_tag: '.*' }\n  update:\n    - files: ${files}\n      yaml-path: image.tag\n`,
    'rules',
  );
const planner = (files: string, tag: string) => (source: FileSource) =>
  planUpdate({
    root: '.',
    source,
    rules: rules(files),
    variables: { docker_image_tag: tag },
    logger: new MemoryLogger(),
  });

describe('loopback GraphQL server', () => {
  it('executes against GitHub schema: a field GitHub does not have is an error and a recorded violation', async () => {
    const { server, api } = await setup({ 'a.yaml': 'x\n' });
    const error = await api.send('query { repository(owner: "org", name: "gitops") { id headSha } }').catch((e) => e);
    expect(error).toBeInstanceOf(GraphqlError);
    expect(server.violations.join('\n')).toMatch(/Cannot query field "headSha" on type "Repository"/);
  });

  it('answers a stale expectedHeadOid with GitHub exact STALE_DATA shape and moves nothing', async () => {
    const { bare, server } = await setup({ 'a.yaml': 'x\n' });
    const head = await git(bare, 'rev-parse', 'main');
    const stale = 'f'.repeat(40);
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { authorization: `bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'mutation($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid } } }',
        variables: {
          input: {
            branch: { repositoryNameWithOwner: 'org/gitops', branchName: 'main' },
            expectedHeadOid: stale,
            message: { headline: 'x' },
            fileChanges: { additions: [{ path: 'a.yaml', contents: Buffer.from('y\n').toString('base64') }] },
          },
        },
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: { createCommitOnBranch: null },
      errors: [
        {
          type: 'STALE_DATA',
          path: ['createCommitOnBranch'],
          locations: [{ line: 1, column: 48 }],
          message: `Expected branch to point to "${stale}" but it did not.  Pull and try again.`,
        },
      ],
    });
    expect(await git(bare, 'rev-parse', 'main')).toBe(head);
    expect(server.violations).toEqual([]);
  });

  it('types NOT_FOUND for a repository the token cannot see, and the explanation names the fix', async () => {
    const { api } = await setup({ 'a.yaml': 'x\n' });
    const error = await readBranchHead(api, { owner: 'org', name: 'missing' }, 'main').catch((e) => e);
    expect(error).toBeInstanceOf(GraphqlError);
    expect((error as GraphqlError).types).toEqual(['NOT_FOUND']);
    const text = explainApiFailure(error, { repository: 'org/missing', action: 'read', pullRequest: false });
    expect(text).toContain('NOT_FOUND');
    expect(text).toContain('Repository access');
  });
});

describe('reading through the API', () => {
  it('lists trees through the schema', async () => {
    const { bare, server, api } = await setup({ 'a/b/c.yaml': 'x: 1\n', 'a/d.yaml': 'y: 2\n', 'top.yaml': 'z\n' });
    const head = await readBranchHead(api, REPO, 'main');
    expect(head.oid).toBe(await git(bare, 'rev-parse', 'main'));
    const all = await listTree(api, REPO, head.oid, '', Number.POSITIVE_INFINITY);
    expect(
      all
        ?.filter((e) => e.type === 'blob')
        .map((e) => e.path)
        .sort(),
    ).toEqual(['a/b/c.yaml', 'a/d.yaml', 'top.yaml']);
    expect(server.violations).toEqual([]);
  });

  it('lists only what the globs can reach', () => {
    expect([...listingsFor(['environments/dev/values.yaml'], 'native')]).toEqual([['environments/dev', 1]]);
    expect([...listingsFor(['apps/*/values.yaml'], 'native')]).toEqual([['apps', 2]]);
    expect([...listingsFor(['apps/**/values.yaml', 'x.yaml'], 'native')]).toEqual([
      ['apps', Number.POSITIVE_INFINITY],
      ['', 1],
    ]);
    expect([...listingsFor(['{dev,prod}/values.yaml'], 'native')]).toEqual([
      ['dev', 1],
      ['prod', 1],
    ]);
    expect([...listingsFor(['**dev/values.yaml'], 'seed')]).toEqual([['', Number.POSITIVE_INFINITY]]);
  });

  it('plans with the same number of requests whatever the size of the repository', async () => {
    const count = async (files: number) => {
      const tree: Record<string, string> = { 'environments/prod/values.yaml': 'image:\n  tag: 1.0.0\n' };
      for (let i = 0; i < files; i++) tree[`apps/app-${i % 50}/file-${i}.yaml`] = `n: ${i}\n`;
      const { api } = await setup(tree);
      const start = await planThroughApi(api, 'org/gitops', 'main', planner('environments/prod/values.yaml', '2.0.0'));
      expect(start.plan.changes.map((c) => c.after)).toEqual(['image:\n  tag: 2.0.0\n']);
      return api.requests;
    };
    const small = await count(10);
    expect(await count(500)).toBe(small);
    expect(small).toBe(3); // head, the file's directory, its blob
  });

  it('refuses a symlink the rules select, naming it and its mode', async () => {
    const { bare, api } = await setup({ 'real.yaml': 'image:\n  tag: 1.0.0\n' });
    const work = join(await tempDir('graphql-link-'), 'w');
    execFileSync('git', ['clone', '--quiet', bare, work]);
    execFileSync('ln', ['-s', 'real.yaml', join(work, 'link.yaml')]);
    execFileSync('git', ['-C', work, 'add', 'link.yaml']);
    execFileSync('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'link']);
    execFileSync('git', ['-C', work, 'push', '-q', 'origin', 'HEAD:main']);
    const error = await planThroughApi(api, 'org/gitops', 'main', planner('link.yaml', '2.0.0')).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).problems.map((p) => p.code)).toEqual(['api/file-mode']);
    expect((error as UserError).message).toContain('link.yaml is a symlink (mode 120000)');
  });
});

describe('landing through the API', () => {
  it('a 502 after apply, then another writer on top: finds its own commit below the head and lands once', async () => {
    let bareDir = '';
    let other = '';
    const { bare, server, api } = await setup(
      { 'a.yaml': 'image:\n  tag: 1.0.0\n', 'b.yaml': 'b\n' },
      (transport) => async (body) => {
        const answer = await transport(body);
        if (answer.status === 502) other = await commitTo(bareDir, { 'b.yaml': 'changed\n' }, 'other writer');
        return answer;
      },
    );
    bareDir = bare;
    const start = await git(bare, 'rev-parse', 'main');
    server.failAfterApply(1);
    const trailers = {
      'Source-Repository': 'org/app',
      'Source-Commit': 'a'.repeat(40),
      'Source-Run': 'https://x/runs/1',
    };
    const result = await landThroughApi({
      api,
      repository: 'org/gitops',
      branch: 'main',
      logger: new MemoryLogger(),
      plan: planner('a.yaml', '2.0.0'),
      commitMessage: () => 'Deploy 2.0.0',
      trailers,
      maxAttempts: 3,
      sleep: async () => {},
    });
    const log = await remoteLog(bare);
    expect(log.map((c) => c.sha)).toEqual([other, result.commitSha, start]);
    expect(result).toMatchObject({ pushed: true, committed: true, attempts: 1 });
    expect(server.requests.filter((q) => q.fields.includes('createCommitOnBranch'))).toHaveLength(1);
  });

  it('recognises its own commit by the Source-* trailers and headline, not by a look-alike', () => {
    const trailers = { 'Source-Repository': 'org/app', 'Source-Commit': 'abc', 'Source-Run': 'https://x/runs/1' };
    const ours = apiCommitMessage('Deploy 2.0.0', trailers);
    expect(ours.full).toBe(
      'Deploy 2.0.0\n\nSource-Repository: org/app\nSource-Commit: abc\nSource-Run: https://x/runs/1',
    );
    expect(isOurCommit(ours.full, ours, trailers)).toBe(true);
    expect(isOurCommit(ours.full.replace('runs/1', 'runs/2'), ours, trailers)).toBe(false);
    expect(isOurCommit(ours.full.replace('Deploy', 'Revert'), ours, trailers)).toBe(false);
    const bare = apiCommitMessage('Deploy 2.0.0\n\nmore', {});
    expect(bare).toMatchObject({ headline: 'Deploy 2.0.0', body: 'more' });
    expect(isOurCommit('Deploy 2.0.0\n\nmore\n', bare, {})).toBe(true);
    expect(() => apiCommitMessage('  \n', {})).toThrow(/Input 'commit-message'/);
  });

  it('gives up after max-attempts when the head keeps moving, naming the input, with nothing committed', async () => {
    const { bare, server, api } = await setup({ 'a.yaml': 'image:\n  tag: 1.0.0\n', 'b.yaml': 'b\n' });
    for (let i = 0; i < 2; i++) {
      server.beforeMutation(async () => {
        await commitTo(bare, { 'b.yaml': `b${i}\n` }, `other ${i}`);
      });
    }
    const error = await landThroughApi({
      api,
      repository: 'org/gitops',
      logger: new MemoryLogger(),
      plan: planner('a.yaml', '2.0.0'),
      commitMessage: () => 'Deploy',
      maxAttempts: 2,
      sleep: async () => {},
    }).catch((e) => e);
    expect((error as UserError).problems?.[0]).toMatchObject({
      code: 'land/attempts-exhausted',
      input: 'max-attempts',
    });
    expect(await git(bare, 'show', 'main:a.yaml')).toBe('image:\n  tag: 1.0.0');
  });
});

describe('GraphQL client', () => {
  it('retries a query after a secondary rate limit for the time retry-after gives, and sends a mutation once', async () => {
    const waits: number[] = [];
    let calls = 0;
    const transport: GraphqlTransport = async () => {
      calls++;
      return calls === 1
        ? {
            status: 403,
            headers: { 'retry-after': '7' } as Record<string, string>,
            body: { message: 'You have exceeded a secondary rate limit.' },
          }
        : { status: 200, headers: {}, body: { data: { ok: true } } };
    };
    const api = new GitHubGraphql({ transport, logger: new MemoryLogger(), sleep: async (ms) => void waits.push(ms) });
    expect(await api.query('query { ok }')).toEqual({ ok: true });
    expect(waits).toEqual([7000]);
    calls = 0;
    await expect(api.send('mutation { x }')).rejects.toMatchObject({ status: 403 });
    expect(calls).toBe(1);
  });

  it('explains FORBIDDEN with the permissions a pull request needs', () => {
    const error = new GraphqlError(
      [{ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }],
      null,
      {},
    );
    const text = explainApiFailure(error, { repository: 'org/gitops', action: 'commit', pullRequest: true });
    expect(text).toContain('Contents: Read and write');
    expect(text).toContain('Pull requests: Read and write');
  });

  it('explains an HTTP 403 with the permission GitHub accepts and the one a token needs', () => {
    const error = new GitHubApiError(
      'POST /graphql',
      403,
      { 'x-accepted-github-permissions': 'contents=write' },
      { message: 'Resource not accessible by personal access token' },
      'HTTP 403',
    );
    const text = explainApiFailure(error, { repository: 'org/gitops', action: 'commit', pullRequest: false });
    expect(text).toContain('HTTP 403');
    expect(text).toContain('contents=write');
    expect(text).toContain('"Contents: Read and write"');
    expect(text).toContain('in org/gitops');
  });

  it('finds the GraphQL endpoint of github.com and of GitHub Enterprise Server', () => {
    expect(graphqlUrlFor('https://api.github.com')).toBe('https://api.github.com/graphql');
    expect(graphqlUrlFor('https://ghe.example.com/api/v3/')).toBe('https://ghe.example.com/api/graphql');
  });
});
