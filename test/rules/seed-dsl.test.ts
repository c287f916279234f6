import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../../core/errors.js';
import { MemoryLogger } from '../../core/logger.js';
import { expandGlobs, globToRegExp } from '../../core/rules/glob.js';
import { matchRules } from '../../core/rules/match.js';
import type { Edit, Rule } from '../../core/rules/model.js';
import { parseSeedMappings, type SeedInputs, translatePcre } from '../../core/rules/seed-dsl.js';
import { tempDir, writeTree } from '../support/git.js';

const ARTICLE_MAPPINGS =
  'docker_image_tag==.*-dev {THEN_UPDATE_FILES} **dev/values.yaml=docker_image_tag_regex&git_branch_regex {NEXT_MAPPING} docker_image_tag==.*-prod {THEN_UPDATE_FILES} **prod/values.yaml=docker_image_tag_regex&git_branch_regex';

const TAG = 'imageTag: "(?<docker_image_tag>.*)"';
const BRANCH = 'git_branch: "(?<git_branch>.*)"';

function problems(inputs: SeedInputs): { code: string; input?: string; message: string }[] {
  try {
    parseSeedMappings(inputs);
  } catch (error) {
    if (error instanceof UserError)
      return error.problems.map((p) => ({ code: p.code, input: p.input, message: p.message }));
    throw error;
  }
  return [];
}
const codes = (inputs: SeedInputs) => problems(inputs).map((p) => p.code);
const patterns = (edit: Edit) => (edit.kind === 'regex' ? edit.patterns.map((p) => `${p.label}=${p.source}`) : []);

describe('the seed article', () => {
  it('parses its exact mappings string', () => {
    const rules = parseSeedMappings({
      mappings: ARTICLE_MAPPINGS,
      docker_image_tag_regex: TAG,
      git_branch_regex: BRANCH,
    });
    expect(rules).toEqual([
      {
        name: 'mapping-1',
        when: [[{ variable: 'docker_image_tag', pattern: '.*-dev', anchored: false }]],
        update: [
          {
            files: ['**dev/values.yaml'],
            globDialect: 'seed',
            edit: {
              kind: 'regex',
              patterns: [
                { source: TAG, flags: '', label: 'docker_image_tag_regex' },
                { source: BRANCH, flags: '', label: 'git_branch_regex' },
              ],
            },
          },
        ],
        origin: { syntax: 'seed', source: 'mappings', line: 1, column: 1 },
      },
      {
        name: 'mapping-2',
        when: [[{ variable: 'docker_image_tag', pattern: '.*-prod', anchored: false }]],
        update: [
          {
            files: ['**prod/values.yaml'],
            globDialect: 'seed',
            edit: {
              kind: 'regex',
              patterns: [
                { source: TAG, flags: '', label: 'docker_image_tag_regex' },
                { source: BRANCH, flags: '', label: 'git_branch_regex' },
              ],
            },
          },
        ],
        origin: {
          syntax: 'seed',
          source: 'mappings',
          line: 1,
          column: ARTICLE_MAPPINGS.indexOf('docker_image_tag==.*-prod') + 1,
        },
      },
    ]);
  });

  it('takes the article YAML regex inputs as written (escaped quotes), and they match a values.yaml line', () => {
    // The two input lines of the article's workflow, verbatim.
    const withBlock = parseYaml(
      [
        'docker_image_tag_regex: "imageTag: \\\\\\"(?<docker_image_tag>.*)\\\\\\""',
        'git_branch_regex: "git_branch: \\\\\\"(?<git_brach>.*)\\\\\\""',
      ].join('\n'),
    ) as Record<string, string>;
    expect(withBlock.docker_image_tag_regex).toBe('imageTag: \\"(?<docker_image_tag>.*)\\"');
    const rules = parseSeedMappings({ mappings: ARTICLE_MAPPINGS, ...withBlock });
    const edit = rules[0]!.update[0]!.edit;
    expect(edit.kind).toBe('regex');
    if (edit.kind !== 'regex') return;
    // The typo `git_brach` parses: the planner reports the group that names no variable.
    expect(edit.patterns[1]!.source).toContain('(?<git_brach>');
    const match = new RegExp(edit.patterns[0]!.source).exec('imageTag: "1.3.0-dev"');
    expect(match?.groups?.docker_image_tag).toBe('1.3.0-dev');
  });

  it('routes -dev and -prod tags, and nothing for the -stable tag its text talks about', () => {
    const rules = parseSeedMappings({
      mappings: ARTICLE_MAPPINGS,
      docker_image_tag_regex: TAG,
      git_branch_regex: BRANCH,
    });
    const match = (tag: string) => matchRules(rules, { docker_image_tag: tag }, new MemoryLogger()).map((r) => r.name);
    expect(match('1.4.0-dev')).toEqual(['mapping-1']);
    expect(match('1.4.0-prod')).toEqual(['mapping-2']);
    expect(match('1.4.0-stable')).toEqual([]);
    expect(match('1.4.0-dev-prod')).toEqual(['mapping-1', 'mapping-2']); // unanchored, as the old action
  });

  it('its globs find each environment in the article layout', async () => {
    const root = await tempDir();
    await writeTree(root, {
      'Chart.yaml': 'x',
      'environments/dev/values.yaml': 'x',
      'environments/prod/values.yaml': 'x',
    });
    const rules = parseSeedMappings({
      mappings: ARTICLE_MAPPINGS,
      docker_image_tag_regex: TAG,
      git_branch_regex: BRANCH,
    });
    expect(await expandGlobs(root, rules[0]!.update[0]!.files, 'seed')).toEqual(['environments/dev/values.yaml']);
    expect(await expandGlobs(root, rules[1]!.update[0]!.files, 'seed')).toEqual(['environments/prod/values.yaml']);
  });
});

describe('DSL constructs', () => {
  const regexes = { docker_image_tag_regex: TAG, git_branch_regex: BRANCH };

  it('{OR} makes one group per condition', () => {
    const [rule] = parseSeedMappings({
      mappings: 'docker_image_tag==v.* {OR} git_branch==feature\\/.* {THEN_UPDATE_FILES} a=docker_image_tag_regex',
      ...regexes,
    });
    expect(rule!.when).toEqual([
      [{ variable: 'docker_image_tag', pattern: 'v.*', anchored: false }],
      [{ variable: 'git_branch', pattern: 'feature\\/.*', anchored: false }],
    ]);
    expect(
      matchRules([rule!], { docker_image_tag: 'latest', git_branch: 'feature/165' }, new MemoryLogger()),
    ).toHaveLength(1);
  });

  it('{AND} makes one file update per glob; & chains regexes; {NEXT_MAPPING} numbers the rules', () => {
    const rules = parseSeedMappings({
      mappings:
        'a==1 {THEN_UPDATE_FILES} x.yaml=git_branch_regex&docker_image_tag_regex {AND} y/*.yaml=git_branch_regex {NEXT_MAPPING} b==2 {THEN_UPDATE_FILES} z',
      ...regexes,
    });
    expect(rules.map((r) => r.name)).toEqual(['mapping-1', 'mapping-2']);
    expect(rules[0]!.update.map((u) => u.files)).toEqual([['x.yaml'], ['y/*.yaml']]);
    expect(patterns(rules[0]!.update[0]!.edit)).toEqual([
      `git_branch_regex=${BRANCH}`,
      `docker_image_tag_regex=${TAG}`,
    ]);
    expect(patterns(rules[0]!.update[1]!.edit)).toEqual([`git_branch_regex=${BRANCH}`]);
  });

  it('defaults: no ==regex is .*, no =regexes is every regex, no {THEN_UPDATE_FILES} is **=*', () => {
    const [rule] = parseSeedMappings({ mappings: 'git_tag', ...regexes, regexes: 'extra_regex: "x=(?<x>.)"' });
    expect(rule!.when).toEqual([[{ variable: 'git_tag', pattern: '.*', anchored: false }]]);
    expect(rule!.update).toHaveLength(1);
    expect(rule!.update[0]!.files).toEqual(['**']);
    expect(rule!.update[0]!.globDialect).toBe('seed');
    expect(patterns(rule!.update[0]!.edit).map((p) => p.split('=')[0])).toEqual([
      'docker_image_tag_regex',
      'git_branch_regex',
      'extra_regex',
    ]);
    const [bare] = parseSeedMappings({ mappings: 'git_tag==v {THEN_UPDATE_FILES} values.yaml', ...regexes });
    expect(patterns(bare!.update[0]!.edit)).toHaveLength(2);
    const [star] = parseSeedMappings({ mappings: 'git_tag==v {THEN_UPDATE_FILES} values.yaml=*', ...regexes });
    expect(patterns(star!.update[0]!.edit)).toHaveLength(2);
  });

  it('trims every piece, and skips empty mappings', () => {
    const rules = parseSeedMappings({
      mappings:
        '  {NEXT_MAPPING}  docker_image_tag  ==  .*-dev   {THEN_UPDATE_FILES}   a.yaml =  docker_image_tag_regex  &  git_branch_regex  {NEXT_MAPPING}   ',
      docker_image_tag_regex: `  ${TAG}  `,
      git_branch_regex: BRANCH,
    });
    expect(rules).toHaveLength(1);
    expect(rules[0]!.name).toBe('mapping-1');
    expect(rules[0]!.when).toEqual([[{ variable: 'docker_image_tag', pattern: '.*-dev', anchored: false }]]);
    expect(rules[0]!.update[0]!.files).toEqual(['a.yaml']);
    expect(patterns(rules[0]!.update[0]!.edit)).toEqual([
      `docker_image_tag_regex=${TAG}`,
      `git_branch_regex=${BRANCH}`,
    ]);
  });

  it('accepts a multi-line mappings block, and records where each mapping starts', () => {
    const rules = parseSeedMappings({
      mappings:
        'docker_image_tag==.*-dev\n  {THEN_UPDATE_FILES} **dev/values.yaml=docker_image_tag_regex\n{NEXT_MAPPING}\n  docker_image_tag==.*-prod {THEN_UPDATE_FILES} **prod/values.yaml\n',
      docker_image_tag_regex: TAG,
    });
    expect(rules.map((r) => [r.origin.line, r.origin.column])).toEqual([
      [1, 1],
      [4, 3],
    ]);
    expect(rules[1]!.update[0]!.files).toEqual(['**prod/values.yaml']);
  });

  it('a regex is everything after the first ==', () => {
    const [rule] = parseSeedMappings({
      mappings: 'commit_message==a==b {THEN_UPDATE_FILES} x=docker_image_tag_regex',
      ...regexes,
    });
    expect(rule!.when[0]![0]!.pattern).toBe('a==b');
  });

  it('conditions are unanchored searches', () => {
    const [rule] = parseSeedMappings({
      mappings: 'docker_image_tag==dev {THEN_UPDATE_FILES} x=docker_image_tag_regex',
      ...regexes,
    });
    expect(matchRules([rule!], { docker_image_tag: '1.0-dev-2' }, new MemoryLogger())).toHaveLength(1);
  });

  it('__true__ and __always__ always apply; a condition on them that 1 fails never does', () => {
    const rules = parseSeedMappings({
      mappings:
        '__true__ {THEN_UPDATE_FILES} a=docker_image_tag_regex {NEXT_MAPPING} __always__==1 {THEN_UPDATE_FILES} b=docker_image_tag_regex {NEXT_MAPPING} __true__==0 {THEN_UPDATE_FILES} c=docker_image_tag_regex',
      ...regexes,
    });
    expect(rules.map((r) => r.when)).toEqual([[[]], [[]], []]);
    const logger = new MemoryLogger();
    expect(matchRules(rules, {}, logger).map((r) => r.name)).toEqual(['mapping-1', 'mapping-2']);
    expect(logger.messages('warning')).toEqual([]);
  });

  it('regex names come from the regexes map too, and dotfiles are reachable', () => {
    const [rule] = parseSeedMappings({
      mappings: '__true__ {THEN_UPDATE_FILES} .argocd-source-prod.yaml=argocd_source_image_tag_regex',
      regexes: 'argocd_source_image_tag_regex: "value: (?<docker_image_tag>.*)\\\\s+#\\\\s+MARKER"',
    });
    expect(patterns(rule!.update[0]!.edit)).toEqual([
      'argocd_source_image_tag_regex=value: (?<docker_image_tag>.*)\\s+#\\s+MARKER',
    ]);
    expect(globToRegExp(rule!.update[0]!.files[0]!, 'seed').test('.argocd-source-prod.yaml')).toBe(true);
  });

  it('translates PCRE-only named group spellings', () => {
    expect(translatePcre("a(?P<x>b)(?'y'c)(?P=x)\\(?P<z>")).toBe('a(?<x>b)(?<y>c)\\k<x>\\(?P<z>');
    const [rule] = parseSeedMappings({
      mappings: 'a {THEN_UPDATE_FILES} f=docker_image_tag_regex',
      docker_image_tag_regex: 'tag: (?P<docker_image_tag>\\S+)',
    });
    expect(patterns(rule!.update[0]!.edit)).toEqual(['docker_image_tag_regex=tag: (?<docker_image_tag>\\S+)']);
  });

  it('the same regex in an input and in the map is fine; different values are not', () => {
    expect(
      codes({
        mappings: 'a {THEN_UPDATE_FILES} f=docker_image_tag_regex',
        docker_image_tag_regex: TAG,
        regexes: `docker_image_tag_regex: '${TAG}'`,
      }),
    ).toEqual([]);
    expect(
      codes({
        mappings: 'a {THEN_UPDATE_FILES} f=docker_image_tag_regex',
        docker_image_tag_regex: TAG,
        regexes: 'docker_image_tag_regex: other',
      }),
    ).toEqual(['mappings/duplicate-regex']);
  });
});

describe('DSL problems, all collected, naming the input', () => {
  it('an unknown regex name suggests the closest', () => {
    const found = problems({ mappings: 'a {THEN_UPDATE_FILES} f=docker_image_tag_regx', docker_image_tag_regex: TAG });
    expect(found.map((p) => p.code)).toEqual(['mappings/unknown-regex']);
    expect(found[0]!.input).toBe('mappings');
    expect(found[0]!.message).toContain("did you mean 'docker_image_tag_regex'?");
  });

  it('a well-known regex that is referenced but empty names its input', () => {
    const found = problems({ mappings: ARTICLE_MAPPINGS, docker_image_tag_regex: TAG, git_branch_regex: '  ' });
    expect(found.map((p) => p.code)).toEqual(['mappings/unknown-regex', 'mappings/unknown-regex']);
    expect(found[0]!.message).toContain("input 'git_branch_regex' is empty");
  });

  it('* with no regex defined', () => {
    expect(codes({ mappings: 'a' })).toEqual(['mappings/unknown-regex']);
  });

  it('empty or separator-only mappings', () => {
    expect(codes({ mappings: '   ' })).toEqual(['mappings/empty']);
    expect(codes({ mappings: ' {NEXT_MAPPING} {NEXT_MAPPING} ' })).toEqual(['mappings/empty']);
  });

  it('syntax slips', () => {
    const r = { docker_image_tag_regex: TAG };
    expect(codes({ mappings: '{THEN_UPDATE_FILES} f', ...r })).toEqual(['mappings/syntax']);
    expect(codes({ mappings: 'a {THEN_UPDATE_FILES}', ...r })).toEqual(['mappings/syntax']);
    expect(codes({ mappings: 'a {THEN_UPDATE_FILES} f {THEN_UPDATE_FILES} g', ...r })).toEqual(['mappings/syntax']);
    expect(codes({ mappings: 'a {OR} {THEN_UPDATE_FILES} f', ...r })).toEqual(['mappings/syntax']);
    expect(codes({ mappings: 'a {THEN_UPDATE_FILES} f {AND}', ...r })).toEqual(['mappings/syntax']);
    expect(codes({ mappings: 'a {THEN_UPDATE_FILES} =docker_image_tag_regex', ...r })).toEqual(['mappings/syntax']);
    expect(codes({ mappings: 'a {THEN_UPDATE_FILES} f=', ...r })).toEqual(['mappings/syntax']);
    expect(codes({ mappings: 'a {THEN_UPDATE_FILES} f=docker_image_tag_regex&&docker_image_tag_regex', ...r })).toEqual(
      ['mappings/syntax'],
    );
    expect(codes({ mappings: '==x {THEN_UPDATE_FILES} f', ...r })).toEqual(['mappings/syntax']);
  });

  it('a misspelt separator is named, with the right one', () => {
    const found = problems({
      mappings: 'a==1 {THEN_UPDATE_FILES} f {NEXT_MAPING} b==2 {THEN_UPDATE_FILES} g',
      docker_image_tag_regex: TAG,
    });
    expect(found.map((p) => p.code)).toContain('mappings/syntax');
    expect(found[0]!.message).toContain("'{NEXT_MAPING}' (did you mean '{NEXT_MAPPING}'?)");
  });

  it('regexes that do not compile, in conditions and in inputs', () => {
    expect(codes({ mappings: 'docker_image_tag==(dev {THEN_UPDATE_FILES} f', docker_image_tag_regex: TAG })).toEqual([
      'mappings/bad-regex',
    ]);
    const found = problems({
      mappings: 'a {THEN_UPDATE_FILES} f=docker_image_tag_regex',
      docker_image_tag_regex: 'tag: (?<docker_image_tag>',
    });
    expect(found.map((p) => [p.code, p.input])).toContainEqual(['mappings/bad-regex', 'docker_image_tag_regex']);
  });

  it('globs that leave the repository', () => {
    expect(
      codes({
        mappings: 'a {THEN_UPDATE_FILES} ../x=docker_image_tag_regex {AND} .git/config',
        docker_image_tag_regex: TAG,
      }),
    ).toEqual(['glob/escapes-root', 'glob/git-dir']);
  });

  it('a bad regexes input', () => {
    expect(codes({ mappings: 'a {THEN_UPDATE_FILES} f=x', regexes: 'x: [' })).toContain('mappings/bad-regexes-input');
    expect(codes({ mappings: 'a {THEN_UPDATE_FILES} f=x', regexes: '- a\n- b' })).toContain(
      'mappings/bad-regexes-input',
    );
    expect(codes({ mappings: 'a {THEN_UPDATE_FILES} f=x', regexes: 'x: 3' })).toContain('mappings/bad-regexes-input');
    expect(codes({ mappings: 'a {THEN_UPDATE_FILES} f=x', regexes: 'x: ""' })).toContain('mappings/bad-regexes-input');
    expect(codes({ mappings: 'a {THEN_UPDATE_FILES} f=x', regexes: '"a b": x' })).toContain(
      'mappings/bad-regexes-input',
    );
  });

  it('reports everything at once', () => {
    expect(
      codes({
        mappings: 'a==( {THEN_UPDATE_FILES} ../f=nope {NEXT_MAPPING} {THEN_UPDATE_FILES} g',
        docker_image_tag_regex: TAG,
      }),
    ).toEqual(['mappings/bad-regex', 'glob/escapes-root', 'mappings/unknown-regex', 'mappings/syntax']);
  });
});

interface SeedCase {
  name: string;
  origin: string;
  mappings: string;
  inputs: {
    docker_image_tag_regex?: string;
    git_branch_regex?: string;
    regexes?: string;
    variables: Record<string, string>;
  };
  before: Record<string, string>;
  after: Record<string, string>;
  total_modified_files: number;
  matched_rules: string[];
  error?: { code: string; mentions: string[] };
  differs?: string;
}

describe('the old action cases (test/fixtures/seed-action/cases.json)', async () => {
  const cases = JSON.parse(
    await readFile(new URL('../fixtures/seed-action/cases.json', import.meta.url), 'utf8'),
  ) as SeedCase[];

  it('are well formed', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    for (const c of cases) {
      expect(Object.keys(c.before).length).toBeGreaterThan(0);
      expect(c.total_modified_files).toBe(Object.keys(c.before).filter((p) => c.before[p] !== c.after[p]).length);
      if (c.error) expect(c.after).toEqual(c.before);
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))(
    '%s: parses, matches the expected rules, selects its files',
    async (_name, c) => {
      const rules: Rule[] = parseSeedMappings({ mappings: c.mappings, ...c.inputs });
      expect(rules.length).toBeGreaterThan(0);
      for (const r of rules) {
        expect(r.origin.syntax).toBe('seed');
        for (const u of r.update) expect(u.globDialect).toBe('seed');
      }
      const matched = matchRules(rules, c.inputs.variables, new MemoryLogger());
      expect(matched.map((r) => r.name)).toEqual(c.matched_rules);
      // Every file the case expects to change is selected by a matched rule's globs.
      const root = await tempDir();
      await writeTree(root, c.before);
      const selected = new Set<string>();
      for (const r of matched)
        for (const u of r.update) for (const f of await expandGlobs(root, u.files, 'seed')) selected.add(f);
      for (const path of Object.keys(c.before)) if (c.before[path] !== c.after[path]) expect(selected).toContain(path);
    },
  );
});
