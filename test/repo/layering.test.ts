/**
 * core/ is a library in layers, and imports only point down: base files (errors, logging, shapes) <- rules <- edit
 * <- plan <- land <- receive (the use case), with payload, git, github and argocd beside them. core never imports the Actions toolkit, the
 * actions or the CLI. A new import that points up (an editor reaching into the planner, say) fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CORE = join(ROOT, 'core');

/** What each layer (a folder of core/, or `base` for the files at its top) may import besides itself. */
const ALLOWED: Record<string, string[]> = {
  base: [],
  payload: ['base'],
  rules: ['base'],
  edit: ['base', 'rules'],
  plan: ['base', 'rules', 'edit'],
  git: ['base'],
  github: ['base', 'payload'],
  argocd: ['base'],
  land: ['base', 'rules', 'edit', 'plan', 'git', 'github'],
  receive: ['base', 'rules', 'edit', 'plan', 'git', 'github', 'argocd', 'land'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function layerOf(path: string): string {
  const rel = relative(CORE, path).split('/');
  return rel.length === 1 ? 'base' : rel[0]!;
}

function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
}

describe('core/ layering', () => {
  const sources = files(CORE);

  it('every folder of core/ has a place in the layers', () => {
    expect([...new Set(sources.map(layerOf))].filter((l) => !(l in ALLOWED))).toEqual([]);
  });

  it('imports point down the layers only, and never out of core/', () => {
    const wrong: string[] = [];
    for (const file of sources) {
      const layer = layerOf(file);
      for (const spec of importsOf(file)) {
        const where = `${relative(ROOT, file)} imports ${spec}`;
        if (spec.startsWith('@actions/')) wrong.push(`${where} (core never uses the Actions toolkit)`);
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(`${CORE}/`)) {
          wrong.push(`${where} (outside core/)`);
          continue;
        }
        const to = layerOf(target);
        if (to !== layer && !ALLOWED[layer]!.includes(to)) wrong.push(`${where} (${layer} may not use ${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('public surfaces', () => {
  const CONSUMERS = ['action-runtime', 'dispatch-action/src', 'receive-action/src', 'generator/src'];
  const consumers = CONSUMERS.flatMap((dir) => files(join(ROOT, dir)));

  it('outside core/, a layer is imported only through its index.ts (base files directly)', () => {
    const wrong: string[] = [];
    for (const file of consumers) {
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(`${CORE}/`)) continue;
        const rel = relative(CORE, target).split('/');
        if (rel.length > 1 && !(rel.length === 2 && rel[1] === 'index.js')) {
          wrong.push(`${relative(ROOT, file)} imports ${spec} (use core/${rel[0]}/index.js)`);
        }
      }
    }
    expect(consumers.length).toBeGreaterThan(10);
    expect(wrong).toEqual([]);
  });

  it('every layer a consumer imports has an index.ts', () => {
    for (const layer of Object.keys(ALLOWED).filter((l) => l !== 'base')) {
      expect(statSync(join(CORE, layer, 'index.ts')).isFile(), `core/${layer}/index.ts`).toBe(true);
    }
  });

  // The bundler drops a module whose exports go unused unless package.json lists it in `sideEffects` (that is what
  // keeps an index.ts's unused re-exports out of the dispatch bundle), so an import for its effect alone must be
  // listed there, or it would silently vanish from the bundle.
  it('every import made for its side effect alone is listed in package.json sideEffects', () => {
    const listed: string[] = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).sideEffects;
    const unlisted: string[] = [];
    for (const file of [...consumers, ...files(CORE)]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^import\s+'(\.[^']+)';/gm)) {
        const target = `./${relative(ROOT, resolve(dirname(file), m[1]!)).replace(/\.js$/, '.ts')}`;
        if (!listed.includes(target)) unlisted.push(`${relative(ROOT, file)} imports ${m[1]} for its effect`);
      }
    }
    expect(unlisted).toEqual([]);
  });
});
