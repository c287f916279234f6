// Preloaded into ncc by `scripts/build.mjs --transpile-only` (node --require). ncc's transpile-only mode compiles
// each file alone with ts.transpileModule, which cannot read package.json, so under "module": "NodeNext" it takes
// every .ts file for CommonJS and emits require() calls, and webpack then cannot resolve the ESM-only @actions/*
// packages. Compiling each file as .mts tells TypeScript what package.json's "type": "module" tells the full build:
// the same ESM emit. (isolatedModules + verbatimModuleSyntax make a lone file's emit equal the whole program's.)
const Module = require('node:module');

const load = Module._load;
let wrapped;
Module._load = function loadWithEsmTranspile(request, ...rest) {
  const loaded = load.call(this, request, ...rest);
  if (request !== 'typescript') return loaded;
  wrapped ??= Object.create(loaded, {
    transpileModule: {
      value: (input, options = {}) =>
        loaded.transpileModule(input, {
          ...options,
          fileName: options.fileName?.replace(/(?<!\.d)\.ts$/, '.mts'),
        }),
    },
  });
  return wrapped;
};
