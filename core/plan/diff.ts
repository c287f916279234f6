/** A plan as a unified diff (`a/` and `b/` paths, like git), for dry runs and the CLI's `plan`. */
import { createTwoFilesPatch } from 'diff';
import type { Plan } from './model.js';

const ANSI = { red: '\u001b[31m', green: '\u001b[32m', cyan: '\u001b[36m', bold: '\u001b[1m', reset: '\u001b[0m' };

export function renderDiff(plan: Plan, options: { color: boolean }): string {
  const out: string[] = [];
  for (const change of plan.changes) {
    const patch = createTwoFilesPatch(
      `a/${change.path}`,
      `b/${change.path}`,
      change.before,
      change.after,
      undefined,
      undefined,
      {
        context: 3,
      },
    );
    // jsdiff starts with a line of `=`; git's header is clearer.
    const lines = patch.split('\n').filter((line, i) => !(i === 0 && /^=+$/.test(line)));
    if (lines[lines.length - 1] === '') lines.pop();
    out.push(`diff --git a/${change.path} b/${change.path}`);
    for (const line of lines) {
      if (!options.color) out.push(line);
      else if (line.startsWith('---') || line.startsWith('+++')) out.push(`${ANSI.bold}${line}${ANSI.reset}`);
      else if (line.startsWith('@@')) out.push(`${ANSI.cyan}${line}${ANSI.reset}`);
      else if (line.startsWith('+')) out.push(`${ANSI.green}${line}${ANSI.reset}`);
      else if (line.startsWith('-')) out.push(`${ANSI.red}${line}${ANSI.reset}`);
      else out.push(line);
    }
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
