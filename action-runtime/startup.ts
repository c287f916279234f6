/**
 * Imported first by each action's `src/index.ts`: the bundle evaluates modules in import order, so this runs before
 * any dependency is loaded (one of them could fail to load on an old Node.js before a clear message is printed).
 * The composite's bash step only checks that `node` exists: a second `node` start just to read the version cost
 * ~50 ms on every run.
 */
import { setFlagsFromString } from 'node:v8';
import { MIN_NODE_MAJOR, nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
  // Nothing else is loaded yet: the workflow command by hand (the message holds no character to escape).
  process.stdout.write(`::error title=gitops-dispatch needs Node.js ${MIN_NODE_MAJOR}::${problem}\n`);
  process.exit(1);
}

// fetch's HTTP parser is WebAssembly that V8 also compiles with its optimising tier in the background, and Node.js
// waits for that compile before the process exits (40-80 ms for one dispatch, see bench/RESULTS.md). The baseline
// compiler alone is fast enough for a few requests. Set before the first fetch compiles the parser.
setFlagsFromString('--liftoff-only');
