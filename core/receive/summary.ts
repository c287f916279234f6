/**
 * The job summary: which environment got which value in which file, and which value only-newer refused. Pure, so
 * it is tested without a runner. Every value is a code span (core/display.ts): shown literally, never Markdown,
 * HTML or a mention.
 */
import { codeSpan, oneLine, quoted } from '../display.js';
import type { LandResult } from '../land/model.js';
import type { Plan } from '../plan/model.js';
import type { Rule } from '../rules/model.js';
import type { ArgoCdReport } from './model.js';

function cell(text: string): string {
  return codeSpan(text, { table: true });
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
    lines.push(`Commit: ${options.commitUrl ? `[${sha}](${options.commitUrl})` : codeSpan(sha)}`);
  }
  lines.push(`Pushed: ${l.pushed ? 'yes' : 'no'}; push attempts: ${l.attempts}. ${oneLine(l.reason)}`);
  return lines;
}

export function summaryMarkdown(plan: Plan, options: SummaryOptions): string {
  const title = options.dryRun ? '### GitOps receive (dry run: nothing changed)' : '### GitOps receive';
  if (plan.matchedRules.length === 0) {
    return `${title}\n\nTag ${options.tag === undefined ? '(none)' : codeSpan(options.tag)} matched no rule; nothing to update.\n`;
  }
  const lines = [title, ''];
  const refused = plan.refused ?? [];
  if (plan.changes.length === 0 && refused.length === 0) {
    lines.push(
      `Rules ${plan.matchedRules.map((r) => codeSpan(r)).join(', ')} matched; every selected file already holds the values.`,
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
  // A refusal is a row too: an environment pinned by a wrong, too-high version must be seen where people look.
  for (const r of refused) {
    lines.push(
      `| ${cell(r.rule)} | ${cell(`${r.path}:${r.line}`)} | ${cell(r.kept)} (kept) | ${cell(r.refused)} **not written: older than the kept version (only-newer)** |`,
    );
  }
  if (refused.length > 0) {
    lines.push(
      '',
      "To write an older version anyway (the kept one is wrong), run again with input `only-newer: false`, or edit the file by hand; see the README, 'Recovering from only-newer'.",
    );
  }
  const upToDate = plan.unchanged.filter((path) => !refused.some((r) => r.path === path));
  if (upToDate.length > 0) lines.push('', `Already up to date: ${upToDate.map((p) => codeSpan(p)).join(', ')}`);
  lines.push(...landingLines(options));
  return `${lines.join('\n')}\n`;
}

export function argoCdSummaryMarkdown(report: ArgoCdReport | undefined): string {
  if (!report) return '';
  if (report.kind === 'webhook') {
    return `\nArgo CD webhook: ${report.delivered ? 'push event delivered' : 'not delivered (see the warnings)'}\n`;
  }
  const rows = report.apps.map(
    (a) =>
      `| [${a.app}](${a.url}) | ${a.refreshed ? 'yes' : 'no (see the warnings)'} | ${a.healthy === undefined ? 'not waited for' : a.healthy ? 'Synced, Healthy' : 'no'} |`,
  );
  return ['', '| Argo CD Application | Refreshed | At the commit |', '| --- | --- | --- |', ...rows, ''].join('\n');
}

/** Why a run whose rules matched commits nothing, in one sentence for the log. */
export function noChangeReason(plan: Plan, rules: Rule[], tag: string | undefined): string {
  const shown = tag === undefined ? 'this dispatch' : `tag ${quoted(tag)}`;
  const refused = plan.refused ?? [];
  if (refused.length > 0) {
    const what = refused.map((r) => `${r.path} keeps ${quoted(r.kept)} (refused ${quoted(r.refused)})`).join('; ');
    return (
      `only-newer: ${what}; nothing to commit. If the kept version is wrong, run again with input 'only-newer: false' ` +
      'or edit the file by hand (README: Recovering from only-newer).'
    );
  }
  if (plan.unchanged.length === 0) {
    return `Rules ${plan.matchedRules.join(', ')} matched ${shown} but selected no file to change; nothing to commit.`;
  }
  const files = plan.unchanged.join(', ');
  const guarded = rules.some((r) => r.onlyNewer && plan.matchedRules.includes(r.name));
  const holds = plan.unchanged.length === 1 ? 'holds' : 'hold';
  return guarded
    ? `${files} already ${holds} the values of ${shown}, or a newer version that only-newer keeps (see the warnings); nothing to commit.`
    : `${files} already ${holds} the values of ${shown}; nothing to commit.`;
}
