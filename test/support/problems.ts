import { type Problem, UserError } from '../../core/errors.js';

/** The problems of the UserError that `fn` throws; fails the test when it throws nothing or something else. */
export function problemsOf(fn: () => unknown): Problem[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error.problems;
    throw error;
  }
  throw new Error('expected a UserError');
}
