import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { checkGlob, directoryFilter, expandBraces, expandGlobs, globToRegExp } from '../../core/rules/glob.js';
import { tempDir, writeTree } from '../support/git.js';

function codes(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error.problems.map((p) => p.code);
    throw error;
  }
  return [];
}

describe('globToRegExp, native dialect', () => {
  const table: [string, string, boolean][] = [
    ['environments/dev/values.yaml', 'environments/dev/values.yaml', true],
    ['environments/dev/values.yaml', 'environments/dev/values.yml', false],
    ['environments/dev/values.yaml', 'x/environments/dev/values.yaml', false], // anchored at the start
    ['environments/dev/values.yaml', 'environments/dev/values.yaml.bak', false], // and at the end
    ['environments/*/values.yaml', 'environments/dev/values.yaml', true],
    ['environments/*/values.yaml', 'environments/eu/dev/values.yaml', false], // * does not cross /
    ['environments/**/values.yaml', 'environments/eu/dev/values.yaml', true],
    ['environments/**/values.yaml', 'environments/values.yaml', true], // ** may be zero segments
    ['**/values.yaml', 'values.yaml', true],
    ['**/values.yaml', 'a/b/c/values.yaml', true],
    ['environments/**', 'environments/dev/values.yaml', true],
    ['environments/**', 'environments', false],
    ['**', 'a/b/c', true],
    ['env?/values.yaml', 'env1/values.yaml', true],
    ['env?/values.yaml', 'env/values.yaml', false],
    ['env?/values.yaml', 'env12/values.yaml', false],
    ['env[12]/values.yaml', 'env2/values.yaml', true],
    ['env[!12]/values.yaml', 'env2/values.yaml', false],
    ['env[!12]/values.yaml', 'env3/values.yaml', true],
    ['a[!x]b', 'a/b', false], // a class never matches /
    ['environments/{dev,prod}/values.yaml', 'environments/prod/values.yaml', true],
    ['environments/{dev,prod}/values.yaml', 'environments/qa/values.yaml', false],
    ['{environments/dev,base}/values.yaml', 'base/values.yaml', true], // braces may hold /
    ['{a,b{c,d}}.yaml', 'bd.yaml', true],
    ['file{a}.yaml', 'file{a}.yaml', true], // no comma: literal, as in bash
    ['*.yaml', '.hidden.yaml', false], // no dotfiles through wildcards
    ['**/values.yaml', '.github/values.yaml', false], // ** does not enter dot folders
    ['.github/**/*.yml', '.github/workflows/ci.yml', true], // unless the segment names the dot
    ['.*.yaml', '.argocd-source.yaml', true],
    ['./environments/dev/values.yaml', 'environments/dev/values.yaml', true],
    ['values (1).yaml', 'values (1).yaml', true], // regex metacharacters are literal
    ['a+b$.yaml', 'a+b$.yaml', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
  ];
  it.each(table)('%s against %s -> %s', (pattern, path, expected) => {
    expect(globToRegExp(pattern, 'native').test(path)).toBe(expected);
  });
});

describe('globToRegExp, seed dialect (the old action)', () => {
  const table: [string, string, boolean][] = [
    ['**dev/values.yaml', 'environments/dev/values.yaml', true], // the seed article's glob
    ['**dev/values.yaml', 'dev/values.yaml', true],
    ['**dev/values.yaml', 'environments/mydev/values.yaml', true], // ** is "any characters", not a segment
    ['**dev/values.yaml', 'environments/dev/values.yaml.new', false], // anchored at the end
    ['**prod/values.yaml', 'environments/dev/values.yaml', false],
    ['dev/*.yaml', 'dev/values.yaml', true],
    ['dev/*.yaml', 'dev/values.yaml.expected', false],
    ['dev/*.yaml', 'dev/sub/values.yaml', false], // * does not cross /
    ['dev/*.yaml', 'x/dev/values.yaml', false], // anchored at the start
    ['*.yaml', '.argocd-source-self-service-prod.yaml', true], // dotfiles included
    ['**', '.github/workflows/ci.yml', true],
    ['{dev,prod}/values.yaml', 'prod/values.yaml', true],
    ['{dev,prod}/values.yaml', 'qa/values.yaml', false],
    ['values.yaml', 'valuesXyaml', false], // . is literal
    ['env?/values.yaml', 'env1/values.yaml', true],
    ['a?b', 'a/b', true], // Splat's ? is any one character, / included
    ['[ab].yaml', 'b.yaml', true],
    ['a#b', 'a#b', true],
    ['a^b', 'a^b', true],
  ];
  it.each(table)('%s against %s -> %s', (pattern, path, expected) => {
    expect(globToRegExp(pattern, 'seed').test(path)).toBe(expected);
  });

  it('never matches inside .git, even with ** (the walker skips it too)', () => {
    expect(globToRegExp('**', 'seed').test('.git/config')).toBe(false);
    expect(globToRegExp('**config', 'seed').test('sub/.git/config')).toBe(false);
    expect(globToRegExp('**', 'seed').test('a.git/config')).toBe(true);
  });
});

describe('patterns that could leave the repository are refused', () => {
  const bad: [string, string][] = [
    ['/etc/passwd', 'glob/escapes-root'],
    ['../other/values.yaml', 'glob/escapes-root'],
    ['environments/../../x', 'glob/escapes-root'],
    ['**/../x', 'glob/escapes-root'],
    ['{..,a}/values.yaml', 'glob/escapes-root'], // hidden in braces
    ['a\\..\\..\\x', 'glob/escapes-root'], // backslash separators
    ['a/\\.\\./x', 'glob/escapes-root'], // escaped dots
    ['\\\\server\\share\\x', 'glob/escapes-root'],
    ['C:/Windows/x', 'glob/escapes-root'],
    ['c:x', 'glob/escapes-root'],
    ['.git/config', 'glob/git-dir'],
    ['sub/.GIT/hooks/pre-commit', 'glob/git-dir'],
    ['{.git,a}/config', 'glob/git-dir'],
    ['', 'glob/empty'],
    ['  ', 'glob/empty'],
    ['a\nb', 'glob/syntax'],
    ['{a,b', 'glob/syntax'],
  ];
  for (const dialect of ['native', 'seed'] as const) {
    it.each(bad)(`${dialect}: %j -> %s`, (pattern, code) => {
      expect(codes(() => globToRegExp(pattern, dialect))).toEqual([code]);
      expect(checkGlob(pattern, dialect)?.code).toBe(code);
    });
  }

  it('names the pattern in the message', () => {
    expect(() => globToRegExp('../secrets.yaml', 'native')).toThrow(/"\.\.\/secrets\.yaml"/);
  });

  it('native: a trailing slash names a directory and says how to select its files', () => {
    expect(checkGlob('environments/dev/', 'native')?.message).toMatch(/\/\*\*/);
  });

  it('refuses brace bombs', () => {
    expect(checkGlob('{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}', 'native')?.code).toBe('glob/syntax');
  });
});

describe('expandBraces', () => {
  it('expands in order, nested, keeping escaped braces', () => {
    expect(expandBraces('a{b,c{d,e}}f')).toEqual(['abf', 'acdf', 'acef']);
    expect(expandBraces('a\\{b,c}')).toEqual(['a\\{b,c}']);
    expect(expandBraces('{,x}y')).toEqual(['y', 'xy']);
  });
});

describe('property: no translated glob matches a path that escapes the root', () => {
  const segment = fc.oneof(
    fc.constantFrom('..', '.', '*', '**', '?', '.git', 'a', 'dev', '{a,..}', '[a.]', '\\.', '.*'),
    fc.string({ unit: fc.constantFrom('a', '.', '*', '?', '/', '\\', '{', '}', ',', '[', ']', '!'), maxLength: 6 }),
  );
  const pattern = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));
  const name = fc.oneof(
    fc.constantFrom('a', 'dev', '.x', 'values.yaml', '.git'),
    fc.string({ minLength: 1, maxLength: 4 }),
  );
  const escapingPath = fc.oneof(
    // a `..` segment somewhere
    fc
      .tuple(fc.array(name, { maxLength: 3 }), fc.array(name, { maxLength: 3 }))
      .map(([a, b]) => [...a, '..', ...b].join('/')),
    // absolute
    fc.array(name, { minLength: 1, maxLength: 4 }).map((a) => `/${a.join('/')}`),
  );

  for (const dialect of ['native', 'seed'] as const) {
    it(dialect, () => {
      fc.assert(
        fc.property(pattern, escapingPath, (p, path) => {
          let regex: RegExp;
          try {
            regex = globToRegExp(p, dialect);
          } catch (error) {
            if (error instanceof UserError) return true; // refused outright: fine
            throw error;
          }
          return !regex.test(path);
        }),
        { numRuns: 3000 },
      );
    });
  }
});

describe('directoryFilter: the walk skips only directories that hold no selected file', () => {
  it('enters the literal base and the directories a native glob can still match', () => {
    const enters = directoryFilter(['apps/*/prod/values.yaml', './env/{dev,qa}/**'], 'native');
    for (const dir of ['', 'apps', 'apps/a', 'apps/a/prod', 'env', 'env/dev', 'env/qa/x/y']) {
      expect(enters(dir), dir).toBe(true);
    }
    for (const dir of ['apps/a/dev', 'apps/a/prod/x', 'other', 'env/prod', 'apps/.hidden']) {
      expect(enters(dir), dir).toBe(false);
    }
  });

  it('a seed glob by its literal base directory', () => {
    const enters = directoryFilter(['environments/**dev/values.yaml'], 'seed');
    for (const dir of ['', 'environments', 'environments/a/b']) expect(enters(dir), dir).toBe(true);
    expect(enters('other')).toBe(false);
    expect(directoryFilter(['**dev/values.yaml'], 'seed')('any/where')).toBe(true);
  });

  const segment = fc.oneof(
    fc.constantFrom('*', '**', '?', 'a', 'dev', '{a,dev}', '{a,b/dev}', '[ad]*', '\\.x', '.*', '*.yaml', 'a*'),
    fc.string({ unit: fc.constantFrom('a', '.', '*', '?', '/', '\\', '{', '}', ',', '[', ']', '!'), maxLength: 5 }),
  );
  const pattern = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));
  const name = fc.constantFrom('a', 'dev', 'b', '.x', 'x.yaml', 'a.yaml', 'ab', '{a', '*');
  const path = fc.array(name, { minLength: 1, maxLength: 5 }).map((a) => a.join('/'));

  for (const dialect of ['native', 'seed'] as const) {
    it(`property (${dialect}): every directory above a selected file is entered`, () => {
      fc.assert(
        fc.property(pattern, path, (p, file) => {
          let regex: RegExp;
          try {
            regex = globToRegExp(p, dialect);
          } catch (error) {
            if (error instanceof UserError) return true;
            throw error;
          }
          if (!regex.test(file)) return true;
          const enters = directoryFilter([p], dialect);
          const dirs = file.split('/').slice(0, -1);
          return dirs.every((_, i) => enters(dirs.slice(0, i + 1).join('/'))) && enters('');
        }),
        { numRuns: 5000 },
      );
    });
  }
});

describe('expandGlobs', () => {
  async function repo(): Promise<string> {
    const root = await tempDir();
    await writeTree(root, {
      'Chart.yaml': 'x',
      'environments/dev/values.yaml': 'dev',
      'environments/prod/values.yaml': 'prod',
      'environments/prod/.secret.yaml': 'hidden',
      '.argocd-source.yaml': 'argo',
      '.git/config': '[core]',
      '.git/values.yaml': 'not a work tree file',
      'sub/.git': 'gitdir: ../.git/modules/sub',
      'sub/values.yaml': 'sub',
      'outside/values.yaml': 'outside',
    });
    return root;
  }

  it('returns sorted repo-relative files, never .git, dotfiles only when named (native)', async () => {
    const root = await repo();
    expect(await expandGlobs(root, ['**/*.yaml'], 'native')).toEqual([
      'Chart.yaml',
      'environments/dev/values.yaml',
      'environments/prod/values.yaml',
      'outside/values.yaml',
      'sub/values.yaml',
    ]);
    expect(await expandGlobs(root, ['.*.yaml', 'environments/*/.*'], 'native')).toEqual([
      '.argocd-source.yaml',
      'environments/prod/.secret.yaml',
    ]);
  });

  it('seed dialect includes dotfiles and still skips .git', async () => {
    const root = await repo();
    expect(await expandGlobs(root, ['**'], 'seed')).toEqual([
      '.argocd-source.yaml',
      'Chart.yaml',
      'environments/dev/values.yaml',
      'environments/prod/.secret.yaml',
      'environments/prod/values.yaml',
      'outside/values.yaml',
      'sub/values.yaml',
    ]);
    expect(await expandGlobs(root, ['**dev/values.yaml'], 'seed')).toEqual(['environments/dev/values.yaml']);
  });

  it('removes duplicates across patterns and never lists directories', async () => {
    const root = await repo();
    expect(
      await expandGlobs(root, ['environments/*', 'environments/dev/*', 'environments/*/values.yaml'], 'native'),
    ).toEqual(['environments/dev/values.yaml', 'environments/prod/values.yaml']);
    expect(await expandGlobs(root, ['environments'], 'native')).toEqual([]);
  });

  it('does not follow symlinked directories, but lists symlinked (and dangling) files', async () => {
    const root = await repo();
    const elsewhere = await tempDir();
    await writeTree(elsewhere, { 'values.yaml': 'elsewhere', 'deep/values.yaml': 'deep' });
    await mkdir(join(root, 'links'));
    await symlink(elsewhere, join(root, 'links', 'dir-link'));
    await symlink(join(elsewhere, 'values.yaml'), join(root, 'links', 'file-link.yaml'));
    await symlink(join(elsewhere, 'missing.yaml'), join(root, 'links', 'dangling.yaml'));
    await symlink('.', join(root, 'links', 'loop'));
    expect(await expandGlobs(root, ['links/**'], 'native')).toEqual(['links/dangling.yaml', 'links/file-link.yaml']);
    expect(await expandGlobs(root, ['**values.yaml'], 'seed')).not.toContain('links/dir-link/values.yaml');
  });

  it('reports every bad pattern at once and reads nothing', async () => {
    const root = await repo();
    const error = await expandGlobs(root, ['ok/*.yaml', '../x', '.git/config', '/abs'], 'native').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).problems.map((p) => p.code)).toEqual([
      'glob/escapes-root',
      'glob/git-dir',
      'glob/escapes-root',
    ]);
  });

  it('an empty pattern list selects nothing', async () => {
    expect(await expandGlobs(await repo(), [], 'native')).toEqual([]);
  });
});
