import { describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import { codeLocation, codeLocationOf, sourcePositionOf } from '../../src/core/code-location.js'

// test/fixtures/code-location: src/users.ts compiled by tsc into build/users.js (+ users.js.map),
// build/inline/users.js (inline map), build/rooted.js (its map names a sourceRoot), and
// build/broken.js, whose map is cut off.
const built = (name: string) => fileURLToPath(new URL(`../fixtures/code-location/build/${name}`, import.meta.url))
const TS = 'test/fixtures/code-location/src/users.ts'

/**
 * Runs `use` with a scratch folder's cart.js (its path), a `build` that compiles a cart.ts
 * source into it with its map beside it, as `tsc --watch` does, the file dated `mtime`, and
 * the path of that cart.ts. The folder is removed after.
 */
function withCart(use: (file: string, build: (source: string, mtime: Date) => void, source: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'hdt-cart-'))
  const file = join(dir, 'cart.js')
  const build = (source: string, mtime: Date) => {
    const out = ts.transpileModule(source, { fileName: 'cart.ts', compilerOptions: { target: ts.ScriptTarget.ES2022, sourceMap: true, removeComments: true } })
    writeFileSync(file, out.outputText)
    writeFileSync(`${file}.map`, out.sourceMapText!)
    utimesSync(file, mtime, mtime)
  }
  try {
    use(file, build, join(dir, 'cart.ts'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('codeLocation: the one form of a place in the app code', () => {
  it("maps a compiled file's position to the TypeScript line the developer wrote, relative to the working directory", () => {
    // build/users.js line 2 is `    const row = rows.find(...)`, users.ts line 10 `  const row = rows.find(...)`.
    expect(codeLocation(built('users.js'), 2, 5)).toBe(`${TS}:10:3`)
    expect(codeLocation(pathToFileURL(built('users.js')).href, 3, 5)).toBe(`${TS}:11:3`)
    expect(codeLocationOf(`${built('users.js')}:2:5`)).toBe(`${TS}:10:3`)
  })

  it('reads an inline data: URL map too', () => {
    expect(codeLocation(built('inline/users.js'), 2, 5)).toBe(`${TS}:10:3`)
  })

  it("reads a map's sources under its sourceRoot, written without a closing slash ('../src')", () => {
    // build/rooted.js.map: sourceRoot '../src', sources ['users.ts'].
    expect(codeLocation(built('rooted.js'), 2, 5)).toBe(`${TS}:10:3`)
  })

  it('keeps the compiled position when the map is broken, or says nothing of that line', () => {
    expect(codeLocation(built('broken.js'), 2, 5)).toBe('test/fixtures/code-location/build/broken.js:2:5')
    // Line 5 is the sourceMappingURL comment: no mapping on it.
    expect(codeLocation(built('users.js'), 5, 1)).toBe('test/fixtures/code-location/build/users.js:5:1')
  })

  it("keeps a path outside the working directory absolute, and Node's own code as V8 names it", () => {
    expect(codeLocation('file:///srv/app/pages.js', 20, 5)).toBe('/srv/app/pages.js:20:5')
    expect(codeLocationOf('/srv/app/pages.js:20:5')).toBe('/srv/app/pages.js:20:5')
    expect(codeLocation('node:internal/timers', 12, 3)).toBe('node:internal/timers:12:3')
    expect(codeLocationOf('<anonymous>')).toBe('<anonymous>')
  })

  it('reads the new map of a file rebuilt since its map was read (tsc --watch)', () => {
    withCart((file, build, source) => {
      // cart.js line 1 is the `export const total` of the source's line 2, then of its line 5.
      build('// cart\nexport const total = 1\n', new Date(2026, 0, 1))
      expect(codeLocation(file, 1, 1)).toBe(`${source}:2:1`)
      build('// cart\n\n\n\nexport const total = 2\n', new Date(2026, 0, 2))
      expect(codeLocation(file, 1, 1)).toBe(`${source}:5:1`)
    })
  })

  it("reads a built file's location as its source's absolute path, line and column, looking at each file once per batch of locations", () => {
    withCart((file, build, source) => {
      build('// cart\nexport const total = 1\n', new Date(2026, 0, 1))
      const first = new Set<string>()
      expect(sourcePositionOf(`${file}:1:1`, first)).toEqual({ path: source, line: 2, column: 1 })
      // Rebuilt while the batch is converted: the batch keeps the map it checked.
      build('// cart\n\n\n\nexport const total = 2\n', new Date(2026, 0, 2))
      expect(sourcePositionOf(`${file}:1:1`, first)).toEqual({ path: source, line: 2, column: 1 })
      // The next batch looks at the file again and reads the new map.
      expect(sourcePositionOf(`${file}:1:1`, new Set())).toEqual({ path: source, line: 5, column: 1 })
    })
    expect(sourcePositionOf(`${built('users.js')}:2:5`)).toEqual({ path: fileURLToPath(new URL('../fixtures/code-location/src/users.ts', import.meta.url)), line: 10, column: 3 })
    // Not a file's position: nothing to read apart.
    expect(sourcePositionOf('node:internal/timers:12:3')).toBeUndefined()
    expect(sourcePositionOf('<anonymous>')).toBeUndefined()
  })
})
