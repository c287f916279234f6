/**
 * The closed error-code type and the one way problems are shown: the same line in an action's annotation and in the
 * CLI's output (core/errors.ts formatProblem), with the position when known.
 */
import { describe, expect, it } from 'vitest';
import { annotationOf } from '../../action-runtime/failure.js';
import { type ErrorCode, formatProblem, type Problem, problemSummary } from '../../core/errors.js';
import { presentProblems } from '../../generator/src/bin.js';

describe('error codes', () => {
  it('are a closed set: a typo fails the typecheck (tsc --noEmit covers test/)', () => {
    const good: ErrorCode = 'rules/unknown-key';
    // @ts-expect-error: no such code
    const typo: ErrorCode = 'rules/unknwon-key';
    // @ts-expect-error: codes are not free strings
    const free: Problem = { code: `input/${'wait'}` as string, message: '' };
    const status: ErrorCode = 'github/422';
    expect([good, typo, free.code, status]).toHaveLength(4);
  });
});

describe('one presentation of problems', () => {
  const inFile: Problem = {
    code: 'config/unknown-key',
    message: "Unknown key 'x'",
    file: 'cfg.yml',
    line: 4,
    column: 7,
  };
  const input: Problem = {
    code: 'input/boolean',
    input: 'wait',
    message: `Input 'wait' is "yes"; expected true or false`,
  };

  it('file:line:column: message, or the message alone', () => {
    expect(formatProblem(inFile)).toBe("cfg.yml:4:7: Unknown key 'x'");
    expect(formatProblem({ ...inFile, column: undefined })).toBe("cfg.yml:4: Unknown key 'x'");
    expect(formatProblem(input)).toBe(input.message);
  });

  it('a summary of one line: the problem itself, or the count', () => {
    expect(problemSummary([{ ...inFile, message: 'first\nsecond' }])).toBe('cfg.yml:4:7: first');
    expect(problemSummary([inFile, input])).toBe('2 problems (listed above)');
  });

  it('annotations carry the code as title and the position when known', () => {
    expect(annotationOf(inFile)).toEqual({
      title: 'config/unknown-key',
      file: 'cfg.yml',
      startLine: 4,
      startColumn: 7,
    });
    expect(annotationOf(input)).toEqual({ title: 'input/boolean' });
  });

  it('the CLI prints the same line per problem, then the summary', () => {
    const text = presentProblems([input, { ...inFile, file: 'missing.yml' }], '/nonexistent');
    expect(text.split('\n')).toEqual([
      formatProblem(input),
      "missing.yml:4:7: Unknown key 'x'",
      '2 problems (listed above)',
    ]);
  });
});
