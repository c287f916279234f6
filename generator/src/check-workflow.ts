import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

export interface InjectionFinding {
  /** Dotted path of the `run:` value, e.g. `jobs.update.steps.1.run`. */
  path: string;
  line: number;
  expression: string;
}

/**
 * `${{ }}` expressions that put the untrusted dispatch payload into a shell script. actionlint does not treat
 * `github.event.client_payload` as untrusted, so this walks the parsed YAML and checks every `run:` value (workflow
 * steps and composite action steps alike). Whole-event dumps (`toJSON(github.event)`) count too.
 */
export function findPayloadInRun(text: string): InjectionFinding[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const findings: InjectionFinding[] = [];
  const visit = (node: unknown, path: string[]) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        if (key === 'run' && isScalar(pair.value) && typeof pair.value.value === 'string') {
          for (const m of pair.value.value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
            const inner = m[1]!;
            if (/client_payload/.test(inner) || /github\s*\.\s*event\s*(\)|$|\|\||&&)/.test(inner.trim())) {
              const range = (pair.value as Node).range;
              findings.push({
                path: [...path, key].join('.'),
                line: range ? lineCounter.linePos(range[0]).line : 0,
                expression: m[0],
              });
            }
          }
        } else visit(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        visit(item, [...path, String(i)]);
      });
    }
  };
  visit(doc.contents, []);
  return findings;
}

/**
 * The checks `generate` runs on every workflow it renders, before writing anything: valid YAML, the structure a
 * workflow needs (on, jobs, each job's runs-on and steps, each step's uses or run), only known top-level keys, and no
 * client_payload inside a `run:`. A failure means a config value got into the YAML in a way validation missed.
 */
export function workflowProblems(text: string): string[] {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return doc.errors.map((e) => `not valid YAML: ${e.message.split('\n')[0]}`);
  const problems: string[] = [];
  const root = doc.toJS() as Record<string, unknown> | null;
  if (!root || typeof root !== 'object' || Array.isArray(root)) return ['not a YAML mapping'];
  const known = ['name', 'on', 'permissions', 'concurrency', 'env', 'jobs', 'run-name', 'defaults'];
  for (const key of Object.keys(root)) if (!known.includes(key)) problems.push(`unexpected top-level key '${key}'`);
  if (root.on === undefined) problems.push("no 'on'");
  const jobs = root.jobs as Record<string, Record<string, unknown>> | undefined;
  if (!jobs || typeof jobs !== 'object' || Object.keys(jobs).length === 0) problems.push("no 'jobs'");
  for (const [id, job] of Object.entries(jobs ?? {})) {
    if (!job || typeof job !== 'object') {
      problems.push(`job '${id}' is not a mapping`);
      continue;
    }
    if (typeof job['runs-on'] !== 'string') problems.push(`job '${id}' has no runs-on`);
    const steps = job.steps;
    if (!Array.isArray(steps) || steps.length === 0) {
      problems.push(`job '${id}' has no steps`);
      continue;
    }
    steps.forEach((step: Record<string, unknown>, i) => {
      if (!step || (typeof step.uses !== 'string' && typeof step.run !== 'string')) {
        problems.push(`job '${id}' step ${i + 1} has neither uses nor run`);
      }
    });
  }
  for (const f of findPayloadInRun(text)) {
    problems.push(`${f.path} (line ${f.line}) puts ${f.expression} into a shell script`);
  }
  return problems;
}
