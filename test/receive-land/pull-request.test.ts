/**
 * Pull-request mode through receive-action/action.yml: the update branch goes to the remote over authenticated
 * HTTP, the pull request is opened (then updated) through the loopback GitHub API, and the target branch, which
 * a pre-receive hook protects, never moves.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pullRequestBranch } from '../../core/github/pulls.js';
import { commitTo, git, parsedTrailers, readTree, remoteLog } from '../support/git.js';
import { type GitHubApi, startGitHubApi } from '../support/github-api.js';
import {
  ensureReceiveBundle,
  expectTokenNeverShown,
  nativeRules,
  protectMain,
  receive,
  type Served,
  SOURCE_SHA,
  serveGitops,
  TOKEN,
} from './support.js';

beforeAll(() => ensureReceiveBundle(), 240_000);

let api: GitHubApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const BRANCH = pullRequestBranch(['prod'], 'ghcr.io/org/myapp');
const tree = {
  'environments/dev/values.yaml': 'image:\n  tag: 1.3.0-dev\n',
  'environments/prod/values.yaml': 'image:\n  tag: 1.3.0-stable # prod\n',
};
const payload = (tag: string) => ({
  docker_image_tag: tag,
  git_branch: 'main',
  commit_message: `release ${tag}`,
  image: 'ghcr.io/org/myapp',
  source: { repository: 'org/myapp', sha: SOURCE_SHA, run_url: 'https://github.com/org/myapp/actions/runs/7' },
});

async function setup(): Promise<{ served: Served; api: GitHubApi; main: string }> {
  const served = await serveGitops(tree);
  // Any push to main would fail the run: the test proves the target branch is never pushed to.
  await protectMain(served.bare);
  api = await startGitHubApi({ token: TOKEN });
  return { served, api, main: await git(served.bare, 'rev-parse', 'main') };
}

/** Everything the checkout and the remote's main must still be after a pull-request landing. */
async function expectTargetUntouched(served: Served, main: string, workspace: string): Promise<void> {
  expect(await git(served.bare, 'rev-parse', 'main')).toBe(main);
  expect(await git(workspace, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
  expect(await git(workspace, 'rev-parse', 'HEAD')).toBe(main);
  expect(await git(workspace, 'status', '--porcelain')).toBe('');
  expect(await readTree(workspace)).toEqual(tree);
}

describe('receive-action in pull-request mode (checkout over HTTP, loopback API)', () => {
  it('opens a pull request with labels and reviewers, then updates the same one for a newer tag', async () => {
    const { served, main } = await setup();
    const rules = nativeRules([
      { name: 'prod', when: { docker_image_tag: '.*-stable' }, files: 'environments/prod/values.yaml' },
    ]);
    const inputs = { rules, 'pull-request': 'true', labels: 'gitops, prod', reviewers: 'alice\norg/platform' };
    const github = { api_url: api!.url };

    const first = await receive(served, { inputs, payload: payload('1.4.0-stable'), github });
    expect(first.result.exitCode, first.result.log).toBe(0);
    const branchLog = await remoteLog(served.bare, BRANCH);
    expect(branchLog.map((c) => c.sha)).toEqual([first.result.outputs['commit-sha'], main]);
    expect(branchLog[0]!.files).toEqual(['environments/prod/values.yaml']);
    expect(await git(served.bare, 'show', `${BRANCH}:environments/prod/values.yaml`)).toBe(
      'image:\n  tag: 1.4.0-stable # prod',
    );
    expect(first.result.outputs).toMatchObject({
      'pull-request-url': 'https://github.com/org/gitops/pull/1',
      pushed: 'true',
      total_modified_files: '1',
    });
    expect(first.result.summary).toContain('Pull request: https://github.com/org/gitops/pull/1');

    const pr = api!.pulls.get(1)!;
    expect(pr).toMatchObject({ owner: 'org', repo: 'gitops', head: BRANCH, base: 'main', state: 'open' });
    expect(pr.title).toContain('1.4.0-stable');
    expect(pr.body).toContain('1.4.0-stable');
    expect(pr.body).toContain(SOURCE_SHA);
    expect(pr.labels).toEqual(['gitops', 'prod']);
    const review = api!.requests.find((q) => q.operationId === 'pulls/request-reviewers');
    expect(review?.body).toEqual({ reviewers: ['alice'], team_reviewers: ['platform'] });
    expect(api!.violations).toEqual([]);
    await expectTargetUntouched(served, main, first.workspace);
    expectTokenNeverShown(first.result);
    // The API saw the token as a credential only, never in a body.
    for (const q of api!.requests) expect(q.rawBody).not.toContain(TOKEN);

    const second = await receive(served, { inputs, payload: payload('1.5.0-stable'), github });
    expect(second.result.exitCode, second.result.log).toBe(0);
    expect(second.result.outputs['pull-request-url']).toBe('https://github.com/org/gitops/pull/1');
    expect(api!.pulls.size).toBe(1);
    expect(api!.requests.filter((q) => q.operationId === 'pulls/create')).toHaveLength(1);
    expect(api!.pulls.get(1)!.title).toContain('1.5.0-stable');
    expect(api!.pulls.get(1)!.body).toContain('1.5.0-stable');
    // The branch was rebuilt from main: one commit on top of it, holding the newer tag.
    expect((await remoteLog(served.bare, BRANCH)).map((c) => c.sha)).toEqual([
      second.result.outputs['commit-sha'],
      main,
    ]);
    expect(await git(served.bare, 'show', `${BRANCH}:environments/prod/values.yaml`)).toBe(
      'image:\n  tag: 1.5.0-stable # prod',
    );
    expect(second.result.log).toMatch(/Updated pull request #1/);
    expect(api!.violations).toEqual([]);
    await expectTargetUntouched(served, main, second.workspace);
    expectTokenNeverShown(second.result);
  });

  it('a rule with `pull-request: true` opens a pull request although the input is false', async () => {
    const { served, main } = await setup();
    const rules = nativeRules([
      {
        name: 'prod',
        when: { docker_image_tag: '.*-stable' },
        files: 'environments/prod/values.yaml',
        extra: ['pull-request: true'],
      },
    ]);
    const { result: r, workspace } = await receive(served, {
      inputs: { rules, 'pull-request': 'false' },
      payload: payload('1.4.0-stable'),
      github: { api_url: api!.url },
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs['pull-request-url']).toBe('https://github.com/org/gitops/pull/1');
    expect(await git(served.bare, 'show', `${BRANCH}:environments/prod/values.yaml`)).toBe(
      'image:\n  tag: 1.4.0-stable # prod',
    );
    expect(api!.pulls.get(1)).toMatchObject({ head: BRANCH, base: 'main', labels: [], reviewers: [] });
    expect(api!.requests.map((q) => q.operationId)).toEqual(['pulls/list', 'pulls/create']);
    expect(api!.violations).toEqual([]);
    await expectTargetUntouched(served, main, workspace);
    expectTokenNeverShown(r);
  });
});

describe('pull-request branches belong to one image', () => {
  const prodRules = nativeRules([
    { name: 'prod', when: { docker_image_tag: '.*-stable' }, files: 'environments/prod/values.yaml' },
  ]);
  const forImage = (image: string, tag: string) => ({
    ...payload(tag),
    image,
    source: { repository: image.split('/').slice(1).join('/'), sha: SOURCE_SHA },
  });

  it('two apps whose images differ only by organisation open two pull requests, both intact', async () => {
    const { served, main } = await setup();
    const inputs = { rules: prodRules, 'pull-request': 'true' };
    const github = { api_url: api!.url };
    const a = await receive(served, { inputs, payload: forImage('ghcr.io/team-a/api', '1.4.0-stable'), github });
    expect(a.result.exitCode, a.result.log).toBe(0);
    const b = await receive(served, { inputs, payload: forImage('ghcr.io/team-b/api', '2.0.0-stable'), github });
    expect(b.result.exitCode, b.result.log).toBe(0);

    const branchA = pullRequestBranch(['prod'], 'ghcr.io/team-a/api');
    const branchB = pullRequestBranch(['prod'], 'ghcr.io/team-b/api');
    expect(branchA).not.toBe(branchB);
    expect(branchA).toMatch(/^gitops-dispatch\/prod\/team-a-api-[0-9a-f]{8}$/);
    // Two pull requests, one per branch, each still holding its own app's commit and tag.
    expect([...api!.pulls.values()].map((p) => p.head).sort()).toEqual([branchA, branchB].sort());
    expect(a.result.outputs['pull-request-url']).not.toBe(b.result.outputs['pull-request-url']);
    for (const [branch, run, tag, image] of [
      [branchA, a, '1.4.0-stable', 'ghcr.io/team-a/api'],
      [branchB, b, '2.0.0-stable', 'ghcr.io/team-b/api'],
    ] as const) {
      expect((await remoteLog(served.bare, branch)).map((c) => c.sha)).toEqual([
        run.result.outputs['commit-sha'],
        main,
      ]);
      expect(await git(served.bare, 'show', `${branch}:environments/prod/values.yaml`)).toBe(
        `image:\n  tag: ${tag} # prod`,
      );
      const trailer = await git(served.bare, 'log', '-1', '--format=%(trailers:key=Source-Image,valueonly)', branch);
      expect(trailer.trim()).toBe(image);
    }
    expect(api!.violations).toEqual([]);
  });

  it('refuses to replace an update branch whose last commit was not made for this image, and pushes nothing', async () => {
    const { served, main } = await setup();
    const inputs = { rules: prodRules, 'pull-request': 'true' };
    const github = { api_url: api!.url };
    const first = await receive(served, { inputs, payload: payload('1.4.0-stable'), github });
    expect(first.result.exitCode, first.result.log).toBe(0);
    // A reviewer adds a fix-up commit to the pull request branch by hand (no Source-Image trailer).
    const fixup = await commitTo(
      served.bare,
      { 'environments/prod/values.yaml': 'image:\n  tag: 1.4.0-stable # prod, reviewed\n' },
      'Reviewer fix-up',
      { branch: BRANCH },
    );
    const requestsBefore = api!.requests.length;

    const second = await receive(served, { inputs, payload: payload('1.5.0-stable'), github });
    expect(second.result.exitCode).toBe(1);
    const error = second.result.annotations.find((x) => x.level === 'error')?.message ?? '';
    expect(error).toContain(`Pull request branch ${BRANCH} already exists`);
    expect(error).toContain(fixup.slice(0, 12));
    expect(error).toContain('image "ghcr.io/org/myapp"');
    expect(error).toMatch(/close its pull request and delete the branch/);
    // The fix-up is still the branch head; main, the checkout and the pull request are as they were.
    expect(await git(served.bare, 'rev-parse', BRANCH)).toBe(fixup);
    expect(api!.requests.slice(requestsBefore).map((q) => q.operationId)).toEqual([]);
    expect(api!.pulls.get(1)!.title).toContain('1.4.0-stable');
    await expectTargetUntouched(served, main, second.workspace);
    expectTokenNeverShown(second.result);
  });
});

describe('payload values shown in the pull request, summary and log', () => {
  it('drops malformed source fields with a warning and shows every other value as literal code', async () => {
    const served = await serveGitops({
      ...tree,
      // A value already in the file (shown as "old value") that would be HTML, a mention and a link if rendered.
      'environments/prod/values.yaml': 'image:\n  tag: "<details>@org/security-team [x](https://evil.example)|"\n',
    });
    await protectMain(served.bare);
    api = await startGitHubApi({ token: TOKEN });
    const hostile = {
      ...payload('1.4.0-stable'),
      image: '@org/security-team <img src=https://evil.example/x.png>',
      source: {
        repository: '@org/security-team',
        sha: 'not-a-sha <details>',
        run_id: '12; rm -rf /\n::error title=forged::forged by the payload',
        run_url: 'https://evil.example/org/myapp/actions/runs/7',
        actor: '<img src=x>',
      },
    };
    const rules = nativeRules([
      { name: 'prod', when: { docker_image_tag: '.*-stable' }, files: 'environments/prod/values.yaml' },
    ]);
    const { result: r } = await receive(served, {
      inputs: { rules, 'pull-request': 'true' },
      payload: hostile,
      github: { api_url: api.url },
    });
    expect(r.exitCode, r.log).toBe(0);

    const warnings = r.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    for (const field of [
      'source.repository',
      'source.sha',
      'source.run_id',
      'source.run_url',
      'source.actor',
      'image',
    ]) {
      expect(warnings.some((w) => w.startsWith(`client_payload.${field} is `))).toBe(true);
    }
    expect(warnings.find((w) => w.startsWith('client_payload.source.run_url'))).toContain('https://github.com/');
    // The log quotes it: no line of the step's output is a workflow command the payload wrote.
    expect(r.stdout.split('\n').filter((line) => line.startsWith('::error'))).toEqual([]);
    expect(r.annotations.filter((a) => a.level === 'error' || a.title === 'forged')).toEqual([]);
    expect(warnings.find((w) => w.startsWith('client_payload.source.run_id'))).toContain(
      '"12; rm -rf /\\n::error title=forged::forged by the payload"',
    );

    // What the API received: no HTML, mention, link or dropped value outside a code span.
    const created = api.requests.find((q) => q.operationId === 'pulls/create')!;
    const { title, body } = created.body as { title: string; body: string };
    expect(title).toBe('Deploy `1.4.0-stable` to prod');
    for (const text of [title, body]) {
      expect(text).not.toContain('<img');
      expect(text).not.toContain('not-a-sha');
      expect(text).not.toContain('evil.example/org');
      expect(text).not.toContain('12; rm');
    }
    expect(body).toContain(
      '| `prod` | `environments/prod/values.yaml` | `<details>@org/security-team [x](https://evil.example)\\|` | `1.4.0-stable` |',
    );
    // Outside code spans, nothing that GitHub would render as a mention, HTML or a link.
    const outsideCode = body.replace(/`[^`]*`/g, '');
    expect(outsideCode).not.toMatch(/[@<>]|\]\(/);
    expect(r.summary).toContain('`<details>@org/security-team [x](https://evil.example)\\|`');
    expect(r.summary.replace(/`[^`]*`/g, '')).not.toMatch(/[@<]|\]\(/);
    // No trailer carries a dropped value; the branch is not named from it either.
    const sha = r.outputs['commit-sha']!;
    expect(await parsedTrailers(served.bare, await git(served.bare, 'log', '-1', '--format=%B', sha))).toEqual([]);
    expect(created.body).toMatchObject({ head: pullRequestBranch(['prod'], '') });
    expect(api.violations).toEqual([]);
  });

  it('shows a valid source as code and links the run on this server', async () => {
    const { served } = await setup();
    const rules = nativeRules([
      { name: 'prod', when: { docker_image_tag: '.*-stable' }, files: 'environments/prod/values.yaml' },
    ]);
    const { result: r } = await receive(served, {
      inputs: { rules, 'pull-request': 'true' },
      payload: {
        ...payload('1.4.0-stable'),
        source: {
          repository: 'org/myapp',
          sha: SOURCE_SHA,
          run_id: 4242,
          run_url: 'https://ghe.example.com/org/myapp/actions/runs/4242',
        },
      },
      github: { api_url: api!.url, server_url: 'https://ghe.example.com' },
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.annotations.filter((a) => a.level === 'warning')).toEqual([]);
    const { title, body } = api!.requests.find((q) => q.operationId === 'pulls/create')!.body as {
      title: string;
      body: string;
    };
    expect(title).toBe('Deploy `ghcr.io/org/myapp:1.4.0-stable` to prod');
    expect(body).toContain(
      `From \`org/myapp\` at \`${SOURCE_SHA}\` ([workflow run](https://ghe.example.com/org/myapp/actions/runs/4242)).`,
    );
  });
});
