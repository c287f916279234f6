/**
 * Checks of the landing's settings that do not depend on the plan, shared by the action's input reader (so a bad
 * value fails before any file is edited) and by `landChanges` (so core callers get the same answer).
 */
import type { ProblemList } from '../errors.js';
import { hasControlCharacter } from '../oci.js';

/** The one limit on push attempts, for the action input and for core alike. */
export const MAX_ATTEMPTS_LIMIT = 20;

export function checkAuthor(name: string, email: string, problems: ProblemList): void {
  if (name.trim() === '' || hasControlCharacter(name) || /[<>]/.test(name)) {
    problems.add({
      code: 'land/author-name',
      input: 'author-name',
      message: `Input 'author-name' is ${JSON.stringify(name)}; expected a non-empty name without <, > or line breaks`,
    });
  }
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(email)) {
    problems.add({
      code: 'land/author-email',
      input: 'author-email',
      message: `Input 'author-email' is ${JSON.stringify(email)}; expected an address like name@example.com`,
    });
  }
}

export function checkMaxAttempts(value: number, problems: ProblemList, shown: string = JSON.stringify(value)): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_ATTEMPTS_LIMIT) {
    problems.add({
      code: 'land/max-attempts',
      input: 'max-attempts',
      message: `Input 'max-attempts' is ${shown}; expected a whole number from 1 to ${MAX_ATTEMPTS_LIMIT}`,
    });
  }
}
