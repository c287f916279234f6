/**
 * Hostile or broken inputs with commit: true (checkout over HTTP): the run fails naming the problem, and neither
 * the remote nor the checkout moves.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { git, readTree } from '../support/git.js';
import { ensureReceiveBundle, expectTokenNeverShown, nativeRules, receive, serveGitops } from './support.js';

beforeAll(() => ensureReceiveBundle(), 240_000);

const tree = {
  'environments/prod/values.yaml': 'image:\n  tag: 1.0.0 # prod\n',
  'environments/dev/values.yaml': 'image:\n  tag: 1.0.0-dev\n',
};
const rules = nativeRules([
  { name: 'prod', when: { docker_image_tag: '[\\s\\S]*' }, files: 'environments/prod/values.yaml' },
]);

interface Case {
  name: string;
  inputs?: Record<string, string>;
  tag?: string;
  /** Every pattern must be in the log: the problem named, with the bad value. */
  expect: RegExp[];
  annotation?: { file: string };
}

const cases: Case[] = [
  {
    name: 'tag with a semicolon',
    tag: '1.1.0;rm -rf /',
    expect: [/docker_image_tag/, /"1\.1\.0;rm -rf \/"/, /expected a valid OCI tag/],
  },
  {
    name: 'tag with a newline',
    tag: '1.1.0\nmalicious: true',
    expect: [/Variable 'docker_image_tag' is "1\.1\.0\\nmalicious: true", which holds U\+000A/],
  },
  {
    name: 'tag with a command substitution',
    tag: '$(touch pwned)',
    expect: [/docker_image_tag/, /"\$\(touch pwned\)"/, /expected a valid OCI tag/],
  },
  {
    name: 'glob escaping the repository',
    inputs: {
      rules: nativeRules([{ name: 'prod', when: { docker_image_tag: '.*' }, files: '../../outside/values.yaml' }]),
    },
    expect: [/\.\.\/\.\.\/outside\/values\.yaml/],
  },
  {
    name: 'broken rules YAML',
    inputs: { rules: "- name: [unclosed\n  when: { docker_image_tag: '.*'\n" },
    expect: [/rules is not valid YAML/],
    // Where: the annotation points into the `rules` input, at a line.
    annotation: { file: 'rules' },
  },
  {
    name: 'bad commit-message template',
    inputs: { 'commit-message': 'Deploy {{#if}' },
    expect: [/Input 'commit-message' is not a valid Handlebars template/, /expected text with \{\{variable\}\}/],
  },
  {
    name: 'max-attempts 0',
    inputs: { 'max-attempts': '0' },
    expect: [/Input 'max-attempts' is "0"; expected a whole number from 1 to 20/],
  },
  {
    name: 'several bad inputs at once (all reported)',
    inputs: { 'max-attempts': '0', push: 'yes', 'author-email': 'bot <evil>' },
    expect: [
      /Input 'max-attempts' is "0"/,
      /Input 'push' is "yes"; expected true or false/,
      /Input 'author-email' is "bot <evil>"/,
      /3 problems \(listed above\); nothing was changed/,
    ],
  },
];

describe('receive-action with commit: true refuses hostile input and changes nothing', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const served = await serveGitops(tree);
      const start = await git(served.bare, 'rev-parse', 'main');
      const refs = await git(served.bare, 'for-each-ref', '--format=%(refname) %(objectname)');
      const { result: r, workspace } = await receive(served, {
        inputs: { rules, ...c.inputs },
        payload: { docker_image_tag: c.tag ?? '1.1.0', git_branch: 'main', commit_message: 'x' },
      });
      expect(r.exitCode).not.toBe(0);
      expect(r.stepResults.receive?.outcome).toBe('failure');
      for (const pattern of c.expect) expect(r.log).toMatch(pattern);
      if (c.annotation) {
        expect(r.annotations).toContainEqual(expect.objectContaining({ ...c.annotation, line: expect.any(Number) }));
      }
      expect(r.outputs.pushed ?? '').not.toBe('true');
      // The remote: same head, no new branch or tag.
      expect(await git(served.bare, 'rev-parse', 'main')).toBe(start);
      expect(await git(served.bare, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(refs);
      expect(served.server.requests.some((q) => q.path.endsWith('/git-receive-pack'))).toBe(false);
      // The checkout: clean, at its original HEAD, on main, every file as it was.
      expect(await git(workspace, 'rev-parse', 'HEAD')).toBe(start);
      expect(await git(workspace, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
      expect(await git(workspace, 'status', '--porcelain', '--untracked-files=all')).toBe('');
      expect(await readTree(workspace)).toEqual(tree);
      // Nothing was executed from the value.
      expect(existsSync(join(workspace, 'pwned'))).toBe(false);
      expectTokenNeverShown(r);
    });
  }
});
