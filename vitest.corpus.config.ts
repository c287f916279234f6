import { defineConfig } from 'vitest/config';

// `npm run check:corpus`: the editors over ../shared/corpus/real-yaml (absent from a user's clone, so not in `npm test`).
export default defineConfig({
  test: { include: ['test/corpus/*.check.ts'], testTimeout: 300_000 },
});
