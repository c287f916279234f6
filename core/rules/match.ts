/**
 * Which rules apply to one dispatch. A rule matches when ANY of its `when` groups matches; a group matches
 * when ALL its conditions match. A condition on a variable that is not set is false, and a warning names
 * that variable once per call. An empty value is a value (`.*` matches it).
 */
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Condition, Rule, Variables } from './model.js';
import { type ConditionMatcher, compileCondition } from './pattern.js';

export function matchRules(rules: Rule[], variables: Variables, logger: Logger): Rule[] {
  const warned = new Set<string>();
  const matched: Rule[] = [];
  for (const rule of rules) {
    // Every condition is evaluated (no short-circuit) so missing variables are reported the same way
    // whatever order the conditions were written in.
    const results = rule.when.map((group) =>
      group.map((condition) => testCondition(rule, condition, variables, logger, warned)),
    );
    const hit = results.some((group) => group.every(Boolean));
    logger.debug(`Rule '${rule.name}' ${hit ? 'matches' : 'does not match'}`);
    if (hit) matched.push(rule);
  }
  return matched;
}

/** The matcher a condition is tested with: anchored conditions must match the whole value. */
export function conditionMatcher(condition: Condition): ConditionMatcher {
  return compileCondition(condition.pattern, condition.anchored);
}

function testCondition(
  rule: Rule,
  condition: Condition,
  variables: Variables,
  logger: Logger,
  warned: Set<string>,
): boolean {
  if (!Object.hasOwn(variables, condition.variable)) {
    if (!warned.has(condition.variable)) {
      warned.add(condition.variable);
      logger.warning(
        `Variable '${condition.variable}' is not set (rule '${rule.name}' tests it); conditions on it count as not matching`,
      );
    }
    return false;
  }
  let regex: ConditionMatcher;
  try {
    regex = conditionMatcher(condition);
  } catch (error) {
    throw new UserError({
      code: 'rules/bad-regex',
      message: `Rule '${rule.name}': the pattern for '${condition.variable}' does not compile (${(error as Error).message}): ${JSON.stringify(condition.pattern)}`,
      file: rule.origin.source,
      line: rule.origin.line,
      column: rule.origin.column,
    });
  }
  return regex.test(variables[condition.variable]!);
}
