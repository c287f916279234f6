/**
 * How each environment's image tag is made upstream, and the proof that the two sides agree. One environment gives
 * one docker/metadata-action `tags:` line, enabled only on its own refs; `prove` runs every line through the action's
 * semantics (metadata.ts) for representative pushes and routes the result through the environments' patterns.
 */
import type { ErrorCode } from '../../core/errors.js';
import { isOciTag } from '../../core/oci.js';
import { compileCondition } from '../../core/rules/index.js';
import { filterMatches, runMetadata } from './metadata.js';

/** `pattern` is a literal ref name, or a literal prefix followed by `*` (GitHub filter pattern). */
export interface Trigger {
  kind: 'branch' | 'tag';
  pattern: string;
}
export type From = 'sha' | 'version' | 'ref';

/** What one environment builds: the fields of EnvironmentConfig this module needs. */
export interface Flow {
  name: string;
  /** The anchored routing pattern. */
  tag: string;
  on: Trigger;
  from: From;
  prefix: string;
  suffix: string;
  /** sha: full or 7-character commit SHA. */
  shaFormat: 'long' | 'short';
  /** version: releases (`1.2.3`) or pre-releases (`1.2.3-rc.1`); never both. */
  versions: 'release' | 'prerelease';
}

export const EXAMPLE_SHA = '4f2c1e0d9b8a7f6e5d4c3b2a1908f7e6d5c4b3a2';
const RELEASE = String.raw`\d+\.\d+\.\d+`;
const PRERELEASE = String.raw`\d+\.\d+\.\d+-[0-9A-Za-z.-]+`;

export const refPrefix = (t: Trigger) => (t.kind === 'branch' ? 'refs/heads/' : 'refs/tags/');
export const literalOf = (t: Trigger) => t.pattern.replace(/\*$/, '');
export const isGlob = (t: Trigger) => t.pattern.endsWith('*');
export const sameTrigger = (a: Trigger, b: Trigger) => a.kind === b.kind && a.pattern === b.pattern;
export const describeTrigger = (t: Trigger) => `${t.kind} '${t.pattern}'`;

/** True when every ref of `inner` is also a ref of `outer` (and they differ). */
function narrower(inner: Trigger, outer: Trigger): boolean {
  if (inner.kind !== outer.kind || sameTrigger(inner, outer) || !isGlob(outer)) return false;
  return literalOf(inner).startsWith(literalOf(outer));
}

/** Does a push of `ref` start the workflow for this trigger (GitHub's filter)? */
export function triggers(t: Trigger, ref: string): boolean {
  return ref.startsWith(refPrefix(t)) && filterMatches(t.pattern, ref.slice(refPrefix(t).length));
}

/** The part of a tag glob's literal before its version digits: `v` of `v*`, `rc-` of `rc-*`, '' of `20*`. */
export function versionPrefix(t: Trigger): string {
  return literalOf(t).replace(/[0-9.]*$/, '');
}

/**
 * `from` when the config names none: a branch builds the commit SHA, a branch glob (`release/*`) the branch name and
 * short SHA, a tag glob after a `v` the version, any other tag the tag as pushed (`rc-1.2.3`, `2026.01.05-1`).
 */
export function defaultFrom(t: Trigger): From {
  if (t.kind === 'branch') return isGlob(t) ? 'ref' : 'sha';
  return /[vV]$/.test(versionPrefix(t)) ? 'version' : 'ref';
}

interface Condition {
  /** A GitHub expression (without `${{ }}`). */
  expression: string;
  test: (ref: string) => boolean;
}

/** When this environment's line is enabled: its own refs, minus those of narrower triggers of other environments. */
export function enableCondition(flow: Flow, all: Flow[]): Condition {
  const own = refCondition(flow.on);
  const excluded = all.filter((o) => o !== flow && narrower(o.on, flow.on)).map((o) => refCondition(o.on));
  return {
    expression: [own.expression, ...excluded.map((e) => `!${wrap(e.expression)}`)].join(' && '),
    test: (ref) => own.test(ref) && !excluded.some((e) => e.test(ref)),
  };
}

const wrap = (e: string) => (e.includes('==') ? `(${e})` : e);

function refCondition(t: Trigger): Condition {
  const full = `${refPrefix(t)}${literalOf(t)}`;
  return isGlob(t)
    ? { expression: `startsWith(github.ref, '${full}')`, test: (ref) => ref.startsWith(full) }
    : { expression: `github.ref == '${full}'`, test: (ref) => ref === full };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The `tags:` line without `enable`; `{{sha}}` is metadata-action's short SHA. */
export function lineBody(flow: Flow): string {
  const prefix = flow.prefix ? `,prefix=${flow.prefix}` : '';
  const suffix = flow.suffix ? `,suffix=${flow.suffix}` : '';
  switch (flow.from) {
    case 'sha':
      // type=sha defaults to a `sha-` prefix; always say which one.
      return `type=sha,format=${flow.shaFormat},prefix=${flow.prefix}${suffix}`;
    case 'version': {
      // type=match, not type=semver: a semver line turns a pre-release into {{version}} whatever the pattern, so
      // it cannot keep v1.2.3-rc.1 out of a release environment; this regex yields nothing for the other kind.
      const core = flow.versions === 'release' ? RELEASE : PRERELEASE;
      return `type=match,pattern=^${escapeRe(versionPrefix(flow.on))}(${core})$,group=1${prefix}${suffix}`;
    }
    case 'ref':
      // A branch name alone would be the same tag on every push (nothing to roll out); add the short SHA.
      return flow.on.kind === 'branch'
        ? `type=ref,event=branch${prefix},suffix=-{{sha}}${flow.suffix}`
        : `type=ref,event=tag${prefix}${suffix}`;
  }
}

export function metadataLine(flow: Flow, all: Flow[]): string {
  return `${lineBody(flow)},enable=\${{ ${enableCondition(flow, all).expression} }}`;
}

/** Ref names to try for a trigger, most typical first. */
export function candidateRefs(t: Trigger): string[] {
  const lit = literalOf(t);
  if (!isGlob(t)) return [`${refPrefix(t)}${lit}`];
  if (t.kind === 'branch') return [`refs/heads/${lit}${lit === '' || /[/_.-]$/.test(lit) ? '1.4' : '-1.4'}`];
  const strip = versionPrefix(t);
  const digits = lit.slice(strip.length);
  const padded = [...digits.replace(/\.$/, '').split('.'), '0', '0', '0'].slice(0, 3).map((d) => d || '0');
  const versions = ['1.2.3', '1.2.3-rc.1', '2026.11.30-1', '2026.01.05-1', '2026.11.30'].filter((v) =>
    v.startsWith(digits),
  );
  if (digits) versions.push(padded.join('.'), `${padded.join('.')}-rc.1`);
  return [...new Set(versions.map((v) => `refs/tags/${strip}${v}`))];
}

/** Refs no environment is built from, tried to show they build nothing. */
const STRAY_REFS = [
  'refs/heads/feature/login',
  'refs/heads/main',
  'refs/heads/release/1.4',
  'refs/tags/v1.2.3',
  'refs/tags/v1.2.3-rc.1',
  'refs/tags/rc-1.2.3',
  'refs/tags/2026.11.30-1',
  'refs/tags/nightly',
];

export interface Outcome {
  ref: string;
  /** Does the workflow start at all (some environment's filter matches)? */
  runs: boolean;
  values: string[];
  /** Environments each value routes to. */
  routes: string[][];
}

export function simulate(flows: Flow[], ref: string, sha = EXAMPLE_SHA): Outcome {
  const runs = flows.some((f) => triggers(f.on, ref));
  if (!runs) return { ref, runs, values: [], routes: [] };
  const lines = flows.map((f) => `${lineBody(f)},enable=${enableCondition(f, flows).test(ref)}`);
  const { values } = runMetadata(lines, { ref, sha });
  return { ref, runs, values, routes: values.map((v) => route(flows, v)) };
}

export function route(flows: Flow[], tag: string): string[] {
  // The receiver's dialect (RE2, anchored), so the generator routes a tag exactly as the generated rules will.
  return flows.filter((f) => compileCondition(f.tag, true).test(tag)).map((f) => f.name);
}

export interface FlowProblem {
  env: string;
  code: ErrorCode;
  message: string;
}

export interface Proof {
  /** Per environment: the representative push and the one tag it builds. */
  examples: Map<string, { ref: string; tag: string }>;
  problems: FlowProblem[];
}

const refText = (ref: string) =>
  ref.startsWith('refs/tags/') ? `tag ${ref.slice(10)}` : `branch ${ref.replace(/^refs\/heads\//, '')}`;

/**
 * For every environment: a push of a representative ref of its trigger builds exactly one tag, which routes to
 * that environment and no other; any other push builds nothing, or one tag of the environment it triggers.
 */
export function prove(flows: Flow[]): Proof {
  const examples = new Map<string, { ref: string; tag: string }>();
  const problems: FlowProblem[] = [];
  for (const flow of flows) {
    let reason: FlowProblem | undefined;
    for (const ref of candidateRefs(flow.on)) {
      const out = simulate(flows, ref);
      const mine = out.values.filter((_, i) => out.routes[i]!.includes(flow.name));
      if (out.values.length === 1 && out.routes[0]!.length === 1 && mine.length === 1) {
        if (!isOciTag(mine[0]!)) {
          reason ??= {
            env: flow.name,
            code: 'config/bad-example-tag',
            message: `'${flow.name}' builds ${JSON.stringify(mine[0])} on a push of ${refText(ref)}, which is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}); change 'prefix' or 'suffix'`,
          };
          continue;
        }
        examples.set(flow.name, { ref, tag: mine[0]! });
        reason = undefined;
        break;
      }
      reason ??= explain(flows, flow, out);
    }
    if (!examples.has(flow.name) && reason && !problems.some((p) => p.message === reason!.message)) {
      problems.push(reason);
    }
  }
  if (problems.length > 0) return { examples, problems };
  const probes = new Set([...flows.flatMap((f) => candidateRefs(f.on)), ...STRAY_REFS]);
  for (const ref of probes) {
    const out = simulate(flows, ref);
    if (!out.runs || out.values.length === 0) continue;
    const owners = flows.filter((f) => triggers(f.on, ref)).map((f) => f.name);
    const routed = out.routes.flat();
    const bad =
      out.values.length > 1 || out.routes.some((r) => r.length > 1) || routed.some((name) => !owners.includes(name));
    if (bad) {
      problems.push({
        env: owners[0] ?? flows[0]!.name,
        code: out.values.length > 1 ? 'config/two-tags' : 'config/overlap',
        message: `a push of ${refText(ref)} builds ${out.values.map((v, i) => `'${v}' (routes to ${out.routes[i]!.join(', ') || 'no environment'})`).join(' and ')}; expected one tag for one of ${owners.join(', ')}. Make the 'tag' patterns or 'on' triggers disjoint`,
      });
    }
  }
  return { examples, problems };
}

function explain(flows: Flow[], flow: Flow, out: Outcome): FlowProblem {
  const at = `a push of ${refText(out.ref)}`;
  if (out.values.length === 0) {
    return {
      env: flow.name,
      code: 'config/no-tag',
      message: `'${flow.name}' is built on ${describeTrigger(flow.on)} from ${flow.from}, but ${at} builds no tag${flow.from === 'version' ? ` (its name is not ${versionPrefix(flow.on)}<version>)` : ''}; expected 'from: ref' (the tag as pushed) or an 'on' whose refs carry a version`,
    };
  }
  if (out.values.length > 1) {
    const same = flows.filter((f) => sameTrigger(f.on, flow.on)).map((f) => f.name);
    const versionsHint =
      flow.from === 'version'
        ? ` or give them 'tag' patterns of which one takes releases only (e.g. '\\d+\\.\\d+\\.\\d+') and one pre-releases only (e.g. '\\d+\\.\\d+\\.\\d+-rc\\.\\d+')`
        : '';
    return {
      env: flow.name,
      code: 'config/two-tags',
      message: `environments '${same.join("' and '")}' are all built on ${describeTrigger(flow.on)}: ${at} builds ${out.values.length} tags (${out.values.join(', ')}), and one build must push one tag; give one of them another 'on'${versionsHint}`,
    };
  }
  const value = out.values[0]!;
  const routes = out.routes[0]!;
  if (routes.length === 0 || !routes.includes(flow.name)) {
    return {
      env: flow.name,
      code: 'config/example-mismatch',
      message: `'${flow.name}' builds tags like ${JSON.stringify(value)} (${at}), which its own pattern '${flow.tag}' does not match${routes.length ? ` (it routes to '${routes.join("', '")}')` : ''}; expected a 'tag' pattern that matches ${JSON.stringify(value)}, or set 'prefix', 'suffix' or 'from' so they agree`,
    };
  }
  const others = routes.filter((r) => r !== flow.name);
  return {
    env: flow.name,
    code: 'config/overlap',
    message: `environments '${flow.name}' and '${others[0]}' overlap: tag ${JSON.stringify(value)} of '${flow.name}' (${at}) also matches '${others[0]}' pattern '${flows.find((f) => f.name === others[0])!.tag}'; make the patterns disjoint`,
  };
}

/**
 * A GitHub expression giving the name of the environment a push is built for ('' for none): each environment's own
 * enable condition, and for environments sharing a tag trigger (releases and pre-releases) whether the tag name has a
 * `-` after the prefix. Undefined when that cannot be told from the ref (a shared prefix that itself has a `-`).
 */
export function environmentExpression(
  flows: Flow[],
  pick: (f: Flow) => string = (f) => `'${f.name}'`,
): string | undefined {
  const parts: string[] = [];
  for (const flow of flows) {
    let condition = enableCondition(flow, flows).expression;
    const shared = flows.some((o) => o !== flow && sameTrigger(o.on, flow.on));
    if (shared) {
      if (flow.from !== 'version' || versionPrefix(flow.on).includes('-')) return undefined;
      condition += flow.versions === 'prerelease' ? " && contains(github.ref, '-')" : " && !contains(github.ref, '-')";
    }
    parts.push(`(${condition}) && ${pick(flow)}`);
  }
  return `${parts.join(' || ')} || ''`;
}
