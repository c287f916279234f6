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
