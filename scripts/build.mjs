// Builds the library (tsc: JavaScript + declarations into dist/) and the browser
// bundle of the toolbar (esbuild: templates/client/index.tsx into dist/client/toolbar.js).
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import * as esbuild from 'esbuild'

const require = createRequire(import.meta.url)
const root = new URL('..', import.meta.url).pathname

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', `${root}tsconfig.json`], {
  stdio: 'inherit',
})
// The examples import the package by its name, which resolves to what was just built.
for (const example of ['basic', 'distributed']) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', `${root}examples/${example}/tsconfig.json`], {
    stdio: 'inherit',
  })
}
await esbuild.build({
  entryPoints: [`${root}templates/client/index.tsx`],
  outfile: `${root}dist/client/toolbar.js`,
  bundle: true,
  format: 'iife',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  target: 'es2020',
  loader: { '.css': 'text' },
  legalComments: 'none',
})
