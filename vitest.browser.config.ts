import { defineConfig } from 'vitest/config'

// Browser tests: playwright-core driving Debian's chromium against the demo and test apps.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  test: {
    include: ['integration/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two files at a time, each with its own chromium and servers: their tests wait on pages
    // and sockets as much as they compute. 217 s for the suite on 2 cores against 290 s one
    // file at a time; all 170 passed beside a busy loop taking one core (285 s).
    maxWorkers: 2,
    // The compiled demo runs as Node runs it (`npm start`), not rewritten by Vite: the code
    // locations its profile and queries show are then mapped through its own source maps, as
    // a user sees them (Vite's rewrite moved its lines: dist/examples/basic/app.js:144:26).
    server: { deps: { external: [/\/dist\/examples\//] } },
  },
})
