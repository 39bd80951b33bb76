import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

// `npm test`: unit tests (test/) and protocol-peer tests (integration/, without the browser),
// with line coverage of src/. The browser tests have their own config (vitest.browser.config.ts).
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'integration/**/*.test.ts'],
    exclude: ['integration/browser/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most of these tests wait on sockets, timers and child processes rather than compute: two
    // forks at least, even on two cores (vitest's default there is one), took `npm test` from
    // 7.4 to 4.9 minutes on this project's 2-core machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { lines: 90 },
    },
  },
})
