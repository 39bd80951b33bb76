import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import ts from 'typescript'
import { debugToolbar, recordLog, type LoggingStats } from '../../src/index.js'
import { loopbackServers } from '../support/loopback-service.js'
import { get } from '../support/page-load.js'

// The debug error page and the Logging panel show a stack in the TypeScript the developer
// wrote. The built files are loaded with Node's own require, as an app built by tsc runs:
// the test runner then leaves their frames as V8 writes them.

const start = loopbackServers()
const load = createRequire(import.meta.url)
const TS = 'test/fixtures/code-location/src/users.ts'

/** test/fixtures/code-location/build/users.js, tsc's build of src/users.ts with its .map. */
const { findUser } = load('../fixtures/code-location/build/users.js') as { findUser: (rows: unknown, id: number) => unknown }

const dirs: string[] = []
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** `source` compiled by TypeScript into a temporary folder as `name.js` and its map (holding the source), loaded. */
function built<T>(name: string, source: string): T {
  const dir = mkdtempSync(join(tmpdir(), 'hdt-source-'))
  dirs.push(dir)
  const out = ts.transpileModule(source, { fileName: `${name}.ts`, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, sourceMap: true, inlineSources: true } })
  writeFileSync(join(dir, `${name}.js`), out.outputText)
  writeFileSync(join(dir, `${name}.js.map`), out.sourceMapText!)
  return load(join(dir, `${name}.js`)) as T
}

/** Each frame shown, with the source lines shown beneath it. */
function framesOf(html: string): { own: boolean; text: string; source: string[] }[] {
  return [...html.matchAll(/<li class="hdt-err-(own|lib)"><code>([^<]*)<\/code>(?:<pre class="hdt-err-source">(.*?)<\/pre>)?/g)].map((m) => ({
    own: m[1] === 'own',
    text: m[2]!,
    source: [...(m[3] ?? '').matchAll(/<span class="([^"]*)">([^<]*)<\/span>/g)].map((l) => l[2]!),
  }))
}

describe('the debug error page reads in the source the developer wrote', () => {
  it("shows a compiled file's frame at its TypeScript position, with the lines around it, the throwing one marked", async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/users/:id', (c) => c.json(findUser(null, Number(c.req.param('id')))))
    const page = await get(await start(app), '/users/7')
    expect(page.status).toBe(500)
    const frames = framesOf(page.text)
    const user = frames.find((f) => f.text.startsWith('at findUser'))!
    // build/users.js:2:22 is `rows.find` of users.ts line 10.
    expect(user.text).toBe(`at findUser (${TS}:10:20)`)
    expect(user.own).toBe(true)
    expect(user.source).toEqual([
      '     8 | ',
      '     9 | export function findUser(rows: Row[], id: number): User | undefined {',
      '>   10 |   const row = rows.find((r) => r.id === id)',
      // Escaped as every text of the page is.
      '    11 |   return row &amp;&amp; { id: row.id, name: `user ${row.id}` }',
      '    12 | }',
    ])
    expect(page.text).toContain('<span class="hdt-err-line hdt-err-current">>   10 |')
    // Frames of Hono and the toolbar keep their place among the library's, with no source shown.
    const library = frames.filter((f) => !f.own)
    expect(library.some((f) => f.text.includes('node_modules/hono/'))).toBe(true)
    expect(library.every((f) => f.source.length === 0)).toBe(true)
  })

  it("redacts a secret written in the source it shows, read from the map's sourcesContent", async () => {
    const { charge } = built<{ charge: () => never }>('pay', ["export function charge(): never {", "  const password = 'hunter2-very-secret'", "  throw new Error('card declined')", '}', ''].join('\n'))
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/pay', () => charge())
    const page = await get(await start(app), '/pay')
    const frame = framesOf(page.text).find((f) => f.text.startsWith('at charge'))!
    expect(frame.text).toMatch(/^at charge \(.*\/pay\.ts:3:9\)$/)
    expect(frame.source[2]).toBe(">    3 |   throw new Error('card declined')")
    expect(frame.source[1]).toMatch(/^ {5}2 \| {3}const password = /)
    expect(page.text).not.toContain('hunter2-very-secret')
  })
})

describe('the Logging panel reads a logged stack in the source the developer wrote', () => {
  it('shows the frames of a logged error at their TypeScript position', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/users', (c) => {
      try {
        findUser(null, 1)
      } catch (error) {
        recordLog('error', 'lookup failed', { value: (error as Error).stack })
        console.error(error)
      }
      return c.text('ok')
    })
    const base = await start(app)
    const response = await fetch(`${base}/users`)
    const id = response.headers.get('x-debug-toolbar-request-id')!
    const detail = await (await fetch(`${base}/_debug_toolbar/api/requests/${id}`)).json()
    const logs = (detail.panels.logging as LoggingStats).logs
    expect(logs[0]!.attributes.value).toContain(`\n    at findUser (${TS}:10:20)\n`)
    expect(logs[1]!.message).toContain(`\n    at findUser (${TS}:10:20)\n`)
  })
})
