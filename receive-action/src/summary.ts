/** The job summary: which environment got which value in which file. Pure, so it is tested without a runner. */
import type { Plan } from '../../core/plan/model.js';

/** Table cell text: no HTML, no pipe that would split the cell, no line break. */
function cell(text: string): string {
  const escaped = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
    .replace(/\r?\n/g, ' ');
  return escaped === '' ? '(empty)' : `<code>${escaped}</code>`;
}

export function summaryMarkdown(plan: Plan, options: { dryRun: boolean; tag?: string }): string {
  const title = options.dryRun ? '### GitOps receive (dry run: nothing changed)' : '### GitOps receive';
  if (plan.matchedRules.length === 0) {
    return `${title}\n\nTag ${options.tag === undefined ? '(none)' : cell(options.tag)} matched no rule; nothing to update.\n`;
  }
  const lines = [title, ''];
  if (plan.changes.length === 0) {
    lines.push(
      `Rules ${plan.matchedRules.map(cell).join(', ')} matched; every selected file already holds the values.`,
    );
    return `${lines.join('\n')}\n`;
  }
  lines.push('| environment | file | old value | new value |', '| --- | --- | --- | --- |');
  for (const change of plan.changes) {
    for (const span of change.spans) {
      const environment = span.rule ?? change.rules.join(', ');
      lines.push(
        `| ${cell(environment)} | ${cell(`${change.path}:${span.line}`)} | ${cell(span.before)} | ${cell(span.after)} |`,
      );
    }
  }
  if (plan.unchanged.length > 0) lines.push('', `Already up to date: ${plan.unchanged.map(cell).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
