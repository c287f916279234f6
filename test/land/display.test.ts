/**
 * The one escaping helper (core/display.ts), the commit message composition and the source validation, as pure
 * functions; the integration tests through action.yml show the same on the request bodies and the remote's commit.
 */
import { describe, expect, it } from 'vitest';
import { codeSpan, quoted, stripControls } from '../../core/display.js';
import { compileMessageTemplate, composeCommitMessage, readSource, templateTrailers } from '../../core/land/message.js';
import { parsedTrailers, tempDir } from '../support/git.js';

describe('codeSpan', () => {
  it.each([
    ['plain', '`plain`'],
    ['a`b', '``a`b``'],
    ['``x', '``` ``x ```'],
    ['x`', '`` x` ``'],
    [' both ', '`  both  `'],
    ['', '(empty)'],
    ['two\nlines\r\nhere', '`two lines here`'],
    ['esc\u001b[31mred\u202Eevil', '`esc[31mredevil`'],
  ])('%j -> %s', (value, expected) => {
    expect(codeSpan(value)).toBe(expected);
  });

  it('escapes the pipe in a table cell, also after backslashes', () => {
    expect(codeSpan('a|b', { table: true })).toBe('`a\\|b`');
    expect(codeSpan('a\\|b', { table: true })).toBe('`a\\\\\\|b`');
    expect(codeSpan('a|b')).toBe('`a|b`');
  });
});

describe('quoted', () => {
  it('escapes what could start a log line, colour it or reorder it', () => {
    const shown = quoted('x\n::error::forged\u001b[31m\u2028\u0085\u202E');
    expect(shown).toBe('"x\\n::error::forged\\u001b[31m\\u2028\\u0085\\u202e"');
    for (const ch of ['\n', '\u001b', '\u2028', '\u0085', '\u202E']) expect(shown).not.toContain(ch);
  });
});

describe('stripControls', () => {
  it('keeps tabs and line feeds, turns other line breaks into line feeds, drops the rest', () => {
    expect(stripControls('a\tb\r\nc\rd\u2028e\u0085f\u0007\u001b\u009b\uFEFF')).toBe('a\tb\nc\nd\ne\nf');
  });
});

describe('commit message', () => {
  const hostile = [
    'fix\u001b[2J things\r',
    '',
    'Signed-off-by: Mallory <m@example.com>',
    'Co-authored-by: Mallory <m@example.com>',
    'Source-Commit: 0000000000000000000000000000000000000000',
    '---',
    'Reviewed-by: Eve <e@example.com>',
    '',
    'Source-Image: ghcr.io/evil/app',
    'Signed-off-by: Mallory <m@example.com>',
  ].join('\n');
  const ours = { 'Source-Repository': 'org/app', 'Source-Image': 'ghcr.io/org/app', 'Source-Empty': '' };

  it('gives git only our trailers, whatever the payload writes', async () => {
    const render = compileMessageTemplate('Deploy {{docker_image_tag}}: {{commit_message}}');
    const message = composeCommitMessage(render({ docker_image_tag: '1.0.0', commit_message: hostile }), ours);
    const dir = await tempDir();
    expect(await parsedTrailers(dir, message)).toEqual(['Source-Repository: org/app', 'Source-Image: ghcr.io/org/app']);
    expect(message).not.toContain('\u001b');
    expect(message).not.toContain('\r');
    // Our Source-* lines are the only ones at the start of a line; the forged ones are quoted.
    expect(message.split('\n').filter((l) => /^Source-/.test(l))).toEqual([
      'Source-Repository: org/app',
      'Source-Image: ghcr.io/org/app',
    ]);
    expect(message).toContain('\n> Signed-off-by: Mallory <m@example.com>\n');
    expect(message).toContain('\n ---\n');
  });

  it("keeps the template's own static trailer paragraph as trailers, before ours", async () => {
    const template =
      'Deploy {{docker_image_tag}}\n\n{{commit_message}}\n\nSigned-off-by: Release Bot <bot@example.com>\n';
    expect(templateTrailers(template)).toEqual([['Signed-off-by', 'Release Bot <bot@example.com>']]);
    const body = compileMessageTemplate(template)({ docker_image_tag: '1.0.0', commit_message: hostile });
    expect(body).not.toContain('Release Bot');
    const message = composeCommitMessage(body, ours, templateTrailers(template));
    expect(await parsedTrailers(await tempDir(), message)).toEqual([
      'Signed-off-by: Release Bot <bot@example.com>',
      'Source-Repository: org/app',
      'Source-Image: ghcr.io/org/app',
    ]);
  });

  it.each([
    ['a placeholder in the last paragraph', 'Deploy\n\nSigned-off-by: {{actor}}'],
    ['a Source-* key', 'Deploy\n\nSource-Commit: 123'],
    ['a line that is not a trailer', 'Deploy\n\nSigned-off-by: Bot <b@x>\nand more'],
    ['one paragraph only', 'Signed-off-by: Bot <b@x>'],
  ])('takes no trailers from a template with %s', (_, template) => {
    expect(templateTrailers(template)).toEqual([]);
  });

  it('gives git no trailer at all when we have none and the payload ends with some', async () => {
    const render = compileMessageTemplate('{{commit_message}}');
    const message = composeCommitMessage(render({ commit_message: hostile }), {});
    expect(await parsedTrailers(await tempDir(), message)).toEqual([]);
  });
});

describe('readSource', () => {
  const sha = '9fceb02d0ae598e95dc970b74767f19372d61af8';
  const event = (source: unknown, image?: string) => ({ client_payload: { docker_image_tag: '1', source, image } });

  it('keeps valid fields', () => {
    const { source, warnings } = readSource(
      event({
        repository: 'org/app',
        sha: sha.toUpperCase(),
        run_id: 77,
        run_url: 'https://github.com/org/app/actions/runs/77/attempts/2',
        actor: 'dependabot[bot]',
      }),
      { image: 'ghcr.io/Org/App:1.0' },
      'https://github.com',
    );
    expect(warnings).toEqual([]);
    expect(source).toEqual({
      repository: 'org/app',
      sha,
      runId: '77',
      runUrl: 'https://github.com/org/app/actions/runs/77/attempts/2',
      actor: 'dependabot[bot]',
      image: 'ghcr.io/org/app',
    });
  });

  it.each([
    ['repository', { repository: '@org/security-team' }],
    ['repository', { repository: 'org/..' }],
    ['sha', { sha: 'abc123' }],
    ['run_id', { run_id: '12a' }],
    ['run_url', { run_url: 'https://evil.example/org/app/actions/runs/1' }],
    ['run_url', { run_url: 'http://github.com/org/app/actions/runs/1' }],
    ['run_url', { run_url: 'https://github.com/org/app/actions/runs/1?x=<img>' }],
    ['run_url', { run_url: 'https://user@github.com/org/app/actions/runs/1' }],
    ['run_url', { run_url: 'https://github.com/org/app/pull/1' }],
    ['run_url', { repository: 'org/app', run_url: 'https://github.com/other/app/actions/runs/1' }],
    ['actor', { actor: '@someone' }],
  ])('drops a malformed %s with a warning naming it', (field, source) => {
    const r = readSource(event(source), {}, 'https://github.com');
    expect(r.warnings.some((w) => w.startsWith(`client_payload.source.${field} is `))).toBe(true);
    expect(Object.keys(r.source)).not.toContain(field === 'run_url' ? 'runUrl' : field === 'run_id' ? 'runId' : field);
  });

  it('reads a workflow_dispatch source sent as JSON text, and names inputs.* when dropping', () => {
    const ok = readSource(
      { inputs: { docker_image_tag: '1', source: JSON.stringify({ repository: 'org/app', sha }) } },
      {},
      'https://github.com',
    );
    expect(ok).toEqual({ source: { repository: 'org/app', sha }, warnings: [] });
    const bad = readSource({ inputs: { source: '{not json' } }, {}, 'https://github.com');
    expect(bad.source).toEqual({});
    expect(bad.warnings).toEqual([
      'inputs.source is "{not json"; expected a JSON object. It is left out of the commit, pull request and summary.',
    ]);
    const list = readSource(event(['x']), {}, 'https://github.com');
    expect(list.warnings[0]).toMatch(/^client_payload\.source is a list; expected an object/);
  });

  it('drops an image that is not an image reference', () => {
    const r = readSource(event(undefined), { image: '<img src=x>' }, 'https://github.com');
    expect(r.source.image).toBeUndefined();
    expect(r.warnings[0]).toMatch(/^client_payload\.image is "<img src=x>"; expected an image reference/);
  });
});
