// biome-ignore-all lint/suspicious/noTemplateCurlyInString: GitHub expressions (${{ }}) are the expected text
/**
 * Runs a generated pair of workflows for one push, the way GitHub and the actions would: the push filter decides
 * whether the upstream workflow starts, `${{ }}` expressions are evaluated by GitHub's own evaluator
 * (@actions/expressions), the metadata step by docker/metadata-action's semantics (generator/src/metadata.ts), the
 * step `if:`s decide what runs, and the receiver's rules (parsed by core, from the downstream file) route the tag.
 */
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
import { parse } from 'yaml';
import { silentLogger } from '../../core/logger.js';
import { matchRules } from '../../core/rules/match.js';
import { parseNativeRules } from '../../core/rules/native.js';
import { runMetadata } from '../../generator/src/metadata.js';

export const SHA = '0123456789abcdef0123456789abcdef01234567';

type Step = { id?: string; uses?: string; if?: string; with?: Record<string, unknown> };
type Workflow = {
  on: { push?: { branches?: string[]; tags?: string[] }; repository_dispatch?: unknown };
  jobs: Record<string, { steps: Step[] }>;
};

function evaluate(expression: string, github: Record<string, unknown>, steps: Record<string, unknown>) {
  const { tokens } = new Lexer(expression).lex();
  const tree = new Parser(tokens, ['github', 'steps', 'secrets', 'vars', 'env'], []).parse();
  const context = JSON.parse(
    JSON.stringify({ github, steps, secrets: {}, vars: {}, env: {} }),
    data.reviver,
  ) as data.Dictionary;
  return new Evaluator(tree, context, new Map()).evaluate();
}

function interpolate(text: string, github: Record<string, unknown>, steps: Record<string, unknown>): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, body: string) => {
    const value = evaluate(body.trim(), github, steps);
    return value.kind === data.Kind.Boolean ? String(value.value) : String(value.coerceString());
  });
}

/** GitHub's filter pattern (the subset the generator writes): `*` is anything but `/`, `**` anything. */
function filter(pattern: string, name: string): boolean {
  const re = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${re}$`).test(name);
}

export interface PushResult {
  /** The upstream workflow started. */
  runs: boolean;
  /** Every tag the metadata step made (pushed to the registry). */
  tags: string[];
  built: boolean;
  /** The image-tag the dispatch step sent, when it ran. */
  sent?: string;
  /** Environments whose rules the receiver matched for the sent tag. */
  environments: string[];
}

export function runPush(upstreamText: string, downstreamText: string, ref: string, sha = SHA): PushResult {
  const upstream = parse(upstreamText) as Workflow;
  const push = upstream.on.push ?? {};
  const name = ref.replace(/^refs\/(heads|tags)\//, '');
  const patterns = ref.startsWith('refs/heads/') ? push.branches : push.tags;
  const runs = (patterns ?? []).some((p) => filter(p, name));
  if (!runs) return { runs, tags: [], built: false, environments: [] };
  const github = { ref, sha, ref_name: name, event_name: 'push' };
  const steps = Object.values(upstream.jobs).flatMap((j) => j.steps);
  const meta = steps.find((s) => s.uses?.startsWith('docker/metadata-action@'))!;
  const lines = interpolate(String(meta.with!.tags), github, {})
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const result = runMetadata(lines, { ref, sha });
  const stepOutputs: Record<string, unknown> = {
    [meta.id!]: { outputs: { version: result.version, tags: result.values.join('\n') }, outcome: 'success' },
    build: { outputs: { digest: `sha256:${'a'.repeat(64)}` }, outcome: 'success' },
  };
  const runsStep = (s: Step) => s.if === undefined || truthy(evaluate(s.if, github, stepOutputs));
  const build = steps.find((s) => s.uses?.startsWith('docker/build-push-action@'))!;
  const dispatch = steps.find((s) => s.uses?.includes('dispatch'))!;
  const built = runsStep(build);
  if (!runsStep(dispatch)) return { runs, tags: result.values, built, environments: [] };
  const sent = interpolate(String(dispatch.with!['image-tag']), github, stepOutputs);
  const image = String(dispatch.with!.image);
  const downstream = parse(downstreamText) as Workflow;
  const receive = Object.values(downstream.jobs)
    .flatMap((j) => j.steps)
    .find((s) => s.with?.rules !== undefined)!;
  const rules = parseNativeRules(String(receive.with!.rules), 'downstream workflow');
  const environments = matchRules(rules, { docker_image_tag: sent, image }, silentLogger).map((r) => r.name);
  return { runs, tags: result.values, built, sent, environments };
}

/** The dispatch step's `with:` for a push, every expression evaluated. */
export function dispatchInputs(upstreamText: string): (ref: string) => Record<string, string> {
  const upstream = parse(upstreamText) as Workflow;
  const dispatch = Object.values(upstream.jobs)
    .flatMap((j) => j.steps)
    .find((s) => s.uses?.includes('dispatch'))!;
  return (ref) => {
    const github = { ref, sha: SHA, ref_name: ref.replace(/^refs\/(heads|tags)\//, ''), event_name: 'push' };
    return Object.fromEntries(
      Object.entries(dispatch.with ?? {}).map(([k, v]) => [
        k,
        interpolate(String(v), github, { meta: { outputs: {} } }),
      ]),
    );
  };
}
