/**
 * The one regex dialect of rule conditions (native rules, the seed's DSL, the generator's routing check).
 *
 * Conditions test payload values, and everything in a payload is hostile. A backtracking engine can take
 * exponential time on a pattern such as `v?([0-9]+\.?)+-stable` against a crafted tag, so conditions run on RE2
 * (re2js, a port of Google's RE2): matching time is linear in the value, whatever the pattern. The price is RE2's
 * syntax: no lookaround and no backreferences, which a condition has no need of. Edit patterns (`regex:` in an
 * update) still use JavaScript's engine: they run over trusted files, and they need group offsets.
 */
import { RE2JS } from 're2js';

export interface ConditionMatcher {
  test(value: string): boolean;
}

/** Compiles a condition; throws RE2's complaint when the pattern is not valid RE2 syntax. */
export function compileCondition(pattern: string, anchored: boolean): ConditionMatcher {
  const re = RE2JS.compile(anchored ? `^(?:${pattern})$` : pattern);
  return { test: (value) => re.matcher(value).find() };
}

/**
 * Why `pattern` cannot be a condition, or undefined. The wording says what to change, because the usual cause is
 * syntax RE2 leaves out on purpose (lookaround, backreferences).
 */
export function conditionPatternError(pattern: string, anchored: boolean): string | undefined {
  try {
    // Alone first: `a)|(b` compiles only once wrapped, and wrapping it would change what it anchors.
    compileCondition(pattern, false);
    if (anchored) compileCondition(pattern, true);
    return undefined;
  } catch (error) {
    const message = (error as Error).message.replace(/^error parsing regexp: /, '');
    return `${message}; conditions use RE2 syntax (linear-time matching, so no payload can hang the job): no lookahead, lookbehind or backreferences`;
  }
}
