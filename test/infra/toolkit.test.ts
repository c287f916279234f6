/**
 * action-runtime/toolkit.ts stands in for @actions/core in both bundles: every command it prints, every file command
 * and every job summary it writes must be the bytes @actions/core writes for the same call.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as actionsCore from '@actions/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as toolkit from '../../action-runtime/toolkit.js';
import { tempDir } from '../support/git.js';

type Toolkit = typeof toolkit;

/** A fresh @actions/core summary (its shared instance remembers the first file it wrote to). */
const theirSummary = () => new (actionsCore.summary.constructor as new () => toolkit.Summary)();

/** What `fn` prints on stdout, and process.exitCode after it. */
async function printed(fn: () => unknown): Promise<{ out: string; exitCode: typeof process.exitCode }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  const before = process.exitCode;
  try {
    await fn();
    return { out: chunks.join(''), exitCode: process.exitCode };
  } finally {
    spy.mockRestore();
    process.exitCode = before;
  }
}

/** Runs `call` with both implementations; returns both outputs. */
async function both(call: (impl: Toolkit) => unknown) {
  return {
    ours: await printed(() => call(toolkit)),
    theirs: await printed(() => call(actionsCore as unknown as Toolkit)),
  };
}

const NASTY = 'a%b\r\nc:d,e%0A::f';
const PROPERTY_SETS: (toolkit.AnnotationProperties | undefined)[] = [
  undefined,
  {},
  { title: 'T' },
  { title: NASTY, file: 'dir/a,b:c.yaml', startLine: 3, startColumn: 7 },
  { file: 'x.yaml', startLine: 1, endLine: 2, startColumn: 0, endColumn: 5 },
  // Keys present, values not: @actions/core still prints the space after the command name.
  { title: undefined, file: undefined, startLine: undefined },
];

describe('action-runtime/toolkit.ts writes what @actions/core writes', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    delete process.env.GITHUB_OUTPUT;
    delete process.env.GITHUB_STEP_SUMMARY;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('annotations, with every kind of message and property', async () => {
    for (const level of ['error', 'warning', 'notice'] as const) {
      for (const message of ['plain', NASTY, '', new Error('boom: x\ny')]) {
        for (const properties of PROPERTY_SETS) {
          const { ours, theirs } = await both((impl) => impl[level](message, properties));
          expect(ours.out).toBe(theirs.out);
          expect(ours.out.startsWith(`::${level}`)).toBe(true);
        }
      }
    }
  });

  it('debug, info, masks and groups', async () => {
    for (const text of ['x', NASTY, '']) {
      for (const call of [
        (impl: Toolkit) => impl.debug(text),
        (impl: Toolkit) => impl.info(text),
        (impl: Toolkit) => impl.setSecret(text),
        (impl: Toolkit) => impl.group(text, async () => impl.info('inside')),
      ]) {
        const { ours, theirs } = await both(call);
        expect(ours.out).toBe(theirs.out);
      }
    }
    const { ours } = await both((impl) => impl.group('g', async () => impl.info('in')));
    expect(ours.out).toBe('::group::g\nin\n::endgroup::\n');
  });

  it('a group ends when its function throws, and the error comes through', async () => {
    for (const impl of [toolkit, actionsCore as unknown as Toolkit]) {
      const { out } = await printed(() =>
        impl.group('g', async () => Promise.reject(new Error('inner'))).catch((e: Error) => impl.info(e.message)),
      );
      expect(out).toBe('::group::g\n::endgroup::\ninner\n');
    }
  });

  it('setFailed: the error annotation and exit code 1', async () => {
    const { ours, theirs } = await both((impl) => impl.setFailed(NASTY));
    expect(ours).toEqual(theirs);
    expect(ours.exitCode).toBe(1);
    expect(toolkit.ExitCode.Failure).toBe(actionsCore.ExitCode.Failure);
  });

  it('setOutput to GITHUB_OUTPUT (delimiters are random: compared with the delimiter replaced)', async () => {
    const dir = await tempDir();
    const values: unknown[] = ['v', NASTY, '', 'multi\nline\n', { a: 1 }, 42, null];
    const files = { ours: join(dir, 'ours'), theirs: join(dir, 'theirs') };
    for (const file of Object.values(files)) await writeFile(file, 'already here\n');
    for (const [impl, file] of [
      [toolkit, files.ours],
      [actionsCore as unknown as Toolkit, files.theirs],
    ] as const) {
      process.env.GITHUB_OUTPUT = file;
      for (const value of values) expect((await printed(() => impl.setOutput('name-1', value))).out).toBe('');
    }
    const normal = async (file: string) =>
      (await readFile(file, 'utf8')).replace(/ghadelimiter_[0-9a-f-]{36}/g, 'ghadelimiter_X');
    const ours = await normal(files.ours);
    expect(ours).toBe(await normal(files.theirs));
    expect(ours).toContain('name-1<<ghadelimiter_X\nmulti\nline\n\nghadelimiter_X\n');
    // A new delimiter for every output.
    const delimiters = (await readFile(files.ours, 'utf8')).match(/ghadelimiter_[0-9a-f-]{36}/g)!;
    expect(new Set(delimiters).size).toBe(values.length);
  });

  it('setOutput: the same error for a missing GITHUB_OUTPUT file, the same command without the variable', async () => {
    process.env.GITHUB_OUTPUT = join(await tempDir(), 'missing');
    const message = (impl: Toolkit) => {
      try {
        impl.setOutput('n', 'v');
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(message(toolkit)).toBe(message(actionsCore as unknown as Toolkit));
    expect(message(toolkit)).toContain('Missing file at path');
    delete process.env.GITHUB_OUTPUT;
    const { ours, theirs } = await both((impl) => impl.setOutput('a,b', NASTY));
    expect(ours.out).toBe(theirs.out);
  });

  it('the job summary: headings, tables and raw text, appended, and the same errors', async () => {
    const dir = await tempDir();
    const build = (s: toolkit.Summary) =>
      s
        .addHeading('Title <x>', 3)
        .addHeading('default level')
        .addHeading('bad level', 9)
        .addTable([
          [{ data: 'H1', header: true }, { data: 'H2', header: true, colspan: '2' }, 'plain'],
          ['a', { data: '', rowspan: '2' }, { data: '<code>c</code>' }],
        ])
        .addRaw('raw')
        .addRaw(' with eol', true);
    const files = { ours: join(dir, 'ours.md'), theirs: join(dir, 'theirs.md') };
    for (const [summary, file] of [
      [new toolkit.Summary(), files.ours],
      [theirSummary(), files.theirs],
    ] as const) {
      await writeFile(file, 'before\n');
      process.env.GITHUB_STEP_SUMMARY = file;
      await build(summary).write();
      await summary.addRaw('second').write();
      expect(summary.stringify()).toBe('');
    }
    const ours = await readFile(files.ours, 'utf8');
    expect(ours).toBe(await readFile(files.theirs, 'utf8'));
    expect(ours).toMatch(/^before\n<h3>Title <x><\/h3>\n<h1>default level<\/h1>\n<h1>bad level<\/h1>\n<table>/);

    const failure = async (summary: toolkit.Summary) =>
      summary
        .addRaw('x')
        .write()
        .then(
          () => 'no error',
          (error: Error) => error.message,
        );
    for (const value of [undefined, join(dir, 'missing', 'file.md')]) {
      if (value === undefined) delete process.env.GITHUB_STEP_SUMMARY;
      else process.env.GITHUB_STEP_SUMMARY = value;
      const ours = await failure(new toolkit.Summary());
      expect(ours).toBe(await failure(theirSummary()));
      expect(ours).not.toBe('no error');
    }
  });
});
