import { defineConfig } from 'vitest/config'

// Browser tests: playwright-core driving Debian's chromium against the demo and test apps.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  test: {
    include: ['integration/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    // The compiled demo runs as Node runs it (`npm start`), not rewritten by Vite: the code
    // locations its profile and queries show are then mapped through its own source maps, as
    // a user sees them (Vite's rewrite moved its lines: dist/examples/basic/app.js:144:26).
    server: { deps: { external: [/\/dist\/examples\//] } },
  },
})
