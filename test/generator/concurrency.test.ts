// biome-ignore-all lint/suspicious/noTemplateCurlyInString: GitHub expressions (${{ }}) are the expected text
/**
 * Item 7: the generated receiver never lets GitHub drop a pending update. GitHub's documented concurrency
 * (README: Scale): per group, one running and one pending run; a new run cancels the older
 * pending one, unless the group sets `queue: max` (up to 100 pending, first in first out). A run without a group
 * never waits. The model below follows that text; the bursts run through it with the concurrency the generated
 * receiver really declares (its group expression evaluated by GitHub's evaluator).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../generator/src/config.js';
import { generate, outLayout } from '../../generator/src/generate.js';
import { ACTIONS_REF, ROOT } from './helpers.js';

interface Concurrency {
  group: string;
  'cancel-in-progress'?: boolean;
  queue?: string;
}

/** Runs arrive in order while the first of each group is still running; returns the ids GitHub cancels. */
function cancelledIn(arrivals: { id: string; group?: string }[], queueMax: (group: string) => boolean): string[] {
  const running = new Map<string, string>();
  const pending = new Map<string, string[]>();
  const cancelled: string[] = [];
  for (const run of arrivals) {
    if (run.group === undefined) continue; // no group: starts at once, nothing waits or is cancelled
    if (!running.has(run.group)) {
      running.set(run.group, run.id);
      continue;
    }
    const queue = pending.get(run.group) ?? [];
    if (queueMax(run.group)) {
      if (queue.length >= 100) cancelled.push(run.id);
      else queue.push(run.id);
    } else {
      cancelled.push(...queue.splice(0));
      queue.push(run.id);
    }
    pending.set(run.group, queue);
  }
  return cancelled;
}

function groupOf(concurrency: Concurrency | undefined, payload: Record<string, string>): string | undefined {
  if (!concurrency) return undefined;
  return concurrency.group.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, body: string) => {
    const { tokens } = new Lexer(body.trim()).lex();
    const tree = new Parser(tokens, ['github'], []).parse();
    const ctx = JSON.parse(JSON.stringify({ github: { event: { client_payload: payload } } }), data.reviver);
    return new Evaluator(tree, ctx, new Map()).evaluate().coerceString();
  });
}

const IMAGE = 'ghcr.io/myorg/myapp';
const BURST = [
  { id: 'dev-1', payload: { image: IMAGE, docker_image_tag: 'aaa-dev' } },
  { id: 'prod', payload: { image: IMAGE, docker_image_tag: '1.2.3-stable' } },
  { id: 'dev-2', payload: { image: IMAGE, docker_image_tag: 'bbb-dev' } },
  { id: 'dev-3', payload: { image: IMAGE, docker_image_tag: 'ccc-dev' } },
];

function receiverConcurrency(): Concurrency | undefined {
  const text = readFileSync(join(ROOT, 'examples/gitops-dispatch.yml'), 'utf8');
  const config = parseConfig(text, 'gitops-dispatch.yml', { actionsRef: ACTIONS_REF });
  const receiver = generate(config, outLayout('o')).find((f) => f.path.endsWith('gitops-receive.yml'))!;
  const doc = parse(receiver.contents.toString()) as {
    concurrency?: Concurrency;
    jobs: Record<string, { concurrency?: Concurrency }>;
  };
  expect(Object.values(doc.jobs).every((j) => j.concurrency === undefined)).toBe(true);
  return doc.concurrency;
}

describe("the receiver's concurrency under GitHub's documented semantics", () => {
  it('the model reproduces the failure: a group per image cancels a pending prod update between two dev builds', () => {
    const perImage = { group: "gitops-dispatch-${{ github.event.client_payload.image || 'no-image' }}" };
    const arrivals = BURST.map((b) => ({ id: b.id, group: groupOf(perImage, b.payload) }));
    expect(cancelledIn(arrivals, () => false)).toEqual(['prod', 'dev-2']);
    // queue: max keeps them all
    expect(cancelledIn(arrivals, () => true)).toEqual([]);
  });

  it('the generated receiver cancels nothing in the same burst, nor in a burst of 150 across apps', () => {
    const concurrency = receiverConcurrency();
    const arrivals = BURST.map((b) => ({ id: b.id, group: groupOf(concurrency, b.payload) }));
    const queueMax = () => concurrency?.queue === 'max';
    expect(cancelledIn(arrivals, queueMax)).toEqual([]);
    const many = Array.from({ length: 150 }, (_, i) => ({
      id: `run-${i}`,
      group: groupOf(concurrency, { image: `ghcr.io/o/app${i % 3}`, docker_image_tag: `t${i}-dev` }),
    }));
    expect(cancelledIn(many, queueMax)).toEqual([]);
  });
});

describe('ordering (item 8)', () => {
  const text = readFileSync(join(ROOT, 'examples/gitops-dispatch.yml'), 'utf8');

  it('versioned environments get only-newer by default; sha tags are ordered by one build per ref upstream', () => {
    const config = parseConfig(text, 'gitops-dispatch.yml', { actionsRef: ACTIONS_REF });
    const files = generate(config, outLayout('o'));
    const receiver = parse(files.find((f) => f.path.endsWith('gitops-receive.yml'))!.contents.toString()) as {
      jobs: Record<string, { steps: { with?: { rules?: string } }[] }>;
    };
    const rules = parse(
      Object.values(receiver.jobs)
        .flatMap((j) => j.steps)
        .find((s) => s.with?.rules)!.with!.rules!,
    ) as { name: string; 'only-newer'?: unknown }[];
    expect(rules.map((r) => [r.name, r['only-newer']])).toEqual([
      ['dev', undefined],
      ['prod', { 'strip-suffix': '-stable' }],
    ]);
    // only-newer: false in the config turns the default off.
    const off = parseConfig(text.replace('pull-request: true }', 'pull-request: true, only-newer: false }'), 'g.yml', {
      actionsRef: ACTIONS_REF,
    });
    expect(off.environments[1]!.onlyNewer).toBeUndefined();

    const upstream = parse(files.find((f) => f.path.endsWith('gitops-dispatch.yml'))!.contents.toString()) as {
      concurrency: Concurrency;
    };
    expect(upstream.concurrency['cancel-in-progress']).toBe(false);
    const group = (ref: string) =>
      upstream.concurrency.group.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, body: string) => {
        const { tokens } = new Lexer(body.trim()).lex();
        const tree = new Parser(tokens, ['github'], []).parse();
        return new Evaluator(tree, JSON.parse(JSON.stringify({ github: { ref } }), data.reviver), new Map())
          .evaluate()
          .coerceString();
      });
    // Two pushes of main queue behind each other (in order); tags and other branches do not wait for them.
    expect(group('refs/heads/main')).toBe(group('refs/heads/main'));
    expect(new Set(['refs/heads/main', 'refs/tags/v1.2.3', 'refs/tags/v1.2.4'].map(group)).size).toBe(3);
  });
});
