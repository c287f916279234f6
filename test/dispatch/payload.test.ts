import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProblemList, UserError } from '../../core/errors.js';
import { MemoryLogger } from '../../core/logger.js';
import { buildClientPayload } from '../../core/payload/build.js';
import { LIMITS, TRUNCATION_MARKER } from '../../core/payload/model.js';
import { type DispatchSpec, prepareDispatch } from '../../core/payload/prepare.js';
import { repositoryDispatchBody, toWorkflowInputs, utf8Bytes } from '../../core/payload/serialize.js';
import { parseClientPayload, pathsWithLoneSurrogates } from '../../core/payload/validate.js';

const source = {
  repository: 'org/app',
  sha: 'a'.repeat(40),
  run_id: '42',
  run_url: 'https://github.com/org/app/actions/runs/42',
  actor: 'octocat',
};

function spec(overrides: Partial<DispatchSpec> = {}, fields: Partial<DispatchSpec['fields']> = {}): DispatchSpec {
  return {
    mode: 'repository_dispatch',
    repository: 'org/app-gitops',
    eventType: 'update-gitops-repo',
    fields: { dockerImageTag: '1.2.3-dev', gitBranch: 'main', commitMessage: 'fix: things', source, ...fields },
    userKeys: {},
    ...overrides,
  };
}

function prepare(s: DispatchSpec) {
  const problems = new ProblemList();
  const logger = new MemoryLogger();
  const prepared = prepareDispatch(s, problems, logger);
  return { prepared, problems: problems.items, logger };
}

const ADVERSARIAL = [
  "quote \" and 'single'",
  'back\\slash \\n not a newline \\u0041',
  'line one\nline two\r\nline three\n',
  'tab\there',
  "$& $1 $` $' replacement patterns",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an Actions expression, exactly what must pass through inert
  '${{ github.event.client_payload.x }} and $(rm -rf /) `id`',
  'non-ASCII: Grüße, 日本語, עברית',
  'emoji 🚀👩‍👩‍👧‍👦 and flags 🇩🇪',
  '\u0000 NUL \u001f unit separator \u007f DEL \u2028 LS \u2029 PS',
  '</script><!-- -->',
];

describe('client_payload v1', () => {
  it('holds the contract keys in order, user keys after them, and omits empty image and digest', () => {
    const { prepared } = prepare(spec({ userKeys: { environment: 'dev', n: 3 } }));
    const body = JSON.parse(prepared!.body());
    expect(body.event_type).toBe('update-gitops-repo');
    expect(Object.keys(body.client_payload)).toEqual([
      'docker_image_tag',
      'git_branch',
      'commit_message',
      'source',
      'environment',
      'n',
    ]);
    expect(body.client_payload.source).toEqual(source);
    const withImage = prepare(spec({}, { image: 'ghcr.io/org/app', digest: `sha256:${'b'.repeat(64)}` }));
    expect(JSON.parse(withImage.prepared!.body()).client_payload).toMatchObject({
      image: 'ghcr.io/org/app',
      digest: `sha256:${'b'.repeat(64)}`,
    });
  });

  it.each(ADVERSARIAL)('round-trips %j exactly through the serialised body', (text) => {
    const { prepared, problems } = prepare(
      spec({ userKeys: { note: text, [text]: 'as a key' } }, { commitMessage: text, gitBranch: text }),
    );
    expect(problems).toEqual([]);
    const back = JSON.parse(prepared!.body());
    expect(back.client_payload.commit_message).toBe(text);
    expect(back.client_payload.git_branch).toBe(text);
    expect(back.client_payload.note).toBe(text);
    expect(back.client_payload[text]).toBe('as a key');
    // The body is valid UTF-8 that decodes to the same text.
    const bytes = Buffer.from(prepared!.body(), 'utf8');
    expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toBe(prepared!.body());
  });

  it('round-trips any well-formed Unicode string (fast-check), byte-exact in UTF-8', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        (message, value) => {
          const { prepared, problems } = prepare(spec({ userKeys: { extra: value } }, { commitMessage: message }));
          expect(problems).toEqual([]);
          const body = prepared!.body();
          const back = JSON.parse(Buffer.from(body, 'utf8').toString('utf8'));
          expect(Buffer.from(back.client_payload.commit_message, 'utf8').equals(Buffer.from(message, 'utf8'))).toBe(
            true,
          );
          expect(back.client_payload.extra).toBe(value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps a user key named __proto__ as an ordinary key', () => {
    const problems = new ProblemList();
    const userKeys = parseClientPayload('{"__proto__": {"polluted": true}}', 'client-payload', problems)!;
    const payload = buildClientPayload({ dockerImageTag: 't' }, userKeys, problems);
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    const sent = JSON.parse(repositoryDispatchBody('e', payload)).client_payload;
    expect(Object.getOwnPropertyDescriptor(sent, '__proto__')?.value).toEqual({ polluted: true });
  });

  it('rejects a user key that would override a reserved key, naming the key and the input to use', () => {
    const { prepared, problems } = prepare(spec({ userKeys: { docker_image_tag: 'evil', source: {} } }));
    expect(prepared).toBeUndefined();
    expect(problems.map((p) => [p.code, p.input])).toEqual([
      ['payload/reserved-key', 'client-payload'],
      ['payload/reserved-key', 'client-payload'],
    ]);
    expect(problems[0]!.message).toContain('"docker_image_tag"');
    expect(problems[0]!.message).toContain("'image-tag'");
    expect(problems[1]!.message).toContain('"source"');
  });

  it('rejects lone surrogates (no UTF-8 form) and names where they are', () => {
    expect(pathsWithLoneSurrogates({ a: 'ok 🚀', b: ['a\ud800b'], '\udc00': 1 })).toEqual(['/b/0', '/\udc00']);
    const problems = new ProblemList();
    const userKeys = parseClientPayload('{"x": {"y": ["fine", "bad \\ud83d"]}}', 'client-payload', problems)!;
    const { problems: found } = prepare(spec({ userKeys }, { commitMessage: 'half \ud83d' }));
    expect(found.map((p) => [p.code, p.input])).toEqual([
      ['payload/lone-surrogate', 'commit-message'],
      ['payload/lone-surrogate', 'client-payload'],
    ]);
    expect(found[1]!.message).toContain('client_payload/x/y/1');
  });

  it('allows 10 top-level keys and rejects 11, counting the action’s own keys', () => {
    // Action keys here: docker_image_tag, git_branch, commit_message, source = 4.
    const six = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, i]));
    expect(prepare(spec({ userKeys: six })).problems).toEqual([]);
    const seven = { ...six, k6: 6 };
    const { problems } = prepare(spec({ userKeys: seven }));
    expect(problems.map((p) => p.code)).toEqual(['payload/too-many-keys']);
    expect(problems[0]!.input).toBe('client-payload');
    expect(problems[0]!.message).toContain('11 top-level keys');
    expect(problems[0]!.message).toContain('at most 6 keys');
  });

  it('allows 25 workflow inputs in workflow_dispatch mode and rejects 26', () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    const wf = { mode: 'workflow_dispatch' as const, workflow: 'receive.yml', ref: 'main' };
    expect(prepare(spec({ ...wf, userKeys: keys(21) })).problems).toEqual([]);
    const { problems } = prepare(spec({ ...wf, userKeys: keys(22) }));
    expect(problems.map((p) => p.code)).toEqual(['payload/too-many-keys']);
    expect(problems[0]!.message).toContain('at most 25');
  });
});

describe('the 64 KB limit', () => {
  /** A commit message that makes the body exactly `bytes` long. */
  function messageForBodyBytes(bytes: number, unit = 'a'): string {
    const empty = utf8Bytes(prepare(spec({}, { commitMessage: '' })).prepared!.body());
    return unit.repeat((bytes - empty) / utf8Bytes(unit));
  }

  it('sends a body of exactly 65,535 bytes unchanged (GitHub: less than 64 KB)', () => {
    const message = messageForBodyBytes(LIMITS.maxBodyBytes);
    const { prepared, problems, logger } = prepare(spec({}, { commitMessage: message }));
    expect(problems).toEqual([]);
    expect(utf8Bytes(prepared!.body())).toBe(65_535);
    expect(JSON.parse(prepared!.body()).client_payload.commit_message).toBe(message);
    expect(logger.messages('warning')).toEqual([]);
  });

  it('shortens the commit message of a 65,536-byte body, with the marker and a warning', () => {
    const message = messageForBodyBytes(65_536);
    const { prepared, problems, logger } = prepare(spec({}, { commitMessage: message }));
    expect(problems).toEqual([]);
    const body = prepared!.body();
    expect(utf8Bytes(body)).toBeLessThanOrEqual(65_535);
    const sent: string = JSON.parse(body).client_payload.commit_message;
    expect(sent.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(message.startsWith(sent.slice(0, -TRUNCATION_MARKER.length))).toBe(true);
    const warnings = logger.messages('warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("'commit-message' was shortened");
    expect(warnings[0]).toContain('65536 ->');
  });

  it('cuts on a code point boundary and keeps the longest prefix that fits', () => {
    // 4-byte emoji, each a surrogate pair in UTF-16: a cut between the halves would leave a lone surrogate.
    const message = '🚀'.repeat(20_000);
    const { prepared } = prepare(spec({}, { commitMessage: message }));
    const body = prepared!.body();
    const sent: string = JSON.parse(body).client_payload.commit_message;
    const kept = sent.slice(0, -TRUNCATION_MARKER.length);
    expect(kept.isWellFormed()).toBe(true);
    expect(kept).toBe('🚀'.repeat(Array.from(kept).length));
    // One more code point would not have fitted.
    expect(utf8Bytes(body) + 4).toBeGreaterThan(LIMITS.maxBodyBytes);
    expect(utf8Bytes(body)).toBeLessThanOrEqual(LIMITS.maxBodyBytes);
  });

  it('measures JSON escapes, not raw characters: a message of newlines is six times larger escaped', () => {
    const message = '\u0001'.repeat(12_000); // each becomes \u0001 (6 bytes) in JSON
    const { prepared } = prepare(spec({}, { commitMessage: message }));
    expect(utf8Bytes(prepared!.body())).toBeLessThanOrEqual(LIMITS.maxBodyBytes);
    expect(JSON.parse(prepared!.body()).client_payload.commit_message.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('fails, naming client-payload, when user keys alone are too large', () => {
    const { prepared, problems } = prepare(spec({ userKeys: { blob: 'x'.repeat(70_000) } }));
    expect(prepared).toBeUndefined();
    expect(problems.map((p) => [p.code, p.input])).toEqual([['payload/too-large', 'client-payload']]);
    expect(problems[0]!.message).toMatch(/\d+ bytes/);
  });

  it('reserves room for the default branch when workflow_dispatch has no ref yet', () => {
    const wf = { mode: 'workflow_dispatch' as const, workflow: 'receive.yml' };
    const message = 'm'.repeat(65_300);
    const { prepared } = prepare(spec(wf, { commitMessage: message }));
    const withLongRef = prepared!.body('r'.repeat(255));
    expect(utf8Bytes(withLongRef)).toBeLessThanOrEqual(LIMITS.maxBodyBytes);
  });
});

describe('workflow_dispatch inputs', () => {
  it('are strings: strings unchanged, source and other values JSON-encoded', () => {
    const { prepared } = prepare(
      spec(
        { mode: 'workflow_dispatch', workflow: 'r.yml', ref: 'main', userKeys: { n: 3, flag: true, obj: { a: [1] } } },
        { commitMessage: 'a "b"\n' },
      ),
    );
    const body = JSON.parse(prepared!.body());
    expect(body).toMatchObject({ ref: 'main', return_run_details: true });
    for (const value of Object.values(body.inputs)) expect(typeof value).toBe('string');
    expect(body.inputs.commit_message).toBe('a "b"\n');
    expect(JSON.parse(body.inputs.source)).toEqual(source);
    expect(body.inputs.n).toBe('3');
    expect(body.inputs.flag).toBe('true');
    expect(JSON.parse(body.inputs.obj)).toEqual({ a: [1] });
    expect(toWorkflowInputs({ docker_image_tag: 't' })).toEqual({ docker_image_tag: 't' });
  });
});

describe('problems are thrown together', () => {
  it('UserError lists each problem on its own line', () => {
    const { problems } = prepare(spec({ userKeys: { image: 'x', blob: 'y'.repeat(70_000) } }));
    const error = new UserError(problems);
    expect(error.message.split('\n')).toHaveLength(2);
  });
});
