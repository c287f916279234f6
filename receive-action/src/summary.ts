/** The job summary: which environment got which value in which file. Pure, so it is tested without a runner. */
import type { LandResult } from '../../core/land/land.js';
import type { Plan } from '../../core/plan/model.js';

/** Table cell text: no HTML, no pipe that would split the cell, no line break. */
function escapeText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
    .replace(/\r?\n/g, ' ');
}

function cell(text: string): string {
  const escaped = escapeText(text);
  return escaped === '' ? '(empty)' : `<code>${escaped}</code>`;
}

export interface SummaryOptions {
  dryRun: boolean;
  tag?: string;
  /** What commit: true did, when it ran. */
  landing?: LandResult;
  /** Link to the commit on the server, when the server URL is known. */
  commitUrl?: string;
}

function landingLines(options: SummaryOptions): string[] {
  const l = options.landing;
  if (!l) return [];
  const lines = [''];
  if (l.pullRequestUrl) lines.push(`Pull request: ${l.pullRequestUrl}`);
  else if (l.commitSha) {
    const sha = l.commitSha.slice(0, 12);
    lines.push(`Commit: ${options.commitUrl ? `[${sha}](${options.commitUrl})` : `<code>${sha}</code>`}`);
  }
  lines.push(`Pushed: ${l.pushed ? 'yes' : 'no'}; push attempts: ${l.attempts}. ${escapeText(l.reason)}`);
  return lines;
}

export function summaryMarkdown(plan: Plan, options: SummaryOptions): string {
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
  lines.push(...landingLines(options));
  return `${lines.join('\n')}\n`;
}
